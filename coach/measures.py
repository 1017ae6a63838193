"""Named measures: quantities computed from one PoseFrame for the tracked side.

Every measure is a function ``(pose, side) -> float`` returning NaN when it can't be computed.
Angle conventions are those of ``coach.geometry`` (degrees, 180 = straight, signed angles past
180 = extended past straight, up = away from the floor).
"""

from __future__ import annotations

import math
from typing import Callable, Dict, Optional

import numpy as np

from coach.geometry import joint_angle, side_of_line, signed_joint_angle, tilt_from_horizontal
from coach.pose.back_profile import curvature
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


def _above_torso_line(pose: PoseFrame, side: str, joint: str) -> float:
    """How far ``joint`` sits above the hip-shoulder line, in torso lengths (negative: below it)."""
    hip, shoulder, point = _pts(pose, side, "hip", "shoulder", joint)
    return side_of_line(hip, shoulder, point)


def head_lift(pose: PoseFrame, side: str) -> float:
    """How far the ear sits above the hip-shoulder line, in torso lengths (lying: grows as the head and
    shoulders curl up off the floor)."""
    return _above_torso_line(pose, side, "ear")


def wrist_height(pose: PoseFrame, side: str) -> float:
    """How far the wrist sits above the hip-shoulder line, in torso lengths: on hands and knees the
    hands are an arm's length below it (about -1); lying or standing they are near it."""
    return _above_torso_line(pose, side, "wrist")


def back_curvature(pose: PoseFrame, side: str) -> float:
    """The curve of the back from the person mask (``pose.back``, see coach/pose/back_profile.py):
    the middle of the back's top edge above the straight line between its ends, in torso lengths;
    positive = rounded up (cat), negative = sagging (cow). NaN without a profile (no segmentation).
    ``side`` is not used: the profile was taken along the camera side's shoulder-hip line."""
    if pose.back is None or len(pose.back) < 3:
        return math.nan
    return curvature(pose.back)


# The cat-to-cow swing of each part of spine_flexion, measured on catcow_clean_11 and
# catcow_rushing_14 (0 deg side views; the slope of each against the true cat/cow state): the
# curvature moves ~0.1 torso lengths between full cat and full cow, the ear ~0.3 torso lengths.
CURVATURE_SWING = 0.1
HEAD_SWING = 0.3


def spine_flexion_parts(pose: PoseFrame, side: str) -> tuple[float, float]:
    """spine_flexion's two parts (they add up to it): the back's curvature and the head's drop,
    each divided by its cat-to-cow swing."""
    return back_curvature(pose, side) / CURVATURE_SWING, -head_lift(pose, side) / HEAD_SWING


def spine_flexion(pose: PoseFrame, side: str) -> float:
    """How rounded the spine is: the back's curvature and the head's drop below the shoulder-hip
    line, each divided by its cat-to-cow swing and added, so full cat reads about +1 and full cow
    about -1 from the person's neutral (the neutral itself is wherever it is: the phase machine
    subtracts it). The head carries it where the mask shows the back poorly (cameras behind the
    person), the back where the head moves little. NaN without a back profile. The two-way
    machine also gets the parts (``PARTS``): they can move against each other while the sum stays."""
    return sum(spine_flexion_parts(pose, side))


def torso_tilt(pose: PoseFrame, side: str) -> float:
    """Angle of the shoulder-hip segment from the image horizontal: ~0 lying, ~90 upright."""
    return tilt_from_horizontal(*_pts(pose, side, "shoulder", "hip"))


def hip_lift(pose: PoseFrame, side: str) -> float:
    """How far the hip sits above the shoulder-ankle line, as a share of that line's length: lying
    with the hips down (knees bent or straight) about 0, as shoulders and feet rest on the floor too;
    a bridge's top lifts it about 0.2-0.3. Tells "hips down" whatever the knees do."""
    shoulder, hip, ankle = _pts(pose, side, "shoulder", "hip", "ankle")
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
    hip, ankle = _pts(pose, side, "hip", "ankle")
    return math.degrees(math.atan2(hip[1] - ankle[1], abs(ankle[0] - hip[0])))


# -- lying on the back (issue 14, part 1: pelvic_tilt) --------------------------------------------
# A posterior pelvic tilt moves the pelvis a few degrees: the hip landmarks hardly move (the hip
# joint rises 3-5 mm on the renders; the picture's shoulder-hip line turns ~1 deg, as much as it
# wanders at rest on a real clip). What the camera sees is the low back coming down to the floor:
# the person mask's LOWER edge there moves away from the shoulder-hip line (poses/pelvic_tilt.toml).

def low_back_press(pose: PoseFrame, side: str) -> float:
    """How far the person mask's lower edge under the low back (60-90 % of the way from shoulder to
    hip, ``pose.under``) lies below the shoulder-hip line, in torso lengths: lying on the back it
    grows as the low back is pressed into the floor (a posterior pelvic tilt); only its change from
    the person's own resting value means anything. NaN without a mask. ``side`` is not used: the
    edge was taken along the camera side's shoulder-hip line."""
    if pose.under is None or len(pose.under) < 3:
        return math.nan
    n = len(pose.under)
    return -float(np.mean(pose.under[(5 * n) // 9:]))


MEASURES: Dict[str, Measure] = {
    "hip_extension": hip_extension,
    "hip_angle": hip_angle,
    "knee_angle": knee_angle,
    "line_deviation": line_deviation,
    "torso_tilt": torso_tilt,
    "hip_angle_min": hip_angle_min,
    "head_lift": head_lift,
    "wrist_height": wrist_height,
    "back_curvature": back_curvature,
    "spine_flexion": spine_flexion,
    "leg_rise": leg_rise,
    "hip_lift": hip_lift,
    "low_back_press": low_back_press,  # lying on the back (pelvic_tilt)
}

# The landmarks each measure reads, on the side it is computed for (hip_angle_min reads both sides).
# A fault judged on a measure whose joints are outside the picture is not judged that frame (the
# trust gate itself asks only for the definition's key_joints).
JOINTS: Dict[str, tuple[str, ...]] = {
    "hip_extension": ("shoulder", "hip", "knee"), "hip_angle": ("shoulder", "hip", "knee"),
    "knee_angle": ("hip", "knee", "ankle"), "line_deviation": ("shoulder", "hip", "knee"),
    "torso_tilt": ("shoulder", "hip"), "hip_angle_min": ("shoulder", "hip", "knee"),
    "head_lift": ("hip", "shoulder", "ear"), "wrist_height": ("hip", "shoulder", "wrist"),
    "back_curvature": ("shoulder", "hip"), "spine_flexion": ("shoulder", "hip", "ear"),
    "leg_rise": ("hip", "ankle"), "hip_lift": ("shoulder", "hip", "ankle"),
    "low_back_press": ("shoulder", "hip"),
}
assert set(JOINTS) == set(MEASURES)


def joints_in_frame(pose: PoseFrame, side: str, measure: str, margin: float = -2.0) -> bool:
    """Whether every landmark ``measure`` reads on ``side`` lies inside the picture (``margin``
    pixels of slack, as the trust gate)."""
    return all(pose.in_frame(side_landmark(side, j), margin=margin) for j in JOINTS[measure])


# Measures that are a sum of parts, and their parts (the two-way machine judges stillness on them).
PARTS: Dict[str, Callable[[PoseFrame, str], tuple[float, ...]]] = {"spine_flexion": spine_flexion_parts}

# The values each measure can take (its convention, see the functions): a definition's absolute limit
# outside them can never be met or never missed, a typo the loader refuses (coach/engine/definition.py).
RANGES: Dict[str, tuple[float, float]] = {
    "hip_extension": (0.0, 360.0), "hip_angle": (0.0, 180.0), "knee_angle": (0.0, 180.0),
    "hip_angle_min": (0.0, 180.0), "torso_tilt": (0.0, 90.0), "leg_rise": (-90.0, 90.0),
    # shares of a body length: a few either way is already far outside any pose
    "line_deviation": (-5.0, 5.0), "head_lift": (-5.0, 5.0), "wrist_height": (-5.0, 5.0),
    "back_curvature": (-5.0, 5.0), "spine_flexion": (-5.0, 5.0), "hip_lift": (-5.0, 5.0),
    "low_back_press": (-5.0, 5.0),
}
assert set(RANGES) == set(MEASURES)

# Units shown to people and used in report keys (``peak: {"hip_extension_deg": ...}``).
UNITS: Dict[str, str] = {
    "hip_extension": "deg", "hip_angle": "deg", "knee_angle": "deg", "line_deviation": "ratio",
    "torso_tilt": "deg", "hip_angle_min": "deg", "head_lift": "torso", "wrist_height": "torso",
    "back_curvature": "torso", "leg_rise": "deg", "hip_lift": "ratio",
    "spine_flexion": "", "low_back_press": "torso",
}


# -- Face-down family (back_extension, locust, superman) -------------------------------------------
# Lying on the front or on the back looks alike in a side view's shoulder-hip-knee lines; the face
# tells them apart: it points toward the floor lying face down and up lying on the back. Measured
# against the trunk (not the picture), it is also how far the neck is bent back.

def _trunk_frame(pose: PoseFrame, side: str) -> Optional[tuple[np.ndarray, np.ndarray, float]]:
    """The trunk's direction (hip to shoulder, unit), its normal pointing up in the picture, and its
    length in pixels; None when the shoulder and hip coincide."""
    hip, shoulder = _pts(pose, side, "hip", "shoulder")
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
    ear, nose = _pts(pose, side, "ear", "nose")
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
    return _above_torso_line(pose, side, "nose")


def wrist_reach(pose: PoseFrame, side: str) -> float:
    """How far the wrist reaches past the shoulder along the trunk (hip to shoulder), in torso
    lengths: arms along the sides read about -1 (hands by the hips), hands under the shoulders
    about 0, arms stretched past the head about +1 or more."""
    frame = _trunk_frame(pose, side)
    if frame is None:
        return math.nan
    u, _, length = frame
    shoulder, wrist = _pts(pose, side, "shoulder", "wrist")
    return float((wrist - shoulder) @ u) / length


MEASURES.update({"face_angle": face_angle, "nose_lift": nose_lift, "wrist_reach": wrist_reach})
JOINTS.update({"face_angle": ("hip", "shoulder", "ear", "nose"), "nose_lift": ("hip", "shoulder", "nose"),
               "wrist_reach": ("hip", "shoulder", "wrist")})
RANGES.update({"face_angle": (-180.0, 180.0), "nose_lift": (-5.0, 5.0), "wrist_reach": (-5.0, 5.0)})
UNITS.update({"face_angle": "deg", "nose_lift": "torso", "wrist_reach": "torso"})


# -- Kneeling folds and the held cat (issue 15, part 2: childs_pose, prayer_pose, horse_back_stretch) --
# In child's pose the arms reach forward along the floor; "arms not extended" is the elbows bent, the
# hands near the head. Tried and dropped: MediaPipe's world landmarks (a bent elbow read 127 deg
# there against 140 straight on the renders, a real clip's straight arms 122-155) and the hand's
# distance from the shoulder (a real clip's straight arms, angled down, came to 0.5 torso lengths,
# as short as the renders' bent ones). Arms lying back along the body toward the feet are another
# way of doing the pose, not this fault: seen from the side they lie along the trunk and thighs and
# MediaPipe bends them (a real clip's straight arms read 134 deg), so they are not judged.

def reach_elbow_angle(pose: PoseFrame, side: str) -> float:
    """Shoulder-elbow-wrist angle in the picture (180 = straight) of an arm reaching forward: the wrist
    ahead of the shoulder along the trunk (``wrist_reach`` above 0). NaN for an arm lying back toward
    the hips or feet (not judged: see above)."""
    if not wrist_reach(pose, side) > 0.0:
        return math.nan
    return joint_angle(*_pts(pose, side, "shoulder", "elbow", "wrist"))


MEASURES.update({"reach_elbow_angle": reach_elbow_angle})
JOINTS.update({"reach_elbow_angle": ("hip", "shoulder", "elbow", "wrist")})
RANGES.update({"reach_elbow_angle": (0.0, 180.0)})
UNITS.update({"reach_elbow_angle": "deg"})
