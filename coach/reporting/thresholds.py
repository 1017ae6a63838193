"""The thresholds the plot marks on the key measure, from the exercise definition (logic only).

Two kinds: a fault rule's limit on the key measure itself (a fixed value: "hips low below 168"),
and the phase machine's levels, which are distances from the person's own rest (or neutral) level
and so move with it ("the top counts from 7 degrees above rest").
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.engine.definition import Exercise, Phases


@dataclass(frozen=True)
class Threshold:
    label: str
    value: float
    relative: bool  # True: ``value`` is added to the rest level; False: a fixed value
    fault: bool  # a fault's limit (drawn in the fault colour) rather than a phase level


def key_thresholds(exercise: Exercise) -> list[Threshold]:
    key = exercise.phases.measure
    out = []
    for rule in exercise.faults:
        # Only limits on the plotted value itself: a rule on another measure, on the other leg, or
        # on the change from rest would be a line that means nothing against this curve.
        if rule.measure != key or rule.of != "tracked" or rule.relative or rule.scope not in ("hold", "rest"):
            continue
        where = "at the top" if rule.scope == "hold" else "at rest"
        if rule.below is not None:
            out.append(Threshold(f"{rule.name} (below, {where})", rule.below, False, True))
        if rule.above is not None:
            out.append(Threshold(f"{rule.name} (above, {where})", rule.above, False, True))
    p = exercise.phases
    if isinstance(p, Phases):
        d = p.direction
        out.append(Threshold(f"leaves {p.rest}", d * p.start_above_rest, True, False))
        out.append(Threshold(f"{p.hold} counts", d * p.hold_above_rest, True, False))
    else:  # two-way (cat-cow): a pole counts once the excursion gets this far either way
        out.append(Threshold(f"{p.plus} counts", p.pole_beyond, True, False))
        out.append(Threshold(f"{p.minus} counts", -p.pole_beyond, True, False))
    return out
