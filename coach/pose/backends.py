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


def make_backend(model: Optional[str] = None, backend: str = "solution", segmentation: bool = False,
                 stride: Optional[str] = None) -> PoseBackend:
    """``model``: a ``.task`` file for the Tasks API. ``backend``: ``solution`` (the default, legacy graph
    with the bundled model) or ``tasks`` (Tasks API; without ``model``, on a bundle built from the wheel).
    ``stride``: ``auto`` or ``off`` wraps it in a ``StridedBackend`` (coach/pose/stride.py: fewer
    inferences while a pose is held; the report says which); None: the bare backend."""
    from coach.pose import mediapipe_backend as mpb

    if model:
        bare: PoseBackend = mpb.TasksBackend(model, segmentation=segmentation)
    elif backend == "tasks":
        from coach.pose.taskbundle import bundled_task_path

        bare = mpb.TasksBackend(str(bundled_task_path()), segmentation=segmentation)
    else:
        bare = mpb.SolutionBackend(segmentation=segmentation)
    if stride is None:
        return bare
    from coach.pose.stride import StridedBackend, stride_config

    return StridedBackend(bare, stride_config(stride, segmentation))


def backend_info(backend: PoseBackend) -> dict:
    """What a report and a trace say of the backend: its name, model, and the stride where one applies."""
    mode = getattr(backend, "mode", None)
    return {"name": backend.name, "model": backend.model, **({"stride": mode} if mode else {})}
