"""Named measures: quantities computed from one PoseFrame for the tracked side.

Every measure is a function ``(pose, side) -> float`` returning NaN when it can't be computed.
Angle conventions are those of ``coach.geometry`` (degrees, 180 = straight, signed angles past
180 = extended past straight, up = away from the floor).
"""

from __future__ import annotations

import math
from typing import Callable, Dict

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
}
assert set(RANGES) == set(MEASURES)

# Units shown to people and used in report keys (``peak: {"hip_extension_deg": ...}``).
UNITS: Dict[str, str] = {
    "hip_extension": "deg", "hip_angle": "deg", "knee_angle": "deg", "line_deviation": "ratio",
    "torso_tilt": "deg", "hip_angle_min": "deg", "head_lift": "torso", "wrist_height": "torso",
    "back_curvature": "torso", "leg_rise": "deg", "hip_lift": "ratio",
    "spine_flexion": "",
}


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
