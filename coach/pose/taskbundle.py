"""Build a Tasks API ``.task`` bundle from the two pose models inside the mediapipe 0.10.21 wheel.

A ``.task`` is a zip of ``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``, each with
input-normalisation metadata, written here with the wheel's own metadata writer. The result gives
the same landmarks as the legacy solution, offline, with the Tasks API's extras (several people,
segmentation masks).
"""

from __future__ import annotations

import os
from pathlib import Path

from coach.errors import CoachError

# (file in the wheel, name in the bundle, input mean, input std)
_MODELS = (
    ("modules/pose_detection/pose_detection.tflite", "pose_detector.tflite", 127.5, 127.5),
    ("modules/pose_landmark/pose_landmark_full.tflite", "pose_landmarks_detector.tflite", 0.0, 255.0),
)


def cache_dir() -> Path:
    base = os.environ.get("COACH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "coach")
    return Path(base)


def bundled_task_path() -> Path:
    """The bundle built from the wheel's models, built on first use and then reused."""
    path = cache_dir() / "pose_landmarker_full_bundled.task"
    if not path.exists():
        build_task_bundle(path)
    return path


def build_task_bundle(out_path: Path) -> Path:
    import mediapipe as mp
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, model_asset_bundle_utils

    root = Path(mp.__file__).parent
    models = {}
    for rel, name, mean, std in _MODELS:
        src = root / rel
        if not src.exists():
            raise CoachError(f"this mediapipe install has no {rel}; install mediapipe==0.10.21 or pass --model PATH.task")
        writer = metadata_writer.MetadataWriter.create(bytearray(src.read_bytes()))
        content, _ = writer.add_general_info(name.split(".")[0]).add_image_input(norm_mean=[mean], norm_std=[std]).populate()
        models[name] = bytes(content)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_suffix(".tmp")
    model_asset_bundle_utils.create_model_asset_bundle(models, str(tmp))
    os.replace(tmp, out_path)  # atomic, so a half-written bundle is never picked up
    return out_path
