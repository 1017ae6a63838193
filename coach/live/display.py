"""Where the live picture goes: an OpenCV window, or nowhere (``--headless``); and the keys.

Keys: ``q``/Esc quit, space pause/resume, ``m`` mute, ``p`` pain. In the window they are read by
``cv2.waitKey``; headless, from the terminal when there is one (type the key, then Enter), or
from any callable a test injects. Closing the window ends the session like ``q``.

OpenCV's window (Qt in the opencv-contrib wheel) aborts the whole process when it cannot reach a
display, with no exception to catch, so ``display_problem`` checks for one before any window is
opened.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from typing import Callable, Optional, Protocol

import numpy as np

QUIT, PAUSE, MUTE, PAIN = "quit", "pause", "mute", "pain"
KEYS: dict[str, str] = {"q": QUIT, "\x1b": QUIT, " ": PAUSE, "m": MUTE, "p": PAIN}
WORDS: dict[str, str] = {"space": PAUSE, "pause": PAUSE, "resume": PAUSE, "esc": QUIT, "quit": QUIT,
                         "mute": MUTE, "pain": PAIN}

KeySource = Callable[[], Optional[str]]  # the next key pressed (a character), or None


def action_for(key: Optional[str]) -> Optional[str]:
    """The action of a key (``q``, Esc, space, ``m``, ``p``; upper case too), or None."""
    if not key:
        return None
    return KEYS.get(key if key in (" ", "\x1b") else key.lower())


class Display(Protocol):
    def show(self, image: np.ndarray) -> None: ...

    def key(self) -> Optional[str]: ...

    def wait_key(self, seconds: float) -> Optional[str]: ...

    def closed(self) -> bool: ...

    def close(self) -> None: ...


def display_problem(environ: Optional[dict] = None) -> Optional[str]:
    """Why no window can be opened here (Linux without a reachable X display), or None."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        wayland = " (a Wayland session without XWayland is not supported)" if env.get("WAYLAND_DISPLAY") else ""
        return f"no display to open the window on: DISPLAY is not set{wayland}"
    if not _x_server_answers(display):
        return f"cannot reach the display {display} (is the X server running?)"
    return None


def _x_server_answers(display: str) -> bool:
    """Connect to the X server named by DISPLAY ("[host]:N[.S]"), without speaking X."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return True  # an unusual DISPLAY: let the window try
    try:
        if host in ("", "unix"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(1.0)
                try:
                    s.connect(f"/tmp/.X11-unix/X{number}")
                except OSError:
                    s.connect(f"\0/tmp/.X11-unix/X{number}")  # Linux abstract socket
            return True
        with socket.create_connection((host, 6000 + int(number)), timeout=1.0):
            return True
    except OSError:
        return False


class Window:
    """A resizable OpenCV window showing the annotated frames, sized to fit the screen: a picture
    larger than the screen is scaled down to it, aspect kept (``screen.fit_size``)."""

    def __init__(self, title: str, width: int, height: int, screen: Optional[tuple[int, int]] = None) -> None:
        import cv2

        from coach.live.screen import fit_size, screen_size

        self._cv2 = cv2
        self.title = title
        screen = screen or screen_size()
        self.size = fit_size(width, height, *screen) if screen else (width, height)
        # Resizable, aspect kept, no toolbar (the Qt build's pan/zoom buttons mean nothing here).
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        cv2.resizeWindow(title, *self.size)
        if screen and self.size != (width, height):
            cv2.moveWindow(title, 0, 0)  # a window as large as the screen starts at its corner
        self._shown = False

    def show(self, image: np.ndarray) -> None:
        self._cv2.imshow(self.title, fit_image(image, self.size))
        if not self._shown:
            # The first time, give the window system time to map and expose the window before the
            # next frame's inference keeps the event loop away. (A window that stays black for good
            # is Qt losing its MapNotify under load, which no wait here prevents: see the README.)
            self._cv2.waitKey(100)
        self._shown = True

    def key(self) -> Optional[str]:
        code = self._cv2.waitKey(1)  # also what paints the window: call once per frame
        if code < 0:
            return None
        return chr(code & 0xFF)

    def wait_key(self, seconds: float) -> Optional[str]:
        """Wait up to ``seconds`` for a key (the window stays responsive), or until it is closed."""
        code = self._cv2.waitKey(max(1, int(seconds * 1000)))
        return None if code < 0 else chr(code & 0xFF)

    def closed(self) -> bool:
        if not self._shown:
            return False
        try:
            return self._cv2.getWindowProperty(self.title, self._cv2.WND_PROP_VISIBLE) < 1
        except self._cv2.error:  # already destroyed
            return True

    def close(self) -> None:
        try:
            self._cv2.destroyWindow(self.title)
            self._cv2.waitKey(1)
        except self._cv2.error:
            pass


def fit_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` scaled down to ``size`` (w, h) when it is larger (area averaging keeps text legible);
    as it is otherwise. The window then shows every pixel of the picture, never a part of it."""
    h, w = image.shape[:2]
    if (w, h) == size or w <= size[0] and h <= size[1]:
        return image
    import cv2

    scale = min(size[0] / w, size[1] / h)
    return cv2.resize(image, (max(1, int(round(w * scale))), max(1, int(round(h * scale)))),
                      interpolation=cv2.INTER_AREA)


class Headless:
    """No window: frames go nowhere."""

    def show(self, image: np.ndarray) -> None:
        pass

    def key(self) -> Optional[str]:
        return None

    def wait_key(self, seconds: float) -> Optional[str]:
        return None

    def closed(self) -> bool:
        return False

    def close(self) -> None:
        pass


def line_key(line: str) -> Optional[str]:
    """The key a line typed in the terminal stands for: its first character (``q``, ``m``, ``p``), a
    space (or the word ``space``), or a word such as ``quit``, ``pause``, ``mute``, ``pain``."""
    text = line.rstrip("\r\n")
    word = text.strip().lower()
    if not word:
        return " " if text else None
    action = WORDS.get(word)
    if action is not None:
        return next(k for k, a in KEYS.items() if a == action)
    return word[0]


class TerminalKeys:
    """Keys typed in the terminal (a line at a time: ``p`` then Enter), for headless sessions. A
    daemon thread reads stdin so the loop never waits for it."""

    def __init__(self) -> None:
        self._lines: list[str] = []  # as typed: keys while coaching, the pain rating's number at the end
        self._cond = threading.Condition()
        self._saved: Optional[list] = None  # the terminal's settings while echo is off
        threading.Thread(target=self._run, name="coach-keys", daemon=True).start()

    def echo(self, on: bool) -> None:
        """Turn the terminal's echo of typed keys off (while the status line is redrawn in place, a
        typed ``p`` would be left standing in it) or back on (the pain rating's number is seen as it
        is typed; and at the end, whatever happens). Harmless where stdin is no terminal."""
        try:
            import termios
        except ImportError:  # not on Windows
            return
        fd = sys.stdin.fileno()
        try:
            if not on and self._saved is None:
                self._saved = termios.tcgetattr(fd)
                quiet = termios.tcgetattr(fd)
                quiet[3] &= ~termios.ECHO  # lflag: no echo; lines are still read whole (Enter)
                termios.tcsetattr(fd, termios.TCSANOW, quiet)
            elif on and self._saved is not None:
                termios.tcsetattr(fd, termios.TCSANOW, self._saved)
                self._saved = None
        except (termios.error, ValueError, OSError):
            pass

    def _run(self) -> None:
        try:
            for line in sys.stdin:
                with self._cond:
                    self._lines.append(line)
                    self._cond.notify_all()
        except (OSError, ValueError):  # the terminal went away: no more keys, the session goes on
            pass

    def __call__(self) -> Optional[str]:
        with self._cond:
            while self._lines:
                key = line_key(self._lines.pop(0))
                if key:
                    return key
            return None

    def read_line(self, timeout: float) -> Optional[str]:
        """The next line typed, waiting up to ``timeout`` s (None if none came)."""
        with self._cond:
            if not self._lines:
                self._cond.wait(timeout)
            return self._lines.pop(0) if self._lines else None


def no_keys() -> Optional[str]:
    return None
