"""Reading a session folder's report.json back, for ``coach report DIR``.

Every problem is a CoachError naming the file, what is wrong and what to do: the command line
turns it into one line and exit status 2.
"""

from __future__ import annotations

import json
import os
from typing import Any

from coach.errors import CoachError
from coach.report import SCHEMA

REPORT = "report.json"
NUM = (int, float)
OPT_STR = (str, type(None))

# What the human report reads, key -> type; a dict is a nested object, a one-item list an array of
# such objects. The contract's keys only (../shared/design.md 3.2): extensions are optional.
NEEDED: dict[str, Any] = {
    "exercise": {"id": str, "name": str},
    "source": {"path": str, "fps": NUM, "frames": int, "duration_s": NUM, "width": int, "height": int},
    "tracking": {"frames_with_pose": int, "fraction": NUM},
    "reps": [{"index": int, "start_s": NUM, "end_s": NUM, "hold_s": NUM, "side": OPT_STR, "good": bool,
              "faults": list, "peak": dict}],
    "holds": [{"start_s": NUM, "end_s": NUM, "duration_s": NUM, "target_s": NUM, "met_target": bool}],
    "phases": [{"start_s": NUM, "end_s": NUM, "phase": str}],
    "cues": [{"t_s": NUM, "code": str, "text": str}],
    "summary": {"reps": int, "good_reps": int, "total_hold_s": NUM},
}
# Optional parts the page shows when present (a live session's pain stop and 0-10 pain rating):
# checked only when there.
OPTIONAL: dict[str, Any] = {
    "stopped": {"reason": str},
    "pain_rating": {"value": int},
}
RERUN = "re-run the analysis (coach analyze) to write it again"


def report_folder(path: str) -> str:
    """The session folder ``path`` names (a path to its report.json is taken to mean its folder)."""
    if os.path.isfile(path) and os.path.basename(path) == REPORT:
        return os.path.dirname(path) or "."
    if not os.path.exists(path):
        raise CoachError(f"folder not found: {path} (give the output folder of 'coach analyze' or 'coach live', "
                         f"e.g. runs/demo)")
    if not os.path.isdir(path):
        raise CoachError(f"{path} is a file, not a session folder (give the folder that holds report.json)")
    return path


def load_report(folder: str) -> dict:
    """``folder``/report.json, checked to be a coach.report/1 report with the keys the report needs."""
    path = os.path.join(folder, REPORT)
    try:
        with open(path, encoding="utf-8") as fh:
            report = json.load(fh)
    except FileNotFoundError:
        raise CoachError(f"no {REPORT} in {folder}: run 'coach analyze VIDEO --out {folder}' (or 'coach live') "
                         f"to make one first") from None
    except UnicodeDecodeError:
        raise CoachError(f"{path} is not a text file (not a report.json); {RERUN}") from None
    except json.JSONDecodeError as err:
        raise CoachError(f"{path} is not valid JSON (line {err.lineno}: {err.msg}); {RERUN}") from None
    if not isinstance(report, dict):
        raise CoachError(f"{path} is not a coach report (a JSON object was expected); {RERUN}")
    schema = report.get("schema")
    if schema != SCHEMA:
        raise CoachError(f"{path} has schema {schema!r}, expected {SCHEMA!r}: not a report this coach can read; {RERUN}")
    problem = _shape_problem(report, NEEDED, "") or _shape_problem(
        report, {k: v for k, v in OPTIONAL.items() if k in report}, "") or _rating_problem(report.get("pain_rating"))
    if problem:
        raise CoachError(f"{path}: {problem}; {RERUN}")
    return report


def _rating_problem(rating: Any) -> str:
    if rating is not None and not 0 <= rating["value"] <= 10:
        return f"pain_rating.value must be from 0 to 10, got {rating['value']}"
    return ""


def _shape_problem(value: Any, spec: Any, where: str) -> str:
    """The first way ``value`` differs from ``spec`` (see NEEDED), or ""."""
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return f"{where} must be an object"
        for key, sub in spec.items():
            name = f"{where}.{key}" if where else key
            if key not in value:
                return f"{name} is missing"
            problem = _shape_problem(value[key], sub, name)
            if problem:
                return problem
        return ""
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"{where} must be an array"
        for i, item in enumerate(value):
            problem = _shape_problem(item, spec[0], f"{where}[{i}]")
            if problem:
                return problem
        return ""
    kinds = spec if isinstance(spec, tuple) else (spec,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        want = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        return f"{where} must be {want}, got {json.dumps(value)[:40]}"
    return ""
