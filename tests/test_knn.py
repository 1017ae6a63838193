"""The k-NN pose classifier of bench/classifier.py (bench/knn.py): its embedding ignores where the
person lies, how big they are and which way they face; it tells apart poses it was shown."""

from __future__ import annotations

import numpy as np
import pytest

from bench.knn import KnnPoseClassifier, accuracy, embed, smoothed
from coach.pose.frame import PoseFrame
from synth import lying_frame


def moved(f: PoseFrame, shift: tuple[float, float], scale: float, mirror: bool) -> PoseFrame:
    xy = f.xy * scale + np.array(shift)
    if mirror:
        xy[:, 0] = 640 - xy[:, 0]
    return PoseFrame(index=f.index, t=f.t, width=f.width, height=f.height, xy=xy, z=f.z, visibility=f.visibility)


def test_the_embedding_ignores_position_size_and_facing() -> None:
    f = lying_frame(0, 0.0, 150.0)
    base = embed(f)
    assert base is not None
    for shift, scale, mirror in (((40.0, -30.0), 1.0, False), ((0.0, 0.0), 0.6, False), ((0.0, 0.0), 1.0, True)):
        assert np.allclose(embed(moved(f, shift, scale, mirror)), base, atol=1e-6)
    assert not np.allclose(embed(lying_frame(0, 0.0, 180.0)), base, atol=0.05)  # another pose reads otherwise
    assert embed(PoseFrame(index=0, t=0.0, width=640, height=480)) is None


def test_it_tells_apart_the_poses_it_was_shown() -> None:
    rng = np.random.default_rng(3)
    train = [(embed(lying_frame(0, 0.0, a + rng.normal(0, 2))), "rest") for a in [135.0] * 40]
    train += [(embed(lying_frame(0, 0.0, a + rng.normal(0, 2))), "top") for a in [180.0] * 40]
    model = KnnPoseClassifier(k=9).fit(train)
    assert model.labels == ["rest", "top"]
    said = [model.predict(embed(lying_frame(0, 0.0, a))) for a in (133.0, 138.0, 178.0, 183.0)]
    assert [o.label for o in said] == ["rest", "rest", "top", "top"]
    assert all(o.confidence > 0.8 for o in said)
    assert smoothed(said[:2] + said[2:3] + said[:2], half=2)[2] == "rest"  # a lone frame is outvoted
    assert accuracy([("a", "a"), ("b", "a")]) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        KnnPoseClassifier().fit([])
