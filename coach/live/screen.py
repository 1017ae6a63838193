"""The size of the screen the live window opens on, and the window size that fits the picture on it.

A portrait 1080x1920 phone camera on a 1280x800 laptop screen must show the whole picture (the
person), not a corner of it: the window is the picture scaled down to the screen, aspect kept.

The screen's size comes from the X server named by DISPLAY (libX11 through ctypes: no extra
package, and the only window system ``coach live`` opens windows on, see ``display``), asked in a
short-lived child process: Xlib used in the process before Qt initialises it (XInitThreads must come
first) could upset the Qt inside OpenCV. Where it cannot be read the picture is shown at its own
size, as before. ``COACH_SCREEN=WxH`` overrides it (a screen that reports a wrong size, or a test).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import subprocess
import sys
from typing import Optional

# Room left for the window's title bar and the desktop's panels: the picture takes at most this share.
FILL_W, FILL_H = 0.95, 0.88


def fit_size(width: int, height: int, screen_w: int, screen_h: int) -> tuple[int, int]:
    """The window size for a ``width`` x ``height`` picture on a ``screen_w`` x ``screen_h`` screen:
    the picture scaled down (never up) to fit inside the usable part of the screen, aspect kept."""
    if width <= 0 or height <= 0 or screen_w <= 0 or screen_h <= 0:
        return width, height
    scale = min(1.0, FILL_W * screen_w / width, FILL_H * screen_h / height)
    return max(1, int(width * scale)), max(1, int(height * scale))


def screen_size(display: Optional[str] = None) -> Optional[tuple[int, int]]:
    """(width, height) in pixels of the default screen of ``display`` (default: $DISPLAY), or None."""
    override = os.environ.get("COACH_SCREEN", "").strip()
    match = re.fullmatch(r"(\d+)x(\d+)", override)
    if match:
        return int(match.group(1)), int(match.group(2))
    target = display if display is not None else os.environ.get("DISPLAY", "")
    if not target:
        return None
    try:
        proc = subprocess.run([sys.executable, "-m", "coach.live.screen", target], capture_output=True, text=True,
                              timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.fullmatch(r"(\d+)x(\d+)", proc.stdout.strip())
    return (int(match.group(1)), int(match.group(2))) if proc.returncode == 0 and match else None


def _query(target: str) -> Optional[tuple[int, int]]:
    """The screen size from libX11, in this process (the child's side of ``screen_size``)."""
    name = ctypes.util.find_library("X11")
    if not name:
        return None
    try:
        x = ctypes.cdll.LoadLibrary(name)
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XDefaultScreen.argtypes = [ctypes.c_void_p]
        x.XDisplayWidth.argtypes = [ctypes.c_void_p, ctypes.c_int]
        x.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
        x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        d = x.XOpenDisplay(target.encode())
        if not d:
            return None
        try:
            screen = x.XDefaultScreen(d)
            w, h = int(x.XDisplayWidth(d, screen)), int(x.XDisplayHeight(d, screen))
        finally:
            x.XCloseDisplay(d)
    except (OSError, AttributeError):
        return None
    return (w, h) if w > 0 and h > 0 else None


if __name__ == "__main__":
    size = _query(sys.argv[1]) if len(sys.argv) == 2 else None
    if size is None:
        sys.exit(1)
    print(f"{size[0]}x{size[1]}")
