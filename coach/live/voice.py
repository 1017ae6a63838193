"""What the live coach says aloud, and when: set-up guidance, the countdown, the checker's cues."""

from __future__ import annotations

import math
from typing import Optional

from coach.engine.cues import Cue, CueScheduler
from coach.engine.records import FrameResult
from coach.live.setup import COUNTDOWN, READY, SetupStep
from coach.live.speech import Speaker


# The last seconds of a long hold are counted down aloud ("3", "2", "1", then RELEASE_SAY): a person
# holding a stretch for 30 s has their eyes shut or on the floor, not on the screen. Short holds (a
# bridge's 2 s) are not: a countdown would be all the coach says.
COUNTDOWN_FROM_TARGET_S = 10.0
COUNTDOWN_S = 3
RELEASE_SAY = "And release"


class Voice:
    """What is said aloud and when. Set-up guidance and "can't see you" messages go through a
    CueScheduler (one at a time, each not repeated within its cool-down: a problem that persists is
    repeated every ``cooldown_s``); the checker's cues are said as its own scheduler shows them,
    so voice and overlay agree; the countdown is said as it ticks."""

    def __init__(self, speaker: Speaker) -> None:
        self.speaker = speaker
        self.messages = CueScheduler(show_s=2.5, cooldown_s=8.0, gap_s=0.3, max_wait_s=1.0)
        self._said: Optional[Cue] = None
        self._cue: Optional[tuple[float, str]] = None
        self._tick: Optional[int] = None
        self._hold_said: Optional[int] = None  # the last number counted down in this hold (0: release said)

    def setup(self, t: float, step: SetupStep) -> None:
        if step.code == COUNTDOWN:
            if step.countdown != self._tick:
                self.speaker.say(f"Stay there. {step.countdown}" if self._tick is None else str(step.countdown))
                self._tick = step.countdown
            return
        self._tick = None
        if step.code == READY:
            self.speaker.say("Go!")
            return
        self._message(t, step.code, step.message)

    def coaching(self, t: float, result: FrameResult) -> None:
        self._count_down(result)
        cue = result.cue
        if cue is not None and (cue.t, cue.code) != self._cue:
            self._cue = (cue.t, cue.code)
            self.speaker.say(cue.text)
        elif result.state != "active" and result.message:
            self._message(t, "state", result.message)

    def _count_down(self, result: FrameResult) -> None:
        """The hold's last seconds, each number once; the timer stops while form fails, and so does this."""
        if not result.holding:
            self._hold_said = None
            return
        target = result.hold_target_s
        if target < COUNTDOWN_FROM_TARGET_S or result.hold_faults:
            return
        left = math.ceil(max(target - result.hold_s, 0.0) - 1e-9)
        if left > COUNTDOWN_S or left == self._hold_said or self._hold_said == 0:
            return
        self._hold_said = left
        self.speaker.say(str(left) if left > 0 else RELEASE_SAY)

    def _message(self, t: float, code: str, text: str) -> None:
        self.messages.offer(t, f"{code}:{text}", text)  # a new wording is a new message
        shown = self.messages.update(t)
        if shown is not None and shown is not self._said:
            self._said = shown
            self.speaker.say(shown.text)
