"""Named measures: quantities computed from one PoseFrame for the tracked side.

Every measure is a function ``(pose, side) -> float`` returning NaN when it can't be computed.
Angle conventions are those of ``coach.geometry`` (degrees, 180 = straight, signed angles past
180 = extended past straight, up = away from the floor).

One module per family of exercises (``base``: the lines every family reads; ``mask``: the person
mask's edges; then knee drops, leg stretches, face down, planks, kneeling folds, rotations, the chair,
the kneeling stretches, the floor folds, standing at a chair or a wall), each with a ``TABLE`` of its measures: the function, the
landmarks it reads, the values it can take and its unit. The registries below are built from those
tables: a definition names a measure, never a module. A new family is one module and one entry in
FAMILIES.
"""

from __future__ import annotations

from typing import Callable, Dict

from coach.measures import (base, face_down, folds, knee_drops, kneeling, leg_stretches, mask, planks, rotations, seated,
                            seated_folds, standing)
from coach.measures.base import torso_length_px
from coach.measures.face_down import FACE_SEEN
from coach.measures.mask import CURVATURE_SWING, HEAD_SWING, spine_flexion_parts
from coach.pose.frame import PoseFrame, side_landmark

Measure = Callable[[PoseFrame, str], float]

FAMILIES = (base, mask, knee_drops, leg_stretches, face_down, planks, folds, rotations, seated, kneeling, seated_folds,
            standing)
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
BOTH_LEGS = frozenset({"hip_angle_min", "hip_angle_max", "ankle_to_other_knee", "cross_gap", "leg_rise_max",
                       "knee_rise_max",  # the chair
                       "rear_thigh_tilt", "hip_height", "shin_lean", "rear_knee_angle", "knee_lead",  # kneeling
                       "fold_lean"})  # the floor folds: both ankles tell which way is forward

# Every measure is importable from here by its name (``from coach.measures import hip_angle``).
globals().update(MEASURES)
__all__ = [*MEASURES, "torso_length_px", "FACE_SEEN", "CURVATURE_SWING", "HEAD_SWING", "spine_flexion_parts", "Measure",
           "MEASURES", "JOINTS", "RANGES", "UNITS", "PARTS", "BOTH_LEGS", "FAMILIES", "joints_in_frame", "joints_seen"]


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
