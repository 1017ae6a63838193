"""What a position held at the top shows: the side worked, the values that matter, and the
hold-scope faults, judged on the median of each value over the hold.

A function of the hold's series and a few facts the checker knows (the person's resting values,
which side is worked, which faults the camera's angle keeps from being judged), so that a hold is
judged the same way while it runs and when it ends (``ExerciseChecker._follow_hold_verdict``)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Callable, Optional

from coach.engine.channels import Channel
from coach.engine.definition import Exercise, FaultRule
from coach.engine.sides import applies, judged_channels, rule_channels, rule_value
from coach.measures import UNITS


@dataclass
class Verdict:
    """What a hold (or a top without one) showed: the side worked, the values at the top, the faults."""

    side: Optional[str] = None
    peak: dict[str, float] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)  # faults the camera's angle kept from being judged
    unseen: list[str] = field(default_factory=list)  # of those, the ones the camera could not see in the hold


def judge_hold(ex: Exercise, series: dict[Channel, list[float]], key: Channel, rest: dict[Channel, float],
               worked: Optional[str], worked_in: Callable[[dict[Channel, float]], Optional[str]],
               unjudgeable: Callable[[FaultRule], Optional[str]]) -> Verdict:
    """The verdict on a hold whose values per channel are ``series`` (the key channel every frame;
    a channel is left out of a frame where its landmarks were hidden). ``worked``: the side worked so
    far; ``worked_in(values)``: the side those values show as worked (one-sided exercises);
    ``unjudgeable(rule)``: why the rule can't be judged now, else None."""
    held = {ch: statistics.median(v) for ch, v in series.items() if v}
    if ex.sides is not None:
        worked = worked_in(held) or worked
    verdict = Verdict(side=worked)
    if key in held:
        verdict.peak[peak_key(key[0])] = round_figure(held[key])
    for rule in ex.faults:
        if rule.scope != "hold":
            continue
        if unjudgeable(rule):
            verdict.unjudged.append(rule.code)
            continue
        if rule.gated_per_frame and _mostly_hidden(rule, series, key, worked):
            verdict.unjudged.append(rule.code)  # landmarks hidden, or judge_while unmet, in most of the hold
            verdict.unseen.append(rule.code)
            continue
        violated, read = False, False
        for way in rule.ways:
            value = rule_value(way, held, worked, rest)
            if math.isfinite(value):
                verdict.peak[peak_key(way.measure, way.of, way.relative)] = round_figure(value)
                read = True
            violated = violated or way.violated(value)
        if violated:
            verdict.faults.append(rule.code)
        elif not read and held and applies(rule, worked) and not any(ch[0] == way.measure for way in rule.ways
                                                                       for ch in held):
            verdict.unjudged.append(rule.code)  # its measure never read in the hold: can't tell, not "good"
            verdict.unseen.append(rule.code)
    return verdict


def _mostly_hidden(rule: FaultRule, series: dict[Channel, list[float]], key: Channel, worked: Optional[str]) -> bool:
    """Whether ``rule``'s landmarks were seen (and its judge_while met) in under half the hold's
    frames (its channels are left out of the hold's series while hidden; the key measure is there
    every frame). Only the values the rule reads on a rep working ``worked`` count: the other
    leg's knee, seen throughout, does not make a hidden worked knee judgeable."""
    frames = len(series.get(key, ()))
    channels = [ch for way in rule.ways for ch in judged_channels(way, worked)] if applies(rule, worked) else []
    seen = max((len(series.get(ch, ())) for ch in channels or rule_channels(rule)), default=0)
    return frames > 0 and seen < 0.5 * frames


def peak_key(measure: str, of: str = "tracked", relative: bool = False) -> str:
    """Report key of a value judged at the top, e.g. ``hip_extension_deg``, ``hip_angle_other_change_deg``."""
    parts = [measure] + ([of] if of != "tracked" else []) + (["change"] if relative else []) + [UNITS.get(measure, "")]
    return "_".join(p for p in parts if p)


def round_figure(value: float) -> float:
    """A figure as the report keeps it: 0.1 from 10 on, else 0.001."""
    return round(value, 1) if abs(value) >= 10 else round(value, 3)
