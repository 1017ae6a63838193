"""The live session's record, written as it goes so that nothing is lost when a session ends badly.

- ``landmarks.jsonl``: every processed frame, flushed as it is written (``coach.trace``).
- ``report.json``: rewritten atomically every few seconds, whenever a rep is completed, when
  counting starts, and at the end (``coach.report.write_report`` replaces the file in one step, so a
  crash leaves the last complete report, never half of one). While the session runs its
  ``live.ended`` is null.
- ``report.html`` and ``reps.csv`` (``coach.reporting``): once, after the final report.json.

The report is the ``coach.report/1`` one of ``coach analyze`` (the session clock runs from the first
frame, pauses excluded), with these additive extensions:

- ``live``: ``{"ended": why the session ended, "ended_s", "counting_from_s" (when the set-up and its
  countdown were done; null if never), "paused_s", "pauses": [{"t_s", "duration_s", "by": "key" |
  "body"}], "speech", "stats": frame rate, latency, drops}``.
- ``stopped``: ``{"reason": "pain", "t_s": ..., "message": ..., "by": "key" | "hand_up"}`` when the
  person pressed the pain key or held a hand up.
- ``pain_rating``: ``{"value": 0-10, "asked_at_s": ...}``: the answer to "How is your pain now, 0 to
  10?" at the end of the session (absent when not asked or not answered).
- warnings ``pain_stop``, ``camera_lost``, ``setup_not_finished``, ``interrupted``.

``source`` and ``tracking`` cover the whole session, set-up included; reps, holds, phases and cues
come from the checker, which only sees frames once counting has started (its phases begin with
``setup`` from 0 s).
"""

from __future__ import annotations

import os
from typing import Optional

from coach.engine.definition import Exercise
from coach.heap import trim
from coach.pose.frame import PoseFrame
from coach.report import build_report, write_report
from coach.reporting import write_readable_report
from coach.sources import SourceInfo
from coach.trace import TraceWriter

REPORT, TRACE = "report.json", "landmarks.jsonl"

class LiveSession:
    """Owns the output folder: the trace, the periodic and final report."""

    def __init__(self, out_dir: str, exercise: Exercise, source: SourceInfo, backend: dict,
                 save_every_s: float = 2.0, history_db: Optional[str] = None) -> None:
        os.makedirs(out_dir, exist_ok=True)
        self.history_db = history_db
        self.out_dir = out_dir
        self.exercise = exercise
        self.source = source
        self.backend = backend
        self.save_every_s = save_every_s
        self.files = {"report": os.path.join(out_dir, REPORT), "trace": os.path.join(out_dir, TRACE)}
        self._trace: Optional[TraceWriter] = TraceWriter(self.files["trace"], source, backend, exercise)
        self.frames = self.frames_with_pose = self.frames_trusted = 0
        self.last_t: Optional[float] = None
        self.counting_from: Optional[float] = None
        self.stopped: Optional[dict] = None
        self.pain_rating: Optional[dict] = None  # {"value": 0-10, "asked_at_s"}: the answer to the end-of-session question
        self._saved_at: Optional[float] = None
        self._saved_reps = -1

    def record(self, pose: PoseFrame, trusted: bool) -> None:
        """One processed frame (already quantized): into the trace at once."""
        assert self._trace is not None
        self._trace.write(pose, quantized=True)
        self.frames += 1
        self.frames_with_pose += pose.has_pose
        self.frames_trusted += trusted
        self.last_t = pose.t

    def duration_s(self) -> float:
        return (self.last_t + 1.0 / self.source.fps) if self.last_t is not None else 0.0

    def report(self, checker: object, live: dict, warnings: tuple[str, ...] = (), final: bool = False) -> dict:
        # Mid-session the checker carries on: the report is of a snapshot (ExerciseChecker.snapshot).
        session = checker.finish() if final else checker.snapshot()  # type: ignore[attr-defined]
        self.source.frames, self.source.duration_s = self.frames, self.duration_s()
        extra = list(warnings)
        if self.counting_from is None and "setup_not_finished" not in extra:
            extra.append("setup_not_finished")
        report = build_report(self.exercise, self.source, session, self.backend, tuple(extra))
        report["tracking"] = {
            "frames_with_pose": self.frames_with_pose,
            "fraction": round(self.frames_with_pose / self.frames, 3) if self.frames else 0.0,
            "frames_trusted": self.frames_trusted,
        }
        if session.frames == 0:  # counting never started: the whole session was set-up
            report["phases"] = [{"start_s": 0.0, "end_s": round(self.duration_s(), 3), "phase": "setup"}]
        elif report["phases"]:
            report["phases"][-1]["end_s"] = max(report["phases"][-1]["end_s"], round(self.duration_s(), 3))
        report["live"] = {"counting_from_s": None if self.counting_from is None else round(self.counting_from, 3),
                          **live}
        if self.stopped is not None:
            report["stopped"] = dict(self.stopped)
        if self.pain_rating is not None:
            report["pain_rating"] = dict(self.pain_rating)
        return report

    def save(self, checker: object, live: dict, warnings: tuple[str, ...] = (), final: bool = False) -> dict:
        report = self.report(checker, live, warnings, final)
        write_report(report, self.files["report"])
        if final:  # the page replays the trace and draws: once, at the end, never on the periodic saves
            self.files.update(write_readable_report(self.out_dir, report, self.exercise, self.files["trace"],
                                                    history_db=self.history_db))
        self._saved_reps = report["summary"]["reps"]
        self._saved_at = self.last_t if self.last_t is not None else 0.0
        if not final:
            trim()  # what the save freed goes back to the system (coach/heap.py)
        return report

    def save_due(self, t: float, reps: int) -> bool:
        """Time for the periodic save: every ``save_every_s`` seconds, and as soon as a rep is completed."""
        return self._saved_at is None or t - self._saved_at >= self.save_every_s or reps != self._saved_reps

    def close(self) -> None:
        if self._trace is not None:
            self._trace.close()
            self._trace = None
