"""``report.html``: what the page shows, worked out from report.json (``page_context``), then the
Jinja2 template ``coach/templates/report.html`` with autoescaping on, so that nothing from a file
name, a definition or the report can become markup (a video named ``<script>...`` shows as text).

The numbers in the page are report.json's: each table cell that shows one also carries the exact
value (``data-value``), so the page can be checked against the file, by people and by tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

import jinja2

from coach.report import (ENDED_TEXT, MEANINGS, TIME_FORMAT, fault_name, hold_target, holds_met, pain_rating,
                          warning_text)
from coach.reporting.about import MeasureNote
from coach.reporting.moments import FaultMoment
from coach.reporting.previous import Comparison
from coach.reporting.text import format_value, peak_label, peak_unit


@dataclass
class Picture:
    """A fault's picture: a data: URI, and what it shows (a video frame or the skeleton)."""

    uri: str
    kind: str  # "video" | "skeleton"


@dataclass
class PageInputs:
    """What the page needs besides report.json."""

    report: dict
    instructions: str = ""
    rom_keys: tuple[str, ...] = ()  # the exercise's range-of-motion peak keys (coach.report.rom_keys)
    rom_names: dict[str, str] = field(default_factory=dict)  # peak key -> short name (the definition's [about])
    plot_uri: str = ""
    plot_size: Optional[tuple[int, int]] = None
    moments: list[FaultMoment] = field(default_factory=list)
    pictures: list[Optional[Picture]] = field(default_factory=list)  # one per moment
    notes: list[str] = field(default_factory=list)  # what is missing and why
    files: dict[str, str] = field(default_factory=dict)  # label -> file name beside report.html
    fault_names: dict[str, str] = field(default_factory=dict)  # code -> plain words (the definition's)
    measure_notes: list[MeasureNote] = field(default_factory=list)  # a line about each measure shown
    comparison: Optional[Comparison] = None  # None: no history looked at


def _s(x: float) -> str:
    return f"{x:.1f}"


def _cell(value: float) -> dict:
    """A table cell showing a report.json number: the exact value, and how it is shown."""
    return {"value": repr(value), "text": _s(value)}


def range_of_motion(rep: dict, rom_keys: tuple[str, ...],
                    names: Optional[dict[str, str]] = None) -> list[tuple[str, float, str]]:
    """The range of motion a rep reached, as (label, value, shown): the key measure's value at the
    top; for an exercise with two poles (cat-cow), the depth reached in each. Without the exercise's
    keys (an unknown exercise): any depths in the peak, else its first value. ``names``: peak key ->
    the definition's short name for it (else the key in words)."""
    peak = rep["peak"]
    keys = ([k for k in rom_keys if k in peak] or [k for k in peak if k.endswith("_depth")]
            or list(peak)[:1])
    return [((names or {}).get(k) or peak_label(k), peak[k], format_value(peak[k], peak_unit(k))) for k in keys
            if isinstance(peak[k], (int, float))]


def page_context(inputs: PageInputs) -> dict:
    """Everything the template shows, worked out from report.json (the template only lays it out)."""
    r = inputs.report
    live = r.get("live") if isinstance(r.get("live"), dict) else None
    backend = r.get("backend") if isinstance(r.get("backend"), dict) else {}
    name = lambda code: fault_name(code, inputs.fault_names)  # noqa: E731 - plain words for a fault code
    target = hold_target(r)
    with_target = isinstance(target, (int, float)) and target > 0
    return {
        "title": f"{r['exercise']['name']}: report",
        "exercise": r["exercise"], "instructions": inputs.instructions, "source_path": r["source"]["path"],
        "is_live": live is not None, "live": _live_context(live) if live else None,
        "times": _times(r),
        "profile": _profile(r.get("profile")),
        "stopped": _stopped_context(r.get("stopped")),
        "pain_rating": _pain_rating(r),
        "warnings": [warning_text(w, live is not None) for w in r.get("warnings") or [] if isinstance(w, str)],
        "summary": _summary(r),
        "meanings": [MEANINGS["good_rep"]] + ([MEANINGS["met_target"], MEANINGS["holds_met"]] if with_target else []),
        "by_side": [{"side": side, "reps": v.get("reps", ""), "good_reps": v.get("good_reps", ""),
                     "held": _s(v.get("total_hold_s", 0.0)), "longest": _s(v.get("longest_hold_s", 0.0))}
                    for side, v in (r["summary"].get("by_side") or {}).items() if isinstance(v, dict)],
        "reps": [_rep_row(rep, inputs.rom_keys, name, inputs.rom_names) for rep in r["reps"]],
        # why a rep's faults were not judged: the person too small in the picture, else the camera's angle
        "unjudged_why": "you were too small in the picture" if "too_small" in r.get("warnings", [])
                        else "this camera angle",
        # Holds have a table of their own only with a hold target: without one (cat-cow's pauses in
        # each pose) every row would be dashes; the rep table has their time.
        "holds": [_hold_row(h, name) for h in r["holds"]] if with_target else [],
        "any_side": any(rep["side"] for rep in r["reps"]),
        "any_hold": with_target or any(rep["hold_s"] > 0 for rep in r["reps"]),
        "measure_notes": inputs.measure_notes,
        "comparison": _comparison(inputs.comparison),
        "moments": [{"number": n, "t": _s(m.t), "code": m.code, "name": name(m.code), "pose": m.pose or "",
                     "cue": m.cue, "rep": m.rep,
                     "picture": inputs.pictures[n - 1] if n - 1 < len(inputs.pictures) else None}
                    for n, m in enumerate(inputs.moments, start=1)],
        "cues": [{"t": _s(c["t_s"]), "code": c["code"], "name": name(c["code"]), "text": c["text"]} for c in r["cues"]],
        "plot_uri": inputs.plot_uri, "plot_size": inputs.plot_size,
        "notes": inputs.notes, "files": inputs.files, "backend": backend,
    }


def local_time(stamp: object) -> str:
    """A report's UTC time (``2026-12-07T06:44:11Z``) as local date and time, "" when it is not one."""
    if not isinstance(stamp, str):
        return ""
    try:
        when = datetime.strptime(stamp, TIME_FORMAT).replace(tzinfo=timezone.utc).astimezone()
    except ValueError:
        return ""
    return when.strftime("%a %d %b %Y, %H:%M %Z").strip()


def _times(r: dict) -> dict:
    """When the session took place and when the report was made; a live session's start is its end
    (the last save) less its length."""
    times = r.get("times") if isinstance(r.get("times"), dict) else {}
    made = times.get("analysed_at")
    started, source = times.get("session_started_at"), times.get("session_started_from")
    if "live" in r and isinstance(made, str):
        try:
            end = datetime.strptime(made, TIME_FORMAT)
            started = (end - timedelta(seconds=float(r["source"]["duration_s"]))).strftime(TIME_FORMAT)
            source = "clock"
        except (ValueError, TypeError):
            pass
    return {"session": local_time(started), "analysed": local_time(made),
            "session_from_file": source == "file" and "live" not in r}


def _profile(profile: object) -> Optional[dict]:
    if not isinstance(profile, dict):
        return None
    return {"name": str(profile.get("name") or "unnamed"), "created": str(profile.get("created") or ""),
            "thresholds": [(str(k), v) for k, v in (profile.get("thresholds") or {}).items()
                           if isinstance(v, (int, float))] if isinstance(profile.get("thresholds"), dict) else []}


def _pain_rating(r: dict) -> Optional[dict]:
    rating = pain_rating(r)
    if rating is None:
        return None
    at = rating.get("asked_at_s")
    return {"value": rating["value"], "at": _s(at) if isinstance(at, (int, float)) else ""}


def _comparison(c: Optional[Comparison]) -> Optional[dict]:
    if c is None:
        return None
    if c.previous is None:
        return {"previous": None, "rows": []}
    rows = []
    for f in c.figures:
        now = _figure(f.now, f.unit)
        before = _figure(f.before, f.unit)
        change = ""
        if f.now is not None and f.before is not None:
            diff = (f.now - f.before) * f.better
            change = "better" if diff > 1e-9 else "worse" if diff < -1e-9 else "same"
        rows.append({"label": f.label, "now": now, "before": before, "change": change})
    return {"previous": {"when": local_time(c.previous.recorded_at), "kind": c.previous.kind or ""}, "rows": rows}


def _figure(value: Optional[float], unit: str) -> str:
    if value is None:
        return "–"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "°":
        return f"{value:.1f}°"
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"


def _summary(r: dict) -> dict:
    summary, holds = r["summary"], r["holds"]
    targets = r.get("targets") if isinstance(r.get("targets"), dict) else {}
    target = hold_target(r)
    reps_min, reps_max = targets.get("reps_min"), targets.get("reps_max")
    duration = float(r["source"]["duration_s"])
    fraction = float(r["tracking"]["fraction"])
    return {
        "reps": summary["reps"], "reps_word": "rep" if summary["reps"] == 1 else "reps",
        "good_reps": summary["good_reps"], "good_word": "good rep" if summary["good_reps"] == 1 else "good reps",
        "reps_target": (f"{reps_min}–{reps_max}" if reps_min != reps_max else f"{reps_min}")
                       + (" per side" if targets.get("per_side") is True else "")
                       if isinstance(reps_min, int) and isinstance(reps_max, int) else "",
        "holds": len(holds), "holds_met": holds_met(r),
        # no target (cat-cow's brief pauses): every hold "meets" it, which would say nothing
        "hold_target": _s(target) if isinstance(target, (int, float)) and target > 0 else "",
        "total_hold": _s(summary["total_hold_s"]),
        "longest_hold": _s(max((h["duration_s"] for h in holds), default=0.0)),
        "tracked": _s(fraction * duration), "duration": _s(duration), "tracked_pct": f"{100 * fraction:.0f}",
    }


def _rep_row(rep: dict, rom_keys: tuple[str, ...], name, rom_names: dict[str, str]) -> dict:  # type: ignore[no-untyped-def]
    return {"index": rep["index"], "start": _cell(rep["start_s"]),
            "duration": _cell(round(rep["end_s"] - rep["start_s"], 3)), "hold": _cell(rep["hold_s"]),
            "rom": range_of_motion(rep, rom_keys, rom_names), "side": rep["side"] or "", "good": rep["good"],
            "faults": [name(c) for c in rep["faults"]], "unjudged": [name(c) for c in rep.get("unjudged", [])]}


def _hold_row(h: dict, name) -> dict:  # type: ignore[no-untyped-def]
    return {"start": _cell(h["start_s"]), "duration": _cell(h["duration_s"]),
            "target": _s(h["target_s"]) if h["target_s"] > 0 else "", "met": h["met_target"],
            "side": h.get("side") or "", "rep": h.get("rep", ""), "faults": [name(c) for c in h.get("faults") or []],
            "pose": h.get("pose") or ""}


def _stopped_context(stopped: object) -> Optional[dict]:
    """The pain stop (``stopped`` of a live report), or None."""
    if not isinstance(stopped, dict):
        return None
    t = stopped.get("t_s")
    return {"reason": str(stopped.get("reason", "")), "t": _s(t) if isinstance(t, (int, float)) else "?",
            "message": str(stopped.get("message", ""))}


def _live_context(live: dict) -> dict:
    counting = live.get("counting_from_s")
    return {"ended": ENDED_TEXT.get(str(live.get("ended")), str(live.get("ended") or "still running")),
            "counting_from": _s(counting) if isinstance(counting, (int, float)) and math.isfinite(counting) else "",
            "speech": str(live.get("speech") or "")}


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("coach", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(inputs: PageInputs) -> str:
    return _environment().get_template("report.html").render(**page_context(inputs))
