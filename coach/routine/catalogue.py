"""The handouts' 28 exercises (../shared/catalogue.md; ids canonical, as in the design's contracts), by
name, camera view and whether it is done on each side: a routine may name any of them, coached or not yet. Which ones are coached is
what ``poses/`` holds (``coach.engine.definition.exercise_ids``)."""

from __future__ import annotations

# id -> (name, the camera view that shows it best, done on each side)
CATALOGUE: dict[str, tuple[str, str]] = {
    "bridge": ("Pelvic tilt bridge", "side", False),
    "knee_to_chest": ("Knee to chest", "side", True),
    "cat_cow": ("Cat-cow", "side", False),
    "pelvic_tilt": ("Pelvic tilt", "side", False),
    "side_knee_drop": ("Side knee drop", "side", True),
    "lying_trunk_rotation": ("Lying trunk rotation", "side", True),
    "hamstring_stretch": ("Hamstring stretch", "side", True),
    "piriformis_stretch": ("Piriformis stretch", "side", True),
    "back_extension": ("Back extension", "side", False),
    "locust": ("Locust", "side", False),
    "superman": ("Superman", "side", False),
    "horse_back_stretch": ("Horse back stretch", "side", False),
    "childs_pose": ("Child's pose", "side", False),
    "prayer_pose": ("Prayer pose", "side", False),
    "pigeon_pose": ("Pigeon pose", "side", True),
    "hip_flexor_stretch": ("Hip flexor stretch", "side", True),
    "downward_dog": ("Downward dog", "side", False),
    "high_plank": ("High plank", "side", False),
    "forearm_plank": ("Forearm plank", "side", False),
    "side_plank": ("Side plank", "front", True),
    "seated_hamstring_stretch": ("Seated hamstring stretch", "side", True),
    "seated_forward_bend": ("Seated forward bend", "side", False),
    "seated_spinal_twist": ("Seated spinal twist", "front", True),
    "dorsal_arch": ("Dorsal arch", "side", False),
    "seated_knee_raise": ("Seated knee raise", "front", True),
    "seated_rotation": ("Seated rotation", "front", True),
    "chair_squat": ("Chair squat", "side", False),
    "wall_pushup": ("Wall push-up", "side", False),
}
