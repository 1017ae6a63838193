"""Knee drops (side_knee_drop, lying_trunk_rotation): lying on the back, bent knees turned to one side."""

from __future__ import annotations

import math

import numpy as np

from coach.geometry import side_of_line
from coach.measures.base import knee_angle, points, torso_px
from coach.pose.frame import PoseFrame

# Seen side-on, a knee turning toward or away from the camera moves mostly along the camera's axis:
# the picture shows it only as lost height, and which way it went only as depth. What MediaPipe
# reads on the renders (bench/motions/knee_drops.py, samples/side_knee_drop/): a 55-62 deg drop
# toward the camera takes 0.30-0.35 torso lengths off the knees' height, away from it only
# 0.10-0.18 (the far knees are partly hidden and drawn higher); its world landmarks turn the legs
# by 30-40 deg toward the camera and by 0-13 deg away, so no angle is read off them (nor is the
# shoulder line's slope: a thinner margin than the picture's). Depth (``z``) moves with the knees
# either way, by 0.2-0.9 torso lengths, from a biased level (the knees read nearer the camera than
# they are): usable as a change from rest, not as a position.


def _knee_heights(pose: PoseFrame) -> list[float]:
    """Each knee's height above the line from its hip to its ankle in the picture, torso lengths
    (left, right); empty when a leg's hip and ankle coincide."""
    torso = torso_px(pose)
    heights = []
    for s in ("left", "right"):
        hip, knee, ankle = points(pose, s, "hip", "knee", "ankle")
        line = float(np.linalg.norm(ankle - hip))
        if line < 1e-6:
            return []
        heights.append(side_of_line(hip, ankle, knee) * line / torso)
    return heights


def knee_height(pose: PoseFrame, side: str) -> float:
    """How high the knee of ``side`` stands above its leg's floor line: its height above the line from
    its hip to its ankle in the picture, in torso lengths (bent up with the foot flat about 0.6;
    dropped to a side 0.25-0.5; a straight leg about 0). It falls whichever way the knee drops, and
    does not tell which."""
    heights = _knee_heights(pose)
    return heights[0 if side == "left" else 1] if heights else math.nan


def knee_height_mean(pose: PoseFrame, side: str) -> float:
    """knee_height of both legs, the mean: both knees dropping together. ``side`` is not used."""
    heights = _knee_heights(pose)
    return sum(heights) / 2 if heights else math.nan


def _near_is_left(pose: PoseFrame) -> bool:
    """Whether the person's left side is the one nearer the camera (shoulders and hips, by depth)."""
    assert pose.z is not None
    return float(pose.z[11] + pose.z[23]) < float(pose.z[12] + pose.z[24])


def knees_away_from(pose: PoseFrame, side: str) -> float:
    """How far the knees sit away from ``side`` of the body, by depth: the mid-hip's depth against the
    mid-knee's, in torso lengths, positive toward the other side. It falls as the knees drop toward
    ``side`` (toward the camera when that side faces it), so it moves the way knee_height does and
    the engine's worked side (``[sides]``, the phase's direction) is the side dropped to.
    MediaPipe's depth has a bias that differs from person to person and view to view, so only its
    change from rest means anything: a drop toward ``side`` takes it down by 0.2-0.9. NaN without depth."""
    if pose.z is None or pose.xy is None:
        return math.nan
    z = pose.z
    nearer = float((z[23] + z[24]) / 2 - (z[25] + z[26]) / 2) / torso_px(pose)  # > 0: knees nearer the camera
    return -nearer if (side == "left") == _near_is_left(pose) else nearer


def knee_height_max(pose: PoseFrame, side: str) -> float:
    """The higher of the two knees above its leg's floor line (knee_height of each leg): with one
    leg straight on the floor, the bent one's. ``side`` is not used."""
    heights = _knee_heights(pose)
    return max(heights) if heights else math.nan


def knee_above_other(pose: PoseFrame, side: str) -> float:
    """How much higher the knee of ``side`` stands than the other knee, each above its leg's floor
    line (knee_height), torso lengths: with one knee bent and the other leg straight, the bent one
    reads about +0.5 and the straight one -0.5; guiding the bent knee across the body toward the
    floor takes its value down and the straight leg's up, so only the bent leg is ever "worked". A
    straight leg read a little bent (MediaPipe's legs crossing) moves both alike and cancels."""
    heights = _knee_heights(pose)
    if not heights:
        return math.nan
    return heights[0] - heights[1] if side == "left" else heights[1] - heights[0]


def knee_height_gap(pose: PoseFrame, side: str) -> float:
    """How much higher one knee stands than the other above their legs' floor lines (knee_height's
    per-leg heights), torso lengths: knees together drop together; one lagging behind stands higher.
    ``side`` is not used."""
    heights = _knee_heights(pose)
    return abs(heights[0] - heights[1]) if heights else math.nan


def shoulder_rise(pose: PoseFrame, side: str) -> float:
    """How much higher the left shoulder stands than the right in the picture, in torso lengths (> 0:
    the left higher). Lying side-on, the far shoulder sits a little above the near one (the camera
    looks down); a shoulder coming up off the floor moves it either way, so it is judged as a change
    from the person's rest (a fault rule's ``relative``). ``side`` is not used."""
    left, right = points(pose, "left", "shoulder")[0], points(pose, "right", "shoulder")[0]
    return float(right[1] - left[1]) / torso_px(pose)


def knee_angle_min(pose: PoseFrame, side: str) -> float:
    """The more-bent knee of the two legs (hip-knee-ankle, 180 = straight)."""
    return min(knee_angle(pose, "left"), knee_angle(pose, "right"))


def knee_angle_max(pose: PoseFrame, side: str) -> float:
    """The straighter knee of the two legs: both knees bent keeps it low."""
    return max(knee_angle(pose, "left"), knee_angle(pose, "right"))



# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
TABLE = {
    'knee_height': (knee_height, ('shoulder', 'hip', 'knee', 'ankle'), (-5.0, 5.0), 'torso'),
    'knee_height_mean': (knee_height_mean, ('shoulder', 'hip', 'knee', 'ankle'), (-5.0, 5.0), 'torso'),
    'knee_height_max': (knee_height_max, ('shoulder', 'hip', 'knee', 'ankle'), (-5.0, 5.0), 'torso'),
    'knee_height_gap': (knee_height_gap, ('shoulder', 'hip', 'knee', 'ankle'), (0.0, 5.0), 'torso'),
    'knee_above_other': (knee_above_other, ('shoulder', 'hip', 'knee', 'ankle'), (-5.0, 5.0), 'torso'),
    'knees_away_from': (knees_away_from, ('shoulder', 'hip', 'knee'), (-5.0, 5.0), 'torso'),
    'shoulder_rise': (shoulder_rise, ('shoulder', 'hip'), (-5.0, 5.0), 'torso'),
    'knee_angle_min': (knee_angle_min, ('hip', 'knee', 'ankle'), (0.0, 180.0), 'deg'),
    'knee_angle_max': (knee_angle_max, ('hip', 'knee', 'ankle'), (0.0, 180.0), 'deg'),
}
