"""The face-down family (back_extension, locust, superman)."""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from coach.measures.base import above_torso_line, points
from coach.pose.frame import PoseFrame

# Lying on the front or on the back looks alike in a side view's shoulder-hip-knee lines; the face
# tells them apart: it points toward the floor lying face down and up lying on the back. Measured
# against the trunk (not the picture), it is also how far the neck is bent back.

def _trunk_frame(pose: PoseFrame, side: str) -> Optional[tuple[np.ndarray, np.ndarray, float]]:
    """The trunk's direction (hip to shoulder, unit), its normal pointing up in the picture, and its
    length in pixels; None when the shoulder and hip coincide."""
    hip, shoulder = points(pose, side, "hip", "shoulder")
    u = shoulder - hip
    length = float(np.hypot(u[0], u[1]))
    if length < 1e-9:
        return None
    u = u / length
    n = np.array([-u[1], u[0]])
    if n[1] > 0 or (n[1] == 0 and n[0] < 0):  # of the two normals, the one pointing up in the picture
        n = -n
    return u, n, length


# Ear to nose is about 0.15 torso lengths seen side-on (the renders' truth, every body). MediaPipe
# draws the nose on the ear (0.02-0.07) when the face is turned to the floor or hidden behind a
# raised arm (a superman seen from the side), and the direction between them is then noise; below
# half the side-on length face_angle is not read (NaN).
FACE_SEEN = 0.08


def face_angle(pose: PoseFrame, side: str) -> float:
    """Where the face points (the ear-to-nose line) against the trunk (the hip-to-shoulder line),
    degrees -180..180: 0 = along the trunk toward the head, negative = toward the trunk's lower side
    in the picture (the floor, lying down: face down, about -90 to -110 with the neck in line with
    the trunk), positive = toward its upper side (face up: lying on the back, about +90 to +110).
    Bending the neck back (looking up, chin forward) turns a face-down reading toward 0. Meant for
    lying and lifting the chest off the floor (the trunk within ~60 deg of level), where the trunk
    has a lower and an upper side in the picture. NaN when the face's profile is not seen (ear and
    nose closer than ``FACE_SEEN`` torso lengths)."""
    frame = _trunk_frame(pose, side)
    if frame is None:
        return math.nan
    u, n, length = frame
    ear, nose = points(pose, side, "ear", "nose")
    f = nose - ear
    if float(np.hypot(f[0], f[1])) < FACE_SEEN * length:
        return math.nan  # the face's profile is not seen: its direction would be a guess
    return math.degrees(math.atan2(float(f @ n), float(f @ u)))


def nose_lift(pose: PoseFrame, side: str) -> float:
    """How far the nose sits above the hip-shoulder line (the side of it away from the floor, lying),
    in torso lengths: lying on the back the face points up and the nose reads about +0.2 to +0.4;
    lying on the front (flat, chest lifted, arms and legs raised) the face points at the floor and
    it reads about -0.3 to +0.05. Unlike face_angle it needs no readable ear-to-nose direction,
    which MediaPipe loses when the face is turned to the floor or hidden behind a raised arm."""
    return above_torso_line(pose, side, "nose")


def wrist_reach(pose: PoseFrame, side: str) -> float:
    """How far the wrist reaches past the shoulder along the trunk (hip to shoulder), in torso
    lengths: arms along the sides read about -1 (hands by the hips), hands under the shoulders
    about 0, arms stretched past the head about +1 or more."""
    frame = _trunk_frame(pose, side)
    if frame is None:
        return math.nan
    u, _, length = frame
    shoulder, wrist = points(pose, side, "shoulder", "wrist")
    return float((wrist - shoulder) @ u) / length



# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
TABLE = {
    'face_angle': (face_angle, ('hip', 'shoulder', 'ear', 'nose'), (-180.0, 180.0), 'deg'),
    'nose_lift': (nose_lift, ('hip', 'shoulder', 'nose'), (-5.0, 5.0), 'torso'),
    'wrist_reach': (wrist_reach, ('hip', 'shoulder', 'wrist'), (-5.0, 5.0), 'torso'),
}
