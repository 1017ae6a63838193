"""Named measures: quantities computed from one PoseFrame for the tracked side.

Every measure is a function ``(pose, side) -> float`` returning NaN when it can't be computed.
Angle conventions are those of ``coach.geometry`` (degrees, 180 = straight, signed angles past
180 = extended past straight, up = away from the floor).
"""

from __future__ import annotations

from typing import Callable, Dict

import numpy as np

from coach.geometry import joint_angle, side_of_line, signed_joint_angle, tilt_from_horizontal
from coach.pose.frame import PoseFrame, side_landmark

Measure = Callable[[PoseFrame, str], float]


def _pts(pose: PoseFrame, side: str, *joints: str) -> list[np.ndarray]:
    assert pose.xy is not None
    return [pose.xy[side_landmark(side, j)] for j in joints]


def hip_extension(pose: PoseFrame, side: str) -> float:
    """Shoulder-hip-knee angle, signed: 180 = straight line, > 180 = hips pushed past the line (arched)."""
    return signed_joint_angle(*_pts(pose, side, "shoulder", "hip", "knee"))


def hip_angle(pose: PoseFrame, side: str) -> float:
    """Unsigned shoulder-hip-knee angle (small = thigh pulled toward the chest)."""
    return joint_angle(*_pts(pose, side, "shoulder", "hip", "knee"))


def knee_angle(pose: PoseFrame, side: str) -> float:
    """Hip-knee-ankle angle: 180 = straight leg, 90 = right angle."""
    return joint_angle(*_pts(pose, side, "hip", "knee", "ankle"))


def line_deviation(pose: PoseFrame, side: str) -> float:
    """How far the hip sits from the shoulder-knee line, as a fraction of the shoulder-knee distance;
    positive = above the line (past straight), negative = below (sagging)."""
    shoulder, hip, knee = _pts(pose, side, "shoulder", "hip", "knee")
    return side_of_line(shoulder, knee, hip)


def hip_angle_min(pose: PoseFrame, side: str) -> float:
    """The smaller hip angle of the two legs: the leg pulled further toward the chest (either side)."""
    return min(hip_angle(pose, "left"), hip_angle(pose, "right"))


def head_lift(pose: PoseFrame, side: str) -> float:
    """How far the ear sits above the hip-shoulder line, in torso lengths (lying: grows as the head and
    shoulders curl up off the floor)."""
    hip, shoulder, ear = _pts(pose, side, "hip", "shoulder", "ear")
    return side_of_line(hip, shoulder, ear)


def torso_tilt(pose: PoseFrame, side: str) -> float:
    """Angle of the shoulder-hip segment from the image horizontal: ~0 lying, ~90 upright."""
    return tilt_from_horizontal(*_pts(pose, side, "shoulder", "hip"))


MEASURES: Dict[str, Measure] = {
    "hip_extension": hip_extension,
    "hip_angle": hip_angle,
    "knee_angle": knee_angle,
    "line_deviation": line_deviation,
    "torso_tilt": torso_tilt,
    "hip_angle_min": hip_angle_min,
    "head_lift": head_lift,
}

# Units shown to people and used in report keys (``peak: {"hip_extension_deg": ...}``).
UNITS: Dict[str, str] = {
    "hip_extension": "deg", "hip_angle": "deg", "knee_angle": "deg", "line_deviation": "ratio",
    "torso_tilt": "deg", "hip_angle_min": "deg", "head_lift": "torso",
}
