"""The pose backends on real frames: the Tasks API on a bundle built from the wheel's models agrees
with the legacy solution, and a bad model file is refused with a clear message."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from coach.errors import CoachError
from coach.pose.mediapipe_backend import SolutionBackend, TasksBackend
from coach.pose.taskbundle import build_task_bundle
from coach.sources import VideoSource

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "bridge_clean_01.mp4"
N_FRAMES = 45


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_task_bundle(tmp_path_factory.mktemp("models") / "pose_full.task")


def _poses(backend) -> list:  # type: ignore[no-untyped-def]
    try:
        return [backend.process(f.image, f.t, f.index) for f in itertools.islice(VideoSource(str(SAMPLE)), N_FRAMES)]
    finally:
        backend.close()


def test_tasks_bundle_matches_the_legacy_solution(bundle: Path) -> None:
    legacy = _poses(SolutionBackend())
    tasks = _poses(TasksBackend(str(bundle)))
    assert all(p.has_pose for p in legacy) and all(p.has_pose for p in tasks)
    assert all(p.people == 1 for p in tasks)  # one person in the clip, though the Tasks backend looks for two
    diff = [np.median(np.linalg.norm(a.xy - b.xy, axis=1)) for a, b in zip(legacy, tasks)]
    assert np.median(diff) < 0.02 * 640  # same model: within a few pixels (the legacy graph smooths a little more)
    assert all(p.world is not None and p.world.shape == (33, 3) for p in tasks)


def test_a_file_that_is_not_a_task_bundle_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "pose.task"
    bad.write_text("not a model")
    with pytest.raises(CoachError, match="cannot load pose model"):
        TasksBackend(str(bad))
    with pytest.raises(CoachError, match="model file not found"):
        TasksBackend(str(tmp_path / "missing.task"))
