"""Spoken cues: a text-to-speech program run on a background thread, never on the video loop's.

``say`` only drops the text in a one-place mailbox and returns: a cue that arrives while another
is being spoken replaces any cue still waiting, so the voice never falls behind what is on screen
(the newest cue wins, stale ones are never read out). ``interrupt=True`` also cuts off what is
being said (the pain stop). The engine is the ``espeak-ng`` program (``espeak`` also works),
found on PATH; ``COACH_TTS`` can name another command line that takes the text as its last
argument. Without one, or when it cannot play sound, the coach says once that speech is off and
carries on silently.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from typing import Callable, Optional, Sequence

ENGINES: tuple[tuple[str, ...], ...] = (("espeak-ng", "-s", "160"), ("espeak", "-s", "160"))


def default_command() -> Optional[list[str]]:
    """The TTS command line to use (text appended), or None when no engine is installed."""
    custom = os.environ.get("COACH_TTS", "").strip()
    if custom:
        argv = shlex.split(custom)
        return argv if shutil.which(argv[0]) else None
    for engine in ENGINES:
        if shutil.which(engine[0]):
            return list(engine)
    return None


def no_engine_reason() -> str:
    """Why there is no engine, and how to get one (the first words of the ``speech off`` line)."""
    custom = os.environ.get("COACH_TTS", "").strip()
    if custom:
        return f"COACH_TTS names {shlex.split(custom)[0]}, which is not installed (or unset COACH_TTS to use espeak-ng)"
    return "espeak-ng is not installed (sudo apt-get install espeak-ng)"


def _print_notice(text: str) -> None:
    print(text, file=sys.stdout, flush=True)


class Speaker:
    """Speaks the newest cue, one at a time. ``command=None`` looks for an engine (``default_command``)."""

    def __init__(self, command: Optional[Sequence[str]] = None, notify: Callable[[str], None] = _print_notice,
                 muted: bool = False, detect: bool = True) -> None:
        self.command: Optional[list[str]] = list(command) if command else (default_command() if detect else None)
        self.notify = notify
        self.muted = muted
        self.off_reason: Optional[str] = None
        self.spoken: list[str] = []  # what was handed to the engine, in order (for tests and the record)
        self._pending: Optional[str] = None
        self._proc: Optional[subprocess.Popen] = None
        self._generation = 0  # bumped by every cut (interrupt, mute, close)
        self._busy = False  # an utterance is being started or spoken
        self._closed = False
        self._cond = threading.Condition()
        self._thread: Optional[threading.Thread] = None
        if self.command is None:
            self._turn_off(no_engine_reason())
        else:
            self._thread = threading.Thread(target=self._run, name="coach-speech", daemon=True)
            self._thread.start()

    @property
    def available(self) -> bool:
        return self.off_reason is None

    def _turn_off(self, reason: str) -> None:
        if self.off_reason is None:
            self.off_reason = reason
            self.notify(f"speech off: {reason}; cues are shown on screen only")

    def say(self, text: str, interrupt: bool = False) -> None:
        """Queue ``text`` (replacing anything not yet spoken); returns at once."""
        text = text.strip()
        if not text or self.muted or not self.available:
            return
        with self._cond:
            self._pending = text
            if interrupt:
                self._cut()
            self._cond.notify_all()

    def toggle_mute(self) -> bool:
        """Mute or unmute; muting also silences what is being said. Returns the new state."""
        with self._cond:
            self.muted = not self.muted
            if self.muted:
                self._pending = None
                self._cut()
        return self.muted

    def _cut(self) -> None:
        """Stop what is being said (called holding the lock). The generation count also stops an
        utterance whose program is being started right now."""
        self._generation += 1
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()

    def _run(self) -> None:
        assert self.command is not None
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                text, self._pending = self._pending, None
                self._busy = True
                generation = self._generation
                self.spoken.append(text)
            try:  # started outside the lock: ``say`` on the video loop never waits for a process start
                proc = subprocess.Popen(self.command + [text], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            except OSError as err:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
                self._turn_off(f"cannot run {self.command[0]} ({err.strerror or err})")
                return
            with self._cond:
                self._proc = proc
                if generation != self._generation or self._closed:
                    proc.terminate()
            _, err = proc.communicate()  # the engine speaks; the loop carries on meanwhile
            with self._cond:
                self._proc, self._busy = None, False
                self._cond.notify_all()
            problem = _playback_problem(proc.returncode, err.decode("utf-8", "replace"))
            if problem:
                self._turn_off(f"{self.command[0]} cannot play sound ({problem}: check that a sound device "
                               "is connected and not taken by another program)")
                return

    def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` s for what is queued and being said to finish (the last words of a
        session, such as the pain stop, are not cut off by the program exiting)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.available and (self._pending is not None or self._busy) and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(min(left, 0.05))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._pending = None
            self._cut()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2.0)


def _playback_problem(returncode: int, stderr: str) -> Optional[str]:
    """Why the engine could not speak, or None. A cue cut short (terminated: negative return code) is
    no problem. espeak-ng exits 0 even with no sound device, but says ``error: ...`` on stderr."""
    if returncode < 0:
        return None
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith("error")]
    if returncode != 0:
        return (errors or lines or [f"exit status {returncode}"])[-1]
    return errors[-1] if errors else None
