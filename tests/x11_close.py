"""Real windows in tests: a virtual X server, closing a window as its close button does, and typing a key.

``virtual_display()`` runs a fresh Xvfb for one test. ``close_window`` sends WM_DELETE_WINDOW, as
a window manager's close button does; run it as ``python x11_close.py :DISPLAY "title prefix"``
(a subprocess of its own, since it calls libX11 through ctypes): exit 0 when a window was asked to
close, 1 when libX11 or the window was not found. ``press_key`` types a key into the window under
the pointer (``python x11_close.py :DISPLAY --key 7``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Optional


@contextlib.contextmanager
def virtual_display(fbdir: Optional[Path] = None, black: bool = False, size: str = "800x600") -> Iterator[str]:
    """A fresh Xvfb (``size``, 24 bits) for the duration; yields its display name (":12"). With
    ``fbdir`` the screen is kept there as an XWD file (``Xvfb_screen0``); ``black``: a black
    background instead of the root weave."""
    read_fd, write_fd = os.pipe()
    args = ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{size}x24", "-nolisten", "tcp"]
    args += (["-fbdir", str(fbdir)] if fbdir is not None else []) + (["-br"] if black else [])
    xvfb = subprocess.Popen(args, pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        number = os.read(read_fd, 64).decode().strip()
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        os.close(read_fd)
        xvfb.terminate()
        xvfb.wait(timeout=10)


def stop(proc: Optional[subprocess.Popen]) -> None:
    """Kill a test's subprocess that is still running (the test failed before it ended)."""
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def close_window(display: str, title_prefix: str) -> bool:
    """Ask the top-level window whose title starts with ``title_prefix`` to close."""
    name = ctypes.util.find_library("X11")
    if not name:
        return False
    x = ctypes.cdll.LoadLibrary(name)
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultRootWindow.restype = ctypes.c_ulong
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                             ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                             ctypes.POINTER(ctypes.c_uint)]
    x.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]

    class ClientMessage(ctypes.Structure):
        _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                    ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                    ("format", ctypes.c_int), ("l", ctypes.c_long * 5)]

    class Event(ctypes.Union):
        _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]

    x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(Event)]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    d = x.XOpenDisplay(display.encode())
    if not d:
        return False
    try:
        root, parent, children, count = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        x.XQueryTree(d, x.XDefaultRootWindow(d), ctypes.byref(root), ctypes.byref(parent), ctypes.byref(children),
                     ctypes.byref(count))
        for i in range(count.value):
            title = ctypes.c_char_p()
            if x.XFetchName(d, children[i], ctypes.byref(title)) and title.value and \
                    title.value.decode(errors="replace").startswith(title_prefix):
                event = Event()
                event.xclient.type, event.xclient.window, event.xclient.format = 33, children[i], 32  # ClientMessage
                event.xclient.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
                event.xclient.l[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
                x.XSendEvent(d, children[i], 0, 0, ctypes.byref(event))
                x.XFlush(d)
                return True
        return False
    finally:
        x.XCloseDisplay(d)


def press_key(display: str, key: str) -> bool:
    """Type ``key`` (a keysym name: "7", "t", "Escape") into the window under the pointer, as the
    keyboard would (the XTest extension), after moving the pointer into the top-left window."""
    names = ctypes.util.find_library("X11"), ctypes.util.find_library("Xtst")
    if not all(names):
        return False
    x, xt = (ctypes.cdll.LoadLibrary(n) for n in names)  # type: ignore[arg-type]
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XStringToKeysym.restype = ctypes.c_ulong
    x.XStringToKeysym.argtypes = [ctypes.c_char_p]
    x.XKeysymToKeycode.restype = ctypes.c_ubyte
    x.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xt.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_ulong]
    xt.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
    d = x.XOpenDisplay(display.encode())
    if not d:
        return False
    try:
        code = x.XKeysymToKeycode(d, x.XStringToKeysym(key.encode()))
        if not code:
            return False
        xt.XTestFakeMotionEvent(d, -1, 100, 100, 0)  # focus follows the pointer without a window manager
        xt.XTestFakeKeyEvent(d, code, 1, 0)
        xt.XTestFakeKeyEvent(d, code, 0, 30)
        x.XSync(d, 0)
        return True
    finally:
        x.XCloseDisplay(d)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "--key":
        sys.exit(0 if press_key(sys.argv[1], sys.argv[3]) else 1)
    sys.exit(0 if close_window(sys.argv[1], sys.argv[2]) else 1)
