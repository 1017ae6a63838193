"""What a session's report.json contributes to the history, and recording it without ever failing.

The commands (``coach analyze``, ``coach live``) call ``record_session`` once the report is written.
The analysis is done by then, so a history that can't be written costs one warning line on stderr,
never the run's exit status.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
from datetime import datetime, timezone
from typing import Optional, Union

from coach.engine.definition import Exercise
from coach.errors import CoachError
from coach.history.store import TIME_FORMAT, SessionRow, open_history
from coach.report import exercise_for_report, fault_counts, hold_target, holds_met, rom_keys


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime(TIME_FORMAT)


def range_of_motion(report: dict,
                    exercise: Optional[Exercise]) -> tuple[Optional[str], Optional[float], Optional[float]]:
    """(what is measured, mean over the reps, best rep) of the exercise's key measure at each rep's peak.

    Out-and-back exercises: the key measure at the top (``peak["hip_extension_deg"]``); "best" is the
    furthest good rep in the movement's direction (the highest hip extension, the smallest
    knee-to-chest hip angle): a rep that went too far (a bridge arched past straight) has a fault,
    so it is not the best one. None when no rep was good. Two-way exercises (cat-cow): the whole
    excursion, the depth reached at one pole plus the other, since the key measure's value alone
    says nothing of how far the back moved."""
    if exercise is None:
        return None, None, None
    keys = rom_keys(exercise)
    measure, sign = "+".join(keys), exercise.phases.direction  # two-way phases: always 1
    values, good = [], []
    for rep in report.get("reps", []):
        peak = rep.get("peak", {})
        if all(isinstance(peak.get(k), (int, float)) and math.isfinite(peak[k]) for k in keys):
            values.append(sum(float(peak[k]) for k in keys))
            if rep.get("good", not rep.get("faults")):
                good.append(values[-1])
    if not values:
        return measure, None, None
    best = round(max(good, key=lambda v: sign * v), 3) if good else None
    return measure, round(statistics.fmean(values), 3), best


def _ended(report: dict) -> str:
    live = report.get("live")
    if isinstance(live, dict) and live.get("ended"):
        return str(live["ended"])
    return "interrupted" if "interrupted" in report.get("warnings", []) else "complete"


def _pain_rating(report: dict) -> Optional[float]:
    """The 0-10 rating the person gave at the end (report ``pain_rating.value``), if any."""
    rating = report.get("pain_rating")
    value = rating.get("value") if isinstance(rating, dict) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _pain_stop(report: dict) -> bool:
    stopped = report.get("stopped")
    return (isinstance(stopped, dict) and stopped.get("reason") == "pain") or _ended(report) == "pain"


def _setup_only(report: dict) -> bool:
    """A live session whose set-up (and countdown) never finished: counting never started, so its
    0 reps say nothing about the exercise."""
    live = report.get("live")
    return isinstance(live, dict) and live.get("counting_from_s") is None


def session_from_report(report: dict, report_path: str, kind: str, exercise: Optional[Exercise] = None) -> SessionRow:
    """The history row of a ``coach.report/1`` report. ``exercise`` (the definition the session ran
    with) tells which measure is the range of motion; by default the shipped one of the report's id
    (none when there is no shipped definition of that id, e.g. analysed with --exercise-file)."""
    exercise = exercise or exercise_for_report(report)
    holds = report.get("holds", [])
    durations = [float(h["duration_s"]) for h in holds]
    target = hold_target(report)
    source = str(report.get("source", {}).get("path", ""))
    measure, rom_mean, rom_best = range_of_motion(report, exercise)
    summary = report["summary"]
    return SessionRow(
        recorded_at=utc_now(), exercise_id=report["exercise"]["id"],
        source_path=os.path.abspath(source) if source and os.path.exists(source) else source,
        reps=int(summary["reps"]), good_reps=int(summary["good_reps"]), total_hold_s=float(summary["total_hold_s"]),
        report_path=os.path.abspath(report_path), kind=kind, ended=_ended(report), holds=len(holds),
        # "holds met" only where there is a target to meet (cat-cow's 0 s is none: never "12/12" of nothing)
        holds_met=holds_met(report) if target else None,
        mean_hold_s=round(statistics.fmean(durations), 3) if durations else None,
        hold_target_s=float(target) if target is not None else None,
        rom_measure=measure, rom_mean=rom_mean, rom_best=rom_best, faults=fault_counts(report),
        pain_stop=_pain_stop(report), pain_rating=_pain_rating(report), setup_only=_setup_only(report),
        rom_direction=exercise.phases.direction if exercise is not None else None)


def record_session(report: dict, report_path: str, kind: str, exercise: Optional[Exercise] = None,
                   db_path: Union[str, os.PathLike, None] = None) -> Optional[int]:
    """Add the session to the history; returns its id, or None (after one warning line) when it
    could not be recorded. Never raises (except KeyboardInterrupt): the session's own files are
    written already and must not be reported as a failure."""
    try:
        row = session_from_report(report, report_path, kind, exercise)
        with open_history(db_path) as db:
            return db.add(row)
    except Exception as err:  # noqa: BLE001 - any failure here, even a bug, must not fail the run
        reason = str(err) if isinstance(err, CoachError) else f"{type(err).__name__}: {err}"
        print(f"coach: warning: the session was not added to the history ({reason})", file=sys.stderr)
        return None
