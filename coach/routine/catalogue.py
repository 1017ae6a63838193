"""The handouts' 28 exercise ids (../shared/catalogue.md; canonical, as in the design's contracts):
a routine may name any of them. What an exercise is (its name, the camera view it needs, whether it
is done on each side) is its definition's to say (``poses/``); an id with no definition yet is a
step the coach times but cannot coach, known here by its id alone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from coach.engine.definition import exercise_ids, load_exercise

CATALOGUE_IDS = (
    "bridge", "knee_to_chest", "cat_cow", "pelvic_tilt", "side_knee_drop", "lying_trunk_rotation", "hamstring_stretch",
    "seated_hamstring_stretch", "childs_pose", "prayer_pose", "horse_back_stretch", "back_extension", "pigeon_pose",
    "piriformis_stretch", "hip_flexor_stretch", "superman", "locust", "seated_forward_bend", "downward_dog",
    "seated_spinal_twist", "high_plank", "forearm_plank", "side_plank", "dorsal_arch", "seated_knee_raise",
    "seated_rotation", "chair_squat", "wall_pushup",
)


@dataclass(frozen=True)
class Entry:
    name: str
    view: Optional[str]  # None: not coached yet
    per_side: bool  # done on each side: the definition counts per side, or tells the side of each rep


@lru_cache(maxsize=None)
def entry(ex_id: str) -> Entry:
    """What the catalogue says of ``ex_id`` (one of CATALOGUE_IDS): from its definition when it has one."""
    if ex_id not in exercise_ids():
        return Entry(ex_id.replace("_", " ").capitalize(), None, False)
    ex = load_exercise(ex_id)
    return Entry(ex.name, ex.view, ex.per_side or ex.sides is not None)
