"""Folds sitting on the floor (seated_forward_bend, seated_hamstring_stretch): the trunk leaning forward
over straight legs, and which leg the trunk folds over.

Seen side-on, the shoulder-hip line leans forward as much when the back rounds as when the hips
hinge: the lean measures how far the person folds, not how well. The back's rounding is the person
mask's back curve (``back_curvature``, coach/measures/mask.py), read on the same profile as the cat.
"""

from __future__ import annotations

import math

import numpy as np

from coach.measures.base import points, torso_px, torso_tilt
from coach.pose.frame import PoseFrame, side_landmark


def _mid(pose: PoseFrame, joint: str) -> np.ndarray:
    assert pose.xy is not None
    return (pose.xy[side_landmark("left", joint)] + pose.xy[side_landmark("right", joint)]) / 2


def trunk_lean(pose: PoseFrame, side: str) -> float:
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


def shoulders_to_ankle(pose: PoseFrame, side: str) -> float:
    """How far the shoulders (their midpoint) are from this side's ankle in the picture, in torso
    lengths. Folding over a straight leg brings the shoulders toward its far ankle (sitting upright
    about 2 torso lengths away, folded 1.2-1.5); a leg bent in has its ankle by the other thigh,
    near the hips, and the fold hardly changes the distance: the leg whose distance falls is the one
    folded over (poses/seated_hamstring_stretch.toml's [sides])."""
    torso = torso_px(pose)
    if not torso > 1.0:
        return math.nan
    ankle = pose.xy[side_landmark(side, "ankle")]
    return float(np.linalg.norm(_mid(pose, "shoulder") - ankle)) / torso


# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
TABLE = {
    "trunk_lean": (trunk_lean, ("shoulder", "hip", "ankle"), (-90.0, 90.0), "deg"),
    "shoulders_to_ankle": (shoulders_to_ankle, ("shoulder", "hip", "ankle"), (0.0, 5.0), "torso"),
}
