"""The definitions' optional words for the report (coach/engine/definition.py): a fault's ``label``
(else its code in words), a cue per judged figure (``cues``), and ``[about.<measure>]`` lines; a
malformed one is refused with the file and the field named."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from coach.engine.definition import load_exercise, parse_exercise
from coach.errors import CoachError
from test_definition import shipped_data


def cat_cow() -> dict:
    return shipped_data(Path(load_exercise("cat_cow").path))


def test_every_shipped_fault_has_plain_words_and_a_fault_without_a_label_falls_back_to_its_code() -> None:
    for ex_id in ("bridge", "knee_to_chest", "cat_cow"):
        for rule in load_exercise(ex_id).faults:
            assert rule.label and rule.name == rule.label and "_" not in rule.name, (ex_id, rule.code)
    data = cat_cow()
    del data["faults"][0]["label"]
    assert parse_exercise(data, "cat_cow.toml").faults[0].name == "rushing"


def test_a_fault_judging_several_figures_may_have_a_cue_for_each() -> None:
    shallow = load_exercise("cat_cow").fault("shallow")
    assert "into the cat" in shallow.cue_for("cat_depth") and "into the cow" in shallow.cue_for("cow_depth")
    assert shallow.cue_for("other") == shallow.cue
    data = cat_cow()
    data["faults"][1]["cues"] = {"cat_hold_s": "Hold the cat"}
    with pytest.raises(CoachError, match=r"faults\[1\]\.cues\.cat_hold_s: is not a measure this fault judges"):
        parse_exercise(data, "cat_cow.toml")


@pytest.mark.parametrize("about, problem", [
    ({"spine_curl": {"what": "x", "better": "higher"}}, "about.spine_curl: unknown measure 'spine_curl'"),
    ({"cat_depth": {"what": "x", "better": "deeper"}}, "about.cat_depth.better: must be one of higher, lower"),
    ({"cat_depth": {"what": "x", "better": "higher", "judged_by": ["hips_low"]}},
     "about.cat_depth.judged_by: no fault 'hips_low'"),
    ({"cat_depth": {"better": "higher"}}, "about.cat_depth.what: is missing"),
])
def test_a_malformed_about_line_is_refused_naming_the_field(about: dict, problem: str) -> None:
    data = copy.deepcopy(cat_cow())
    data["about"] = about
    with pytest.raises(CoachError) as err:
        parse_exercise(data, "cat_cow.toml")
    assert problem in str(err.value) and "fix the exercise definition" in str(err.value)
