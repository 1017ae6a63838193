"""The key measure frame by frame, which report.json does not keep: the landmark trace replayed
through the exercise checker (no inference; a few hundred frames take a tenth of a second).

The replay sees exactly the frames the session's checker saw (a live session's checker starts when
counting starts), so it computes the same values, and the same reps: ``replay_series`` reports the
reps it found, so a changed definition can be pointed out rather than plotted silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Optional

import numpy as np

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import Exercise
from coach.pose.frame import PoseFrame
from coach.trace import TraceSource

UNTRUSTED = ("no_person", "unseen")  # states in which the checker's measures are stale, not measured


@dataclass
class MeasureSeries:
    """Per replayed frame: where it is in the trace (``ordinal``: its line, from 0, which is also its
    frame in a video written alongside), its time, the key measure (NaN where the joints could not
    be trusted), the rest (or neutral) level the phases are judged against (NaN before counting),
    and the camera-facing side."""

    measure: str
    ordinal: np.ndarray
    t: np.ndarray
    value: np.ndarray
    rest: np.ndarray
    sides: list[Optional[str]]
    reps: list[tuple[float, float]] = field(default_factory=list)  # (start_s, end_s) of the replay's reps

    def __len__(self) -> int:
        return len(self.t)

    def nearest(self, t: float) -> int:
        """Position (in these arrays) of the frame nearest time ``t``; -1 when empty."""
        if not len(self.t):
            return -1
        i = int(np.searchsorted(self.t, t))
        if i >= len(self.t) or (i > 0 and t - self.t[i - 1] <= self.t[i] - t):
            i -= 1
        return i


def replay_series(trace_path: str, exercise: Exercise, after_s: Optional[float] = None) -> MeasureSeries:
    """Replay ``trace_path`` through a fresh checker; only frames later than ``after_s`` when given
    (a live session: its checker started after the set-up). Raises CoachError on a bad trace."""
    checker = ExerciseChecker(exercise)
    key = exercise.phases.measure
    direction = exercise.phases.direction
    ordinal, times, values, rests, sides = [], [], [], [], []
    for n, pose in enumerate(TraceSource(trace_path)):
        if after_s is not None and pose.t <= after_s:
            continue
        result = checker.update(pose)
        value = math.nan if result.state in UNTRUSTED else result.measures.get(key, math.nan)
        ordinal.append(n)
        times.append(pose.t)
        values.append(value)
        # key_level is how far the value is out from the checker's rest level, toward the movement:
        # what is left is the rest level itself.
        rests.append(value - direction * result.key_level if math.isfinite(result.key_level) else math.nan)
        sides.append(result.side)
    session = checker.finish()
    return MeasureSeries(measure=key, ordinal=np.asarray(ordinal, dtype=int), t=np.asarray(times, dtype=float),
                         value=np.asarray(values, dtype=float), rest=np.asarray(rests, dtype=float), sides=sides,
                         reps=[(r.start_s, r.end_s) for r in session.reps])


def poses_at(trace_path: str, ordinals: Iterable[int], search: int = 15) -> dict[int, PoseFrame]:
    """The pose nearest each wanted trace line (within ``search`` frames) that has a person in it."""
    wanted = sorted(set(ordinals))
    found: dict[int, tuple[int, PoseFrame]] = {}
    if not wanted:
        return {}
    for n, pose in enumerate(TraceSource(trace_path)):
        if n > wanted[-1] + search:
            break
        if not pose.has_pose:
            continue
        for w in wanted:
            gap = abs(n - w)
            if gap <= search and (w not in found or gap < found[w][0]):
                found[w] = (gap, pose)
    return {w: pose for w, (_, pose) in found.items()}
