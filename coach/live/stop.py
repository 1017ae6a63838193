"""Ctrl-C, SIGTERM and SIGHUP during a live session: asked to stop, the loop ends after the current
frame and writes the report as for any other ending."""

from __future__ import annotations

import signal
from typing import Optional

from coach.stopping import install, restore


class StopRequests:
    """Ctrl-C, SIGTERM and SIGHUP ask the loop to stop after the current frame (the report is then
    written as for any other ending); a second Ctrl-C interrupts at once."""

    def __init__(self) -> None:
        self.reason: Optional[str] = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> "StopRequests":
        self._previous = install(("SIGINT", "SIGTERM", "SIGHUP"), self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        restore(self._previous)

    def _on_signal(self, signum: int, frame: Optional[object]) -> None:
        if self.reason is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.reason = "interrupted" if signum == signal.SIGINT else "terminated"
