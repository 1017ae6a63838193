"""The person's previous session of the same exercise, from the history database, for the report's
comparison: read-only, and never a failure (a missing, locked, damaged or newer database, or any
other problem, means no comparison).

The report is written before its own session is recorded, so "previous" is the newest recorded
session of the same exercise and profile that started before this one's report was made (on a
re-render, ``coach report``, the session itself is in the history: it is left out by its report's
path and its time).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from coach.engine.definition import Exercise
from coach.history.store import SCHEMA_VERSION, HistoryDB, SessionRow, default_db_path


@dataclass(frozen=True)
class Figure:
    """One line of the comparison: what, this session's value and the previous one's (None: unknown)."""

    label: str
    now: Optional[float]
    before: Optional[float]
    unit: str = ""  # "s", or the range of motion's unit words
    better: int = 1  # +1: more is better; -1: less is better (a range of motion measured downward)


@dataclass(frozen=True)
class Comparison:
    previous: Optional[SessionRow]  # None: no earlier session of this exercise (and profile)
    figures: tuple[Figure, ...] = ()


def previous_session(report: dict, report_path: str, db_path: Union[str, os.PathLike, None] = None) -> Optional[SessionRow]:
    """The newest earlier session of the report's exercise and profile; None when there is none or
    the history can't be read (never raises)."""
    try:
        rows = _sessions(Path(db_path) if db_path is not None else default_db_path(), report["exercise"]["id"])
    except Exception:  # noqa: BLE001 - the comparison is a nicety: any failure means none
        return None
    ours = os.path.abspath(report_path)
    made = (report.get("times") or {}).get("analysed_at") if isinstance(report.get("times"), dict) else None
    profile = _profile_name(report)
    earlier = [r for r in rows if (r.report_path or "") != ours and (not isinstance(made, str) or r.recorded_at < made)
               and _row_profile(r) == profile]
    return earlier[-1] if earlier else None  # rows come oldest first


def compare(report: dict, exercise: Optional[Exercise], previous: Optional[SessionRow]) -> Comparison:
    """This session's reps, good reps, holds met, hold time and range of motion beside ``previous``'s."""
    if previous is None:
        return Comparison(None)
    from coach.history.record import range_of_motion  # the history's own figure, so the two compare
    from coach.report import hold_target, holds_met

    summary = report["summary"]
    figures = [Figure("reps", summary["reps"], previous.reps), Figure("good reps", summary["good_reps"], previous.good_reps)]
    target = hold_target(report)
    if target:  # "holds met" only for an exercise with a hold target
        figures.append(Figure("holds met", holds_met(report), previous.holds_met))
    figures.append(Figure("time held", summary["total_hold_s"], previous.total_hold_s, "s"))
    measure, mean, _ = range_of_motion(report, exercise)
    if measure is not None and previous.rom_measure == measure:
        direction = exercise.phases.direction if exercise is not None else 1
        figures.append(Figure("range of motion (mean of the reps)", mean, previous.rom_mean, _rom_unit(measure),
                              better=direction))
    return Comparison(previous, tuple(figures))


def _rom_unit(measure: str) -> str:
    return "°" if measure.endswith("_deg") else ""


def _sessions(path: Path, exercise_id: str) -> list[SessionRow]:
    """The recorded sessions of one exercise, opened read-only (never created, migrated or locked
    for writing); an older or newer schema than this coach's is not read."""
    if not path.is_file():
        return []
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    try:
        conn.row_factory = sqlite3.Row
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) != SCHEMA_VERSION:
            return []
        return HistoryDB(conn, path).sessions(exercise_id)
    finally:
        conn.close()


def _profile_name(report: dict) -> Optional[str]:
    profile = report.get("profile")
    return str(profile.get("name")) if isinstance(profile, dict) and profile.get("name") is not None else None


def _row_profile(row: SessionRow) -> Optional[str]:
    """The profile a recorded session ran with, from its report.json (the history does not keep it);
    None when it had none or the report is gone."""
    try:
        with open(row.report_path, encoding="utf-8") as fh:
            return _profile_name(json.load(fh))
    except Exception:  # noqa: BLE001 - a moved or damaged report: taken as no profile
        return None
