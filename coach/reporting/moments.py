"""When each fault happened, for its thumbnail: logic only (what to picture), no drawing.

report.json says which faults a rep had, not when. The moment pictured is the one that shows the
fault best:

- a fault judged on a hold (hips too low at the top): the middle of the longest of the rep's
  holds that had it;
- a fault judged on the whole rep (a hold too short, rushing): the rep's furthest point, found in
  the replayed measure (the middle of the rep without one);
- a fault judged on one pose of a two-way rep (cat-cow's "shallow" on the cat's depth): the
  deepest point of that pose in the rep (its hold's middle without the measure), and its cue is
  the one for that pose when the definition has one;
- a start-position fault (feet too far): the time report.json gives (``setup_faults``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from coach.engine.definition import Exercise, FaultRule, TwoWayPhases
from coach.reporting.replay import MeasureSeries


@dataclass(frozen=True)
class FaultMoment:
    t: float
    code: str
    cue: str  # what the coach says about it ("" when neither the definition nor the cues say)
    rep: Optional[int]  # the rep's index; None for a start-position fault
    ordinal: Optional[int] = None  # the trace line (and video frame) to picture; None without a trace
    pose: Optional[str] = None  # the pose of a two-way rep the fault was in (cat-cow's "cat"); None otherwise


def fault_moments(report: dict, cue_texts: dict[str, str], series: Optional[MeasureSeries] = None,
                  exercise: Optional[Exercise] = None) -> list[FaultMoment]:
    """Every fault of every rep, and every start-position fault, in time order. ``exercise``: its
    definition, to picture a fault on one pose of a two-way rep at that pose."""
    moments = []
    rules = {f.code: f for f in exercise.faults} if exercise is not None else {}
    for rep in report["reps"]:
        holds = [h for h in report["holds"] if h.get("rep") == rep["index"]]
        for code in rep["faults"]:
            with_it = [h for h in holds if code in h.get("faults", ())]
            cue = cue_texts.get(code, "")
            if with_it:
                longest = max(with_it, key=lambda h: h["duration_s"])
                moments.append(FaultMoment((longest["start_s"] + longest["end_s"]) / 2.0, code, cue, rep["index"]))
                continue
            rule = rules.get(code)
            measures = past_limit(rule, rep, report["reps"]) if rule is not None else []
            poles = [(m, _pole(exercise, m)) for m in measures] if exercise is not None else []
            if poles and all(pole is not None for _, pole in poles):  # one picture per pose the fault was in
                for measure, pole in poles:
                    moments.append(FaultMoment(_in_pose(series, rep, holds, pole, exercise), code,  # type: ignore[arg-type]
                                               rule.cue_for(measure), rep["index"], pose=pole))  # type: ignore[union-attr]
                continue
            if rule is not None and measures:
                cue = rule.cue_for(measures[0])
            moments.append(FaultMoment(_furthest(series, rep["start_s"], rep["end_s"]), code, cue, rep["index"]))
    for fault in report.get("setup_faults") or []:
        if isinstance(fault, dict) and isinstance(fault.get("t_s"), (int, float)) and isinstance(fault.get("code"), str):
            moments.append(FaultMoment(float(fault["t_s"]), fault["code"], cue_texts.get(fault["code"], ""), None))
    moments.sort(key=lambda m: (m.t, m.rep or 0, m.code))
    if series is None or not len(series):
        return moments
    return [FaultMoment(m.t, m.code, m.cue, m.rep, int(series.ordinal[series.nearest(m.t)]), m.pose) for m in moments]


def rep_figure(rep: dict, measure: str) -> Optional[float]:
    """A rep's own figure a rep- or session-scope fault judges (its peak's, or its record's)."""
    if measure == "duration_s":
        return rep["end_s"] - rep["start_s"]
    value = rep.get("peak", {}).get(measure, rep.get(measure))
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def past_limit(rule: FaultRule, rep: dict, reps: list[dict]) -> list[str]:
    """Of the figures a rep- or session-scope rule judges, those past its limit in this rep, furthest
    first (a session rule: relative to the session's best rep, as the engine judges it); when none is
    (the report's figures are rounded), the one nearest its limit. [] for other rules."""
    if rule.scope not in ("rep", "session"):
        return []
    scored = []
    for m in rule.measures:
        value = rep_figure(rep, m)
        if value is None:
            continue
        if rule.scope == "session":
            others = [v for v in (rep_figure(r, m) for r in reps) if v is not None]
            best = max(others) if rule.below is not None else min(others)
            if not best:
                continue
            value = value / best
        # how far inside the limit (negative: past it), as a share of the limit
        margin = (value / rule.below - 1.0) if rule.below else (1.0 - value / rule.above) if rule.above else 0.0
        scored.append((margin, m))
    scored.sort()
    past = [m for margin, m in scored if margin < 0]
    return past or [m for _, m in scored[:1]]


def _pole(exercise: Exercise, measure: str) -> Optional[str]:
    """The pose a two-way figure belongs to (``cat_depth`` -> ``cat``); None for other figures."""
    phases = exercise.phases
    if isinstance(phases, TwoWayPhases):
        for pole in (phases.plus, phases.minus):
            if measure.startswith(pole + "_"):
                return pole
    return None


def _in_pose(series: Optional[MeasureSeries], rep: dict, holds: list[dict], pole: str, exercise: Exercise) -> float:
    """The deepest moment of ``pole`` in the rep: within its hold when it had one, else the whole rep."""
    mine = [h for h in holds if h.get("pose") == pole]
    start, end = ((min(h["start_s"] for h in mine), max(h["end_s"] for h in mine)) if mine
                  else (rep["start_s"], rep["end_s"]))
    sign = 1.0 if pole == exercise.phases.plus else -1.0  # the measure rises toward "plus"
    if series is not None and len(series):
        inside = (series.t >= start) & (series.t <= end)
        toward = sign * (series.value - series.rest)
        toward[~inside | ~np.isfinite(toward)] = -np.inf
        if np.isfinite(toward.max()):
            return float(series.t[int(np.argmax(toward))])
    return (start + end) / 2.0


def _furthest(series: Optional[MeasureSeries], start: float, end: float) -> float:
    """The time in [start, end] where the key measure is furthest from its rest level."""
    if series is not None and len(series):
        inside = (series.t >= start) & (series.t <= end)
        out = np.abs(series.value - series.rest)
        out[~inside | ~np.isfinite(out)] = -1.0
        if out.max() >= 0:
            return float(series.t[int(np.argmax(out))])
    return (start + end) / 2.0


def cue_texts(report: dict, definition_cues: Optional[dict[str, str]] = None) -> dict[str, str]:
    """Fault code -> the coach's words: the definition's, else those the session's cues used."""
    texts = {c["code"]: c["text"] for c in report["cues"]}
    texts.update(definition_cues or {})
    return texts
