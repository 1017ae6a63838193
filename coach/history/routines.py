"""``coach history --routine [ID]``: the routine sessions done, and adherence: on how many days a
routine was done, and how many of its steps were completed."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Optional, Sequence

from coach.history.store import RoutineRow

ENDED = {"completed": "completed", "pain": "stopped for pain", "quit": "stopped", "window_closed": "stopped",
         "video_ended": "video ended", "camera_lost": "camera lost", "interrupted": "interrupted"}


def routine_lines(rows: Sequence[RoutineRow], today: Optional[date] = None) -> list[str]:
    """One line a routine session (newest last), then one adherence line a routine."""
    lines = [f"{'when':<17} {'routine':<22} {'steps done':>10}  ended"]
    for r in rows:
        when = r.local_time().strftime("%Y-%m-%d %H:%M")
        lines.append(f"{when:<17} {r.routine_id:<22} {f'{r.completed}/{r.steps}':>10}  {ENDED.get(r.ended or '', r.ended)}")
    by_routine: dict[str, list[RoutineRow]] = defaultdict(list)
    for r in rows:
        by_routine[r.routine_id].append(r)
    today = today or date.today()
    lines.append("")
    for rid, done in sorted(by_routine.items()):
        days = {r.local_time().date() for r in done}
        first = min(days)
        span = (today - first).days + 1
        week = {d for d in days if (today - d).days < 7}
        steps, completed = sum(r.steps for r in done), sum(r.completed for r in done)
        full = sum(1 for r in done if r.completed == r.steps)
        lines.append(f"{rid}: {len(done)} session{'s' if len(done) != 1 else ''} on {len(days)} of the {span} "
                     f"day{'s' if span != 1 else ''} since {first.isoformat()} ({len(week)} of the last 7 days); "
                     f"{full} done in full; steps completed {completed}/{steps} ({100 * completed / steps:.0f}%)")
    return lines
