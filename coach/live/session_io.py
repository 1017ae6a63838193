"""What a live session (``coach live``, ``coach routine``) talks to the person through, opened and
closed in one place: the terminal's status line (headless), the speaker, the window (or none), the
keys typed in a terminal, and the grabber of the camera's frames."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional

from coach.live.capture import LatestFrameGrabber
from coach.live.display import Headless, TerminalKeys, Window, no_keys
from coach.live.speech import Speaker
from coach.live.status_line import StatusLine


@dataclass
class SessionIO:
    status: Optional[StatusLine]  # headless: the live line in a terminal, plain lines in a pipe
    speaker: Speaker
    display: Any  # Window | Headless
    keys: Any  # TerminalKeys | no_keys
    terminal: bool  # headless in a terminal: keys are typed there
    grabber: LatestFrameGrabber

    @classmethod
    def open(cls, reader: Any, title: str, headless: bool, mute: bool) -> "SessionIO":
        status = StatusLine() if headless else None
        speaker = Speaker(muted=mute, notify=status.say if status is not None else print)
        display = Headless() if headless else Window(f"coach - {title}", reader.width, reader.height)
        terminal = headless and sys.stdin is not None and sys.stdin.isatty()
        return cls(status, speaker, display, TerminalKeys() if terminal else no_keys, terminal,
                   LatestFrameGrabber(reader))

    @property
    def notice(self) -> Callable[[str], None]:
        """Where a line for the person goes: the status line, else standard output."""
        return self.status.say if self.status is not None else print

    def close(self, before_speaker: Callable[[], None] = lambda: None, drain_s: float = 0.0) -> None:
        """Everything closed, the typed keys echoed again. ``before_speaker``: what else to close before
        the speaker; ``drain_s``: let what is being said finish first (pain advice)."""
        if isinstance(self.keys, TerminalKeys):
            self.keys.echo(True)
        if self.status is not None:
            self.status.close()
        self.grabber.stop()
        self.display.close()
        before_speaker()
        if drain_s:
            self.speaker.drain(drain_s)
        self.speaker.close()
