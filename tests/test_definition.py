"""Exercise definitions: the shipped ones load; malformed ones are refused naming the file and the field."""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import REP_STATS, exercise_ids, load_exercise, load_exercise_file
from coach.errors import CoachError
from coach.measures import MEASURES
from poses import POSES_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SHIPPED = POSES_DIR / "bridge.toml"


def shipped_data(path: Path = SHIPPED) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


# -- a small TOML writer, enough for exercise definitions ------------------------------------------------

def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    if isinstance(v, dict):  # an inline table: [about] entries, a fault's cues
        return "{ " + ", ".join(f"{k} = {_scalar(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def to_toml(data: dict) -> str:
    lines: list[str] = []
    tables, arrays = [], []
    for k, v in data.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            arrays.append((k, v))
        else:
            lines.append(f"{k} = {_scalar(v)}")
    for k, v in tables:
        lines += ["", f"[{k}]"] + [f"{kk} = {_scalar(vv)}" for kk, vv in v.items()]
    for k, items in arrays:
        for item in items:
            nested = {kk: vv for kk, vv in item.items() if isinstance(vv, list) and vv and isinstance(vv[0], dict)}
            lines += ["", f"[[{k}]]"] + [f"{kk} = {_scalar(vv)}" for kk, vv in item.items() if kk not in nested]
            for kk, subs in nested.items():  # [[faults.either]]: belongs to the [[faults]] item above it
                for sub in subs:
                    lines += ["", f"[[{k}.{kk}]]"] + [f"{key} = {_scalar(val)}" for key, val in sub.items()]
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, data: dict, name: str = "bridge") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    return path


def names_field(msg: str, field: str) -> bool:
    return re.search(rf"(?<![\w.\[]){re.escape(field)}(?![\w\[])", msg) is not None


# -- the shipped definitions -------------------------------------------------------------------------------

def test_shipped_bridge_loads() -> None:
    ex = load_exercise("bridge")
    assert ex.id == "bridge"
    assert ex.name == "Pelvic tilt bridge"
    assert Path(ex.path).resolve() == SHIPPED.resolve()
    assert "bridge" in exercise_ids()
    assert ex.hold_target_s > 0 and 0 < ex.reps_min <= ex.reps_max
    assert ex.phases.measure in MEASURES
    assert ex.phases.rest_within < ex.phases.start_above_rest
    assert len({ex.phases.rest, ex.phases.out, ex.phases.hold, ex.phases.back}) == 4
    codes = [f.code for f in ex.faults]
    assert len(codes) == len(set(codes))
    assert {"hips_low", "hips_overextended", "hold_short"} <= set(codes)
    for f in ex.faults:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.code)
        assert f.cue.strip()
        assert f.measure in MEASURES or (f.scope == "rep" and f.measure in REP_STATS)
    assert ex.posture and all(c.say.strip() for c in ex.posture)
    assert ex.instructions and "\n" not in ex.instructions


@pytest.mark.parametrize("ex_id", exercise_ids())
def test_every_shipped_definition_loads_and_builds_a_checker(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert ex.id == ex_id
    ExerciseChecker(ex)  # its signal settings and key joints are usable


def test_the_toml_writer_reproduces_the_shipped_definition(tmp_path: Path) -> None:
    assert load_exercise_file(write(tmp_path, shipped_data())) == load_exercise("bridge")


def test_a_fault_may_show_in_other_ways(tmp_path: Path) -> None:
    """knee_to_chest's other_leg_lifted: the other hip flexing from rest, or the other leg held up
    off the floor; each way has its own measure and limit and shares code, cue and timing."""
    rule = load_exercise("knee_to_chest").fault("other_leg_lifted")
    assert [(w.measure, w.of, w.relative, w.below, w.above) for w in rule.ways] == [
        ("hip_angle", "other", True, -15.0, None), ("leg_rise", "other", False, None, 10.0)]
    assert {(w.code, w.cue, w.scope, w.for_s, w.applies_to) for w in rule.ways} == {
        (rule.code, rule.cue, rule.scope, rule.for_s, rule.applies_to)}
    data = copy.deepcopy(shipped_data())  # and the writer above writes them back
    data["faults"][0]["either"] = [{"measure": "line_deviation", "below": -0.1}]
    (way,) = load_exercise_file(write(tmp_path, data)).fault(data["faults"][0]["code"]).either
    assert (way.measure, way.below, way.above, way.of) == ("line_deviation", -0.1, None, "tracked")


def test_unknown_exercise_id_lists_the_known_ones() -> None:
    with pytest.raises(CoachError) as err:
        load_exercise("no_such_exercise")
    assert "no_such_exercise" in str(err.value) and "bridge" in str(err.value)


def test_missing_definition_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "bridge.toml"
    with pytest.raises(CoachError) as err:
        load_exercise_file(path)
    assert str(path) in str(err.value)


# -- malformed definitions ------------------------------------------------------------------------------------

def _set(*keys: Any, value: Any) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        for k in keys[:-1]:
            d = d[k]
        d[keys[-1]] = value
    return mutate


def _del(*keys: Any) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        for k in keys[:-1]:
            d = d[k]
        del d[keys[-1]]
    return mutate


def _rename(old: str, new: str) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        d[new] = d.pop(old)
    return mutate


def _rename_in(*keys: Any) -> Callable[[dict], None]:
    *path, old, new = keys

    def mutate(d: dict) -> None:
        for k in path:
            d = d[k]
        d[new] = d.pop(old)
    return mutate


def _dup_code(d: dict) -> None:
    d["faults"][1]["code"] = d["faults"][0]["code"]


def _no_limits(d: dict) -> None:
    d["faults"][0].pop("below", None)
    d["faults"][0].pop("above", None)


def _rest_within_equal(d: dict) -> None:
    d["phases"]["rest_within"] = d["phases"]["start_above_rest"]


def _rest_within_above(d: dict) -> None:
    d["phases"]["rest_within"] = d["phases"]["start_above_rest"] + 1.0


MALFORMED = {
    # missing fields
    "missing_name": (_del("name"), "name"),
    "missing_schema": (_del("schema"), "schema"),
    "missing_targets": (_del("targets"), "targets"),
    "missing_phase_measure": (_del("phases", "measure"), "phases.measure"),
    "missing_fault_cue": (_del("faults", 1, "cue"), "faults[1].cue"),
    "missing_posture_say": (_del("posture", 0, "say"), "posture[0].say"),
    # wrong types
    "hold_s_string": (_set("targets", "hold_s", value="two"), "targets.hold_s"),
    "threshold_bool": (_set("phases", "start_above_rest", value=True), "phases.start_above_rest"),
    "priority_float": (_set("faults", 0, "priority", value=1.5), "faults[0].priority"),
    "key_joints_string": (_set("key_joints", value="hip"), "key_joints"),
    "name_number": (_set("name", value=3), "name"),
    "reps_min_float": (_set("targets", "reps_min", value=15.5), "targets.reps_min"),
    "faults_not_array": (_set("faults", value="hips_low"), "faults"),
    # unknown names
    "unknown_phase_measure": (_set("phases", "measure", value="hip_extention"), "phases.measure"),
    "unknown_posture_measure": (_set("posture", 0, "measure", value="spine_curl"), "posture[0].measure"),
    "unknown_fault_measure": (_set("faults", 0, "measure", value="hip_extention"), "faults[0].measure"),
    "hold_fault_on_rep_stat": (_set("faults", 0, "measure", value="hold_s"), "faults[0].measure"),
    "unknown_scope": (_set("faults", 0, "scope", value="always"), "faults[0].scope"),
    "unknown_direction": (_set("phases", "direction", value="sideways"), "phases.direction"),
    "unknown_view": (_set("view", value="top"), "view"),
    "bad_schema": (_set("schema", value="coach.exercise/9"), "schema"),
    # inconsistent values
    "duplicate_fault_code": (_dup_code, "faults"),
    "fault_code_not_snake_case": (_set("faults", 0, "code", value="Hips-Low"), "faults[0].code"),
    "fault_without_limits": (_no_limits, "faults[0]"),
    "negative_threshold": (_set("phases", "hold_min_s", value=-0.1), "phases.hold_min_s"),
    "leave_hold_fraction_whole": (_set("phases", "leave_hold_fraction", value=1.0), "phases.leave_hold_fraction"),
    "leave_confirm_negative": (_set("phases", "leave_confirm_s", value=-0.3), "phases.leave_confirm_s"),
    "leave_confirm_string": (_set("phases", "leave_confirm_s", value="soon"), "phases.leave_confirm_s"),
    "rest_within_equals_start": (_rest_within_equal, "phases.rest_within"),
    "rest_within_above_start": (_rest_within_above, "phases.rest_within"),
    "id_not_file_name": (_set("id", value="bridge_two"), "id"),
    # other ways a fault shows ([[faults.either]])
    "either_on_a_rep_fault": (_set("faults", 2, "either", value=[{"measure": "knee_angle", "below": 1.0}]),
                              "faults[2].either"),
    "either_unknown_setting": (_set("faults", 0, "either", value=[{"measure": "knee_angle", "below": 1.0, "cue": "x"}]),
                               "faults[0].either[0].cue"),
    "either_without_limits": (_set("faults", 0, "either", value=[{"measure": "knee_angle"}]), "faults[0].either[0]"),
    "either_unknown_measure": (_set("faults", 0, "either", value=[{"measure": "leg_raise", "above": 1.0}]),
                               "faults[0].either[0].measure"),
    "either_not_tables": (_set("faults", 0, "either", value="knee_angle"), "faults[0].either"),
    # hostile values (issue 13): not finite, out of the measure's range, misspelt names
    "nan_threshold": (_set("phases", "start_above_rest", value=float("nan")), "phases.start_above_rest"),
    "inf_hold_target": (_set("targets", "hold_s", value=float("inf")), "targets.hold_s"),
    "nan_fault_limit": (_set("faults", 0, "below", value=float("nan")), "faults[0].below"),
    "negative_angle_limit": (_set("faults", 0, "below", value=-5.0), "faults[0].below"),
    "angle_limit_past_a_full_turn": (_set("faults", 1, "above", value=400.0), "faults[1].above"),
    "negative_rep_figure_limit": (_set("faults", 2, "below", value=-0.5), "faults[2].below"),
    "posture_limit_out_of_range": (_set("posture", 0, "max", value=120.0), "posture[0].max"),
    "posture_min_above_max": (_set("posture", 0, "min", value=50.0), "posture[0].max"),
    "reps_min_above_reps_max": (_set("targets", "reps_min", value=30), "targets.reps_min"),
    "reps_min_negative": (_set("targets", "reps_min", value=-1), "targets.reps_min"),
    "misspelt_faults_table": (_rename("faults", "fault"), "fault"),
    "misspelt_top_level_key": (_rename("instructions", "instruction"), "instructions"),
    "misspelt_fault_key": (_rename_in("faults", 0, "cue", "cues"), "faults[0].cue"),
    "misspelt_phase_key": (_rename_in("phases", "leave_hold", "leave_hlod"), "phases.leave_hold"),
    "misspelt_targets_key": (_rename_in("targets", "reps_max", "rep_max"), "targets.reps_max"),
    "misspelt_optional_key": (_rename_in("faults", 0, "priority", "priorty"), "faults[0].priorty"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_definition_names_file_and_field(tmp_path: Path, case: str) -> None:
    mutate, field = MALFORMED[case]
    data = copy.deepcopy(shipped_data())
    mutate(data)
    assert_refused_naming(tmp_path, data, field)


@pytest.mark.parametrize("case, hint", [("misspelt_faults_table", "did you mean 'faults'?"),
                                        ("misspelt_optional_key", "did you mean 'priority'?"),
                                        ("misspelt_fault_key", "there is 'cues': misspelt?"),
                                        ("misspelt_phase_key", "there is 'leave_hlod': misspelt?")])
def test_a_misspelt_name_is_refused_with_the_nearest_known_one(tmp_path: Path, case: str, hint: str) -> None:
    data = copy.deepcopy(shipped_data())
    MALFORMED[case][0](data)
    with pytest.raises(CoachError, match=re.escape(hint)):
        load_exercise_file(write(tmp_path, data))


@pytest.mark.parametrize("content, words", [
    ("name = 'Br\xfccke'".encode("latin-1"), "not UTF-8"),
    (b"\x00\xff\xfe\x89PNG\r\n" * 20, "not UTF-8"),
])
def test_a_file_that_is_not_text_is_refused_in_one_line(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "bridge.toml"
    path.write_bytes(content)
    with pytest.raises(CoachError, match=words) as err:
        load_exercise_file(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_folder_given_as_a_definition_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(CoachError, match="is a folder"):
        load_exercise_file(tmp_path)


def assert_refused_naming(tmp_path: Path, data: dict, field: str, name: str = "bridge") -> None:
    """Loading ``data`` (as ``name``.toml) fails with one line naming the file and ``field``."""
    path = write(tmp_path, data, name)
    with pytest.raises(CoachError) as err:
        load_exercise_file(path)
    msg = str(err.value)
    assert str(path) in msg
    assert names_field(msg, field), msg
    assert "\n" not in msg.strip()  # one line, for the command line


def test_duplicate_code_and_id_mismatch_say_which(tmp_path: Path) -> None:
    data = copy.deepcopy(shipped_data())
    _dup_code(data)
    with pytest.raises(CoachError) as err:
        load_exercise_file(write(tmp_path, data))
    assert data["faults"][0]["code"] in str(err.value)
    data = copy.deepcopy(shipped_data())
    data["id"] = "bridge_two"
    with pytest.raises(CoachError) as err:
        load_exercise("bridge", poses_dir=write(tmp_path, data).parent)
    assert "bridge_two" in str(err.value) and "bridge.toml" in str(err.value)


@pytest.mark.parametrize("text", [
    'schema = "coach.exercise/1"\nid = "bridge\n',  # unterminated string
    'schema = "coach.exercise/1"\n[phases\nmeasure = "hip_extension"\n',  # unclosed table header
    'schema = "coach.exercise/1"\nid = "bridge"\nid = "bridge"\n',  # duplicate key
])
def test_bad_toml_syntax_names_file_and_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bridge.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CoachError) as err:
        load_exercise_file(path)
    msg = str(err.value)
    assert str(path) in msg
    assert re.search(r"line \d+", msg), msg


# -- values that load but break the analysis later -----------------------------------------------------

def _unknown_key_joint(d: dict) -> None:
    d["key_joints"] = list(d["key_joints"]) + ["elbw"]


def _unknown_filter(d: dict) -> None:
    d["signal"]["filter"] = "kalman"


def _unknown_filter_setting(d: dict) -> None:
    d["signal"]["mincutoff"] = 1.0


def _rep_fault_on_frame_measure(d: dict) -> None:
    d["faults"].append({"code": "rep_hip", "scope": "rep", "measure": "hip_extension", "below": 100.0,
                        "cue": "x"})


LATE_FAILURES = {
    "unknown_key_joint": (_unknown_key_joint, "key_joints",
                          "key_joints are not checked against the landmark names: a typo loads, then "
                          "TrustGate.check raises ValueError (tuple.index(x): x not in tuple) on the first frame"),
    "unknown_signal_filter": (_unknown_filter, "signal.filter",
                              "[signal] is not validated: filter = 'kalman' loads, then ExerciseChecker() raises "
                              "ValueError from make_filter (a traceback from 'coach analyze')"),
    "unknown_signal_setting": (_unknown_filter_setting, "signal.mincutoff",
                               "[signal] is not validated: a misspelt setting loads, then ExerciseChecker() raises "
                               "TypeError (unexpected keyword argument) from the filter's constructor"),
    "rep_fault_on_frame_measure": (_rep_fault_on_frame_measure, lambda d: f"faults[{len(d['faults']) - 1}].measure",
                                   "a scope='rep' fault accepts per-frame measures (e.g. hip_extension) as well as "
                                   "hold_s/top_s/duration_s; the first finished rep then raises KeyError in "
                                   "ExerciseChecker._finish_rep (stats[rule.measure])"),
}


@pytest.mark.parametrize("case", [
    pytest.param(case) for case in sorted(LATE_FAILURES)])
def test_definition_errors_are_caught_when_loading_not_mid_analysis(tmp_path: Path, case: str) -> None:
    mutate, field, _ = LATE_FAILURES[case]
    data = copy.deepcopy(shipped_data())
    mutate(data)
    field = field(data) if callable(field) else field
    path = write(tmp_path, data)
    with pytest.raises(CoachError) as err:
        load_exercise_file(path)
    msg = str(err.value)
    assert str(path) in msg and names_field(msg, field), msg
