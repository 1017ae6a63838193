"""Fault rules judged once per rep on the rep's own figures.

- ``scope = "rep"``: the figure itself (``duration_s`` below 1.5: rushing).
- ``scope = "session"``: the figure as a share of the session's best rep, so a rep is judged
  against what this person showed they can do (a cat-cow whose cat or cow reaches less than 60 %
  of their deepest one: shallow). For a ``below`` rule the best is the largest value of the
  session, for an ``above`` rule the smallest. While the session runs a rep is judged against the
  best so far (its cue is given then); when it ends, every rep is judged again against the best of
  the whole session (an early shallow rep is only known to be shallow once a deeper one came).

A rule may name several figures (``measure = ["cat_depth", "cow_depth"]``): the worst one counts.
Figures a rep lacks (NaN or absent) never violate.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

from coach.engine.definition import FaultRule
from coach.engine.records import RepRecord

Stats = Mapping[str, float]


def _worst(rule: FaultRule, values: Iterable[float]) -> float:
    found = [v for v in values if math.isfinite(v)]
    if not found:
        return math.nan
    return max(found) if rule.above is not None and rule.below is None else min(found)


def rep_value(rule: FaultRule, stats: Stats) -> float:
    """What a scope="rep" rule judges: the worst of its figures of this rep."""
    return _worst(rule, (stats.get(m, math.nan) for m in rule.measures))


def session_value(rule: FaultRule, stats: Stats, session: Sequence[Stats]) -> float:
    """What a scope="session" rule judges: the worst of this rep's figures, each as a share of the
    session's best value of the same figure (``session`` includes this rep)."""
    shares = []
    for m in rule.measures:
        values = [s.get(m, math.nan) for s in session]
        values = [v for v in values if math.isfinite(v)]
        value = stats.get(m, math.nan)
        if not values or not math.isfinite(value):
            continue
        best = max(values) if rule.below is not None else min(values)
        if best > 0:
            shares.append(value / best)
    return _worst(rule, shares)


def violated(rules: Sequence[FaultRule], stats: Stats, earlier: Sequence[Stats]) -> list[FaultRule]:
    """The rep- and session-scope rules a rep with figures ``stats`` breaks, judged after the reps
    ``earlier`` (the session so far)."""
    out = []
    for rule in rules:
        if rule.scope == "rep":
            value = rep_value(rule, stats)
        elif rule.scope == "session":
            value = session_value(rule, stats, list(earlier) + [stats])
        else:
            continue
        if rule.violated(value):
            out.append(rule)
    return out


def rejudge_session(rules: Sequence[FaultRule], reps: Sequence[RepRecord]) -> None:
    """At the end of the session: every rep's session-scope faults, against the whole session's best."""
    session_rules = [r for r in rules if r.scope == "session"]
    if not session_rules:
        return
    codes = {r.code for r in session_rules}
    everyone = [rep.stats for rep in reps]
    for rep in reps:  # fault codes are unique (the definition refuses duplicates)
        rep.faults = [c for c in rep.faults if c not in codes] + [
            r.code for r in session_rules
            if r.code not in rep.unjudged and r.violated(session_value(r, rep.stats, everyone))]
