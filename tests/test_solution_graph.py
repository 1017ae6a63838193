"""The legacy pose graph without its segmentation branch (coach/pose/solution_graph.py): the loopback
that grew the native heap by every frame is gone from the graph the backend runs, and the landmarks
are those of the stock ``mp.solutions.pose.Pose``, exactly."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from coach.pose.mediapipe_backend import SolutionBackend
from coach.pose.solution_graph import SEGMENTATION_OUTPUT, pose_graph_config
from coach.sources import VideoSource

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "bridge_clean_01.mp4"
N_FRAMES = 60


def _loopback_mains(backend: SolutionBackend) -> list[str]:
    """The MAIN input of every PreviousLoopbackCalculator in the graph the backend built (subgraphs expanded)."""
    from mediapipe.framework import calculator_pb2

    config = calculator_pb2.CalculatorGraphConfig()
    config.ParseFromString(backend._pose._graph.binary_config)
    return [s.split(":")[-1] for node in config.node if node.calculator == "PreviousLoopbackCalculator"
            for s in node.input_stream if s.startswith("MAIN:")]


def test_without_a_mask_the_graph_has_no_loopback_on_the_empty_mask_stream() -> None:
    # A loopback whose MAIN input never carries a packet keeps every LOOP bound it is sent: the
    # leak. Without segmentation, the only loopback left is the tracker's, on the image itself.
    backend = SolutionBackend(segmentation=False)
    try:
        assert _loopback_mains(backend) == ["image"]
    finally:
        backend.close()
    config = pose_graph_config(segmentation=False)
    assert not any(s.endswith(SEGMENTATION_OUTPUT) for s in config.output_stream)


def test_with_a_mask_the_stock_graph_runs_and_smooths_the_mask() -> None:
    backend = SolutionBackend(segmentation=True)
    try:
        assert sorted(_loopback_mains(backend)) == ["image", "unfiltered_segmentation_mask"]
        frame = next(iter(VideoSource(str(SAMPLE))))
        pose = backend.process(frame.image, frame.t, frame.index)
        assert pose.mask is not None and pose.mask.shape == frame.image.shape[:2]
    finally:
        backend.close()


def _poses(backend: SolutionBackend) -> list:  # type: ignore[type-arg]
    try:
        return [backend.process(f.image, f.t, f.index) for f in itertools.islice(VideoSource(str(SAMPLE)), N_FRAMES)]
    finally:
        backend.close()


@pytest.fixture(scope="module")
def stock_and_ours() -> tuple[list, list]:  # type: ignore[type-arg]
    """The sample's first frames through mediapipe's own ``Pose`` and through the backend, both read
    by the backend's adapter."""
    import mediapipe as mp

    stock = SolutionBackend.__new__(SolutionBackend)
    stock.segmentation = False
    stock._pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True,
                                         enable_segmentation=False, smooth_segmentation=False)
    return _poses(stock), _poses(SolutionBackend())


@pytest.mark.parametrize("field", ["xy", "z", "visibility", "world"])
def test_the_landmarks_are_the_stock_graphs_bit_for_bit(field: str, stock_and_ours: tuple[list, list]) -> None:  # type: ignore[type-arg]
    stock, ours = stock_and_ours
    assert len(stock) == len(ours) == N_FRAMES and all(p.has_pose for p in ours)
    for a, b in zip(stock, ours):
        assert np.array_equal(getattr(a, field), getattr(b, field))
