"""A person's own range of motion for an exercise, from a recording of them doing it comfortably.

Fed the exercise checker's per-frame results (``FrameResult``), it keeps the key measure while
the checker is counting (the starting posture was recognised and the key joints are trusted) and
derives the person's levels:

- out-and-back exercises (bridge, knee to chest): ``rest`` and ``best``, absolute values of the
  key measure; values past a fault limit beyond the top (bridge: hips over-extended) are not a
  comfortable best and are left out. In the measure's direction (up for the bridge's hip extension, down for the knee to
  chest's hip angle) rest is the 10th percentile of what was seen and best the median of the values
  within the top fifth of the range seen: a held comfortable top, not a single-frame spike.
- two-way exercises (cat-cow): ``neutral`` and the two poles, ``plus`` (cat) and ``minus`` (cow),
  taken the same way on each side of neutral.

Pure: results in, numbers out. Recording from a camera or a file is calibration/command.py's job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from coach.engine.definition import Exercise, TwoWayPhases
from coach.engine.records import FrameResult
from coach.errors import CoachError

REST_PERCENTILE = 10.0  # rest: low enough to ignore the way up, high enough to ignore a dip
TOP_PERCENTILE = 98.0  # the range's end, ignoring the odd spike
BEST_SHARE = 0.8  # values within the top fifth of the range are the comfortable best
MIN_SAMPLES = 30  # about a second of counting at 30 fps
# A range under half the definition's "counts" level is refused: thresholds set from it would sit
# in the measure's noise (seen on a knee to chest shrunk to 4 deg: pulls counted on the wrong leg).
MIN_RANGE_SHARE = 0.5


@dataclass(frozen=True)
class Baseline:
    measure: str
    levels: dict[str, float]  # rest/best, or neutral/plus/minus: absolute values of the measure
    samples: int

    @property
    def range(self) -> float:
        """The person's excursion, in the measure's units (two-way: the shallower of the two poles)."""
        lv = self.levels
        if "neutral" in lv:
            return min(lv["plus"] - lv["neutral"], lv["neutral"] - lv["minus"])
        return abs(lv["best"] - lv["rest"])


class BaselineRecorder:
    """Feed every frame's result; ``baseline()`` at the end."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.measure = exercise.phases.measure
        self._values: list[float] = []
        # Going too far is not a comfortable best (an over-arched bridge): values past a fault limit
        # beyond the top of the movement are left out.
        self._sign = float(getattr(exercise.phases, "direction", 1))
        limits = [self._sign * (r.above if self._sign > 0 else r.below) for r in exercise.faults
                  if r.scope == "hold" and r.measure == self.measure and not r.relative
                  and (r.above if self._sign > 0 else r.below) is not None]
        self._too_far = min(limits, default=math.inf)  # in the movement's direction

    def update(self, result: FrameResult) -> None:
        value = result.measures.get(self.measure, math.nan)
        if result.state == "active" and math.isfinite(value) and self._sign * value <= self._too_far:
            self._values.append(float(value))

    @property
    def samples(self) -> int:
        return len(self._values)

    def baseline(self) -> Baseline:
        """The person's levels; CoachError when the recording shows too little to go on."""
        if len(self._values) < MIN_SAMPLES:
            raise CoachError(f"the recording shows too little of the exercise ({len(self._values)} usable frames): "
                             "get into the starting position, side-on to the camera with your whole body in view, "
                             "and record again")
        x = np.asarray(self._values)
        phases = self.exercise.phases
        if isinstance(phases, TwoWayPhases):
            return self._two_way(x, phases)
        sign = float(phases.direction)
        y = sign * x  # in the direction of the movement: larger is further out
        rest, top = np.percentile(y, REST_PERCENTILE), np.percentile(y, TOP_PERCENTILE)
        best = float(np.median(y[y >= rest + BEST_SHARE * (top - rest)]))
        if best - rest < MIN_RANGE_SHARE * phases.hold_above_rest:
            raise CoachError(f"too little movement was seen to set thresholds from ({self.measure} reached "
                             f"{best - rest:.1f} from rest; at least {MIN_RANGE_SHARE * phases.hold_above_rest:g} "
                             "is needed): do a few repetitions to your best comfortable position, and record again")
        return Baseline(self.measure, {"rest": round(sign * float(rest), 2), "best": round(sign * best, 2)}, len(x))

    def _two_way(self, x: np.ndarray, phases: TwoWayPhases) -> Baseline:
        neutral = float(np.median(x))  # most of a slow cat-cow is spent near the middle or held at the poles
        levels = {"neutral": round(neutral, 3)}
        for key, sign in (("plus", 1.0), ("minus", -1.0)):
            y = sign * (x - neutral)
            top = float(np.percentile(y, TOP_PERCENTILE))
            if BEST_SHARE * top < MIN_RANGE_SHARE * phases.pole_beyond:
                pole = phases.plus if sign > 0 else phases.minus
                raise CoachError(f"no {pole} was seen in the recording: go into {pole} and back a few times "
                                 "at your own comfortable depth, and record again")
            levels[key] = round(neutral + sign * float(np.median(y[y >= BEST_SHARE * top])), 3)
        return Baseline(self.measure, levels, len(x))
