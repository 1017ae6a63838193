"""The hold timer: back-dated start, pauses while not counting, stop takes back time after the end."""

from __future__ import annotations

import numpy as np
import pytest

from coach.engine.hold import HoldTimer

FRAME = 1.0 / 30.0


def tick(timer: HoldTimer, t0: float, t1: float, counting: bool = True) -> float:
    """Frames from t0 (exclusive) to t1 (inclusive) at 30 fps."""
    n = int(round((t1 - t0) / FRAME))
    for i in range(1, n + 1):
        timer.update(t0 + i * FRAME, counting)
    return t0 + n * FRAME


def test_idle_timer_counts_nothing() -> None:
    timer = HoldTimer(2.0)
    tick(timer, 0.0, 3.0, counting=True)
    assert timer.elapsed == 0.0
    assert not timer.running
    assert not timer.met


def test_start_is_back_dated() -> None:
    timer = HoldTimer(2.0)
    timer.update(5.0, counting=False)
    timer.start(4.7, now=5.0)  # the hold began 0.3 s before it was recognised
    assert timer.running
    assert timer.elapsed == pytest.approx(0.3)
    t = tick(timer, 5.0, 6.0)
    assert timer.elapsed == pytest.approx(t - 4.7)


def test_start_in_the_future_counts_from_now() -> None:
    timer = HoldTimer(2.0)
    timer.start(5.2, now=5.0)
    assert timer.elapsed == 0.0


def test_pauses_while_not_counting() -> None:
    timer = HoldTimer(2.0)
    timer.start(0.0, now=0.0)
    t = tick(timer, 0.0, 1.0, counting=True)
    assert timer.elapsed == pytest.approx(1.0)
    t = tick(timer, t, 1.5, counting=False)  # e.g. the hips can't be seen
    assert timer.elapsed == pytest.approx(1.0)
    assert timer.running
    t = tick(timer, t, 2.5, counting=True)
    assert timer.elapsed == pytest.approx(2.0)
    assert timer.met


def test_a_frame_gap_while_paused_is_not_counted_on_resume() -> None:
    """Counting resumes from the last update, not from when the pause began."""
    timer = HoldTimer(2.0)
    timer.start(0.0, now=0.0)
    timer.update(1.0, counting=True)
    timer.update(3.0, counting=False)
    timer.update(3.0 + FRAME, counting=True)
    assert timer.elapsed == pytest.approx(1.0 + FRAME)


def test_stop_takes_back_the_time_after_the_end() -> None:
    timer = HoldTimer(2.0)
    timer.start(0.0, now=0.0)
    t = tick(timer, 0.0, 2.4)
    held = timer.stop(2.1, now=t)  # the hold really ended at 2.1, recognised at 2.4
    assert held == pytest.approx(2.1)
    assert timer.elapsed == pytest.approx(2.1)
    assert not timer.running
    assert timer.met
    tick(timer, t, 3.0, counting=True)  # a stopped timer stays put
    assert timer.elapsed == pytest.approx(2.1)


def test_stop_never_goes_negative_and_second_stop_changes_nothing() -> None:
    timer = HoldTimer(2.0)
    timer.start(1.0, now=1.1)
    assert timer.stop(0.5, now=1.1) == 0.0
    assert timer.stop(0.0, now=5.0) == 0.0


def test_met_is_reached_exactly_at_the_target() -> None:
    timer = HoldTimer(1.0)
    timer.start(0.0, now=0.0)
    tick(timer, 0.0, 1.0 - FRAME)
    assert not timer.met
    tick(timer, 1.0 - FRAME, 1.0 + FRAME)
    assert timer.met


def test_restart_begins_a_new_hold() -> None:
    timer = HoldTimer(2.0)
    timer.start(0.0, now=0.0)
    t = tick(timer, 0.0, 3.0)
    timer.stop(t, now=t)
    timer.start(t + 1.0, now=t + 1.2)
    assert timer.elapsed == pytest.approx(0.2)


def test_stop_takes_back_only_time_that_was_counted() -> None:
    timer = HoldTimer(2.0)
    timer.start(0.0, now=0.0)
    t = tick(timer, 0.0, 1.0, counting=True)
    t = tick(timer, t, 1.5, counting=False)  # paused: nothing counted from 1.0 to 1.5
    t = tick(timer, t, 1.6, counting=True)  # 0.1 s counted
    held = timer.stop(1.0, now=t)  # the hold ended at 1.0: take back the 0.1 s counted after it
    assert held == pytest.approx(1.0)


def test_elapsed_never_decreases_while_running() -> None:
    rng = np.random.default_rng(3)
    timer = HoldTimer(2.0)
    timer.start(0.0, now=0.0)
    last = timer.elapsed
    t = 0.0
    for counting in rng.random(200) < 0.7:
        t += FRAME
        timer.update(t, bool(counting))
        assert timer.elapsed >= last
        last = timer.elapsed
    assert last < t


def test_a_hold_found_late_keeps_its_length_between_updates() -> None:
    """A brief pause found after the fact (start and end both back-dated within one update) counts
    from its start to its end, not zero."""
    timer = HoldTimer(0.0)
    timer.update(10.0, counting=False)
    timer.start(9.8, 10.0)
    assert timer.stop(9.93, 10.0) == pytest.approx(0.13)
