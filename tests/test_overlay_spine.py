"""The overlay of an exercise on the curve of the back (cat-cow): the two-pole gauge and the back's profile,
and which exercises get them (from the definition)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from coach.engine.definition import TwoWayPhases, load_exercise
from coach.overlay import BACK_POINTS, HOLD_PROGRESS, BackProfileAnnotator, Overlay, PoleGaugeAnnotator, panel_layout
from coach.pose.back_profile import profile_points
from synth import quadruped_frame
from test_overlay import blank, make_result, near

W, H = 640, 480
CAT_COW = load_exercise("cat_cow")


def gauge() -> PoleGaugeAnnotator:
    """Cat-cow's gauge, as its overlay builds it."""
    assert isinstance(CAT_COW.phases, TwoWayPhases)
    return PoleGaugeAnnotator.for_phases(CAT_COW.phases)


def spine_result(level: float = 0.0, state: str = "active", phase: str = "neutral", key: str = "spine_flexion"):
    return dataclasses.replace(make_result(state=state, phase=phase, key_measure=key, measures={key: level},
                                           hold_target_s=0.0), key_level=level)


def gauge_box(img: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(np.any(img > 0, axis=-1))
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def test_gauge_sits_top_right_clear_of_the_panel() -> None:
    img = gauge().annotate(blank(), quadruped_frame(0, 0.0, 0.0), spine_result(0.5))
    x0, y0, x1, y1 = gauge_box(img)
    assert x1 < W and y0 >= 0 and y1 < H // 3
    assert x0 > panel_layout(blank()).x1


@pytest.mark.parametrize("level", [-1.0, 1.0])
def test_gauge_fills_from_neutral_toward_the_pole(level: float) -> None:
    img = gauge().annotate(blank(), quadruped_frame(0, 0.0, level), spine_result(level))
    fill = near(img, HOLD_PROGRESS, tol=20)
    assert fill.any()
    x0, _, x1, _ = gauge_box(img)
    middle = (x0 + x1) / 2
    xs = np.nonzero(fill)[1]
    if level > 0:
        assert xs.min() >= middle - 3  # cat is on the right
    else:
        assert xs.max() <= middle + 3  # cow on the left


def test_gauge_marker_moves_with_the_level() -> None:
    def marker_x(level: float) -> float:
        img = gauge().annotate(blank(), quadruped_frame(0, 0.0, level), spine_result(level))
        white = near(img, (255, 255, 255), tol=10)
        white[:, : W // 2] = False  # the gauge is on the right half; ignore nothing else there
        ys, xs = np.nonzero(white)
        lowest = ys.max()  # the marker is the lowest white blob (the title is above the bar)
        rows = xs[ys >= lowest - 6]
        return float(np.median(rows))

    xs = [marker_x(v) for v in (-1.0, 0.0, 1.0)]
    assert xs[0] < xs[1] < xs[2]


@pytest.mark.parametrize("kwargs", [dict(state="setup"), dict(state="unseen"), dict(level=float("nan"))])
def test_gauge_only_while_counting(kwargs: dict) -> None:
    img = gauge().annotate(blank(), quadruped_frame(0, 0.0, 0.0), spine_result(**kwargs))
    assert not img.any()


def test_back_profile_dots_are_drawn_on_the_back() -> None:
    pose = quadruped_frame(0, 0.0, 1.0)
    img = BackProfileAnnotator().annotate(blank(), pose, spine_result(1.0))
    dots = near(img, BACK_POINTS, tol=20)
    assert dots.any()
    for x, y in profile_points(pose).round().astype(int):
        assert dots[y - 2:y + 3, x - 2:x + 3].any()


def test_no_back_profile_no_dots() -> None:
    img = BackProfileAnnotator().annotate(blank(), quadruped_frame(0, 0.0, 1.0, with_back=False), spine_result(1.0))
    assert not img.any()


@pytest.mark.parametrize("w, h", [(640, 480), (202, 360), (1920, 1080)])
def test_default_overlay_draws_cat_cow_at_any_size(w: int, h: int) -> None:
    pose = quadruped_frame(0, 0.0, 0.5)
    pose = dataclasses.replace(pose, width=W, height=H)
    img = Overlay(CAT_COW).annotate(blank(w, h), pose, spine_result(0.5, phase="cat"))
    assert img.shape == (h, w, 3) and img.dtype == np.uint8 and img.any()


def test_gauge_is_labelled_with_the_definitions_pole_names() -> None:
    """Any two-way exercise gets the gauge, minus pole on the left and plus on the right, named as
    its definition names them (cat-cow: cow, cat)."""
    renamed = dataclasses.replace(CAT_COW, phases=dataclasses.replace(CAT_COW.phases, plus="round", minus="arch"))
    gauges = [a for a in Overlay(renamed).annotators if isinstance(a, PoleGaugeAnnotator)]
    assert [(g.minus, g.plus) for g in gauges] == [("arch", "round")]
    assert (gauge().minus, gauge().plus) == ("cow", "cat")
    pose, result = quadruped_frame(0, 0.0, 0.5), spine_result(0.5)
    img = gauges[0].annotate(blank(), pose, result)
    assert np.array_equal(img, PoleGaugeAnnotator(minus="arch", plus="round").annotate(blank(), pose, result))
    assert not np.array_equal(img, gauge().annotate(blank(), pose, result))


@pytest.mark.parametrize("ex_id", ["bridge", "knee_to_chest"])
def test_out_and_back_exercise_gets_no_gauge_and_no_back_profile(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    overlay = Overlay(ex)
    assert not any(isinstance(a, (PoleGaugeAnnotator, BackProfileAnnotator)) for a in overlay.annotators)
    # Counting, with a level and a back's profile to show: still nothing where cat-cow's gauge goes.
    pose, result = quadruped_frame(0, 0.0, 0.5), spine_result(0.5, key=ex.phases.measure)
    x0, y0, x1, y1 = gauge_box(gauge().annotate(blank(), pose, result))
    assert Overlay(CAT_COW).annotate(blank(), pose, result)[y0:y1 + 1, x0:x1 + 1].any()
    img = overlay.annotate(blank(), pose, result)
    assert not img[y0:y1 + 1, x0:x1 + 1].any()
    assert not near(img, BACK_POINTS, tol=20).any()
