"""Fault rules judged once per rep: on the rep's own figures (scope "rep") and relative to the
session's best rep (scope "session", re-judged when the session ends)."""

from __future__ import annotations

import math

import pytest

from coach.engine.definition import FaultRule
from coach.engine.records import RepRecord
from coach.engine.rep_rules import rejudge_session, rep_value, session_value, violated


def rule(code: str = "shallow", scope: str = "session", measure: str = "cat_depth", also: tuple = ("cow_depth",),
         below: float | None = 0.6, above: float | None = None) -> FaultRule:
    return FaultRule(code=code, scope=scope, measure=measure, below=below, above=above, cue="Go further",
                     priority=1, for_s=0.0, pauses_hold=False, also=also)


RUSHING = rule("rushing", "rep", "duration_s", (), below=1.5)
SHALLOW = rule()


def rep(index: int, cat: float, cow: float, duration: float = 3.0, faults: list | None = None) -> RepRecord:
    r = RepRecord(index=index, start_s=0.0, end_s=duration, faults=list(faults or []))
    r.stats = {"cat_depth": cat, "cow_depth": cow, "duration_s": duration}
    return r


def test_rep_scope_judges_the_figure_itself() -> None:
    assert rep_value(RUSHING, {"duration_s": 1.2}) == 1.2
    assert [r.code for r in violated([RUSHING], {"duration_s": 1.2}, [])] == ["rushing"]
    assert violated([RUSHING], {"duration_s": 2.5}, []) == []


def test_session_scope_is_a_share_of_the_best_and_the_worst_pole_counts() -> None:
    session = [{"cat_depth": 1.0, "cow_depth": 0.8}, {"cat_depth": 0.9, "cow_depth": 0.4}]
    assert session_value(SHALLOW, session[1], session) == pytest.approx(0.5)  # cow: 0.4 of 0.8
    assert session_value(SHALLOW, session[0], session) == pytest.approx(1.0)


def test_an_above_rule_compares_with_the_smallest() -> None:
    slow = rule("too_slow", measure="duration_s", also=(), below=None, above=2.0)
    session = [{"duration_s": 3.0}, {"duration_s": 7.0}]
    assert session_value(slow, session[1], session) == pytest.approx(7.0 / 3.0)
    assert [r.code for r in violated([slow], session[1], session[:1])] == ["too_slow"]


def test_missing_figures_never_violate() -> None:
    assert math.isnan(rep_value(RUSHING, {}))
    assert math.isnan(session_value(SHALLOW, {}, [{"cat_depth": 1.0}]))
    assert violated([RUSHING, SHALLOW], {}, []) == []


def test_live_judgement_is_against_the_best_so_far() -> None:
    first = {"cat_depth": 0.3, "cow_depth": 0.3}
    assert violated([SHALLOW], first, []) == []  # the first rep is its own best
    assert [r.code for r in violated([SHALLOW], {"cat_depth": 0.3, "cow_depth": 0.3}, [{"cat_depth": 1.0,
                                                                                          "cow_depth": 1.0}])] == ["shallow"]


def test_rejudging_at_the_end_against_the_whole_session() -> None:
    reps = [rep(1, 0.3, 0.35), rep(2, 1.0, 0.9, faults=["rushing"]), rep(3, 0.95, 1.0, faults=["shallow"])]
    rejudge_session([RUSHING, SHALLOW], reps)
    assert [r.faults for r in reps] == [["shallow"], ["rushing"], []]
    rejudge_session([RUSHING, SHALLOW], reps)  # the same again
    assert [r.faults for r in reps] == [["shallow"], ["rushing"], []]


def test_rejudging_without_session_rules_changes_nothing() -> None:
    reps = [rep(1, 0.1, 0.1, faults=["rushing"])]
    rejudge_session([RUSHING], reps)
    assert reps[0].faults == ["rushing"]


def test_rejudging_leaves_a_fault_that_could_not_be_judged_unjudged() -> None:
    """A rep whose pose was too small to judge keeps shallow unjudged: neither flagged nor cleared."""
    reps = [rep(1, 0.3, 0.35), rep(2, 1.0, 0.9)]
    reps[0].unjudged = ["shallow"]
    rejudge_session([SHALLOW], reps)
    assert [r.faults for r in reps] == [[], []]
