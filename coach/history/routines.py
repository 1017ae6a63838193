"""``coach history --routine [ID]``: the routine sessions done, and adherence: on how many days a
routine was done, how many of its steps were completed, and, where the routine says how often it is
to be done (``sessions_per_day``/``_week``), how many of the prescribed sessions were done."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Mapping, Optional, Sequence

from coach.history.store import RoutineRow
from coach.routine.definition import Prescription, count_range

ENDED = {"completed": "completed", "pain": "stopped for pain", "quit": "stopped", "window_closed": "stopped",
         "video_ended": "video ended", "camera_lost": "camera lost", "interrupted": "interrupted"}


def routine_lines(rows: Sequence[RoutineRow], today: Optional[date] = None,
                  prescribed: Mapping[str, Prescription] = {}) -> list[str]:
    """One line a routine session (newest last), then one adherence line a routine, against its
    ``prescribed`` frequency where known (a routine id -> how often)."""
    lines = [f"{'when':<17} {'routine':<22} {'steps done':>10}  ended"]
    for r in rows:
        when = r.local_time().strftime("%Y-%m-%d %H:%M")
        pain = f"  (pain afterwards {r.pain_rating:g}/10)" if r.pain_rating is not None else ""
        lines.append(f"{when:<17} {r.routine_id:<22} {f'{r.completed}/{r.steps}':>10}  {ENDED.get(r.ended or '', r.ended)}{pain}")
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
                     f"{full} done in full; steps completed {completed}/{steps} ({100 * completed / steps:.0f}%)"
                     + _against(prescribed.get(rid), len(done), span))
    return lines


def _against(rx: Optional[Prescription], done: int, days: int) -> str:
    """"; prescribed 2-3 a day: 9 of 14-21 over 7 days (64%)": the share is of the fewest prescribed."""
    if rx is None:
        return ""
    low, high = rx.sessions_in(days)
    units = rx.units_in(days)
    return (f"; prescribed {rx.text()}: {done} of {count_range(low, high)} over {units} {rx.per}"
            f"{'s' if units != 1 else ''} ({min(100, round(100 * done / low))}%)")
