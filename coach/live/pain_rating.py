"""At the end of a live session, one question: "How is your pain now, 0 to 10?".

Asked once, on screen and aloud, after a session that ended as the person chose (quit, the window
closed, the time limit, the end of a video played as a camera, the pain stop) or with the camera
lost; never after Ctrl-C or SIGTERM, and never when nobody can answer (no window, and stdin not a
terminal): a test or ``--camera video.mp4 --headless`` in a pipe never waits for it.

- In the window: a key, 0-9, or ``t`` for 10; Enter or Esc skips.
- In a terminal: a number 0-10, then Enter; Enter alone skips.
- Nothing within ``timeout_s`` (15 s) skips too, and so does Ctrl-C.

The answer goes into report.json as ``"pain_rating": {"value": 0-10, "asked_at_s": session time}``.
"""

from __future__ import annotations

import time
from typing import Callable, Optional, Protocol, Union

import numpy as np

QUESTION = "How is your pain now, 0 to 10?"
WINDOW_HINT = "Press 0 to 9, or t for 10. Enter or Esc skips."
TERMINAL_HINT = "Type a number from 0 to 10 and press Enter (Enter alone skips):"
# Endings after which the question is asked: the person is there and chose to stop (or the camera went).
ASK_AFTER = frozenset({"quit", "window_closed", "max_seconds", "video_ended", "camera_lost", "pain"})
SKIP = "skip"


def rating_for_key(key: Optional[str]) -> Union[int, str, None]:
    """A key pressed in the window: 0-9 (``t`` is 10), SKIP for Enter/Esc, None for any other key."""
    if not key:
        return None
    if key in "0123456789":
        return int(key)
    if key.lower() == "t":
        return 10
    if key in ("\r", "\n", "\x1b"):
        return SKIP
    return None


def rating_for_line(line: str) -> Union[int, str, None]:
    """A line typed in the terminal: 0-10, SKIP for an empty line, None for anything else."""
    text = line.strip().lower()
    if not text:
        return SKIP
    if text.isdigit() and 0 <= int(text) <= 10:
        return int(text)
    return {"ten": 10, "t": 10}.get(text)


Cancelled = Callable[[], bool]  # True once the question must be given up (Ctrl-C while it is asked)


def _never() -> bool:
    return False


class Asker(Protocol):
    def ask(self, image: Optional[np.ndarray], cancelled: Cancelled = _never) -> Optional[int]: ...


class WindowAsker:
    """The question over the last picture, answered by a key in the window."""

    def __init__(self, display: object, timeout_s: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.display, self.timeout_s, self.clock = display, timeout_s, clock

    def ask(self, image: Optional[np.ndarray], cancelled: Cancelled = _never) -> Optional[int]:
        from coach.live.hud import draw_banner

        if image is not None:
            shown = image.copy()
            draw_banner(shown, f"{QUESTION} {WINDOW_HINT}")
            self.display.show(shown)  # type: ignore[attr-defined]
        deadline = self.clock() + self.timeout_s
        while not self.display.closed():  # type: ignore[attr-defined]
            left = deadline - self.clock()
            if left <= 0 or cancelled():
                return None
            answer = rating_for_key(self.display.wait_key(min(left, 0.25)))  # type: ignore[attr-defined]
            if answer == SKIP:
                return None
            if isinstance(answer, int):
                return answer
        return None


class TerminalAsker:
    """The question in the terminal, answered by a line typed there (``read_line``: the next line
    typed within a timeout, or None)."""

    def __init__(self, read_line: Callable[[float], Optional[str]], say: Callable[[str], None] = print,
                 timeout_s: float = 15.0, clock: Callable[[], float] = time.monotonic,
                 before: Callable[[], None] = lambda: None) -> None:
        """``before``: called first (the terminal's echo turned back on)."""
        self.read_line, self.say, self.timeout_s, self.clock = read_line, say, timeout_s, clock
        self.before = before

    def ask(self, image: Optional[np.ndarray], cancelled: Cancelled = _never) -> Optional[int]:
        self.before()
        self.say(f"{QUESTION} {TERMINAL_HINT}")
        deadline = self.clock() + self.timeout_s
        while True:
            left = deadline - self.clock()
            if cancelled():
                return None
            if left <= 0:
                self.say("(no answer: skipped)")
                return None
            line = self.read_line(min(left, 0.25))
            if line is None:
                continue
            answer = rating_for_line(line)
            if answer == SKIP:
                return None
            if isinstance(answer, int):
                return answer
            self.say("Please type a number from 0 to 10, or just Enter to skip:")


def asker_for(headless: bool, display: object, keys: object) -> Optional[Asker]:
    """Who asks: the window, or (headless) the terminal the keys are typed in; None when nobody can answer."""
    from coach.live.display import TerminalKeys

    if not headless:
        return WindowAsker(display)
    if isinstance(keys, TerminalKeys):
        return TerminalAsker(keys.read_line, before=lambda: keys.echo(True))  # the number is seen as typed
    return None
