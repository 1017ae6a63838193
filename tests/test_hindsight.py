"""The report's phase boundaries, refined with hindsight (coach/engine/hindsight.py), on short
synthetic series whose true boundaries are known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.engine.hindsight import ARRIVE, LEAVE, refine

FPS = 30.0
TRANSITIONS = {("rest", "out"): LEAVE, ("out", "hold"): ARRIVE, ("hold", "back"): LEAVE, ("back", "rest"): ARRIVE}


def _ease(x: float) -> float:
    """A cosine ease from 0 to 1 (a body starts and stops a movement smoothly)."""
    return (1 - math.cos(math.pi * min(max(x, 0.0), 1.0))) / 2


def _series(value, end_s: float, seed: int = 1) -> list[tuple[float, float]]:
    noise = np.random.default_rng(seed).normal(0.0, 0.1, int(end_s * FPS) + 1)
    return [(k / FPS, value(k / FPS) + noise[k]) for k in range(int(end_s * FPS))]


def test_an_unsigned_hip_angle_folding_through_180_is_dated_where_the_leg_moved() -> None:
    """A straight leg on the floor reads 187 deg signed, 173 unsigned (hip_angle). Pulled to the chest,
    the signed angle falls straight to 73, but the unsigned one first opens to 180 and closes only
    after: at the start a counter-movement, and laid back down it crosses 173, overshoots to 180 and
    comes back. The pull starts where the counter-movement began, and rest begins where the value
    settled, not where it first passed through the resting value (0.2-0.3 s off before)."""
    pull, hold, release, rest_again = 2.0, 3.0, 5.0, 6.2  # the true boundaries (s)

    def signed(t: float) -> float:
        if t < hold:
            return 187.0 - 114.0 * _ease((t - pull) / (hold - pull))
        return 73.0 + 114.0 * _ease((t - release) / (rest_again - release))

    def value(t: float) -> float:  # knee to chest's "down" measure with the sign applied, as the checker keeps it
        a = signed(t)
        return -(360.0 - a if a > 180.0 else a)

    series = _series(value, 9.0)
    # The live machine's boundaries: late out of rest, after stillness at the hug, early back at rest.
    live = [(0.0, "rest"), (2.35, "out"), (3.3, "hold"), (5.1, "back"), (6.0, "rest")]
    moved = refine(live, series, TRANSITIONS)
    assert moved[2.35] == pytest.approx(pull, abs=2 / FPS)
    assert moved[6.0] == pytest.approx(rest_again, abs=0.12)  # an eased stop's last 3 % stays within tol
    assert moved[6.0] > rest_again - 0.12


def test_a_hold_that_sags_is_reached_where_the_rise_stopped() -> None:
    """Hips pushed to 182 deg that sink 2 deg over the hold's first seconds: reached at 182, above the
    hold's median level. Judged against the median the top began 0.23 s late; against the level
    beside the boundary it begins where the rise stopped (an eased stop's last 3 % early)."""
    rise, top, lower, rest_again = 2.0, 3.0, 6.5, 7.7

    def value(t: float) -> float:
        if t < top:
            return 137.0 + 45.0 * _ease((t - rise) / (top - rise))
        sag = 182.0 - 2.0 * (1 - math.exp(-(t - top) / 0.8))
        if t < lower:
            return sag
        at = 182.0 - 2.0 * (1 - math.exp(-(lower - top) / 0.8))
        return at - (at - 137.0) * _ease((t - lower) / (rest_again - lower))

    series = _series(value, 10.0)
    live = [(0.0, "rest"), (2.3, "out"), (3.25, "hold"), (6.6, "back"), (7.6, "rest")]
    moved = refine(live, series, TRANSITIONS)
    assert moved[3.25] == pytest.approx(top, abs=0.15)
    assert moved[6.6] == pytest.approx(lower, abs=0.1)


def test_a_short_crossing_of_the_level_is_not_taken_for_arrival_but_a_settled_one_is() -> None:
    """A value that passes through the rest level for a frame or two and comes back was still moving;
    one that stays at the level arrived where it first got there (no overshoot: nothing moves)."""

    def value(t: float, overshoot: float) -> float:
        if t < 2.0:
            return 0.0
        if t < 3.0:
            return 40.0 * _ease(t - 2.0)
        if t < 5.0:
            return 40.0
        x = (t - 5.0) / 1.0  # down past rest by ``overshoot``, then back up to it over 0.4 s
        if x < 1.0:
            return 40.0 - (40.0 + overshoot) * _ease(x)
        return -overshoot + overshoot * _ease((t - 6.0) / 0.4)

    live = [(0.0, "rest"), (2.2, "out"), (3.2, "hold"), (5.1, "back"), (5.7, "rest")]
    over = refine(live, _series(lambda t: value(t, 5.0), 9.0), TRANSITIONS)
    plain = refine(live, _series(lambda t: value(t, 0.0), 9.0), TRANSITIONS)
    assert over[5.7] > 6.2  # after the overshoot came back (before: where it first passed through 0)
    assert plain[5.7] == pytest.approx(6.0, abs=0.1)
