"""SIGTERM and SIGHUP end a batch job (``coach analyze``) the way Ctrl-C does: the work stops, the
report is written from what was done, and the exit status says which signal it was (128 + its
number, as a shell reports it).

While the work runs a signal raises ``Stopped`` (a KeyboardInterrupt, so one ``except`` catches
both); once the work is over (``finishing``) a signal is only remembered, so writing the report is
never cut short."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Callable, Optional

SIGNALS = ("SIGTERM", "SIGHUP")


Handler = Callable[[int, Optional[FrameType]], None]


def install(names: tuple[str, ...], handler: Handler) -> dict[int, object]:
    """Handle the signals ``names`` (those this platform has) with ``handler``, in the main thread
    only (Python runs handlers there); returns the handlers they had, for ``restore``."""
    previous: dict[int, object] = {}
    if threading.current_thread() is threading.main_thread():
        for name in names:
            sig = getattr(signal, name, None)
            if sig is not None:
                previous[sig] = signal.signal(sig, handler)
    return previous


def restore(previous: dict[int, object]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)  # type: ignore[arg-type]
    previous.clear()


class Stopped(KeyboardInterrupt):
    """The job was asked to stop by a signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class StopSignals:
    """``with StopSignals() as stop:`` around a job; ``stop.finishing()`` once only the report is
    left to write; ``stop.signum`` is the signal that stopped it (None: none did)."""

    def __init__(self) -> None:
        self.signum: Optional[int] = None
        self._raising = True
        self._previous: dict[int, object] = {}

    def __enter__(self) -> "StopSignals":
        self._previous = install(SIGNALS, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        restore(self._previous)

    def finishing(self) -> None:
        """From now on a signal is remembered, not raised: the report gets written."""
        self._raising = False

    def _on_signal(self, signum: int, frame: Optional[FrameType]) -> None:
        self.signum = self.signum or signum
        if self._raising:
            self._raising = False  # one Stopped is enough: the job is winding down
            raise Stopped(signum)

    @property
    def exit_status(self) -> Optional[int]:
        return None if self.signum is None else 128 + self.signum
