"""The phase machine on synthetic measure sequences with a known truth (30 fps smoothstep movements).

Two ways of feeding it: ``analytic`` (the exact value and its exact derivative: what the machine itself
can do) and ``signal`` (the value smoothed and its rate estimated the way the checker does it, from the
definition's [signal] table: what the person gets).
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np
import pytest

from coach.engine.definition import Phases, load_exercise
from coach.engine.phases import BACK, HOLD, OUT, REP_END, REST, PhaseChange, PhaseMachine
from coach.signal import Velocity, make_filter
from synth import FPS, Profile, bridge_profile

EX = load_exercise("bridge")
P: Phases = EX.phases
FRAME = 1.0 / FPS
REST_LEVEL = 130.0


def chain():
    """The checker's smoothing and rate estimate, as configured by the definition."""
    signal = dict(EX.signal)
    kind = signal.pop("filter", "none")
    window = signal.pop("rate_window_s", None)
    rate = Velocity(window) if window is not None else Velocity()
    return make_filter(kind, **signal), rate


def run(t: np.ndarray, values: np.ndarray, rates: Optional[np.ndarray] = None, phases: Phases = P,
        ) -> tuple[list[tuple[float, PhaseChange]], PhaseMachine]:
    """Feeds the machine; returns (time the change was reported, change) pairs. ``rates`` None:
    smooth and differentiate like the checker; else use the values and rates as given."""
    machine = PhaseMachine(phases)
    filt, vel = chain()
    changes = []
    for i, (ti, vi) in enumerate(zip(t, values)):
        if rates is None:
            vi = filt(ti, vi)
            ri = vel(ti, vi)
        else:
            ri = rates[i]
        for c in machine.update(float(ti), float(vi), float(ri)):
            changes.append((float(ti), c))
    return changes, machine


def phases_of(changes) -> list[str]:
    return [c.phase for _, c in changes]


def cycles(changes) -> int:
    return sum(1 for _, c in changes if c.event == REP_END)


def per_rep(changes) -> list[list[PhaseChange]]:
    """Changes grouped into reps: each group ends with the REST change that closes it."""
    groups, cur = [], []
    for _, c in changes:
        cur.append(c)
        if c.phase == REST:
            groups.append(cur)
            cur = []
    if cur:
        groups.append(cur)
    return groups


THREE_REPS = [(180.0, 2.0), (176.0, 1.5), (184.0, 2.5)]


# -- clean movements -----------------------------------------------------------------------------

def test_clean_reps_exact_cycles_and_hold_times_analytic() -> None:
    prof, truth = bridge_profile(REST_LEVEL, THREE_REPS)
    changes, machine = run(prof.times, prof.values(), prof.rates())
    assert cycles(changes) == 3
    groups = per_rep(changes)
    assert [[c.phase for c in g] for g in groups] == [[OUT, HOLD, BACK, REST]] * 3
    assert [g[-1].event == REP_END for g in groups] == [True] * 3
    for g, tr in zip(groups, truth):
        out, hold, back, rest = g
        # the hold is the time in the top position: within leave_hold of the top
        assert hold.hold_time == pytest.approx(tr["position_start_s"], abs=FRAME + 1e-9)
        assert back.hold_time == pytest.approx(tr["position_end_s"], abs=FRAME + 1e-9)
        # the rep's start and end: back-dated start, return seen near the end of the lowering
        assert tr["start_s"] - 1e-9 <= out.t <= tr["start_s"] + 0.2
        assert tr["hold_end_s"] < rest.t <= tr["end_s"] + 2 * FRAME
    assert machine.phase == REST


def test_clean_reps_through_the_checkers_smoothing() -> None:
    prof, truth = bridge_profile(REST_LEVEL, THREE_REPS)
    changes, _ = run(prof.times, prof.values())
    assert cycles(changes) == 3
    groups = per_rep(changes)
    assert [[c.phase for c in g] for g in groups] == [[OUT, HOLD, BACK, REST]] * 3
    for g, tr in zip(groups, truth):
        _, hold, back, _ = g
        # smoothing delays both ends alike (a few frames), so the time in position stays right
        assert tr["position_start_s"] - 2 * FRAME <= hold.hold_time <= tr["position_start_s"] + 0.2
        assert tr["position_end_s"] - 2 * FRAME <= back.hold_time <= tr["position_end_s"] + 0.2
        assert back.hold_time - hold.hold_time == pytest.approx(tr["position_end_s"] - tr["position_start_s"], abs=0.1)
        # the phases themselves: the top from when the body stops to when it starts back down
        assert tr["hold_start_s"] - 2 * FRAME <= hold.t <= tr["hold_start_s"] + 0.25
        assert tr["hold_end_s"] - 2 * FRAME <= back.t <= tr["hold_end_s"] + 0.25


def test_changes_are_back_dated_never_forward_dated() -> None:
    """Back-dating looks into the past only: a change is never dated after the frame that reported it."""
    prof, _ = bridge_profile(REST_LEVEL, THREE_REPS)
    changes, _ = run(prof.times, prof.values())
    assert changes
    assert all(c.t <= reported + 1e-9 for reported, c in changes)
    times = [c.t for _, c in changes]
    assert times == sorted(times)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_noisy_reps(seed: int) -> None:
    rng = np.random.default_rng(seed)
    prof, truth = bridge_profile(REST_LEVEL, THREE_REPS)
    noisy = prof.values() + rng.normal(0.0, 1.0, prof.times.shape)
    changes, _ = run(prof.times, noisy)
    assert cycles(changes) == 3
    holds = [c for _, c in changes if c.phase == HOLD]
    ends = [c for _, c in changes if c.phase == BACK]
    assert len(holds) == 3 and len(ends) == 3
    for hold, back, tr in zip(holds, ends, truth):
        assert hold.t == pytest.approx(tr["hold_start_s"], abs=0.3)
        assert back.t == pytest.approx(tr["hold_end_s"], abs=0.3)


def test_small_wobble_at_the_top_does_not_end_the_hold() -> None:
    wobble = P.leave_hold * 0.5
    prof = (Profile(REST_LEVEL).hold(2.0).move(1.0, 180.0).hold(0.8).move(0.4, 180.0 - wobble)
            .move(0.4, 180.0).hold(0.8).move(1.0, REST_LEVEL).hold(1.5))
    changes, _ = run(prof.times, prof.values())
    assert phases_of(changes) == [OUT, HOLD, BACK, REST]
    assert cycles(changes) == 1


# -- things that must not count --------------------------------------------------------------------

def _jitter(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Jitter around the start threshold (rest + start_above_rest), staying under the top."""
    centre = REST_LEVEL + P.start_above_rest
    amp = min(1.5, 0.45 * (P.hold_above_rest - P.start_above_rest) + 0.6)
    t = np.arange(n) / FPS
    if kind == "telegraph":  # jumps across the threshold at random moments
        flips = np.cumsum(rng.random(n) < 0.15) % 2
        return centre + np.where(flips == 1, amp * 0.6, -amp)
    if kind == "sine":
        return centre + amp * np.sin(2 * np.pi * 1.7 * t)
    return centre + rng.normal(0.0, amp / 2, n)  # gaussian


@pytest.mark.parametrize("kind", ["telegraph", "sine", "gaussian"])
def test_jitter_around_the_start_threshold_does_not_count(kind: str) -> None:
    rng = np.random.default_rng(7)
    lead = Profile(REST_LEVEL).hold(2.0)
    t0 = lead.times
    n = int(5 * FPS)
    jitter = _jitter(kind, n, rng)
    # then back to rest, and one real rep: the machine must not be stuck
    after, truth = bridge_profile(REST_LEVEL, [(180.0, 2.0)], lead_s=1.5)
    t = np.concatenate([t0, t0[-1] + FRAME + np.arange(n) / FPS])
    t = np.concatenate([t, t[-1] + FRAME + after.times])
    values = np.concatenate([lead.values(), jitter, after.values()])
    changes, _ = run(t, values)
    jitter_end = t0[-1] + n / FPS
    during = [(rt, c) for rt, c in changes if rt <= jitter_end + 1.0]
    assert cycles(during) == 0
    assert HOLD not in phases_of(during)
    assert cycles(changes) == 1


@pytest.mark.parametrize("drift", [+8.0, -8.0])
def test_slow_drift_of_the_rest_level(drift: float) -> None:
    """Setting up: the resting value creeps by 8 degrees over 8 s (1 deg/s); then one rep."""
    new_rest = REST_LEVEL + drift
    prof = Profile(REST_LEVEL).hold(1.0).move(8.0, new_rest).hold(1.0)
    drift_end = prof.duration_s
    prof.move(1.0, 182.0).hold(2.0).move(1.0, new_rest).hold(1.5)
    changes, machine = run(prof.times, prof.values())
    assert all(reported > drift_end for reported, _ in changes), "the drift itself was taken for a movement"
    assert phases_of(changes) == [OUT, HOLD, BACK, REST]
    assert cycles(changes) == 1
    hold = next(c for _, c in changes if c.phase == HOLD)
    back = next(c for _, c in changes if c.phase == BACK)
    # in position (within leave_hold of the top) from part-way up to part-way down
    assert drift_end + 0.5 < hold.hold_time < drift_end + 1.0
    assert drift_end + 3.0 < back.hold_time < drift_end + 3.5
    assert hold.t == pytest.approx(drift_end + 1.0, abs=0.2)  # the top phase: from the stop
    assert back.t == pytest.approx(drift_end + 3.0, abs=0.2)
    assert abs(machine.level(new_rest)) < P.rest_within  # the rest level followed


def test_rise_that_never_reaches_the_top_is_not_a_rep() -> None:
    part = REST_LEVEL + (P.start_above_rest + P.hold_above_rest) / 2  # out of rest, short of the top
    prof = Profile(REST_LEVEL).hold(2.0).move(1.0, part).hold(1.5).move(1.0, REST_LEVEL).hold(1.5)
    first_end = prof.duration_s
    prof.move(1.0, 180.0).hold(2.0).move(1.0, REST_LEVEL).hold(1.5)
    changes, _ = run(prof.times, prof.values())
    before = [(rt, c) for rt, c in changes if rt <= first_end]
    assert phases_of(before) == [OUT, REST]
    assert cycles(before) == 0
    assert phases_of(changes)[2:] == [OUT, HOLD, BACK, REST]
    assert cycles(changes) == 1


@pytest.mark.parametrize("move_s", [0.7, 1.0])
def test_rep_without_a_pause_at_the_top_counts_without_a_hold(move_s: float) -> None:
    prof = Profile(REST_LEVEL).hold(2.0).move(move_s, 180.0).move(move_s, REST_LEVEL).hold(1.5)
    changes, _ = run(prof.times, prof.values())
    assert phases_of(changes) == [OUT, BACK, REST]
    assert cycles(changes) == 1
    out, back, rest = (c for _, c in changes)
    assert out.t < 2.0 + move_s <= back.t < rest.t  # turned back after the top


def _second_push_profile() -> Profile:
    # up, hold, down by 15 degrees (well short of half way), push back up, hold, down to rest
    return (Profile(REST_LEVEL).hold(2.0).move(1.0, 180.0).hold(1.5).move(0.7, 165.0)
            .move(0.7, 180.0).hold(1.5).move(1.0, REST_LEVEL).hold(1.5))


def test_second_push_before_reaching_rest_is_one_rep() -> None:
    prof = _second_push_profile()
    changes, _ = run(prof.times, prof.values())
    assert cycles(changes) == 1
    assert [c.phase for _, c in changes].count(REST) == 1
    assert [c.phase for _, c in changes].count(HOLD) == 2  # both pauses at the top are holds


def test_second_push_phases_do_not_flicker() -> None:
    prof = _second_push_profile()
    changes, _ = run(prof.times, prof.values())
    assert phases_of(changes) == [OUT, HOLD, BACK, OUT, HOLD, BACK, REST]


# -- direction = "down" --------------------------------------------------------------------------------

@pytest.mark.parametrize("feed", ["analytic", "signal", "noisy"])
def test_direction_down_mirrors_direction_up(feed: str) -> None:
    prof, truth = bridge_profile(REST_LEVEL, THREE_REPS)
    values = prof.values()
    if feed == "noisy":
        values = values + np.random.default_rng(11).normal(0.0, 1.0, values.shape)
    rates = prof.rates() if feed == "analytic" else None
    up, up_machine = run(prof.times, values, rates)
    mirror = 300.0
    down, down_machine = run(prof.times, mirror - values, None if rates is None else -rates,
                             phases=dataclasses.replace(P, direction=-1))
    assert cycles(down) == cycles(up) == 3
    assert phases_of(down) == phases_of(up)
    assert [c.event == REP_END for _, c in down] == [c.event == REP_END for _, c in up]
    for (_, a), (_, b) in zip(up, down):
        assert b.t == pytest.approx(a.t, abs=FRAME + 1e-9)
    # ``level`` is measured in the movement's direction: positive when out, whichever way that is
    assert down_machine.level(mirror - 180.0) == pytest.approx(up_machine.level(180.0), abs=1.0)
    assert down_machine.level(mirror - 180.0) > P.hold_above_rest
