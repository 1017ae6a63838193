"""Leg stretches lying on the back (hamstring_stretch, piriformis_stretch)."""

from __future__ import annotations

import math

import numpy as np

from coach.measures.base import hip_angle, leg_rise, torso_px
from coach.pose.frame import PoseFrame, side_landmark


def hip_angle_max(pose: PoseFrame, side: str) -> float:
    """The larger hip angle of the two legs: it closes only when both thighs come in (a figure four
    pulled toward the chest), not when one leg alone lifts or crosses."""
    return max(hip_angle(pose, "left"), hip_angle(pose, "right"))


def ankle_to_other_knee(pose: PoseFrame, side: str) -> float:
    """How far this side's ankle lies from the other side's knee in the picture, in torso lengths
    (mid-shoulders to mid-hips). A figure four rests the ankle just above the other knee: about 0.3
    seen side-on; knees bent side by side, about a shin's length (0.8-0.9). Seen side-on the picture
    loses the depth between the legs: an ankle held beside the knee, not on it, reads the same."""
    torso = torso_px(pose)
    if not torso > 1.0:
        return math.nan
    ankle = pose.xy[side_landmark(side, "ankle")]
    knee = pose.xy[side_landmark("right" if side == "left" else "left", "knee")]
    return float(np.linalg.norm(ankle - knee)) / torso


def cross_gap(pose: PoseFrame, side: str) -> float:
    """The nearer of the two ankles to the other leg's knee (``ankle_to_other_knee``, either leg):
    small while one ankle is crossed onto the other knee, whichever leg it is."""
    return min(ankle_to_other_knee(pose, "left"), ankle_to_other_knee(pose, "right"))


def leg_rise_max(pose: PoseFrame, side: str) -> float:
    """The higher ``leg_rise`` of the two legs: a leg raised off the floor (its ankle above the hip),
    whichever. Reads the hip and ankle only: a far leg whose knee MediaPipe draws on the raised
    one (seen from toward the head) keeps its ankle on the floor."""
    return max(leg_rise(pose, "left"), leg_rise(pose, "right"))


# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
def hand_to_knee(pose: PoseFrame, side: str) -> float:
    """How far the nearer hand (either wrist) lies from this side's knee in the picture, in torso
    lengths (mid-shoulders to mid-hips). A leg held by the hands clasped at or behind the knee reads
    about 0.2-0.35; held by the thigh, nearer the hip, 0.6 and more. The pose model then tends to put
    the knee on the grasp, at the leg's back edge, and reads the knee more bent than it is."""
    torso = torso_px(pose)
    if not torso > 1.0:
        return math.nan
    knee = pose.xy[side_landmark(side, "knee")]
    return min(float(np.linalg.norm(pose.xy[side_landmark(s, "wrist")] - knee)) for s in ("left", "right")) / torso


TABLE = {
    'hip_angle_max': (hip_angle_max, ('shoulder', 'hip', 'knee'), (0.0, 180.0), 'deg'),
    'leg_rise_max': (leg_rise_max, ('hip', 'ankle'), (-90.0, 90.0), 'deg'),
    'ankle_to_other_knee': (ankle_to_other_knee, ('shoulder', 'hip', 'knee', 'ankle'), (0.0, 5.0), 'torso'),
    'cross_gap': (cross_gap, ('shoulder', 'hip', 'knee', 'ankle'), (0.0, 5.0), 'torso'),
    'hand_to_knee': (hand_to_knee, ('shoulder', 'hip', 'knee', 'wrist'), (0.0, 10.0), 'torso'),
}
