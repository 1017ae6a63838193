"""The set-up check's starting-position line: is the person in the exercise's starting position?

The exercise's own posture conditions (``[[posture]]`` in poses/*.toml, those that only start
counting included: a bridge's hips down) are judged on the median of each measure over the frames
watched, on the side facing the camera (the checker's own ``SideSelector``). So calibrate asks for
exactly what starts counting live, and a person standing at a wall is not told the set-up is
usable for a bridge.
"""

from __future__ import annotations

import math
import statistics
from typing import Sequence

from calibration.camera import CHANGE, OK, POSITION, UNKNOWN, Check
from coach.engine.definition import Exercise
from coach.engine.view import SideSelector
from coach.measures import MEASURES
from coach.pose.frame import PoseFrame

MIN_MEASURED = 0.5  # of the frames with a pose: fewer measured and the position is not judged


def position_check(poses: Sequence[PoseFrame], exercise: Exercise) -> Check:
    """OK when every posture condition of ``exercise`` holds on the frames' medians; else CHANGE
    with the first failing condition's own words (what the live set-up says)."""
    if not exercise.posture:
        return Check(POSITION, UNKNOWN, "this exercise has no starting position to check")
    sides = SideSelector()
    values: dict[str, list[float]] = {c.measure: [] for c in exercise.posture}
    seen = 0
    for pose in poses:
        side = sides.update(pose)
        if pose.xy is None or side is None:
            continue
        seen += 1
        for name in values:
            value = MEASURES[name](pose, side)
            if math.isfinite(value):
                values[name].append(value)
    for cond in exercise.posture:
        found = values[cond.measure]
        if not seen or len(found) < MIN_MEASURED * seen:
            return Check(POSITION, UNKNOWN, "could not tell your position")
        median = statistics.median(found)
        if (cond.min is not None and median < cond.min) or (cond.max is not None and median > cond.max):
            return Check(POSITION, CHANGE, f"{cond.say}, then check again")
    return Check(POSITION, OK, f"in the starting position for {exercise.name.lower()}")
