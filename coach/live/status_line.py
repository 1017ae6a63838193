"""``coach live --headless`` in a terminal: one updating status line, so a session without a window
(and without speech) is not silent.

The line shows the set-up step, the countdown, then reps, the phase, the hold timer and the current
cue; key presses are confirmed on lines of their own ("paused", "muted"). In a terminal the line is a
``rich`` Live display, redrawn in place a few times a second; when stdout is not a terminal (a pipe,
a log file, a test) each new state is printed once as a plain line instead, without the running
hold timer, so the output stays short and readable.

``status_text`` (pure) says what the line shows; ``StatusLine`` puts it on the terminal.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import IO, Optional

from coach.engine.records import FrameResult


@dataclass(frozen=True)
class Status:
    text: str  # the whole line, as a terminal shows it
    key: str  # the same without what changes every frame (the hold timer): a plain-lines log prints on a new key


def status_text(result: FrameResult, counting: bool, countdown: Optional[int] = None, paused: Optional[str] = None,
                hand_up_s: float = 0.0, hand_needed_s: float = 2.0) -> Status:
    """What the status line says for one frame: ``result`` is the checker's view (while setting up,
    the set-up guide's message in it); ``paused`` is the pause message when paused."""
    hand = hand_up_status(hand_up_s, hand_needed_s)
    if hand is not None:
        return hand
    if paused:
        return Status(paused, paused)
    if not counting:
        if countdown is not None:
            text = f"set-up: {result.message} {countdown}"
            return Status(text, text)
        text = f"set-up: {result.message}"
        return Status(text, text)
    if result.state != "active":
        text = f"reps {result.reps} (good {result.good_reps}) | {result.message or result.phase}"
        return Status(text, text)
    parts = [f"reps {result.reps} (good {result.good_reps})", result.phase]
    hold = f"hold {result.hold_s:.1f}"
    hold += f" / {result.hold_target_s:.1f} s" if result.hold_target_s > 0 else " s"
    if result.worked_side:
        hold += f" ({result.worked_side})"
    cue = f"| {result.cue.text}" if result.cue is not None and result.cue.text.strip() else ""
    key_hold = "holding" if result.holding else ""
    text = " | ".join(parts + [hold]) + (f" {cue}" if cue else "")
    return Status(text, " | ".join(parts + [key_hold, cue]))


def hand_up_status(hand_up_s: float, hand_needed_s: float = 2.0) -> Optional[Status]:
    """While a hand is held up: how long until the pain stop (None when no hand is up)."""
    if hand_up_s <= 0.3:
        return None
    left = max(1, int(round(hand_needed_s - hand_up_s + 0.49)))
    return Status(f"hand up: stopping for pain in {left} s (lower it to carry on)", "hand up")


class StatusLine:
    """The status line on ``stream`` (stdout by default): a live line in a terminal, plain lines otherwise."""

    def __init__(self, stream: Optional[IO[str]] = None, interactive: Optional[bool] = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty()) if interactive is None else interactive
        self._key: Optional[str] = None
        self._text: Optional[str] = None
        self._live = None
        if self.interactive:
            from rich.console import Console
            from rich.live import Live

            self._console = Console(file=self.stream, force_terminal=True, highlight=False)
            # Prints from elsewhere (notices, the speech-off line) go above the live line.
            self._live = Live("", console=self._console, refresh_per_second=8, transient=True,
                              redirect_stdout=self.stream is sys.stdout, redirect_stderr=False)
            self._live.start()

    def update(self, status: Status) -> None:
        if self._live is not None:
            if status.text != self._text:
                from rich.text import Text

                self._text = status.text
                self._live.update(Text(status.text, no_wrap=True, overflow="ellipsis"))
        elif status.key != self._key:
            self._print(status.text)
        self._key = status.key

    def say(self, text: str) -> None:
        """A line of its own, kept above the status line (key confirmations, notices)."""
        if self._live is not None:
            from rich.text import Text

            self._console.print(Text(text))
        else:
            self._print(text)

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        """Stop redrawing (the last state stays on screen as a plain line); again: harmless."""
        if self._live is not None:
            live, self._live = self._live, None
            live.stop()
            if self._text:
                self._print(self._text)
