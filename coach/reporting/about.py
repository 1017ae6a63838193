"""One line about each measure the report shows (logic only): what it is (the definition's
``[about]``), which way is better, and the target range read from the limits of the faults that
judge it, so the line follows the definition and a personal profile's thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from coach.engine.definition import Exercise, FaultRule
from coach.measures import UNITS
from coach.report import rom_keys
from coach.reporting.text import format_value, peak_unit


@dataclass(frozen=True)
class MeasureNote:
    key: str  # the measure or rep figure (``hip_extension``, ``cat_depth``)
    what: str
    better: str  # "Higher is better" | "Lower is better"
    target: str  # "" when no fault limit judges it


def measure_notes(exercise: Optional[Exercise]) -> list[MeasureNote]:
    if exercise is None:
        return []
    rules = {f.code: f for f in exercise.faults}
    notes = []
    for key, about in exercise.about.items():
        limits = [text for code in about.judged_by for text in _limits(rules[code], key)]
        # A fault whose reps are too small to see (hides_rep): the coach counts no rep for them, and says so.
        limits += ["a rep short of that is too small for the camera to see and is not counted"
                   for code in about.judged_by if rules[code].hides_rep]
        notes.append(MeasureNote(key=key, what=about.what, better=f"{about.better.capitalize()} is better",
                                 target=_join(limits)))
    return notes


def rom_names(exercise: Optional[Exercise]) -> dict[str, str]:
    """Range-of-motion peak key (``hip_extension_deg``) -> the definition's short name for it."""
    if exercise is None:
        return {}
    out = {}
    for key in rom_keys(exercise):
        unit = peak_unit(key)
        about = exercise.about.get(key[: -len(unit) - 1] if unit else key)
        if about is not None and about.name:
            out[key] = about.name
    return out


def _limits(rule: FaultRule, key: str) -> list[str]:
    """What a fault's limit asks of the measure, in words (the fault is raised past it)."""
    unit = UNITS.get(rule.measure, "")
    if rule.scope == "session":  # a share of (or a multiple of) the session's best rep
        out = []
        if rule.below is not None:
            out.append(f"at least {100 * rule.below:.0f} % of your deepest in the session")
        if rule.above is not None:
            out.append(f"at most {rule.above:g} times your smallest in the session")
        return out
    if rule.relative:
        return [f"{'at least' if rule.below is not None else 'at most'} "
                f"{format_value(abs(rule.below if rule.below is not None else rule.above), unit)} from your resting level"]
    unit = "s" if rule.scope == "rep" else unit
    show = (lambda v: f"{v:g} s") if unit == "s" else (lambda v: format_value(v, unit))
    if rule.below is not None and rule.above is not None:
        return [f"{show(rule.below)} to {show(rule.above)}"]
    if rule.below is not None:
        return [f"at least {show(rule.below)}"]
    return [f"at most {show(rule.above)}"]  # type: ignore[arg-type]


def _join(limits: list[str]) -> str:
    """``at least 168.0°`` and ``at most 189.0°`` -> ``168.0° to 189.0°``."""
    lows = [t[len("at least "):] for t in limits if t.startswith("at least ") and "%" not in t and "resting" not in t]
    highs = [t[len("at most "):] for t in limits if t.startswith("at most ") and "times" not in t and "resting" not in t]
    if len(lows) == 1 and len(highs) == 1:
        rest = [t for t in limits if t not in (f"at least {lows[0]}", f"at most {highs[0]}")]
        return "; ".join([f"{lows[0]} to {highs[0]}"] + rest)
    return "; ".join(dict.fromkeys(limits))
