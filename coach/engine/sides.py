"""Which side a rep works, and the value a fault rule judges for a given rep.

Sides are the person's anatomical left and right. A side is *worked* when its measure has moved at
least ``worked_beyond`` from that side's resting value, in the movement's direction.
"""

from __future__ import annotations

import math
from typing import Mapping, Optional

from coach.engine.definition import SIDES, FaultRule


def worked_side(moved: Mapping[str, float], beyond: float, share: float = 0.6) -> Optional[str]:
    """'left', 'right', 'both' or None, from how far each side moved from rest (movement direction > 0).

    A side counts when it moved ``beyond`` and at least ``share`` of the side that moved most: a leg
    that lifts a little while the other is pulled in (a fault) is not a second worked leg."""
    most = max((moved.get(s, 0.0) for s in SIDES), default=0.0)
    worked = [s for s in SIDES if moved.get(s, 0.0) >= max(beyond, share * most)]
    if len(worked) == 2:
        return "both"
    return worked[0] if worked else None


def rest_side(rest: Mapping[str, float], beyond: float) -> Optional[str]:
    """'left' or 'right': the side whose resting value lies at least ``beyond`` above the other's; None
    when neither does or one is unmeasured (``SidesRule.by = "rest"``)."""
    left, right = rest.get("left", math.nan), rest.get("right", math.nan)
    if not (math.isfinite(left) and math.isfinite(right)):
        return None
    if left - right >= beyond:
        return "left"
    return "right" if right - left >= beyond else None


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


def rule_channels(rule: FaultRule) -> list[tuple[str, str]]:
    """The (measure, which side) values a rule may need, in all its ways; 'tracked' is the camera-facing side."""
    if rule.scope in ("rep", "session"):  # judged on the rep's own figures, not on a measure
        return []
    channels = []
    for way in rule.ways:
        channels += [(way.measure, "tracked")] + ([(way.measure, s) for s in SIDES] if way.of != "tracked" else [])
    return list(dict.fromkeys(channels))


def applies(rule: FaultRule, worked: Optional[str]) -> bool:
    """Whether ``rule`` judges a rep that works ``worked``: not a one-sided rule on a two-sided rep (or
    the other way round), nor an 'other leg' rule on a rep without one other leg."""
    if rule.applies_to == "single" and worked not in SIDES or rule.applies_to == "both" and worked != "both":
        return False
    return not (rule.of == "other" and worked is not None and worked not in SIDES)


def judged_channels(rule: FaultRule, worked: Optional[str]) -> list[tuple[str, str]]:
    """The (measure, side) values ``rule`` (one way of a rule) reads on a rep that works ``worked``
    (none: an 'other leg' rule on a rep without one other leg)."""
    if rule.of == "tracked" or worked is None:
        return [(rule.measure, "tracked")]
    if rule.of == "worked":
        return [(rule.measure, s) for s in (SIDES if worked == "both" else (worked,))]
    return [(rule.measure, other_side(worked))] if worked in SIDES else []


def rule_value(rule: FaultRule, values: Mapping[tuple[str, str], float], worked: Optional[str],
               rest: Mapping[tuple[str, str], float]) -> float:
    """The value ``rule`` judges now, NaN when it does not apply (e.g. 'other' in a two-sided rep).

    ``worked`` sides: the worst of them (the highest for an 'above' rule, the lowest for 'below').
    ``relative``: the change from the person's resting value of the same measure and side."""
    if not applies(rule, worked):
        return math.nan
    channels = judged_channels(rule, worked)
    found = []
    for ch in channels:
        v = values.get(ch, math.nan)
        if rule.relative:
            v -= rest.get(ch, math.nan)
        if math.isfinite(v):
            found.append(v)
    if not found:
        return math.nan
    return max(found) if rule.above is not None else min(found)
