"""Exercise definitions: TOML data in ``poses/``, loaded into the dataclasses of
``coach.engine.exercise`` (re-exported here) and validated.

A malformed file is refused with a message naming the file, the field and the problem. Nothing in
a definition is executed: measures and fault rules name registered measures and compare them with
numbers.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Optional, Union

from coach.engine.exercise import (NEEDS, PHASE_KINDS, POLE_STATS, REP_STATS, SCHEMA, SCOPES, SIDES, SWITCH_SAY,  # noqa: F401
                                   TARGET, About, Exercise, FaultRule, JudgeWhile, Phases, PostureCondition,
                                   SidesRule, TwoWayPhases)
from coach.errors import CoachError
from coach.toml_fields import Fields, read_toml
from coach.measures import MEASURES, RANGES
from poses import POSES_DIR

__all__ = ["SCHEMA", "REP_STATS", "SWITCH_SAY", "TARGET", "POLE_STATS", "SCOPES", "SIDES", "NEEDS", "PHASE_KINDS",
           "Phases", "TwoWayPhases", "PostureCondition", "FaultRule", "About", "SidesRule", "Exercise",
           "parse_exercise", "load_exercise_file", "exercise_ids", "load_exercise", "POSES_DIR"]

class _Fields(Fields):
    """An exercise definition's fields: the generic reader, plus measure names."""

    what = "exercise definition"

    def measure(self, key: str, extra: tuple[str, ...] = ()) -> str:
        name = self.get(key, str)
        if name not in MEASURES and name not in extra:
            known = ", ".join(sorted(MEASURES) + list(extra))
            raise self.error(key, f"unknown measure {name!r}; known: {known}")
        return name


TWO_WAY_NAMES = ("neutral", "moving", "plus", "minus")
TWO_WAY_LEVELS = ("start_beyond", "neutral_within", "pole_beyond", "leave_pole", "still_per_s", "still_fraction",
                  "hold_min_s", "settle_s", "arm_s", "disarm_s")
TWO_WAY_OPTIONAL = ("own_neutral_within",)


def _phases(f: _Fields) -> Union[Phases, TwoWayPhases]:
    kind = f.get("kind", str, "out_and_back", choices=PHASE_KINDS)
    if kind == "two_way":
        return _two_way(f)
    names = {k: f.get(k, str) for k in ("rest", "out", "hold", "back")}
    direction = 1 if f.get("direction", str, "up", choices=("up", "down")) == "up" else -1
    p = Phases(measure=f.measure("measure"), direction=direction, **names,
               **{k: f.positive(k) for k in ("start_above_rest", "rest_within", "hold_above_rest", "still_per_s",
                                             "hold_min_s", "leave_hold", "return_fraction", "settle_s", "arm_s", "disarm_s")},
               **{k: f.positive(k) for k in ("leave_hold_fraction", "leave_confirm_s", "own_rest_within", "time_within")
                  if k in f.table},
               **({"absolute_rest": f.get("absolute_rest", float)} if "absolute_rest" in f.table else {}),
               hold_required=f.get("hold_required", bool, False), either_way=f.get("either_way", bool, False))
    if p.either_way and direction != 1:
        raise f.error("direction", "either_way follows the distance from rest, which grows as the person moves out: "
                                   "use direction = 'up'")
    if "own_rest_within" in f.table and p.absolute_rest is None:
        raise f.error("own_rest_within", "needs absolute_rest (where rest is on the measure's own scale)")
    if p.leave_hold_fraction >= 1:
        raise f.error("leave_hold_fraction", f"must be below 1 (a share of the hold's depth), got {p.leave_hold_fraction}")
    if p.time_within is not None and p.time_within > p.leave_hold:
        raise f.error("time_within", f"must be at most leave_hold ({p.leave_hold}): the hold is timed within its band")
    if p.rest_within >= p.start_above_rest:
        raise f.error("rest_within", f"must be below start_above_rest ({p.start_above_rest}) so the phases have hysteresis")
    return p


def _two_way(f: _Fields) -> TwoWayPhases:
    known = {"kind", "measure", "absolute_neutral"} | set(TWO_WAY_NAMES) | set(TWO_WAY_LEVELS) | set(TWO_WAY_OPTIONAL)
    unknown = sorted(set(f.table) - known)
    if unknown:
        raise f.error(unknown[0], f"is not a setting of kind = 'two_way' phases; use {', '.join(sorted(known))}")
    names = {k: f.get(k, str) for k in TWO_WAY_NAMES}
    if len(set(names.values())) < len(names):
        raise f.error("plus", f"the phase names must differ, got {', '.join(names.values())}")
    p = TwoWayPhases(measure=f.measure("measure"), **names, **{k: f.positive(k) for k in TWO_WAY_LEVELS},
                     **{k: f.positive(k) for k in TWO_WAY_OPTIONAL if k in f.table},
                     **({"absolute_neutral": f.get("absolute_neutral", float)} if "absolute_neutral" in f.table else {}))
    if not math.isfinite(p.absolute_neutral):
        raise f.error("absolute_neutral", f"must be a finite number, got {p.absolute_neutral}")
    if p.neutral_within >= p.start_beyond:
        raise f.error("neutral_within", f"must be below start_beyond ({p.start_beyond}) so the phases have hysteresis")
    if p.pole_beyond <= p.start_beyond:
        raise f.error("pole_beyond", f"must be above start_beyond ({p.start_beyond}): a pole lies beyond the start of the movement")
    if p.leave_pole >= p.pole_beyond:
        raise f.error("leave_pole", f"must be below pole_beyond ({p.pole_beyond})")
    return p


def _needs(f: _Fields) -> tuple[str, ...]:
    needs = f.get("needs", list, [])
    for n in needs:
        if n not in NEEDS:
            raise f.error("needs", f"unknown need {n!r}; use {', '.join(NEEDS)}")
    return tuple(needs)


def _fault(f: _Fields, rep_stats: tuple[str, ...] = REP_STATS) -> FaultRule:
    scope = f.get("scope", str, choices=SCOPES)
    also: tuple[str, ...] = ()
    if scope in ("rep", "session"):  # judged once per rep, on the rep's own figures
        f.expect("measure")
        named = f.table.get("measure")
        if isinstance(named, list) and named and all(isinstance(m, str) for m in named):
            for m in named:
                if m not in rep_stats:
                    raise f.error("measure", f"must be one of {', '.join(rep_stats)}, got {m!r}")
            measure, also = named[0], tuple(named[1:])
        else:
            measure = f.get("measure", str, choices=rep_stats)
    else:
        measure = f.measure("measure")
    below, above = f.get("below", float, None), f.get("above", float, None)
    if below is None and above is None:
        raise f.error("below", "a fault needs 'below' or 'above'")
    code = f.get("code", str)
    if not code.replace("_", "").isalnum() or code.lower() != code:
        raise f.error("code", f"must be lower_snake_case, got {code!r}")
    of = f.get("of", str, "tracked", choices=("tracked", "worked", "other"))
    if scope in ("rep", "session") and of != "tracked":
        raise f.error("of", f"a scope={scope!r} fault judges the rep as a whole; 'of' does not apply")
    follows_range = f.get("follows_range", bool, False)
    if follows_range and (scope != "hold" or (below is None) == (above is None) or f.get("relative", bool, False)):
        raise f.error("follows_range", "only a scope='hold' limit on an absolute value, with one of 'below' or "
                                       "'above', can follow a person's range")
    if scope == "session" and below is not None and above is not None:
        raise f.error("above", "a scope='session' fault compares with the session's best rep: give 'below' "
                               "(a share of the largest value) or 'above' (a multiple of the smallest), not both")
    rule = FaultRule(code=code, scope=scope, measure=measure, below=below, above=above, cue=f.get("cue", str),
                     priority=f.get("priority", int, 1), for_s=f.get("for_s", float, 0.3),
                     pauses_hold=f.get("pauses_hold", bool, False), of=of,
                     relative=f.get("relative", bool, False),
                     applies_to=f.get("applies_to", str, "any", choices=("any", "single", "both")), also=also,
                     follows_range=follows_range, max_view_deg=f.get("max_view_deg", float, None),
                     min_visibility=f.get("min_visibility", float, None),
                     label=f.get("label", str, ""), cues=_rule_cues(f, (measure,) + also),
                     hides_rep=f.get("hides_rep", bool, False))
    if rule.hides_rep and scope != "hold":
        raise f.error("hides_rep", f"only a scope='hold' fault can say its reps are too small to see, got scope={scope!r}")
    if rule.max_view_deg is not None and (scope not in ("hold", "rest") or not 0 < rule.max_view_deg <= 90):
        raise f.error("max_view_deg", "a scope='hold' or 'rest' fault may be judged only near side-on: "
                                      f"give degrees from side-on, above 0 and at most 90, got {rule.max_view_deg}")
    if rule.min_visibility is not None and (scope not in ("hold", "rest") or not 0 < rule.min_visibility <= 1):
        raise f.error("min_visibility", "a scope='hold' or 'rest' fault may ask for its landmarks to be seen: give a "
                                        f"visibility above 0 and at most 1, got {rule.min_visibility}")
    if "judge_while" in f.table:
        rule = dataclasses.replace(rule, judge_while=_judge_while(f.subtable("judge_while"), scope))
    _check_limits(f, rule)
    ways = f.get("either", list, [])
    if ways and scope not in ("hold", "rest"):
        raise f.error("either", f"a scope={scope!r} fault is judged on the rep's figures; use a list of "
                                "'measure' for more of them")
    return dataclasses.replace(rule, either=tuple(_other_way(f.child(way, f"{f.where}.either[{i}]"), rule)
                                                  for i, way in enumerate(ways)))


def _check_limits(f: _Fields, rule: FaultRule) -> None:
    """A limit must be one the figure can reach: a rep's figures (seconds, shares, depths) are never
    negative; a measure's value lies in its range (coach.measures.RANGES), a change from rest within
    the range's width either way."""
    for key, value in (("below", rule.below), ("above", rule.above)):
        if rule.scope in ("rep", "session"):
            f.within(key, value, 0.0, math.inf, f"{rule.measure} is never negative")
        elif rule.relative:
            low, high = RANGES[rule.measure]
            f.within(key, value, low - high, high - low, f"a change of {rule.measure} from rest")
        else:
            f.within(key, value, *RANGES[rule.measure], f"the values {rule.measure} takes")


def _rule_cues(f: _Fields, measures: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    cues = f.child(f.get("cues", dict, {}), f"{f.where}.cues")
    for key in cues.table:
        if key not in measures:
            raise cues.error(key, f"is not a measure this fault judges; use {', '.join(measures)}")
    return tuple((key, cues.get(key, str)) for key in cues.table)


def _judge_while(f: _Fields, scope: str) -> JudgeWhile:
    """``[faults.judge_while]``: the fault is judged only on frames where this measure is within limits."""
    if scope not in ("hold", "rest"):
        raise f.error("", "only a scope='hold' or 'rest' fault is judged frame by frame; judge_while does not apply")
    cond = JudgeWhile(measure=f.measure("measure"), below=f.get("below", float, None), above=f.get("above", float, None))
    if cond.below is None and cond.above is None:
        raise f.error("below", "judge_while needs 'below' or 'above'")
    low, high = RANGES[cond.measure]
    for key, value in (("below", cond.below), ("above", cond.above)):
        f.within(key, value, low, high, f"the values {cond.measure} can take")
    return cond


OTHER_WAY_KEYS = ("measure", "of", "relative", "below", "above")


def _other_way(f: _Fields, rule: FaultRule) -> FaultRule:
    """Another way ``rule``'s fault shows: its own measure, side and limit; code, cue and timing shared."""
    unknown = sorted(set(f.table) - set(OTHER_WAY_KEYS))
    if unknown:
        raise f.error(unknown[0], f"is not a setting of another way a fault shows; use {', '.join(OTHER_WAY_KEYS)}")
    below, above = f.get("below", float, None), f.get("above", float, None)
    if below is None and above is None:
        raise f.error("below", "another way a fault shows needs 'below' or 'above'")
    way = dataclasses.replace(rule, measure=f.measure("measure"), below=below, above=above,
                              of=f.get("of", str, "tracked", choices=("tracked", "worked", "other")),
                              relative=f.get("relative", bool, False), follows_range=False)
    _check_limits(f, way)
    return way


BETTER = ("higher", "lower")


def _about(f: _Fields, phases: Union[Phases, TwoWayPhases], codes: tuple[str, ...]) -> dict:
    out = {}
    for key in f.table:
        if key not in MEASURES and key not in phases.rep_stats:
            raise f.error(key, f"unknown measure {key!r}: give a measure or a rep figure the report shows")
        entry = f.subtable(key)
        entry.where = f"about.{key}"
        judged_by = tuple(entry.get("judged_by", list, []))
        for code in judged_by:
            if code not in codes:
                raise entry.error("judged_by", f"no fault {code!r} in this definition; its faults: {', '.join(codes)}")
        out[key] = About(what=" ".join(entry.get("what", str).split()),
                         better=entry.get("better", str, choices=BETTER), judged_by=judged_by,
                         name=entry.get("name", str, ""))
    return out


SIDES_BY = ("moved", "rest")


def _sides(f: _Fields) -> SidesRule:
    return SidesRule(measure=f.measure("measure"), worked_beyond=f.positive("worked_beyond"),
                     from_rest=f.get("from_rest", bool, True), alternating=f.get("alternating", bool, True),
                     by=f.get("by", str, "moved", choices=SIDES_BY))


def _presets(f: _Fields) -> dict:
    presets = {}
    for name in f.table:
        p = f.subtable(name)
        presets[name] = {k: (p.positive(k) if k == "hold_s" else p.get(k, int))
                         for k in ("hold_s", "reps_min", "reps_max") if k in p.table}
        unknown = set(p.table) - {"hold_s", "reps_min", "reps_max"}
        if unknown:
            raise p.error(sorted(unknown)[0], "is not a preset setting; use hold_s, reps_min, reps_max")
    return presets


def _posture(f: _Fields) -> PostureCondition:
    cond = PostureCondition(measure=f.measure("measure"), min=f.get("min", float, None),
                            max=f.get("max", float, None), say=f.get("say", str),
                            to_start=f.get("to_start", bool, False))
    if cond.min is None and cond.max is None:
        raise f.error("max", "a posture condition needs 'min' or 'max'")
    for key, value in (("min", cond.min), ("max", cond.max)):
        f.within(key, value, *RANGES[cond.measure], f"the values {cond.measure} takes")
    if cond.min is not None and cond.max is not None and cond.min >= cond.max:
        raise f.error("max", f"must be above min ({cond.min:g}), got {cond.max:g}")
    return cond


JOINTS = ("nose", "ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")
FILTER_PARAMS = {"none": (), "ema": ("tau_s",), "one_euro": ("min_cutoff", "beta", "d_cutoff")}


def _signal(f: _Fields) -> dict:
    kind = f.get("filter", str, "none", choices=tuple(FILTER_PARAMS))
    allowed = FILTER_PARAMS[kind] + ("rate_window_s",)
    for key in f.table:
        if key != "filter" and key not in allowed:
            raise f.error(key, f"is not a setting of the {kind!r} filter; use {', '.join(allowed)}")
    return {"filter": kind, **{k: f.positive(k) for k in allowed if k in f.table}}


def _level_line(f: _Fields) -> tuple[str, ...]:
    joints = f.get("level_line", list, [])
    if joints and (len(joints) != 2 or any(j not in JOINTS for j in joints) or joints[0] == joints[1]):
        raise f.error("level_line", f"must name two different joints that lie on the floor, of {', '.join(JOINTS)}; "
                                    f"got {joints!r}")
    return tuple(joints)


def _side_within(f: _Fields) -> Optional[float]:
    limit = f.get("side_within_deg", float, None)
    if limit is not None and not 0 < limit <= 90:
        raise f.error("side_within_deg", f"must be degrees from side-on, above 0 and at most 90, got {limit}")
    if limit is not None and f.get("view", str, "side") != "side":
        raise f.error("side_within_deg", "only a view = 'side' exercise asks to be seen within an angle of side-on")
    return limit


def _key_joints(f: _Fields) -> tuple[str, ...]:
    joints = f.get("key_joints", list)
    for j in joints:
        if j not in JOINTS:
            raise f.error("key_joints", f"unknown joint {j!r}; use {', '.join(JOINTS)}")
    if not joints:
        raise f.error("key_joints", "must name at least one joint")
    return tuple(joints)


TOP_KEYS = ("schema", "id", "name", "view", "instructions", "key_joints", "level_line", "needs", "side_within_deg",
            "targets", "signal", "phases", "posture", "faults", "sides", "about")


def parse_exercise(data: dict, path: str) -> Exercise:
    top = _Fields(path, data, "")
    schema = top.get("schema", str)
    if schema != SCHEMA:
        raise top.error("schema", f"must be {SCHEMA!r}, got {schema!r}")
    top.expect(*TOP_KEYS)
    top.refuse_unknown()  # a misspelt table first: what it leaves out would fail checks below less clearly
    targets = top.subtable("targets")
    targets.expect("presets")
    phases = _phases(top.subtable("phases"))
    faults = tuple(_fault(f, phases.rep_stats) for f in top.array("faults"))
    codes = [f.code for f in faults]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise top.error("faults", f"duplicate fault code {dupes[0]!r}")
    ex_id = top.get("id", str)
    expected = Path(path).stem
    if Path(path).suffix == ".toml" and ex_id != expected:
        raise top.error("id", f"is {ex_id!r} but the file is named {expected}.toml")
    signal = _signal(top.subtable("signal")) if "signal" in data else {"filter": "none"}
    reps_min, reps_max = targets.get("reps_min", int), targets.get("reps_max", int)
    if not 0 <= reps_min <= reps_max:
        raise targets.error("reps_min", f"must be 0 or more and at most reps_max ({reps_max}), got {reps_min}")
    per_side = targets.get("per_side", bool, False)
    switch_say = targets.get("switch_say", str, SWITCH_SAY)
    if "switch_say" in targets.table and not per_side:
        raise targets.error("switch_say", "is said only when per_side = true")
    if not switch_say.strip():
        raise targets.error("switch_say", "must not be empty")
    exercise = Exercise(
        id=ex_id, name=top.get("name", str), view=top.get("view", str, choices=("side", "front", "any")),
        instructions=" ".join(top.get("instructions", str).split()),
        key_joints=_key_joints(top),
        hold_target_s=targets.positive("hold_s"), reps_min=reps_min, reps_max=reps_max, signal=signal, phases=phases,
        posture=tuple(_posture(f) for f in top.array("posture")),
        faults=faults, sides=_sides(top.subtable("sides")) if "sides" in data else None,
        presets=_presets(targets.subtable("presets")) if "presets" in targets.table else {}, path=path,
        per_side=per_side, switch_say=switch_say,
        needs=_needs(top), level_line=_level_line(top), side_within_deg=_side_within(top),
        about=_about(top.subtable("about"), phases, tuple(codes)) if "about" in data else {})
    top.refuse_unknown()
    return exercise


def load_exercise_file(path: Path) -> Exercise:
    return parse_exercise(read_toml(path, "exercise definition"), str(path))


def exercise_ids(poses_dir: Path = POSES_DIR) -> list[str]:
    return sorted(p.stem for p in poses_dir.glob("*.toml"))


def load_exercise(ex_id: str, poses_dir: Path = POSES_DIR) -> Exercise:
    path = poses_dir / f"{ex_id}.toml"
    if not path.exists():
        from coach.suggest import did_you_mean

        known = exercise_ids(poses_dir)
        raise CoachError(f"unknown exercise {ex_id!r}{did_you_mean(ex_id, known)} (known exercises: "
                         f"{', '.join(known) or 'none'}; see 'coach exercises')")
    return load_exercise_file(path)
