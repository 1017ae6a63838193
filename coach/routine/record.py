"""A routine session into the history: one routine row, and each coached set as a session of its own
that points at it (so ``coach history`` still shows every exercise's trend)."""

from __future__ import annotations

import sys
from typing import Optional

from coach.errors import CoachError
from coach.history.record import session_from_report, utc_now
from coach.history.store import RoutineRow, open_history
from coach.routine.guided import RoutineRun
from coach.routine.report import routine_report


def record_routine(state: RoutineRun, report_path: str, db_path: Optional[str] = None) -> Optional[int]:
    """Add the routine session to the history; its id, or None (after one warning line) when it could
    not be recorded. Never raises: the routine's own files are written already."""
    try:
        summary = routine_report(state)["summary"]
        row = RoutineRow(recorded_at=utc_now(), routine_id=state.routine.id, name=state.routine.name,
                         report_path=report_path, ended=state.ended, steps=summary["steps"],
                         completed=summary["completed"] + summary["on_timer"], skipped=summary["skipped"],
                         pain_stop=state.ended == "pain",
                         pain_rating=state.pain_rating["value"] if state.pain_rating else None)
        steps = [session_from_report(run.report, f"{run.folder}/report.json", "routine")
                 for run in state.runs if run.report is not None and run.folder is not None]
        with open_history(db_path) as db:
            return db.add_routine(row, steps)
    except Exception as err:  # noqa: BLE001 - any failure here, even a bug, must not fail the routine
        reason = str(err) if isinstance(err, CoachError) else f"{type(err).__name__}: {err}"
        print(f"coach: warning: the routine was not added to the history ({reason})", file=sys.stderr)
        return None
