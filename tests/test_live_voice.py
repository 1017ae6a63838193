"""What the live coach says aloud about a hold: the last seconds of a long hold counted down."""

from __future__ import annotations

import dataclasses
import math

from coach.engine.records import FrameResult
from coach.live.voice import RELEASE_SAY, Voice


class Said:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, text: str) -> None:
        self.lines.append(text)


BASE = FrameResult(index=0, t=0.0, state="active", phase="hold", side="left", message="", measures={},
                   key_measure="hip_angle", status="good", reps=0, good_reps=0, hold_s=0.0, hold_target_s=30.0,
                   holding=True, cue=None)


def hold(voice: Voice, elapsed: list[float], target: float = 30.0, faults_from: float = math.inf) -> None:
    for i, e in enumerate(elapsed):
        voice.coaching(i / 30, dataclasses.replace(BASE, index=i, t=i / 30, hold_s=e, hold_target_s=target,
                                                   hold_faults=("sag",) if e >= faults_from else ()))


def test_the_last_three_seconds_of_a_long_hold_are_counted_down_each_once_then_release() -> None:
    said = Said()
    voice = Voice(said)  # type: ignore[arg-type]
    hold(voice, [i / 30 for i in range(0, 32 * 30)])  # 0 .. 32 s, the target 30 s
    assert said.lines == ["3", "2", "1", RELEASE_SAY]


def test_a_short_hold_target_is_not_counted_down() -> None:
    said = Said()
    hold(Voice(said), [i / 30 for i in range(0, 3 * 30)], target=2.0)  # type: ignore[arg-type]
    assert said.lines == []


def test_the_countdown_stops_while_form_fails_and_starts_again_for_the_next_hold() -> None:
    said = Said()
    voice = Voice(said)  # type: ignore[arg-type]
    hold(voice, [i / 30 for i in range(0, 30 * 30)], faults_from=27.5)  # form fails with 2.5 s to go
    assert said.lines == ["3"]
    voice.coaching(31.0, dataclasses.replace(BASE, holding=False, phase="rest"))  # released
    hold(voice, [i / 30 for i in range(0, 31 * 30)])
    assert said.lines == ["3", "3", "2", "1", RELEASE_SAY]
