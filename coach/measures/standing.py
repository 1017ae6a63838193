"""Standing at the desk with a prop (chair_squat, wall_pushup).

The wall push-up is counted on the elbow's bend and judged on the plank's body line (coach/measures/
planks.py ``body_line``: shoulder-hip-ankle, below 180 = the hips toward the wall, above = piked); the
chair squat is counted on the knee angle (coach/measures/base.py) and judged on the trunk's tilt
(``torso_tilt``) and on where the hands are: folded over the chest, or down at the thighs or the seat."""

from __future__ import annotations

import math

import numpy as np

from coach.geometry import joint_angle
from coach.measures.base import points
from coach.pose.frame import PoseFrame


def elbow_angle(pose: PoseFrame, side: str) -> float:
    """Shoulder-elbow-wrist angle in the picture: 180 = arm straight, about 90 = a right angle (the
    chest near the wall in a wall push-up). The elbow bends down and out, so seen side-on the picture
    shows most of the bend; from an oblique camera a bend pointing away from it reads straighter."""
    return joint_angle(*points(pose, side, "shoulder", "elbow", "wrist"))


def wrist_drop(pose: PoseFrame, side: str) -> float:
    """How far down the trunk the wrist sits: its position along the shoulder-to-hip line, in torso
    lengths from the shoulder (0 = level with the shoulder, 1 = level with the hip, measured along the
    trunk whichever way it leans). Arms folded over the chest: about 0.2-0.5; hands on the thighs, on
    the seat or hanging at the sides: about 0.9 and more."""
    shoulder, hip, wrist = points(pose, side, "shoulder", "hip", "wrist")
    axis = hip - shoulder
    torso2 = float(axis @ axis)
    if torso2 < 1e-9:
        return math.nan
    return float((wrist - shoulder) @ axis) / torso2


# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
TABLE = {
    "elbow_angle": (elbow_angle, ("shoulder", "elbow", "wrist"), (0.0, 180.0), "deg"),
    "wrist_drop": (wrist_drop, ("shoulder", "hip", "wrist"), (-5.0, 5.0), "torso"),
}
