"""The two-way phase machine (cat-cow) on synthetic measure sequences with a known truth.

The values are spine_flexion-like (+1 full cat, -1 full cow from the person's neutral), made of
30 fps smoothstep movements (tests/synth.py); the settings are the shipped cat_cow definition's.
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence

import numpy as np
import pytest

from coach.engine.definition import TwoWayPhases, load_exercise
from coach.engine.phases import HOLD, HOLD_END, HOLD_START, OUT, REP_ABORT, REP_END, REP_START, REST, PhaseChange
from coach.engine.two_way import MINUS, PLUS, TwoWayMachine, make_machine
from synth import FPS, Profile, catcow_profile

P: TwoWayPhases = load_exercise("cat_cow").phases  # type: ignore[assignment]
FRAME = 1.0 / FPS
POLE = {"cat": PLUS, "cow": MINUS}


def feed(values: Sequence[float], times: Optional[Sequence[float]] = None, phases: TwoWayPhases = P,
         finish: bool = True) -> tuple[list[PhaseChange], TwoWayMachine]:
    """Every change the machine reports (and, with ``finish``, what it says when the session ends)."""
    machine = TwoWayMachine(phases)
    times = np.arange(len(values)) / FPS if times is None else times
    changes: list[PhaseChange] = []
    for t, v in zip(times, values):
        changes += machine.update(float(t), float(v), 0.0)
    if finish:
        changes += machine.finish(float(times[-1]))
    return changes, machine


def reps(changes: list[PhaseChange]) -> list[tuple[float, float]]:
    """(start, end) of each completed cycle."""
    out, start = [], None
    for c in changes:
        if c.event == REP_START:
            start = c.t
        elif c.event == REP_END:
            assert start is not None
            out.append((start, c.t))
            start = None
        elif c.event == REP_ABORT:
            start = None
    return out


def holds(changes: list[PhaseChange]) -> list[tuple[str, float, float]]:
    """(pole key, start, end) of each hold."""
    out, current = [], None
    for c in changes:
        if c.event == HOLD_START:
            current = (c.phase, c.t)
        elif c.event == HOLD_END:
            assert current is not None
            out.append((current[0], current[1], c.t))
            current = None
    return out


def check_against_truth(changes: list[PhaseChange], truth: list[dict], tol_s: float = 2.5 * FRAME) -> None:
    found = reps(changes)
    assert len(found) == len(truth), found
    for (start, end), tr in zip(found, truth):
        assert start == pytest.approx(tr["start_s"], abs=tol_s)
        assert end == pytest.approx(tr["end_s"], abs=tol_s)
    found_holds = holds(changes)
    assert len(found_holds) == 2 * len(truth), found_holds
    expected = sorted(((POLE[pose], a, b) for tr in truth for pose, (a, b) in tr["holds"].items()),
                      key=lambda h: h[1])
    for (key, a, b), (want_key, want_a, want_b) in zip(found_holds, expected):
        assert key == want_key
        assert a == pytest.approx(want_a, abs=tol_s)
        assert b == pytest.approx(want_b, abs=tol_s)


# -- clean cycles ----------------------------------------------------------------------------------------------

def test_clean_cycles_reps_holds_and_their_times() -> None:
    profile, truth = catcow_profile([1.0, 0.9, 1.0])
    changes, _ = feed(profile.values())
    check_against_truth(changes, truth)


def test_events_come_in_the_order_the_checker_expects() -> None:
    profile, _ = catcow_profile([1.0])
    changes, _ = feed(profile.values())
    events = [c.event for c in changes if c.event]
    assert events == [REP_START, HOLD_START, HOLD_END, HOLD_START, HOLD_END, REP_END]
    keys = [c.phase for c in changes]
    assert keys[0] == OUT and PLUS in keys and MINUS in keys and keys[-1] == REST
    times = [c.t for c in changes]
    assert times == sorted(times)


def test_phase_keys_are_named_by_the_definition() -> None:
    assert [P.name(k) for k in (REST, OUT, PLUS, MINUS)] == ["neutral", "moving", "cat", "cow"]


def test_generic_phase_is_hold_at_either_pole() -> None:
    profile, truth = catcow_profile([1.0])
    machine = TwoWayMachine(P)
    seen = {}
    for t, v in zip(profile.times, profile.values()):
        machine.update(float(t), float(v))
        seen.setdefault(machine.key, machine.phase)
    assert seen == {REST: REST, OUT: OUT, PLUS: HOLD, MINUS: HOLD}


def test_depth_of_each_pole_is_reported_per_cycle() -> None:
    profile, truth = catcow_profile([1.0, 0.4], cow=[0.8, 0.3])
    machine = TwoWayMachine(P)
    depths = []
    for t, v in zip(profile.times, profile.values()):
        for c in machine.update(float(t), float(v)):
            if c.event == REP_END:
                depths.append(machine.rep_stats())
    assert len(depths) == 2
    for got, tr in zip(depths, truth):
        assert got["cat_depth"] == pytest.approx(tr["depth"]["cat"], abs=0.02)
        assert got["cow_depth"] == pytest.approx(tr["depth"]["cow"], abs=0.02)


def test_level_is_relative_to_the_persons_neutral() -> None:
    profile, _ = catcow_profile([1.0], neutral=-0.4)
    machine = TwoWayMachine(P)
    for t, v in zip(profile.times, profile.values()):
        machine.update(float(t), float(v))
    assert machine.level(-0.4) == pytest.approx(0.0, abs=0.01)
    assert machine.level(0.6) == pytest.approx(1.0, abs=0.01)


def test_make_machine_picks_the_kind() -> None:
    assert isinstance(make_machine(P), TwoWayMachine)
    assert not isinstance(make_machine(load_exercise("bridge").phases), TwoWayMachine)


# -- noise, jitter, frame timing -----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noise_and_single_frame_spikes_change_nothing(seed: int) -> None:
    profile, truth = catcow_profile([1.0, 0.9, 1.0])
    rng = np.random.default_rng(seed)
    values = profile.values() + rng.normal(0.0, 0.01, len(profile.times))
    spikes = rng.choice(len(values), size=len(values) // 30, replace=False)  # about one a second
    values[spikes] += rng.choice([-0.25, 0.25], size=len(spikes))
    changes, _ = feed(values)
    check_against_truth(changes, truth, tol_s=4 * FRAME)


def test_jitter_around_the_start_threshold_counts_nothing() -> None:
    t = np.arange(int(8 * FPS)) / FPS
    rng = np.random.default_rng(3)
    values = P.start_beyond + 0.02 * np.sin(2 * np.pi * 1.3 * t) + rng.normal(0.0, 0.01, len(t))
    values[: int(FPS)] = 0.0  # neutral first
    changes, _ = feed(values)
    assert reps(changes) == []
    assert not holds(changes)


def test_wobbling_on_one_side_only_is_no_cycle() -> None:
    p = Profile(0.0).hold(1.5)
    for _ in range(3):  # out to cat and back, three times: never a cow
        p.move(0.7, 1.0).hold(0.4).move(0.7, 0.0).hold(0.5)
    p.hold(1.0)
    changes, _ = feed(p.values())
    assert reps(changes) == []
    assert [c.event for c in changes if c.event == REP_ABORT]  # the half cycles were given up
    assert len(holds(changes)) == 3


def test_variable_frame_rate() -> None:
    profile, truth = catcow_profile([1.0, 1.0])
    rng = np.random.default_rng(4)
    times = np.cumsum(rng.uniform(0.6, 1.4, int(profile.duration_s * FPS)) / FPS)
    times = times[times < profile.duration_s]
    changes, _ = feed(profile.value_at(times), times)
    check_against_truth(changes, truth, tol_s=4 * FRAME)


# -- tempo and depth -------------------------------------------------------------------------------------------------

def test_rushing_cycles_are_counted_with_their_brief_holds() -> None:
    # Whole cycles of ~1.1 s: 0.22 s moves, 0.13 s at each pole, no pause between cycles.
    profile, truth = catcow_profile([1.0, 1.0, 1.0], to_s=0.22, hold_s=0.13, between_s=0.0)
    changes, _ = feed(profile.values())
    found = reps(changes)
    assert len(found) == 3
    assert all(end - start < 1.5 for start, end in found)
    for key, a, b in holds(changes):
        assert b - a == pytest.approx(0.13, abs=2 * FRAME)


def test_a_pole_passed_without_a_pause_still_counts() -> None:
    p = Profile(0.0).hold(1.5).move(0.6, 1.0).move(1.2, -1.0).move(0.6, 0.0).hold(1.5)  # no pause at either pole
    changes, _ = feed(p.values())
    assert len(reps(changes)) == 1
    found = holds(changes)
    assert [k for k, _, _ in found] == [PLUS, MINUS]
    assert all(b - a <= 2 * FRAME for _, a, b in found)


def test_shallow_cycles_are_counted_and_their_depth_shows_it() -> None:
    profile, truth = catcow_profile([1.0, 0.3, 0.25, 1.0], to_s=0.9)
    machine = TwoWayMachine(P)
    depths = []
    for t, v in zip(profile.times, profile.values()):
        for c in machine.update(float(t), float(v)):
            if c.event == REP_END:
                depths.append(machine.rep_stats()["cat_depth"])
    assert depths == pytest.approx([1.0, 0.3, 0.25, 1.0], abs=0.03)


# -- how cycles begin and end --------------------------------------------------------------------------------------

def test_no_neutral_between_cycles() -> None:
    profile, truth = catcow_profile([1.0, 1.0, 1.0], between_s=0.0)
    changes, _ = feed(profile.values())
    check_against_truth(changes, truth)
    found = reps(changes)
    for (_, end), (start, _) in zip(found, found[1:]):
        assert start == pytest.approx(end, abs=2 * FRAME)  # one ends where the next begins


def test_start_in_cow_first() -> None:
    profile, truth = catcow_profile([1.0, 1.0], first="cow")
    changes, _ = feed(profile.values())
    check_against_truth(changes, truth)
    assert holds(changes)[0][0] == MINUS


def test_a_pause_at_neutral_between_the_poles_keeps_the_cycle() -> None:
    p = Profile(0.0).hold(1.5).move(0.7, 1.0).hold(0.4).move(0.7, 0.0).hold(1.0)  # cat, rest at neutral...
    p.move(0.7, -1.0).hold(0.4).move(0.7, 0.0).hold(1.5)  # ...then cow: one cycle
    changes, _ = feed(p.values())
    assert len(reps(changes)) == 1
    assert [c.phase for c in changes].count(REST) == 2  # neutral shown in between, and at the end


def test_the_same_pole_again_after_neutral_starts_over() -> None:
    p = Profile(0.0).hold(1.5).move(0.7, 1.0).hold(0.4).move(0.7, 0.0).hold(0.6)
    p.move(0.7, 1.0).hold(0.4).move(1.4, -1.0).hold(0.4).move(0.7, 0.0).hold(1.5)
    changes, _ = feed(p.values())
    found = reps(changes)
    assert len(found) == 1
    assert found[0][0] == pytest.approx(1.5 + 1.8 + 0.6, abs=3 * FRAME)  # the second cat's start


def test_a_session_ending_at_the_second_pole_counts_the_cycle() -> None:
    p = Profile(0.0).hold(1.5).move(0.7, 1.0).hold(0.4).move(1.4, -1.0).hold(1.0)  # ends held in cow
    changes, machine = feed(p.values(), finish=False)
    assert reps(changes) == []
    end = machine.finish(float(p.times[-1]))
    assert [c.event for c in end] == [HOLD_END, REP_END]
    assert all(c.phase == MINUS for c in end)  # the last phase keeps its name to the end
    assert machine.finish(float(p.times[-1])) == []  # said once


def test_a_session_ending_after_one_pole_counts_nothing() -> None:
    p = Profile(0.0).hold(1.5).move(0.7, 1.0).hold(1.0)
    changes, machine = feed(p.values(), finish=False)
    assert [c.event for c in machine.finish(float(p.times[-1]))] == [HOLD_END]


def test_a_new_resting_place_is_taken_as_neutral() -> None:
    # After the first cycle the person rests 0.08 higher (beyond neutral_within); the next cycle
    # is still timed from there.
    profile1, _ = catcow_profile([1.0], tail_s=0.0)
    p = Profile(0.0)
    p.segments = list(profile1.segments)
    p._t = profile1.duration_s  # noqa: SLF001 - continue the same profile
    p.move(0.3, 0.08).hold(1.0).move(0.7, 1.08).hold(0.4).move(1.4, -0.92).hold(0.4).move(0.7, 0.08).hold(1.5)
    changes, machine = feed(p.values())
    assert len(reps(changes)) == 2
    assert machine.neutral == pytest.approx(0.08, abs=0.02)


def test_unfinished_settings_are_rejected_by_the_definition_not_the_machine() -> None:
    # The machine trusts its settings (the definition validates them); a copy with other levels works.
    loose = dataclasses.replace(P, start_beyond=0.2, pole_beyond=0.5)
    profile, truth = catcow_profile([1.0])
    changes, _ = feed(profile.values(), phases=loose)
    assert len(reps(changes)) == 1


def test_parts_moving_against_each_other_are_not_a_pause() -> None:
    """spine_flexion is a sum (the back's curve + the head's drop). When one part still rises as the
    other falls back, the sum stands still while the body moves: with the parts, the cat's hold
    starts once both have stopped; judged on the sum alone, where the sum went flat."""
    t = np.arange(0, 7.0, FRAME)
    flat_from, still_from = 1.7, 2.5  # the sum stops at 1.7 s; the parts go on against each other to 2.5 s
    back = np.interp(t, [0, 1, flat_from, still_from, 3.5, 4.2, 5.2, 5.9, 7], [0, 0, .25, .45, .45, 0, -.25, 0, 0])
    head = np.interp(t, [0, 1, flat_from, still_from, 3.5, 4.2, 5.2, 5.9, 7], [0, 0, .25, .05, .05, 0, -.25, 0, 0])
    machine, changes = TwoWayMachine(P), []
    for ti, b, h in zip(t, back, head):
        changes += machine.update(float(ti), float(b + h), 0.0, (float(b), float(h)))
    with_parts = [start for pole, start, _ in holds(changes) if pole == PLUS]
    on_the_sum = [start for pole, start, _ in holds(feed(back + head, t)[0]) if pole == PLUS]
    assert on_the_sum and on_the_sum[0] == pytest.approx(flat_from, abs=0.15)
    assert with_parts and with_parts[0] == pytest.approx(still_from, abs=0.15)
