"""The body's basic lines and angles, read the same way by every family of exercises, and the helpers
the families share."""

from __future__ import annotations

import math

import numpy as np

from coach.geometry import joint_angle, side_of_line, signed_joint_angle, tilt_from_horizontal
from coach.pose.frame import PoseFrame, side_landmark


def points(pose: PoseFrame, side: str, *joints: str) -> list[np.ndarray]:
    """The picture positions of ``joints`` on ``side``."""
    assert pose.xy is not None
    return [pose.xy[side_landmark(side, j)] for j in joints]


def torso_px(pose: PoseFrame) -> float:
    """torso_length_px, NaN when too small to divide by (a degenerate pose)."""
    t = torso_length_px(pose)
    return t if math.isfinite(t) and t > 1.0 else math.nan


def hip_extension(pose: PoseFrame, side: str) -> float:
    """Shoulder-hip-knee angle, signed: 180 = straight line, > 180 = hips pushed past the line (arched)."""
    return signed_joint_angle(*points(pose, side, "shoulder", "hip", "knee"))


def hip_angle(pose: PoseFrame, side: str) -> float:
    """Unsigned shoulder-hip-knee angle (small = thigh pulled toward the chest)."""
    return joint_angle(*points(pose, side, "shoulder", "hip", "knee"))


def knee_angle(pose: PoseFrame, side: str) -> float:
    """Hip-knee-ankle angle: 180 = straight leg, 90 = right angle."""
    return joint_angle(*points(pose, side, "hip", "knee", "ankle"))


def line_deviation(pose: PoseFrame, side: str) -> float:
    """How far the hip sits from the shoulder-knee line, as a fraction of the shoulder-knee distance;
    positive = above the line (past straight), negative = below (sagging)."""
    shoulder, hip, knee = points(pose, side, "shoulder", "hip", "knee")
    return side_of_line(shoulder, knee, hip)


def hip_angle_min(pose: PoseFrame, side: str) -> float:
    """The smaller hip angle of the two legs: the leg pulled further toward the chest (either side)."""
    return min(hip_angle(pose, "left"), hip_angle(pose, "right"))


def above_torso_line(pose: PoseFrame, side: str, joint: str) -> float:
    """How far ``joint`` sits above the hip-shoulder line, in torso lengths (negative: below it)."""
    hip, shoulder, point = points(pose, side, "hip", "shoulder", joint)
    return side_of_line(hip, shoulder, point)


def head_lift(pose: PoseFrame, side: str) -> float:
    """How far the ear sits above the hip-shoulder line, in torso lengths (lying: grows as the head and
    shoulders curl up off the floor)."""
    return above_torso_line(pose, side, "ear")


def wrist_height(pose: PoseFrame, side: str) -> float:
    """How far the wrist sits above the hip-shoulder line, in torso lengths: on hands and knees the
    hands are an arm's length below it (about -1); lying or standing they are near it."""
    return above_torso_line(pose, side, "wrist")



def torso_tilt(pose: PoseFrame, side: str) -> float:
    """Angle of the shoulder-hip segment from the image horizontal: ~0 lying, ~90 upright."""
    return tilt_from_horizontal(*points(pose, side, "shoulder", "hip"))


def hip_lift(pose: PoseFrame, side: str) -> float:
    """How far the hip sits above the shoulder-ankle line, as a share of that line's length: lying
    with the hips down (knees bent or straight) about 0, as shoulders and feet rest on the floor too;
    a bridge's top lifts it about 0.2-0.3. Tells "hips down" whatever the knees do."""
    shoulder, hip, ankle = points(pose, side, "shoulder", "hip", "ankle")
    return side_of_line(shoulder, ankle, hip)


def torso_length_px(pose: PoseFrame) -> float:
    """How big the person is in the picture: mid-shoulders to mid-hips, pixels (NaN without a pose).
    Not a measure of the movement: below ``coach.engine.judgeable.MIN_TORSO_PX`` form is not judged."""
    if pose.xy is None:
        return math.nan
    mid = [(pose.xy[side_landmark("left", j)] + pose.xy[side_landmark("right", j)]) / 2 for j in ("shoulder", "hip")]
    return float(np.linalg.norm(mid[0] - mid[1]))


def leg_rise(pose: PoseFrame, side: str) -> float:
    """How far the leg points up from the hip: the hip-to-ankle line's angle above the image
    horizontal, whichever way the person faces (0 = ankle level with the hip, > 0 = ankle higher,
    up to 90). Bent or straight, a leg resting on the floor keeps its ankle below the hip joint (a
    few degrees below level seen side-on); a leg held off the floor raises it. A camera's roll adds
    to it one for one: the set-up check keeps that under 10 deg."""
    hip, ankle = points(pose, side, "hip", "ankle")
    return math.degrees(math.atan2(hip[1] - ankle[1], abs(ankle[0] - hip[0])))



# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
TABLE = {
    'hip_extension': (hip_extension, ('shoulder', 'hip', 'knee'), (0.0, 360.0), 'deg'),
    'hip_angle': (hip_angle, ('shoulder', 'hip', 'knee'), (0.0, 180.0), 'deg'),
    'knee_angle': (knee_angle, ('hip', 'knee', 'ankle'), (0.0, 180.0), 'deg'),
    'line_deviation': (line_deviation, ('shoulder', 'hip', 'knee'), (-5.0, 5.0), 'ratio'),
    'torso_tilt': (torso_tilt, ('shoulder', 'hip'), (0.0, 90.0), 'deg'),
    'hip_angle_min': (hip_angle_min, ('shoulder', 'hip', 'knee'), (0.0, 180.0), 'deg'),
    'head_lift': (head_lift, ('hip', 'shoulder', 'ear'), (-5.0, 5.0), 'torso'),
    'wrist_height': (wrist_height, ('hip', 'shoulder', 'wrist'), (-5.0, 5.0), 'torso'),
    'leg_rise': (leg_rise, ('hip', 'ankle'), (-90.0, 90.0), 'deg'),
    'hip_lift': (hip_lift, ('shoulder', 'hip', 'ankle'), (-5.0, 5.0), 'ratio'),
}
