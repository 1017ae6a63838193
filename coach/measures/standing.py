"""Standing at the desk with a prop (chair_squat, wall_pushup).

The wall push-up is counted on how near the shoulders come to the hands on the wall (``arm_reach``) and
judged on the plank's body line (coach/measures/planks.py ``body_line``: shoulder-hip-ankle, below 180 =
the hips toward the wall, above = piked). The elbow's own angle in the picture was tried as the key
measure and dropped: MediaPipe places the elbow badly when it bends out toward or away from the camera
(a real wall push-up, BloomFit, reads 122-137 deg at the wall where the picture shows about 90, and
the renders' straight arms read 139), while the shoulder and the wrist on the wall stay well placed
(that clip's shoulder-to-wrist distance: 1.0 torso lengths at rest, 0.42-0.52 at the wall); the
chair squat is counted on the knee angle (coach/measures/base.py) and judged on the trunk's tilt
(``torso_tilt``) and on where the hands are: folded over the chest, or down at the thighs or the seat."""

from __future__ import annotations

import math

import numpy as np

from coach.measures.base import points
from coach.pose.frame import PoseFrame


def arm_reach(pose: PoseFrame, side: str) -> float:
    """How far the wrist is from the shoulder, in torso lengths (shoulder to hip): arms straight about
    0.85-1.15 (the arm is a little longer than the trunk; less when it points partly at the camera),
    shorter as the elbow bends. Hands fixed on a wall: the shoulders coming toward the hands, i.e. how
    far a wall push-up leans in (0.35-0.6 with the chest near the wall). It does not need the elbow's
    landmark."""
    shoulder, hip, wrist = points(pose, side, "shoulder", "hip", "wrist")
    torso = float(np.hypot(*(hip - shoulder)))
    if torso < 1e-9:
        return math.nan
    return float(np.hypot(*(wrist - shoulder))) / torso


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
    "arm_reach": (arm_reach, ("shoulder", "hip", "wrist"), (0.0, 5.0), "torso"),
    "wrist_drop": (wrist_drop, ("shoulder", "hip", "wrist"), (-5.0, 5.0), "torso"),
}
