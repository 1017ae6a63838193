"""Folds sitting on the floor (seated_forward_bend, seated_hamstring_stretch): the trunk leaning forward
over straight legs, and which leg is the straight one.

Seen side-on, the shoulder-hip line leans forward as much when the back rounds as when the hips
hinge: the lean measures how far the person folds, not how well. The back's rounding is the person
mask's back curve (``back_curvature``, coach/measures/mask.py), read on the same profile as the cat.

Which leg is straight (the hamstring stretch's side) is read sitting up, before each fold: folded
over the legs, MediaPipe swaps them (on the renders it put the near straight leg's landmarks on the
far bent one for the whole hold) and the picture folds a near leg bent out to the side (its knee
toward the camera) into a nearly straight line (158-173 deg on a leg bent 135 deg); its world
landmarks keep that leg bent (130-146), hence a 3D knee angle.
"""

from __future__ import annotations

import math

import numpy as np

from coach.measures.base import points, torso_tilt
from coach.pose.frame import PoseFrame, side_landmark


def _mid(pose: PoseFrame, joint: str) -> np.ndarray:
    assert pose.xy is not None
    return (pose.xy[side_landmark("left", joint)] + pose.xy[side_landmark("right", joint)]) / 2


def fold_lean(pose: PoseFrame, side: str) -> float:
    """How far the trunk leans forward from upright, toward the feet: 90 minus ``torso_tilt`` (the
    shoulder-hip line's angle from the picture's horizontal), positive when the shoulder lies on the
    feet's side of the hip (the mean of the two ankles), negative leaning back. Sitting upright about
    0, folded over the legs 30-60. Reads the tracked side's shoulder and hip, and both ankles only for
    which way is forward."""
    shoulder, hip = points(pose, side, "shoulder", "hip")
    feet = _mid(pose, "ankle")
    lean = 90.0 - torso_tilt(pose, side)
    toward_feet = (shoulder[0] - hip[0]) * (feet[0] - hip[0])
    return lean if toward_feet >= 0 else -lean


def knee_angle_3d(pose: PoseFrame, side: str) -> float:
    """Hip-knee-ankle angle in the pose model's world landmarks (``pose.world``: metres, 3D), 180 =
    straight; NaN without them. Unlike the picture's angle it does not fold a leg bent out to the side
    (the knee toward the camera, the foot by the other thigh) into a straight-looking line."""
    if pose.world is None:
        return math.nan
    hip, knee, ankle = (pose.world[side_landmark(side, j)] for j in ("hip", "knee", "ankle"))
    u, v = hip - knee, ankle - knee
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu < 1e-6 or nv < 1e-6:
        return math.nan
    return math.degrees(math.acos(float(np.clip(np.dot(u, v) / (nu * nv), -1.0, 1.0))))


# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
TABLE = {
    "fold_lean": (fold_lean, ("shoulder", "hip", "ankle"), (-90.0, 90.0), "deg"),
    "knee_angle_3d": (knee_angle_3d, ("hip", "knee", "ankle"), (0.0, 180.0), "deg"),
}
