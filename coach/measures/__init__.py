"""Named measures: quantities computed from one PoseFrame for the tracked side.

Every measure is a function ``(pose, side) -> float`` returning NaN when it can't be computed.
Angle conventions are those of ``coach.geometry`` (degrees, 180 = straight, signed angles past
180 = extended past straight, up = away from the floor).

One module per family of exercises (``base``: the lines every family reads; ``mask``: the person
mask's edges; then knee drops, leg stretches, face down, planks, kneeling folds), each with a ``TABLE`` of its
measures: the function, the landmarks it reads, the values it can take and its unit. The registries
below are built from those tables: a definition names a measure, never a module.
"""

from __future__ import annotations

from typing import Callable, Dict

from coach.measures import base, face_down, folds, knee_drops, leg_stretches, mask, planks
from coach.measures import standing
from coach.measures.base import (head_lift, hip_angle, hip_angle_min, hip_extension, hip_lift, knee_angle, leg_rise,
                                 line_deviation, torso_length_px, torso_tilt, wrist_height)
from coach.measures.face_down import FACE_SEEN, face_angle, nose_lift, wrist_reach
from coach.measures.folds import reach_elbow_angle
from coach.measures.knee_drops import (knee_above_other, knee_angle_max, knee_angle_min, knee_height, knee_height_gap,
                                       knee_height_max, knee_height_mean, knees_away_from, shoulder_rise)
from coach.measures.leg_stretches import ankle_to_other_knee, cross_gap, hip_angle_max, leg_rise_max
from coach.measures.mask import (CURVATURE_SWING, HEAD_SWING, back_curvature, low_back_press, spine_flexion,
                                 spine_flexion_parts)
from coach.measures.planks import body_line, elbow_ahead, knee_lift, mid_body_line, support_lift
from coach.measures.standing import arm_reach, wrist_drop
from coach.pose.frame import PoseFrame, side_landmark

# The measure functions are re-exported here (``from coach.measures import hip_angle``).
__all__ = ["head_lift", "hip_angle", "hip_angle_min", "hip_extension", "hip_lift", "knee_angle", "leg_rise",
           "line_deviation", "torso_length_px", "torso_tilt", "wrist_height", "FACE_SEEN", "face_angle", "nose_lift",
           "wrist_reach", "knee_above_other", "knee_angle_max", "knee_angle_min", "knee_height", "knee_height_gap",
           "knee_height_max", "knee_height_mean", "knees_away_from", "shoulder_rise", "ankle_to_other_knee",
           "cross_gap", "hip_angle_max", "leg_rise_max", "CURVATURE_SWING", "HEAD_SWING", "back_curvature",
           "low_back_press", "spine_flexion", "spine_flexion_parts", "body_line", "elbow_ahead", "knee_lift",
           "mid_body_line", "support_lift", "reach_elbow_angle", "Measure", "MEASURES", "JOINTS", "RANGES", "UNITS", "PARTS", "BOTH_LEGS",
           "joints_in_frame", "joints_seen"]
__all__ += ["arm_reach", "wrist_drop"]  # standing (chair_squat, wall_pushup)

Measure = Callable[[PoseFrame, str], float]

FAMILIES = (base, mask, knee_drops, leg_stretches, face_down, planks, folds)
FAMILIES += (standing,)
_ROWS = {name: row for family in FAMILIES for name, row in family.TABLE.items()}
assert len(_ROWS) == sum(len(f.TABLE) for f in FAMILIES), "a measure name is used by two families"

MEASURES: Dict[str, Measure] = {name: row[0] for name, row in _ROWS.items()}
# The landmarks each measure reads, on the side it is computed for (hip_angle_min reads both sides).
# A fault judged on a measure whose joints are outside the picture is not judged that frame (the
# trust gate itself asks only for the definition's key_joints).
JOINTS: Dict[str, tuple[str, ...]] = {name: row[1] for name, row in _ROWS.items()}
# The values each measure can take (its convention, see the functions): a definition's absolute limit
# outside them can never be met or never missed, a typo the loader refuses (coach/engine/definition.py).
# Shares of a body length run -5..5: a few either way is already far outside any pose.
RANGES: Dict[str, tuple[float, float]] = {name: row[2] for name, row in _ROWS.items()}
# Units shown to people and used in report keys (``peak: {"hip_extension_deg": ...}``).
UNITS: Dict[str, str] = {name: row[3] for name, row in _ROWS.items()}

# Measures that are a sum of parts, and their parts (the two-way machine judges stillness on them).
PARTS: Dict[str, Callable[[PoseFrame, str], tuple[float, ...]]] = {"spine_flexion": spine_flexion_parts}

# Measures that read both legs (the visibility check below asks for both).
BOTH_LEGS = frozenset({"hip_angle_min", "hip_angle_max", "ankle_to_other_knee", "cross_gap", "leg_rise_max"})


def joints_in_frame(pose: PoseFrame, side: str, measure: str, margin: float = -2.0) -> bool:
    """Whether every landmark ``measure`` reads on ``side`` lies inside the picture (``margin``
    pixels of slack, as the trust gate)."""
    return all(pose.in_frame(side_landmark(side, j), margin=margin) for j in JOINTS[measure])


def joints_seen(pose: PoseFrame, side: str, measure: str, min_visibility: float) -> bool:
    """Whether the pose model sees every landmark ``measure`` reads (on ``side``, or on both legs for
    the measures in BOTH_LEGS) with at least ``min_visibility`` (its 0..1 estimate that the point is
    in view, not hidden behind the body). A backend without visibility: seen."""
    if pose.visibility is None:
        return True
    sides = ("left", "right") if measure in BOTH_LEGS else (side,)
    return all(pose.visibility[side_landmark(s, j)] >= min_visibility for s in sides for j in JOINTS[measure])
