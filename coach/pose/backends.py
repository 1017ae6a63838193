"""Choosing a pose backend; one instance serves a whole run."""

from __future__ import annotations

from typing import Optional, Protocol

import numpy as np

from coach.pose.frame import PoseFrame


class PoseBackend(Protocol):
    name: str
    model: str

    def process(self, image_bgr: np.ndarray, t: float, index: int) -> PoseFrame: ...

    def close(self) -> None: ...


def make_backend(model: Optional[str] = None, backend: str = "solution", segmentation: bool = False) -> PoseBackend:
    """``model``: a ``.task`` file for the Tasks API. ``backend``: ``solution`` (the default, legacy graph
    with the bundled model) or ``tasks`` (Tasks API; without ``model``, on a bundle built from the wheel)."""
    from coach.pose import mediapipe_backend as mpb

    if model:
        return mpb.TasksBackend(model, segmentation=segmentation)
    if backend == "tasks":
        from coach.pose.taskbundle import bundled_task_path

        return mpb.TasksBackend(str(bundled_task_path()), segmentation=segmentation)
    return mpb.SolutionBackend(segmentation=segmentation)


def backend_info(backend: PoseBackend) -> dict:
    return {"name": backend.name, "model": backend.model}
