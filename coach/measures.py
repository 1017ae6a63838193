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


# -- knee drops (side_knee_drop, lying_trunk_rotation): lying on the back, bent knees turned to one side.
# Seen side-on, a knee turning toward or away from the camera moves mostly along the camera's axis:
# the picture shows it only as lost height, and which way it went only as depth. What MediaPipe
# reads on the renders (bench/motions/knee_drops.py, samples/side_knee_drop/): a 55-62 deg drop
# toward the camera takes 0.30-0.35 torso lengths off the knees' height, away from it only
# 0.10-0.18 (the far knees are partly hidden and drawn higher); its world landmarks turn the legs
# by 30-40 deg toward the camera and by 0-13 deg away, so no angle is read off them (nor is the
# shoulder line's slope: a thinner margin than the picture's). Depth (``z``) moves with the knees
# either way, by 0.2-0.9 torso lengths, from a biased level (the knees read nearer the camera than
# they are): usable as a change from rest, not as a position.


def _torso_px(pose: PoseFrame) -> float:
    t = torso_length_px(pose)
    return t if math.isfinite(t) and t > 1.0 else math.nan


def _knee_heights(pose: PoseFrame) -> list[float]:
    """Each knee's height above the line from its hip to its ankle in the picture, torso lengths
    (left, right); empty when a leg's hip and ankle coincide."""
    torso = _torso_px(pose)
    heights = []
    for s in ("left", "right"):
        hip, knee, ankle = _pts(pose, s, "hip", "knee", "ankle")
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
    nearer = float((z[23] + z[24]) / 2 - (z[25] + z[26]) / 2) / _torso_px(pose)  # > 0: knees nearer the camera
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
    left, right = _pts(pose, "left", "shoulder")[0], _pts(pose, "right", "shoulder")[0]
    return float(right[1] - left[1]) / _torso_px(pose)


def knee_angle_min(pose: PoseFrame, side: str) -> float:
    """The more-bent knee of the two legs (hip-knee-ankle, 180 = straight)."""
    return min(knee_angle(pose, "left"), knee_angle(pose, "right"))


def knee_angle_max(pose: PoseFrame, side: str) -> float:
    """The straighter knee of the two legs: both knees bent keeps it low."""
    return max(knee_angle(pose, "left"), knee_angle(pose, "right"))


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
    # knee drops
    "knee_height": knee_height, "knee_height_mean": knee_height_mean, "knee_height_max": knee_height_max,
    "knee_height_gap": knee_height_gap, "knee_above_other": knee_above_other, "knees_away_from": knees_away_from,
    "shoulder_rise": shoulder_rise, "knee_angle_min": knee_angle_min, "knee_angle_max": knee_angle_max,
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
    # knee drops (both legs where a measure reads both)
    "knee_height": ("shoulder", "hip", "knee", "ankle"), "knee_height_mean": ("shoulder", "hip", "knee", "ankle"),
    "knee_height_max": ("shoulder", "hip", "knee", "ankle"), "knee_height_gap": ("shoulder", "hip", "knee", "ankle"),
    "knee_above_other": ("shoulder", "hip", "knee", "ankle"), "knees_away_from": ("shoulder", "hip", "knee"),
    "shoulder_rise": ("shoulder", "hip"), "knee_angle_min": ("hip", "knee", "ankle"),
    "knee_angle_max": ("hip", "knee", "ankle"),
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
    # knee drops
    "knee_height": (-5.0, 5.0), "knee_height_mean": (-5.0, 5.0), "knee_height_max": (-5.0, 5.0),
    "knee_height_gap": (0.0, 5.0), "knee_above_other": (-5.0, 5.0), "knees_away_from": (-5.0, 5.0),
    "shoulder_rise": (-5.0, 5.0), "knee_angle_min": (0.0, 180.0), "knee_angle_max": (0.0, 180.0),
}
assert set(RANGES) == set(MEASURES)

# Units shown to people and used in report keys (``peak: {"hip_extension_deg": ...}``).
UNITS: Dict[str, str] = {
    "hip_extension": "deg", "hip_angle": "deg", "knee_angle": "deg", "line_deviation": "ratio",
    "torso_tilt": "deg", "hip_angle_min": "deg", "head_lift": "torso", "wrist_height": "torso",
    "back_curvature": "torso", "leg_rise": "deg", "hip_lift": "ratio",
    "spine_flexion": "", "low_back_press": "torso",
    "knee_height": "torso", "knee_height_mean": "torso", "knee_height_max": "torso", "knee_height_gap": "torso",
    "knee_above_other": "torso", "knees_away_from": "torso", "shoulder_rise": "torso", "knee_angle_min": "deg",
    "knee_angle_max": "deg",
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


# -- Leg stretches lying on the back (hamstring_stretch, piriformis_stretch) -------------------------
# Appended as one block (the catalogue's family "leg stretches"); registered below.

def _torso_px(pose: PoseFrame) -> float:
    mid = [(pose.xy[side_landmark("left", j)] + pose.xy[side_landmark("right", j)]) / 2 for j in ("shoulder", "hip")]
    return float(np.linalg.norm(mid[0] - mid[1]))


def hip_angle_max(pose: PoseFrame, side: str) -> float:
    """The larger hip angle of the two legs: it closes only when both thighs come in (a figure four
    pulled toward the chest), not when one leg alone lifts or crosses."""
    return max(hip_angle(pose, "left"), hip_angle(pose, "right"))


def ankle_to_other_knee(pose: PoseFrame, side: str) -> float:
    """How far this side's ankle lies from the other side's knee in the picture, in torso lengths
    (mid-shoulders to mid-hips). A figure four rests the ankle just above the other knee: about 0.3
    seen side-on; knees bent side by side, about a shin's length (0.8-0.9). Seen side-on the picture
    loses the depth between the legs: an ankle held beside the knee, not on it, reads the same."""
    torso = _torso_px(pose)
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


# Measures that read both legs (the visibility check below asks for both).
BOTH_LEGS = frozenset({"hip_angle_min", "hip_angle_max", "ankle_to_other_knee", "cross_gap", "leg_rise_max"})


def joints_seen(pose: PoseFrame, side: str, measure: str, min_visibility: float) -> bool:
    """Whether the pose model sees every landmark ``measure`` reads (on ``side``, or on both legs for
    the measures in BOTH_LEGS) with at least ``min_visibility`` (its 0..1 estimate that the point is
    in view, not hidden behind the body). A backend without visibility: seen."""
    if pose.visibility is None:
        return True
    sides = ("left", "right") if measure in BOTH_LEGS else (side,)
    return all(pose.visibility[side_landmark(s, j)] >= min_visibility for s in sides for j in JOINTS[measure])


MEASURES.update({"hip_angle_max": hip_angle_max, "leg_rise_max": leg_rise_max, "ankle_to_other_knee": ankle_to_other_knee,
                 "cross_gap": cross_gap})
JOINTS.update({"hip_angle_max": ("shoulder", "hip", "knee"), "leg_rise_max": ("hip", "ankle"), "ankle_to_other_knee": ("shoulder", "hip", "knee", "ankle"),
               "cross_gap": ("shoulder", "hip", "knee", "ankle")})
RANGES.update({"hip_angle_max": (0.0, 180.0), "leg_rise_max": (-90.0, 90.0), "ankle_to_other_knee": (0.0, 5.0), "cross_gap": (0.0, 5.0)})
UNITS.update({"hip_angle_max": "deg", "leg_rise_max": "deg", "ankle_to_other_knee": "torso", "cross_gap": "torso"})
assert set(JOINTS) == set(MEASURES) == set(RANGES)


# -- Planks (issue 15: high_plank, forearm_plank, side_plank) ---------------------------------------
# A plank is judged on the body line, shoulder-hip-ANKLE (hip_extension's line ends at the knee, which
# a plank keeps straight anyway): the hips sag below the shoulder-ankle line or pike above it. Whether
# the knees are off the floor tells a plank from the kneeling plank it starts from.

def body_line(pose: PoseFrame, side: str) -> float:
    """Shoulder-hip-ankle angle, signed: 180 = a straight line from shoulders to heels, below 180 = the
    hips below the shoulder-ankle line in the picture (sagging toward the floor: a face-down plank's
    sag, a side plank's dropped hips), above 180 = the hips above it (piked). A straight line stays
    straight in any view, so 180 reads 180 from any camera angle; a bend reads larger than it is the
    further the camera is from square to the body's bending plane."""
    return signed_joint_angle(*_pts(pose, side, "shoulder", "hip", "ankle"))


def knee_lift(pose: PoseFrame, side: str) -> float:
    """How far the knee sits above the wrist-ankle line (the hands and the tucked toes, both on the
    floor), in torso lengths: on the knees (kneeling plank, all fours) about 0 or a little below, in a
    plank (knees off the floor, legs straight) about +0.15 to +0.3."""
    wrist, ankle, knee = _pts(pose, side, "wrist", "ankle", "knee")
    hip, shoulder = _pts(pose, side, "hip", "shoulder")
    torso = float(np.hypot(*(shoulder - hip)))
    if torso < 1e-9:
        return math.nan
    return side_of_line(wrist, ankle, knee) * float(np.hypot(*(ankle - wrist))) / torso


def elbow_ahead(pose: PoseFrame, side: str) -> float:
    """How far the elbow sits ahead of the shoulder (toward the head, along the picture's horizontal),
    in torso lengths: elbows under the shoulders about 0, placed forward of them positive."""
    shoulder, hip, elbow = _pts(pose, side, "shoulder", "hip", "elbow")
    torso = float(np.hypot(*(shoulder - hip)))
    if torso < 1e-9 or shoulder[0] == hip[0]:
        return math.nan
    return float(elbow[0] - shoulder[0]) * (1.0 if shoulder[0] > hip[0] else -1.0) / torso


def support_lift(pose: PoseFrame, side: str) -> float:
    """How far the hip sits above the line from the same side's elbow to its ankle, in torso lengths.
    A side plank seen from the front: on the supporting side the elbow and the ankle are on the floor,
    so it reads about 0 lying on the side and rises as the hips lift (+0.2..+0.4); the upper side's
    elbow rests near its hip or is raised, so it moves far less: the side it grows on is the side
    worked (the forearm on the floor)."""
    elbow, ankle, hip, shoulder = _pts(pose, side, "elbow", "ankle", "hip", "shoulder")
    torso = float(np.hypot(*(shoulder - hip)))
    if torso < 1e-9:
        return math.nan
    return side_of_line(elbow, ankle, hip) * float(np.hypot(*(ankle - elbow))) / torso


def mid_body_line(pose: PoseFrame, side: str) -> float:
    """body_line on the body's middle: the angle at the mid-hips between the mid-shoulders and the
    mid-ankles, signed as body_line. Seen from the front (a side plank facing the camera) each side's
    own line is bent by the body's width (the upper shoulder sits further out than the upper hip: a
    straight side plank reads 163-169 on the upper side, 179-182 on the lower, on a real clip); the
    middle line is straight whichever side is up. ``side`` is not used."""
    assert pose.xy is not None
    mid = [(pose.xy[side_landmark("left", j)] + pose.xy[side_landmark("right", j)]) / 2
           for j in ("shoulder", "hip", "ankle")]
    return signed_joint_angle(*mid)


MEASURES.update({"body_line": body_line, "knee_lift": knee_lift, "elbow_ahead": elbow_ahead,
                 "support_lift": support_lift, "mid_body_line": mid_body_line})
JOINTS.update({"body_line": ("shoulder", "hip", "ankle"), "knee_lift": ("wrist", "ankle", "knee", "hip", "shoulder"),
               "elbow_ahead": ("shoulder", "hip", "elbow"), "support_lift": ("elbow", "ankle", "hip", "shoulder"),
               "mid_body_line": ("shoulder", "hip", "ankle")})
RANGES.update({"body_line": (0.0, 360.0), "knee_lift": (-5.0, 5.0), "elbow_ahead": (-5.0, 5.0),
               "support_lift": (-5.0, 5.0), "mid_body_line": (0.0, 360.0)})
UNITS.update({"body_line": "deg", "knee_lift": "torso", "elbow_ahead": "torso", "support_lift": "torso",
              "mid_body_line": "deg"})
