"""When each fault happened, for its thumbnail: logic only (what to picture), no drawing.

report.json says which faults a rep had, not when. The moment pictured is the one that shows the
fault best:

- a fault judged on a hold (hips too low at the top): the middle of the longest of the rep's
  holds that had it;
- a fault judged on the whole rep (a hold too short, rushing, too shallow): the rep's furthest
  point, found in the replayed measure (the middle of the rep without one);
- a start-position fault (feet too far): the time report.json gives (``setup_faults``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from coach.reporting.replay import MeasureSeries


@dataclass(frozen=True)
class FaultMoment:
    t: float
    code: str
    cue: str  # what the coach says about it ("" when neither the definition nor the cues say)
    rep: Optional[int]  # the rep's index; None for a start-position fault
    ordinal: Optional[int] = None  # the trace line (and video frame) to picture; None without a trace


def fault_moments(report: dict, cue_texts: dict[str, str], series: Optional[MeasureSeries] = None) -> list[FaultMoment]:
    """Every fault of every rep, and every start-position fault, in time order."""
    moments = []
    for rep in report["reps"]:
        holds = [h for h in report["holds"] if h.get("rep") == rep["index"]]
        for code in rep["faults"]:
            with_it = [h for h in holds if code in h.get("faults", ())]
            if with_it:
                longest = max(with_it, key=lambda h: h["duration_s"])
                t = (longest["start_s"] + longest["end_s"]) / 2.0
            else:
                t = _furthest(series, rep["start_s"], rep["end_s"])
            moments.append(FaultMoment(t, code, cue_texts.get(code, ""), rep["index"]))
    for fault in report.get("setup_faults") or []:
        if isinstance(fault, dict) and isinstance(fault.get("t_s"), (int, float)) and isinstance(fault.get("code"), str):
            moments.append(FaultMoment(float(fault["t_s"]), fault["code"], cue_texts.get(fault["code"], ""), None))
    moments.sort(key=lambda m: (m.t, m.rep or 0, m.code))
    if series is None or not len(series):
        return moments
    return [FaultMoment(m.t, m.code, m.cue, m.rep, int(series.ordinal[series.nearest(m.t)])) for m in moments]


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
