"""What the live coach says aloud, and when: set-up guidance, the countdown, the checker's cues."""

from __future__ import annotations

from typing import Optional

from coach.engine.cues import Cue, CueScheduler
from coach.engine.records import FrameResult
from coach.live.setup import COUNTDOWN, READY, SetupStep
from coach.live.speech import Speaker


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
        cue = result.cue
        if cue is not None and (cue.t, cue.code) != self._cue:
            self._cue = (cue.t, cue.code)
            self.speaker.say(cue.text)
        elif result.state != "active" and result.message:
            self._message(t, "state", result.message)

    def _message(self, t: float, code: str, text: str) -> None:
        self.messages.offer(t, f"{code}:{text}", text)  # a new wording is a new message
        shown = self.messages.update(t)
        if shown is not None and shown is not self._said:
            self._said = shown
            self.speaker.say(shown.text)
