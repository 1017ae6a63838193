"""Measures read from the person mask's edges (``pose.back``, ``pose.under``: coach/pose/back_profile.py),
where MediaPipe has no landmarks: the curve of the back, the low back against the floor."""

from __future__ import annotations

import math

import numpy as np

from coach.measures.base import head_lift
from coach.pose.back_profile import curvature
from coach.pose.frame import PoseFrame


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



# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
TABLE = {
    'back_curvature': (back_curvature, ('shoulder', 'hip'), (-5.0, 5.0), 'torso'),
    'spine_flexion': (spine_flexion, ('shoulder', 'hip', 'ear'), (-5.0, 5.0), ''),
    'low_back_press': (low_back_press, ('shoulder', 'hip'), (-5.0, 5.0), 'torso'),
}
