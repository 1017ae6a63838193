"""The cue scheduler: one at a time, priority preemption, cool-down per code, max_wait, gap, given list."""

from __future__ import annotations

from typing import Optional

import pytest

from coach.engine.cues import Cue, CueScheduler

FRAME = 1.0 / 30.0


def simulate(s: CueScheduler, until: float, offers: dict[float, list[tuple[str, int]]]) -> list[tuple[float, Optional[str]]]:
    """Updates at 30 fps from 0 to ``until``; ``offers[t]`` are offered at the first frame at or after t.
    Returns (t, code shown or None) per frame."""
    pending = sorted(offers.items())
    shown = []
    n = int(round(until / FRAME))
    for i in range(n + 1):
        t = i * FRAME
        while pending and pending[0][0] <= t + 1e-9:
            for code, prio in pending.pop(0)[1]:
                s.offer(t, code, f"say {code}", prio)
        cue = s.update(t)
        shown.append((t, cue.code if cue else None))
    return shown


def spans(shown: list[tuple[float, Optional[str]]]) -> list[tuple[str, float, float]]:
    """(code, first frame shown, last frame shown) for each showing."""
    out: list[tuple[str, float, float]] = []
    prev = None
    for t, code in shown:
        if code is not None and code != prev:
            out.append((code, t, t))
        elif code is not None:
            out[-1] = (code, out[-1][1], t)
        prev = code
    return out


def test_one_cue_at_a_time_and_shown_for_show_s() -> None:
    s = CueScheduler(show_s=3.0, cooldown_s=8.0, gap_s=0.5, max_wait_s=10.0)
    shown = simulate(s, 10.0, {1.0: [("a", 1), ("b", 1)]})
    sp = spans(shown)
    assert [c for c, _, _ in sp] == ["a", "b"]  # same priority: in the order offered
    (_, a0, a1), (_, b0, b1) = sp
    assert a0 == pytest.approx(1.0)
    assert a1 - a0 == pytest.approx(3.0 - FRAME, abs=1e-6)  # shown for show_s
    assert b0 - (a0 + 3.0) == pytest.approx(0.5, abs=FRAME + 1e-6)  # after the gap
    assert all(code in (None, "a", "b") for _, code in shown)


def test_higher_priority_is_shown_first() -> None:
    s = CueScheduler(show_s=2.0, cooldown_s=8.0, gap_s=0.5, max_wait_s=10.0)
    shown = simulate(s, 8.0, {1.0: [("low", 1), ("high", 3), ("mid", 2)]})
    assert [c for c, _, _ in spans(shown)] == ["high", "mid", "low"]


def test_higher_priority_preempts_and_equal_priority_waits() -> None:
    s = CueScheduler(show_s=3.0, cooldown_s=8.0, gap_s=0.5, max_wait_s=1.0)
    shown = simulate(s, 6.0, {1.0: [("low", 1)], 2.0: [("same", 1)], 2.5: [("urgent", 5)]})
    sp = spans(shown)
    assert [c for c, _, _ in sp] == ["low", "urgent"]
    assert sp[1][1] == pytest.approx(2.5, abs=1e-6)  # at once, without waiting for "low" to end
    # "same" could not preempt and expired (max_wait 1 s) while "low" and "urgent" were up
    assert "same" not in [c.code for c in s.given]


def test_preemption_needs_strictly_higher_priority() -> None:
    s = CueScheduler(show_s=3.0, cooldown_s=8.0, gap_s=0.0, max_wait_s=5.0)
    shown = simulate(s, 8.0, {1.0: [("first", 2)], 1.5: [("second", 2)]})
    sp = spans(shown)
    assert [c for c, _, _ in sp] == ["first", "second"]
    assert sp[1][1] == pytest.approx(4.0, abs=FRAME + 1e-6)


def test_cooldown_per_code() -> None:
    s = CueScheduler(show_s=1.0, cooldown_s=8.0, gap_s=0.2, max_wait_s=0.5)
    # "x" again at 4 s (within its 8 s cool-down) is dropped; "y" meanwhile is fine; "x" at 9.5 s shows
    shown = simulate(s, 12.0, {1.0: [("x", 1)], 4.0: [("x", 1)], 5.0: [("y", 1)], 9.5: [("x", 1)]})
    sp = spans(shown)
    assert [c for c, _, _ in sp] == ["x", "y", "x"]
    assert sp[0][1] == pytest.approx(1.0)
    assert sp[2][1] == pytest.approx(9.5, abs=FRAME + 1e-6)


def test_cooldown_counts_from_when_a_code_was_last_shown() -> None:
    s = CueScheduler(show_s=1.0, cooldown_s=3.0, gap_s=0.0, max_wait_s=10.0)
    # offered at 2 s, during its cool-down (shown at 0 s): the offer is dropped, not delayed
    shown = simulate(s, 6.0, {0.0: [("x", 1)], 2.0: [("x", 1)]})
    assert [c for c, _, _ in spans(shown)] == ["x"]


def test_offer_expires_after_max_wait() -> None:
    s = CueScheduler(show_s=3.0, cooldown_s=8.0, gap_s=0.5, max_wait_s=1.5)
    shown = simulate(s, 8.0, {0.0: [("busy", 1)], 0.5: [("late", 1)]})
    # "busy" shows until 3 s (+0.5 s gap); "late" waited from 0.5 s: gone after 2 s
    assert [c for c, _, _ in spans(shown)] == ["busy"]
    assert [c.code for c in s.given] == ["busy"]


def test_offer_within_max_wait_is_shown_late() -> None:
    s = CueScheduler(show_s=1.0, cooldown_s=8.0, gap_s=0.5, max_wait_s=1.5)
    shown = simulate(s, 5.0, {0.0: [("busy", 1)], 0.5: [("next", 1)]})
    sp = spans(shown)
    assert [c for c, _, _ in sp] == ["busy", "next"]
    assert sp[1][1] == pytest.approx(1.5, abs=FRAME + 1e-6)  # 1.0 s showing + 0.5 s gap


def test_gap_between_cues() -> None:
    s = CueScheduler(show_s=1.0, cooldown_s=8.0, gap_s=0.7, max_wait_s=5.0)
    shown = simulate(s, 5.0, {0.0: [("a", 1)], 1.2: [("b", 1)]})
    sp = spans(shown)
    assert [c for c, _, _ in sp] == ["a", "b"]
    assert sp[1][1] == pytest.approx(1.7, abs=FRAME + 1e-6)  # a ends at 1.0, +0.7
    blank = [t for t, code in shown if sp[0][2] < t < sp[1][1]]
    assert blank and all(code is None for t, code in shown if sp[0][2] < t < sp[1][1])


def test_repeated_offers_of_a_pending_code_do_not_pile_up() -> None:
    s = CueScheduler(show_s=1.0, cooldown_s=2.0, gap_s=0.0, max_wait_s=10.0)
    offers = {round(i * 0.1, 1): [("x", 1)] for i in range(10)}  # offered every 0.1 s for a second
    offers[0.0] = [("busy", 2)]
    simulate(s, 6.0, offers)
    assert [c.code for c in s.given].count("x") == 1


def test_given_lists_every_cue_shown_in_order() -> None:
    s = CueScheduler(show_s=1.0, cooldown_s=4.0, gap_s=0.5, max_wait_s=2.0)
    simulate(s, 6.0, {0.0: [("a", 1)], 1.0: [("b", 2)], 5.0: [("a", 1)], 5.5: [("c", 3)]})
    given = s.given
    assert all(isinstance(c, Cue) for c in given)
    assert [c.code for c in given] == ["a", "b", "a", "c"]
    assert [c.text for c in given] == ["say a", "say b", "say a", "say c"]
    assert [c.priority for c in given] == [1, 2, 1, 3]
    times = [c.t for c in given]
    assert times == sorted(times)
    # b waits for a's showing and the gap; c preempts the second a at once
    assert times == pytest.approx([0.0, 1.5, 5.0, 5.5], abs=FRAME + 1e-6)
    assert s.current is not None and s.current.code == "c"
