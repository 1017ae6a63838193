"""Cat-cow through the whole checker: synthetic hands-and-knees skeletons whose back profile and ear
follow a scripted spine_flexion (tests/synth.py), judged by the shipped definition."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise
from coach.engine.records import SessionRecord
from synth import FPS, Profile, catcow_profile, lying_frame, quadruped_frame, smoothstep_inverse

EX = load_exercise("cat_cow")
PHASES = {"setup", "neutral", "moving", "cat", "cow"}


def run(values: Sequence[float], camera_side: str = "left", with_back: bool = True,
        checker: Optional[ExerciseChecker] = None) -> tuple[SessionRecord, ExerciseChecker, list]:
    checker = checker or ExerciseChecker(EX)
    results = [checker.update(quadruped_frame(i, i / FPS, float(v), camera_side=camera_side, with_back=with_back))
               for i, v in enumerate(values)]
    return checker.finish(), checker, results


@pytest.mark.parametrize("camera_side", ["left", "right"])
def test_good_cycles_counted_with_cat_and_cow_holds(camera_side: str) -> None:
    profile, truth = catcow_profile([1.0, 0.95, 1.0])
    record, _, _ = run(profile.values(), camera_side)
    assert len(record.reps) == 3
    assert all(r.good for r in record.reps)
    for rep, tr in zip(record.reps, truth):
        assert rep.start_s == pytest.approx(tr["start_s"], abs=0.1)
        assert rep.end_s == pytest.approx(tr["end_s"], abs=0.1)
        assert set(rep.pose_hold_s) == {"cat", "cow"}
        # time in the pose: the 0.4 s still plus the approach and departure within leave_pole of it
        depth = tr["depth"]["cat"]
        near = EX.phases.leave_pole / depth
        approach = (1 - smoothstep_inverse(1 - near)) * 0.7  # the 0.7 s move out of neutral
        depart = smoothstep_inverse(near / 2) * 1.4  # the 1.4 s move through neutral to the other pole
        assert rep.pose_hold_s["cat"] == pytest.approx(0.4 + approach + depart, abs=0.1)
        assert rep.pose_hold_s["cow"] == pytest.approx(0.4 + approach + depart, abs=0.1)
        assert rep.hold_s == pytest.approx(rep.pose_hold_s["cat"] + rep.pose_hold_s["cow"])
        assert rep.peak["cat_depth"] == pytest.approx(tr["depth"]["cat"], abs=0.05)
        assert rep.peak["cow_depth"] == pytest.approx(tr["depth"]["cow"], abs=0.05)
    assert [h.pose for h in record.holds] == ["cat", "cow"] * 3
    assert [h.rep for h in record.holds] == [1, 1, 2, 2, 3, 3]
    assert {s.phase for s in record.phases} <= PHASES
    assert {"neutral", "moving", "cat", "cow"} <= {s.phase for s in record.phases}


def test_rushing_and_shallow_cycles_get_their_faults() -> None:
    p, _ = catcow_profile([1.0], tail_s=0.3)
    quick, _ = catcow_profile([1.0], lead_s=0.0, to_s=0.22, hold_s=0.13, tail_s=0.3)  # a ~1.1 s cycle
    shallow, _ = catcow_profile([0.3], lead_s=0.0, to_s=0.8)
    values = np.concatenate([p.values(), quick.values(), shallow.values()])
    record, _, _ = run(values)
    assert [r.faults for r in record.reps] == [[], ["rushing"], ["shallow"]]
    assert record.reps[1].end_s - record.reps[1].start_s < 1.5
    codes = [c.code for c in record.cues]
    assert "rushing" in codes and "shallow" in codes


def test_an_early_shallow_cycle_is_found_once_a_deeper_one_came() -> None:
    profile, _ = catcow_profile([0.35, 1.0, 1.0], to_s=0.8)
    checker = ExerciseChecker(EX)
    for i, v in enumerate(profile.values()):
        checker.update(quadruped_frame(i, i / FPS, float(v)))
    assert [r.faults for r in checker.reps] == [[], [], []]  # live, the first was the best so far
    record = checker.finish()
    assert [r.faults for r in record.reps] == [["shallow"], [], []]
    assert not record.reps[0].good


def test_cow_first_and_no_neutral_between_cycles() -> None:
    profile, truth = catcow_profile([1.0, 1.0, 1.0], first="cow", between_s=0.0)
    record, _, _ = run(profile.values())
    assert len(record.reps) == 3
    assert [h.pose for h in record.holds][:2] == ["cow", "cat"]


def test_a_session_that_ends_in_the_second_pole_counts_its_cycle() -> None:
    p = Profile(0.0).hold(1.5).move(0.7, 1.0).hold(0.4).move(1.4, -1.0).hold(0.8)
    record, _, _ = run(p.values())
    assert len(record.reps) == 1
    assert [h.pose for h in record.holds] == ["cat", "cow"]
    assert record.phases[-1].phase == "cow"


def test_frame_results_name_the_phase_and_give_the_level_from_neutral() -> None:
    profile, _ = catcow_profile([1.0], neutral=0.0)
    _, _, results = run(profile.values() - 0.3)  # a person whose neutral reads -0.3
    active = [r for r in results if r.state == "active"]
    assert active and {r.phase for r in active} <= PHASES - {"setup"}
    levels = np.array([r.key_level for r in active])
    assert np.nanmax(levels) == pytest.approx(1.0, abs=0.05)
    assert np.nanmin(levels) == pytest.approx(-1.0, abs=0.05)
    assert results[0].key_measure == "spine_flexion"


def test_without_the_back_profile_nothing_is_counted() -> None:
    profile, _ = catcow_profile([1.0, 1.0])
    record, _, results = run(profile.values(), with_back=False)
    assert record.reps == []
    assert all(np.isnan(r.measures.get("spine_flexion", np.nan)) for r in results)


def test_lying_down_is_not_the_starting_position() -> None:
    checker = ExerciseChecker(EX)
    results = [checker.update(lying_frame(i, i / FPS, 140.0)) for i in range(60)]
    assert all(r.state == "setup" for r in results)
    assert results[-1].message
