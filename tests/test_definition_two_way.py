"""Definitions of two-way exercises (cat-cow): kind = "two_way" phases, needs, session-scope faults."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import (REP_STATS, Phases, TwoWayPhases, load_exercise, load_exercise_file)
from poses import POSES_DIR
from test_definition import _del, _set, assert_refused_naming
from test_definition import write as write_named
from test_definition import shipped_data as _shipped

SHIPPED = POSES_DIR / "cat_cow.toml"


def shipped_data() -> dict:
    return _shipped(SHIPPED)


def write(tmp_path: Path, data: dict) -> Path:
    return write_named(tmp_path, data, "cat_cow")


def test_shipped_cat_cow_loads() -> None:
    ex = load_exercise("cat_cow")
    assert ex.id == "cat_cow" and ex.name
    assert isinstance(ex.phases, TwoWayPhases) and ex.phases.kind == "two_way"
    assert ex.phases.measure == "spine_flexion"
    assert (ex.phases.neutral, ex.phases.moving, ex.phases.plus, ex.phases.minus) == ("neutral", "moving", "cat", "cow")
    assert ex.phases.rest == "neutral"  # where counting starts
    assert ex.needs == ("segmentation",) and ex.needs_segmentation
    assert {f.code for f in ex.faults} == {"rushing", "shallow"}
    shallow = ex.fault("shallow")
    assert shallow.scope == "session" and shallow.measures == ("cat_depth", "cow_depth") and shallow.below == 0.6
    rushing = ex.fault("rushing")
    assert rushing.scope == "rep" and rushing.measure == "duration_s" and rushing.below == 1.5
    assert all(f.cue.strip() for f in ex.faults)
    assert ex.posture and ex.instructions and "\n" not in ex.instructions
    assert 0 < ex.reps_min <= ex.reps_max
    ExerciseChecker(ex)


def test_the_toml_writer_reproduces_it(tmp_path: Path) -> None:
    assert load_exercise_file(write(tmp_path, shipped_data())) == load_exercise("cat_cow")


def test_other_definitions_are_out_and_back_and_need_nothing() -> None:
    ex = load_exercise("bridge")
    assert isinstance(ex.phases, Phases) and ex.phases.kind == "out_and_back"
    assert ex.needs == () and not ex.needs_segmentation
    assert ex.phases.rep_stats == REP_STATS


def test_two_way_rep_figures_are_named_after_the_poles() -> None:
    stats = load_exercise("cat_cow").phases.rep_stats
    assert set(stats) == set(REP_STATS) | {"cat_depth", "cow_depth", "cat_hold_s", "cow_hold_s"}


def _swap_levels(d: dict) -> None:
    d["phases"]["neutral_within"] = d["phases"]["start_beyond"]


def _pole_inside_start(d: dict) -> None:
    d["phases"]["pole_beyond"] = d["phases"]["start_beyond"] * 0.5


def _leave_beyond_pole(d: dict) -> None:
    d["phases"]["leave_pole"] = d["phases"]["pole_beyond"]


def _fault_index(d: dict, code: str) -> int:
    return next(i for i, f in enumerate(d["faults"]) if f["code"] == code)


def _on_fault(code: str, key: str, value: Any) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        d["faults"][_fault_index(d, code)][key] = value
    return mutate


MALFORMED = {
    "unknown_kind": (_set("phases", "kind", value="three_way"), "phases.kind"),
    "out_and_back_setting_in_two_way": (_set("phases", "rest_within", value=1.0), "phases.rest_within"),
    "missing_pole_name": (_del("phases", "plus"), "phases.plus"),
    "same_pole_names": (_set("phases", "minus", value="cat"), "phases.plus"),
    "missing_level": (_del("phases", "pole_beyond"), "phases.pole_beyond"),
    "negative_level": (_set("phases", "still_per_s", value=-1.0), "phases.still_per_s"),
    "no_hysteresis": (_swap_levels, "phases.neutral_within"),
    "pole_inside_start": (_pole_inside_start, "phases.pole_beyond"),
    "leave_beyond_pole": (_leave_beyond_pole, "phases.leave_pole"),
    "unknown_need": (_set("needs", value=["depth"]), "needs"),
    "needs_not_a_list": (_set("needs", value="segmentation"), "needs"),
    "session_on_frame_measure": (_on_fault("shallow", "measure", "spine_flexion"), "faults[1].measure"),
    "session_list_with_unknown": (_on_fault("shallow", "measure", ["cat_depth", "belly_depth"]), "faults[1].measure"),
    "session_both_limits": (_on_fault("shallow", "above", 2.0), "faults[1].above"),
    "session_of_worked": (_on_fault("shallow", "of", "worked"), "faults[1].of"),
    "rep_on_unknown_pole_stat": (_on_fault("rushing", "measure", "plank_depth"), "faults[0].measure"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_two_way_definition_names_file_and_field(tmp_path: Path, case: str) -> None:
    mutate, field = MALFORMED[case]
    data = copy.deepcopy(shipped_data())
    assert [f["code"] for f in data["faults"]] == ["rushing", "shallow"]  # the indexes above
    mutate(data)
    assert_refused_naming(tmp_path, data, field, "cat_cow")


def test_pole_figures_are_valid_rep_fault_measures(tmp_path: Path) -> None:
    data = copy.deepcopy(shipped_data())
    data["faults"].append({"code": "cat_too_short", "scope": "rep", "measure": "cat_hold_s", "below": 0.2,
                           "cue": "Pause a moment in cat"})
    ex = load_exercise_file(write(tmp_path, data))
    assert ex.fault("cat_too_short").measures == ("cat_hold_s",)
