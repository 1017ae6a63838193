"""Threshold fitting (calibration/fit.py): the parameter space, apply(), the objective and the search,
on synthetic measure sequences and on small synthetic PoseFrame clips through the real checker."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Optional, Sequence

import pytest

from calibration.fit import (SPACES, Figures, Param, apply, current, evaluate, figures, fit, parameter_space, search,
                             value_of)
from coach.engine.checker import ExerciseChecker
from coach.engine.definition import Exercise, exercise_ids, load_exercise
from coach.pose.frame import PoseFrame
from synth import bridge_profile, lying_frame

BRIDGE = load_exercise("bridge")
REST = 135.0


@dataclass(frozen=True)
class Score:
    """What the objective reads of one clip (bench/accuracy.py's Score has the same three)."""

    error: Optional[int]
    faults: Optional[tuple[int, int, int]]
    hold_errors: tuple[float, ...] = ()


# -- synthetic measure sequences: each rep is the key measure's value at the top ------------------

@dataclass(frozen=True)
class PeakClip:
    name: str
    peaks: tuple[float, ...]  # hip_extension at the top of each rep
    faults: tuple[tuple[str, ...], ...]  # labelled codes per rep


def judge_peaks(ex: Exercise, clip: PeakClip) -> Score:
    """Each rep's peak judged by the definition's hold-scope limits on hip_extension."""
    rules = [r for r in ex.faults if r.scope == "hold" and r.measure == "hip_extension"]
    found = [{r.code for r in rules if r.violated(v)} for v in clip.peaks]
    labelled = [set(f) for f in clip.faults]
    hits = sum(len(a & b) for a, b in zip(found, labelled))
    return Score(error=0, faults=(hits, sum(map(len, found)), sum(map(len, labelled))))


GOOD, LOW, HIGH = (), ("hips_low",), ("hips_overextended",)
FIT_PEAKS = [PeakClip("fit_a", (179.0, 163.0, 184.0, 196.0), (GOOD, LOW, GOOD, HIGH)),
             PeakClip("fit_b", (175.0, 158.0, 181.0), (GOOD, LOW, GOOD))]
CHECK_PEAKS = [PeakClip("check_a", (177.0, 160.0, 199.0), (GOOD, LOW, HIGH))]
LOW_LIMIT = Param("faults.hips_low.below", 140.0, 180.0, 1.0)


def test_a_wrong_fault_limit_moves_to_the_middle_of_the_gap_between_faulty_and_good_reps() -> None:
    wrong = apply(BRIDGE, {"faults.hips_low.below": 150.0})  # misses the 158 and 163 reps
    values, params, _ = search(wrong, [LOW_LIMIT], FIT_PEAKS, judge_peaks)
    # Faulty tops reach 163, good ones start at 175: every limit in 164..175 separates them.
    assert params[0].best == (164.0, 175.0)
    assert values["faults.hips_low.below"] in (169.0, 170.0)
    assert evaluate(wrong, values, FIT_PEAKS, judge_peaks).figures.f1 == 1.0


def test_a_limit_inside_the_best_run_is_moved_to_its_middle_not_left_at_an_edge() -> None:
    edge = apply(BRIDGE, {"faults.hips_low.below": 164.0})
    values, _, _ = search(edge, [LOW_LIMIT], FIT_PEAKS, judge_peaks)
    assert values["faults.hips_low.below"] == 169.0  # of the two middles (169, 170) the nearer


def test_a_parameter_without_signal_on_the_fit_set_keeps_its_value() -> None:
    # Both tops lie below every limit of the range: each value scores the same.
    flat = Param("faults.hips_overextended.above", 197.0, 210.0, 1.0)
    clips = [PeakClip("flat", (179.0, 181.0), (GOOD, GOOD))]
    values, params, _ = search(BRIDGE, [flat], clips, judge_peaks)
    assert values["faults.hips_overextended.above"] == BRIDGE.fault("hips_overextended").above
    assert params[0].best is None and params[0].after == params[0].before


def test_the_check_set_is_scored_only_after_the_search_and_only_with_the_two_value_sets() -> None:
    calls: list[tuple[str, float]] = []

    def recording(ex: Exercise, clip: PeakClip) -> Score:
        calls.append((clip.name, ex.fault("hips_low").below))
        return judge_peaks(ex, clip)

    wrong = apply(BRIDGE, {"faults.hips_low.below": 150.0})
    result = fit(wrong, [LOW_LIMIT], FIT_PEAKS, CHECK_PEAKS, recording)
    check_calls = [i for i, (name, _) in enumerate(calls) if name == "check_a"]
    assert [calls[i][1] for i in check_calls] == [150.0, result.after["faults.hips_low.below"]]
    searching = len(calls) - 2 * len(FIT_PEAKS) - 2 * len(CHECK_PEAKS)  # then fit before/after, check before/after
    assert all(i >= searching for i in check_calls)
    assert result.check_clips == ("check_a",) and "check_a" not in result.fit_clips
    # The check set decides nothing: a quite different check set gives the same fitted values.
    other = [PeakClip("check_b", (150.0, 150.0), (GOOD, GOOD))]
    assert fit(wrong, [LOW_LIMIT], FIT_PEAKS, other, judge_peaks).after == result.after
    # ... and its figures are the check clip's own: the wrong limit missed its 160 rep (1 hit of 2).
    assert result.check_before.figures.f1 == pytest.approx(2 * 1 / (1 + 2))
    assert result.check_after.figures.f1 == 1.0 and result.check_verdict == "better"


def test_a_clip_in_both_sets_is_refused() -> None:
    with pytest.raises(ValueError, match="both the fit and the check set"):
        fit(BRIDGE, [LOW_LIMIT], FIT_PEAKS, FIT_PEAKS[:1], judge_peaks)


def test_the_search_is_deterministic() -> None:
    space = [LOW_LIMIT, Param("faults.hips_overextended.above", 180.0, 205.0, 1.0)]
    first = fit(BRIDGE, space, FIT_PEAKS, CHECK_PEAKS, judge_peaks)
    second = fit(BRIDGE, space, FIT_PEAKS, CHECK_PEAKS, judge_peaks)
    assert first.after == second.after and first.params == second.params
    assert first.fit_after.figures == second.fit_after.figures


# -- the objective --------------------------------------------------------------------------------

def test_exact_counts_come_first_then_fault_f1_then_hold_error() -> None:
    exact_poor_faults = figures([Score(0, (0, 2, 2), (0.9,)), Score(0, (0, 0, 0))])
    one_off_perfect_faults = figures([Score(1, (2, 2, 2), (0.0,)), Score(0, (0, 0, 0))])
    assert exact_poor_faults.key() > one_off_perfect_faults.key()
    good_faults_slow = figures([Score(0, (2, 2, 2), (0.5,))])
    poor_faults_quick = figures([Score(0, (1, 2, 2), (0.0,))])
    assert good_faults_slow.key() > poor_faults_quick.key()
    assert figures([Score(0, None, (0.1,))]).key() > figures([Score(0, None, (0.3,))]).key()
    # Under a hundredth of a second is frame alignment, not a better threshold.
    assert figures([Score(0, None, (0.101,))]).key() == figures([Score(0, None, (0.104,))]).key()


def test_f1_is_left_out_without_fault_labels_and_is_perfect_when_nothing_was_there_to_find() -> None:
    assert figures([Score(0, None)]).f1 is None
    assert figures([Score(0, (0, 0, 0))]).f1 == 1.0
    f: Figures = figures([Score(0, (1, 2, 1)), Score(None, None, (0.2, 0.4, 0.9))])
    assert f.f1 == pytest.approx(2 * 1 / 3) and f.counted == 1 and f.hold == pytest.approx(0.4)


# -- apply and the parameter space ----------------------------------------------------------------

def test_apply_changes_only_the_named_fields() -> None:
    out = apply(BRIDGE, {"faults.hips_low.below": 160.5, "phases.leave_hold": 4.25})
    assert out.fault("hips_low").below == 160.5 and out.phases.leave_hold == 4.25
    assert dataclasses.replace(out.fault("hips_low"), below=BRIDGE.fault("hips_low").below) == BRIDGE.fault("hips_low")
    assert dataclasses.replace(out.phases, leave_hold=BRIDGE.phases.leave_hold) == BRIDGE.phases
    for before, after in zip(BRIDGE.faults, out.faults):
        if before.code != "hips_low":
            assert after is before
    assert dataclasses.replace(out, phases=BRIDGE.phases, faults=BRIDGE.faults) == BRIDGE
    assert value_of(BRIDGE, "faults.hips_low.below") != 160.5 and BRIDGE.phases.leave_hold != 4.25  # not touched


@pytest.mark.parametrize("values, problem", [
    ({"faults.no_such_fault.below": 1.0}, "no such number"),
    ({"faults.hips_low.above": 190.0}, "no such number"),  # fitting never adds a limit
    ({"phases.no_such_level": 1.0}, "no such number"),
    ({"hips_low": 1.0}, "phases.FIELD or faults.CODE"),
    ({"phases.start_above_rest": 2.0}, "rest_within"),  # hysteresis, as the loader demands
    ({"phases.hold_above_rest": 4.0}, "start_above_rest"),
])
def test_apply_refuses_what_a_definition_could_not_be(values: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        apply(BRIDGE, values)


def test_two_way_phases_keep_their_order() -> None:
    cat_cow = load_exercise("cat_cow")
    with pytest.raises(ValueError, match="pole_beyond"):
        apply(cat_cow, {"phases.pole_beyond": cat_cow.phases.start_beyond})
    assert apply(cat_cow, {"phases.pole_beyond": 0.2}).phases.pole_beyond == 0.2


@pytest.mark.parametrize("ex_id", exercise_ids())
def test_every_shipped_exercise_has_a_space_its_current_values_lie_in(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    space = parameter_space(ex)
    kinds = [p.name.split(".")[0] for p in space]
    assert kinds == sorted(kinds, key=lambda k: k != "phases")  # phase thresholds first: they decide the counts
    for p in space:
        assert p.low <= value_of(ex, p.name) <= p.high, p.name
    assert apply(ex, current(ex, space)) == ex
    assert set(SPACES) <= set(exercise_ids())
    assert {p.name.split(".")[1] for p in space if p.name.startswith("faults.")} == {
        f.code for f in ex.faults if f.below is not None or f.above is not None} or ex.id in SPACES


def test_a_derived_space_searches_around_each_value_in_its_units() -> None:
    from calibration.fit import derived_space
    from coach.measures import RANGES

    space = {p.name: p for p in derived_space(BRIDGE)}  # the bridge's own, derived: degrees
    limit = BRIDGE.fault("hips_low").below
    low = space["faults.hips_low.below"]
    assert (low.low, low.high, low.step) == (limit - 30, min(limit + 30, RANGES["hip_extension"][1]), 1.0)
    cat_cow = load_exercise("cat_cow")  # spine_flexion: a scale, not degrees
    pole = {p.name: p for p in derived_space(cat_cow)}["phases.pole_beyond"]
    assert 0 <= pole.low < cat_cow.phases.pole_beyond < pole.high and pole.step < 0.05


def test_a_grid_holds_its_ends_and_the_current_value() -> None:
    p = Param("faults.head_lifted.above", 0.02, 0.3, 0.01)
    grid = p.grid(also=0.105)
    assert grid[0] == 0.02 and grid[-1] == 0.3 and 0.105 in grid and len(grid) == 30
    assert [v for v in grid if v != 0.105] == pytest.approx([0.02 + 0.01 * i for i in range(29)])  # the step


# -- small synthetic PoseFrame clips through the real checker -------------------------------------

@dataclass(frozen=True)
class FrameClip:
    name: str
    frames: tuple[PoseFrame, ...]
    faults: tuple[tuple[str, ...], ...]  # labelled, per rep
    holds: tuple[float, ...] = field(default=())


def bridge_clip(name: str, reps: Sequence[tuple[float, float, tuple[str, ...]]]) -> FrameClip:
    """A lying skeleton doing bridges: (top hip angle, hold s, labelled faults) each."""
    prof, _ = bridge_profile(REST, [(top, hold) for top, hold, _ in reps])
    frames = tuple(lying_frame(i, t, v) for i, (t, v) in enumerate(zip(prof.times, prof.values())))
    return FrameClip(name, frames, tuple(f for _, _, f in reps), tuple(h for _, h, _ in reps))


def run_and_score(ex: Exercise, clip: FrameClip) -> Score:
    """Reps matched in order (the synthetic reps are well apart); holds against the scripted ones."""
    checker = ExerciseChecker(ex)
    for pose in clip.frames:
        checker.update(pose)
    reps = checker.finish().reps
    found = [set(r.faults) for r in reps]
    labelled = [set(f) for f in clip.faults]
    hits = sum(len(a & b) for a, b in zip(found, labelled))
    return Score(error=len(reps) - len(labelled), faults=(hits, sum(map(len, found)), sum(map(len, labelled))),
                 hold_errors=tuple(abs(r.hold_s - h) for r, h in zip(reps, clip.holds)))


def test_on_checker_runs_a_wrong_limit_is_fitted_and_checked_on_other_clips() -> None:
    fit_clips = [bridge_clip("f1", [(180.0, 2.0, GOOD), (160.0, 2.0, LOW), (176.0, 2.0, GOOD)]),
                 bridge_clip("f2", [(164.0, 2.0, LOW), (181.0, 2.0, GOOD)])]
    check_clips = [bridge_clip("c1", [(178.0, 2.0, GOOD), (162.0, 2.0, LOW)])]
    wrong = apply(BRIDGE, {"faults.hips_low.below": 155.0})  # misses every hips_low rep
    space = [Param("faults.hips_low.below", 150.0, 180.0, 1.0)]
    result = fit(wrong, space, fit_clips, check_clips, run_and_score)
    limit = result.after["faults.hips_low.below"]
    assert 164.0 < limit <= 176.0  # between the highest faulty top and the lowest good one
    assert result.fit_before.figures.f1 < 1.0 and result.fit_after.figures.f1 == 1.0
    assert result.check_before.figures.f1 < 1.0 and result.check_after.figures.f1 == 1.0
    assert result.check_after.figures.exact == 1 and result.check_verdict == "better"
