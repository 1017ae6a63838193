"""The out-and-back phase machine's ``either_way`` (a movement out from rest to either side, read on a
signed measure: the seated twists' shoulder_yaw) and a hold exercise's overshoot (the value swings past
the position and settles back in it: still a hold), on made-up sequences at 30 fps; and the loader's
refusal of either_way with direction = "down"."""

from __future__ import annotations

import dataclasses
import math

import pytest

from coach.engine.definition import load_exercise
from coach.engine.phases import HOLD_END, HOLD_START, REP_END, REP_START, PhaseMachine
from rendered import refused

FPS = 30.0
TWIST = load_exercise("seated_spinal_twist").phases


def ramp(a: float, b: float, s: float) -> list[float]:
    n = int(s * FPS)
    return [a + (b - a) * (0.5 - 0.5 * math.cos(math.pi * k / n)) for k in range(1, n + 1)]


def still(v: float, s: float) -> list[float]:
    return [v] * int(s * FPS)


def events(phases, values: list[float]) -> list[tuple[float, str, float]]:  # type: ignore[no-untyped-def]
    """(time reported, event, hold time) of every event the machine reports."""
    machine, out, prev = PhaseMachine(phases), [], values[0]
    for i, v in enumerate(values):
        rate, prev = (v - prev) * FPS, v
        out += [(i / FPS, c.event, c.hold_time) for c in machine.update(i / FPS, v, rate) if c.event]
    return out


def names(evs: list[tuple[float, str, float]]) -> list[str]:
    return [e for _, e, _ in evs]


ONE_HOLD = [REP_START, HOLD_START, HOLD_END, REP_END]


def test_the_twist_counts_on_the_turn_either_way() -> None:
    assert TWIST.either_way and TWIST.hold_required
    rest = 12.0  # a camera a little round: the signed turn rests off 0
    turns = (still(rest, 2) + ramp(rest, rest - 40, 1.5) + still(rest - 40, 5) + ramp(rest - 40, rest, 1.5)
             + still(rest, 2) + ramp(rest, rest + 40, 1.5) + still(rest + 40, 5) + ramp(rest + 40, rest, 1.5)
             + still(rest, 2))
    evs = events(TWIST, turns)
    assert names(evs) == ONE_HOLD * 2
    holds = [t for _, e, t in evs if e in (HOLD_START, HOLD_END)]
    # timed within leave_hold (9 deg) of the top, so the 1.5 s turns' last and first moments count too
    assert 5.0 <= holds[1] - holds[0] <= 6.2
    assert holds[3] - holds[2] == pytest.approx(holds[1] - holds[0], abs=0.1)  # either side alike
    # Without either_way the turn to the low side is never out from rest: one rep only.
    assert names(events(dataclasses.replace(TWIST, either_way=False), turns)) == ONE_HOLD


def test_either_way_follows_a_drifting_rest() -> None:
    """The rest drifts 8 deg between the turns (the person shuffles): the second turn is still a rep,
    and the drift itself (slower than still_per_s) is none."""
    drift = [12.0 + 8.0 * k / (4 * FPS) for k in range(int(4 * FPS))]
    seq = (still(12, 2) + ramp(12, -28, 1.5) + still(-28, 5) + ramp(-28, 12, 1.5) + drift
           + ramp(20, 60, 1.5) + still(60, 5) + ramp(60, 20, 1.5) + still(20, 2))
    assert names(events(TWIST, seq)) == ONE_HOLD * 2


def test_an_overshoot_that_settles_far_out_is_the_hold() -> None:
    """twist_faults_03 rep 1: MediaPipe's shoulder line swings 45 deg out as the hips turn, then settles
    at 32 for the hold. Coming 13 deg back from the peak ends a pull without a hold (hold_required),
    but stopping still well past hold_above_rest is holding there: one rep, its hold timed from the stop."""
    seq = still(0, 2) + ramp(0, 45, 1.2) + ramp(45, 32, 0.3) + still(32, 5) + ramp(32, 0, 1.5) + still(0, 2)
    evs = events(TWIST, seq)
    assert names(evs) == ONE_HOLD
    start, end = [t for _, e, t in evs if e in (HOLD_START, HOLD_END)]
    assert start == pytest.approx(3.5, abs=0.4) and end - start == pytest.approx(5.0, abs=0.6)


def test_a_turn_back_that_keeps_moving_is_still_no_rep() -> None:
    """The overshoot rule needs a stop: out and straight back (a pass through) stays no rep."""
    seq = still(0, 2) + ramp(0, 45, 1.2) + ramp(45, 0, 1.5) + still(0, 2)
    assert REP_END not in names(events(TWIST, seq))


def test_either_way_needs_direction_up() -> None:
    with refused("seated_spinal_twist", match="direction") as bad:
        bad["phases"]["direction"] = "down"
    with refused("seated_spinal_twist", match="either_way") as bad:
        bad["phases"]["either_way"] = "yes"
