"""Personal profiles: a person's own thresholds for one exercise, kept in a readable file.

A profile (``coach.profile/1``, JSON) holds the levels measured by ``coach calibrate baseline``
(calibration/baseline.py) and the thresholds derived from them. ``coach analyze/live --profile
NAME`` applies those thresholds over the exercise definition's; a physiotherapist may read and
edit the file. Profiles live in ``$COACH_CONFIG_DIR/profiles`` when that is set, otherwise in the
platform's config folder (``~/.config/coach/profiles`` on Linux); ``--profile`` also takes a path.

How thresholds follow the person's range R (rest to comfortable best): the phase levels of the
definition (leaving rest, counting the top, leaving the hold, back at rest; cat-cow's poles alike)
are scaled down together, keeping their ratios, so that a rep to the person's best reaches the
"counts" level with a margin (``COUNT_SHARE`` of R); and fault limits marked ``follows_range``
move to ``FAULT_SHARE`` of R short of the person's best. A profile only ever relaxes: someone with
a larger range than the definition assumes keeps the definition's thresholds, and limits that
guard safety (over-arching) are never touched.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
import re
from typing import Any, Optional

from coach.engine.definition import Exercise, FaultRule, TwoWayPhases
from coach.errors import CoachError
from coach.measures import RANGES
from coach.report import write_report

from calibration.baseline import Baseline

SCHEMA = "coach.profile/1"
CONFIG_ENV = "COACH_CONFIG_DIR"
COUNT_SHARE = 0.6  # the "counts" level sits at 60 % of the person's range: their best clears it well
FAULT_SHARE = 0.25  # "short of range" is flagged a quarter of the range short of their best
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# The phase levels scaled together, and the one that must be reached for a rep to count.
_OUT_AND_BACK = ("start_above_rest", "hold_above_rest", "leave_hold", "rest_within")
_TWO_WAY = ("start_beyond", "pole_beyond", "leave_pole", "neutral_within")


def profiles_dir() -> str:
    root = os.environ.get(CONFIG_ENV)
    if not root:
        import platformdirs

        root = platformdirs.user_config_dir("coach")
    return os.path.join(root, "profiles")


def profile_path(name_or_path: str) -> str:
    """A profile's file: a path as given, or NAME in the profiles folder."""
    if os.sep in name_or_path or name_or_path.endswith(".json"):
        return name_or_path
    if not _NAME.match(name_or_path):
        raise CoachError(f"profile name {name_or_path!r} is not usable: use letters, digits, '-', '_' or '.'")
    return os.path.join(profiles_dir(), f"{name_or_path}.json")


def derive_thresholds(exercise: Exercise, baseline: Baseline) -> dict[str, Any]:
    """The thresholds that differ from the definition's for this person (see the module's notes)."""
    phases = exercise.phases
    fields, count_field = (_TWO_WAY, "pole_beyond") if isinstance(phases, TwoWayPhases) else (_OUT_AND_BACK,
                                                                                             "hold_above_rest")
    scale = min(1.0, COUNT_SHARE * baseline.range / getattr(phases, count_field))
    out: dict[str, Any] = {"phases": {}, "faults": {}}
    if scale < 1.0:
        digits = 3 if isinstance(phases, TwoWayPhases) else 1
        out["phases"] = {f: round(getattr(phases, f) * scale, digits) for f in fields}
        if exercise.sides is not None:  # a pull must count as a pull on the side it was made
            out["sides"] = {"worked_beyond": round(exercise.sides.worked_beyond * scale, 1)}
    lv = baseline.levels
    for rule in exercise.faults:
        if not rule.follows_range or "best" not in lv:
            continue
        margin = FAULT_SHARE * baseline.range
        if rule.below is not None and lv["best"] - margin < rule.below:
            out["faults"][rule.code] = {"below": round(lv["best"] - margin, 1)}
        elif rule.above is not None and lv["best"] + margin > rule.above:
            out["faults"][rule.code] = {"above": round(lv["best"] + margin, 1)}
    return out


def make_profile(name: str, exercise: Exercise, baseline: Baseline, source: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "name": name,
        "exercise": exercise.id,
        "created": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "source": source,
        "measure": baseline.measure,
        "levels": baseline.levels,
        "samples": baseline.samples,
        "thresholds": derive_thresholds(exercise, baseline),
        "note": "Personal thresholds over the exercise definition's; written by 'coach calibrate baseline'. "
                "Edit with care: they change what counts as a rep and which faults are flagged.",
    }


def save_profile(profile: dict[str, Any], path: str) -> str:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_report(profile, path)  # indented JSON, written whole (tmp + rename): never a half-written profile
    return path


def load_profile(name_or_path: str, exercise_id: Optional[str] = None) -> dict[str, Any]:
    """Read and check a profile; CoachError (one line: the problem and what to do) when unusable."""
    path = profile_path(name_or_path)
    redo = f"record it again with 'coach calibrate baseline --exercise {exercise_id or 'ID'} --profile NAME'"
    if not os.path.exists(path):
        raise CoachError(f"no profile {name_or_path!r} ({path}): {redo}")
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CoachError(f"profile {path} is not readable ({err.__class__.__name__}): {redo}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise CoachError(f"profile {path} is not a {SCHEMA} file: {redo}")
    if exercise_id is not None and data.get("exercise") != exercise_id:
        raise CoachError(f"profile {path} is for {data.get('exercise')!r}, not {exercise_id!r}: use a profile "
                         f"recorded for {exercise_id}, or {redo}")
    _check_thresholds(data, path, redo)
    data["path"] = os.path.abspath(path)
    return data


def _check_thresholds(data: dict, path: str, redo: str) -> None:
    th = data.get("thresholds")
    ok = isinstance(th, dict) and isinstance(th.get("phases", {}), dict) and isinstance(th.get("faults", {}), dict)
    ok = ok and isinstance(th.get("sides", {}), dict)
    ok = ok and all(_number(v) for v in [*th.get("phases", {}).values(), *th.get("sides", {}).values()])
    ok = ok and all(isinstance(v, dict) and set(v) <= {"below", "above"} and all(_number(x) for x in v.values())
                    for v in th.get("faults", {}).values())
    if not ok:
        raise CoachError(f"profile {path} has malformed thresholds (numbers expected): {redo}")


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def apply_profile(exercise: Exercise, profile: dict[str, Any]) -> Exercise:
    """The exercise with the profile's thresholds in place of the definition's."""
    if profile.get("exercise") != exercise.id:
        raise CoachError(f"profile {profile.get('name')!r} is for {profile.get('exercise')!r}, not {exercise.id!r}")
    th = profile.get("thresholds", {})
    phases = exercise.phases
    changes = th.get("phases", {})
    unknown = [k for k in changes if not hasattr(phases, k)]
    if unknown:
        raise CoachError(f"profile {profile.get('path', profile.get('name'))} sets unknown phase thresholds "
                         f"{', '.join(unknown)}: record it again with 'coach calibrate baseline'")
    where = profile.get("path", profile.get("name"))
    negative = [k for k, v in changes.items() if float(v) < 0]
    if negative:  # every phase setting is a distance, a rate or a time (as the definitions check)
        raise CoachError(f"profile {where} sets negative phase thresholds ({', '.join(negative)}): "
                         "record it again with 'coach calibrate baseline'")
    if changes:
        phases = dataclasses.replace(phases, **{k: float(v) for k, v in changes.items()})
    codes = {rule.code for rule in exercise.faults}
    stray = [c for c in th.get("faults", {}) if c not in codes]
    if stray:
        raise CoachError(f"profile {profile.get('path', profile.get('name'))} sets limits of faults {exercise.id} "
                         f"does not have ({', '.join(stray)}): record it again with 'coach calibrate baseline'")
    faults = tuple(_with_limits(rule, th.get("faults", {}).get(rule.code)) for rule in exercise.faults)
    for rule in faults:  # a limit the measure can never reach (the definitions' own check)
        low, high = RANGES.get(rule.measure, (0.0, math.inf))
        if rule.relative:
            low, high = low - high, high - low
        if any(v is not None and not low <= v <= high for v in (rule.below, rule.above)):
            raise CoachError(f"profile {where} sets a limit of {rule.code} outside what {rule.measure} can read "
                             f"({low:g} to {high:g}): record it again with 'coach calibrate baseline'")
    sides = exercise.sides
    if sides is not None and "worked_beyond" in th.get("sides", {}):
        sides = dataclasses.replace(sides, worked_beyond=float(th["sides"]["worked_beyond"]))
    return dataclasses.replace(exercise, phases=phases, faults=faults, sides=sides, profile=report_entry(profile))


def _with_limits(rule: FaultRule, limits: Optional[dict]) -> FaultRule:
    if not limits:
        return rule
    return dataclasses.replace(rule, **{k: float(v) for k, v in limits.items()})


def personalised(exercise: Exercise, name_or_path: Optional[str]) -> Exercise:
    """The exercise with the named profile applied (the commands' --profile); unchanged without one."""
    return apply_profile(exercise, load_profile(name_or_path, exercise.id)) if name_or_path else exercise


def report_entry(profile: dict[str, Any]) -> dict[str, Any]:
    """What the report says of the profile it was made with."""
    return {k: profile.get(k) for k in ("name", "path", "created", "levels", "thresholds")}
