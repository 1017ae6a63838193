"""What the live view draws over the exercise overlay: the corner lines (speech state, stats) keep
clear of the overlay's own top-right piece (cat-cow's gauge)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from coach.engine.definition import load_exercise
from coach.live.hud import draw_corner
from coach.overlay import Overlay, PoleGaugeAnnotator
from test_overlay import make_pose, make_result


@pytest.mark.parametrize("w,h", [(640, 480), (360, 640), (1920, 1080)])
def test_the_speech_badge_never_covers_the_gauge(w: int, h: int) -> None:
    overlay = Overlay(load_exercise("cat_cow"))
    gauge = next(a for a in overlay.annotators if isinstance(a, PoleGaugeAnnotator))
    result = dataclasses.replace(make_result(phase="cat"), key_level=0.8)
    scene = np.full((h, w, 3), 90, np.uint8)
    overlay.annotate(scene, make_pose(w, h), result)
    before = scene.copy()
    draw_corner(scene, ["speech off", "29.8 fps  latency 40 ms  inference 30 ms  dropped 0"], overlay.top_right_free(scene))
    x0, y0, x1, y1 = gauge.box(w, h)
    assert not np.array_equal(before[y0:y1, x0:x1], before[y0:y1, x0:x1] * 0 + 90)  # the gauge is there
    assert np.array_equal(scene[y0:y1, x0:x1], before[y0:y1, x0:x1])  # and untouched by the badge
    assert not np.array_equal(scene, before)  # the badge was drawn (below it)


def test_without_a_gauge_the_corner_starts_at_the_top() -> None:
    overlay = Overlay(load_exercise("bridge"))
    scene = np.zeros((480, 640, 3), np.uint8)
    assert overlay.top_right_free(scene) == 0
    draw_corner(scene, ["speech off"], overlay.top_right_free(scene))
    assert scene[:30, 500:].any()  # drawn in the top-right corner
