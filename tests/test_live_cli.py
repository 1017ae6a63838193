"""``coach live`` end to end, by the console entry point with real MediaPipe: a sample video played as
a camera (headless, and once in a real window on a virtual X server, closed by its close button),
wrong cameras, no display, the camera disappearing and Ctrl-C. Short sessions keep it quick."""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import numpy as np
import pytest

from coach.history.store import open_history
from e2e_runs import ROOT
from test_cli_errors import assert_clean_failure, write_video
from x11_close import stop, virtual_display

SAMPLE = ROOT / "samples" / "bridge_clean_01.mp4"
SHORT_REP = ROOT / "samples" / "bridge_mixed_05.mp4"  # its reps: 2.1-4.7 s, 5.4-9.7 s
TIMEOUT = 180


def env_without(*names: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in names and k != "COACH_NATIVE_LOGS"}
    env.update(extra)
    return env


def live(*args: str, cwd: Path, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coach", "live", *args], cwd=str(cwd), env=env or env_without(),
                          capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def video_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix.lower() in (".mp4", ".avi", ".mkv", ".mov", ".webm")]


def test_headless_session_counts_reps_from_a_video_played_as_a_camera(tmp_path: Path, coach_dirs: dict) -> None:
    out = tmp_path / "session"
    # A camera does not wait: on a loaded machine the model's start-up and a slower set-up cost the
    # first rep (counting began at 3.5 s once), so the session runs through the second one.
    proc = live("--camera", str(SHORT_REP), "--exercise", "bridge", "--headless", "--mute", "--countdown", "1",
                "--max-seconds", "11", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["schema"] == "coach.report/1" and report["exercise"]["id"] == "bridge"
    assert report["summary"]["reps"] >= 1, report["live"]
    assert report["live"]["ended"] == "max_seconds" and report["live"]["counting_from_s"] < 5.4
    assert report["source"]["frames"] >= 11 * 5  # >= 5 fps even on a loaded machine
    assert report["live"]["stats"]["frames_processed"] == report["source"]["frames"]
    trace = (out / "landmarks.jsonl").read_text().splitlines()
    assert len(trace) == 1 + report["source"]["frames"]
    assert proc.stdout.strip().splitlines()[-1].startswith("session ended (the time limit was reached); report: ")
    # Not silent: in a pipe the status line is printed as plain lines, one per change.
    lines = proc.stdout.splitlines()
    assert any(line.startswith("Hands-free: sit or stand up to pause") for line in lines)  # the controls, first
    assert any(line.startswith("set-up: ") for line in lines) and any(line.startswith("reps 1 (") for line in lines)
    assert any(" | top | hold " in line for line in lines)
    assert "pain_rating" not in report and "How is your pain" not in proc.stdout  # nobody could answer: not asked
    assert str(out / "report.json") in proc.stdout
    assert not list(out.glob("*.mp4"))  # live sessions store no video (without --save-video)
    assert video_files(tmp_path) == [] and "video: " not in proc.stdout
    with open_history(coach_dirs["data"] / "history.sqlite3") as db:  # the session is in the history
        assert [r.kind for r in db.sessions()] == ["live"]


def test_wrong_camera_index_lists_the_cameras(tmp_path: Path) -> None:
    proc = live("--camera", "7", "--exercise", "bridge", "--headless", cwd=tmp_path)
    line = assert_clean_failure(proc, "camera 7", "cameras that can be opened:")
    assert proc.returncode == 2
    if not Path("/dev/video0").exists():
        assert "opened: none" in line


def test_camera_file_that_does_not_exist(tmp_path: Path) -> None:
    proc = live("--camera", str(tmp_path / "nope.mp4"), "--exercise", "bridge", "--headless", cwd=tmp_path)
    assert_clean_failure(proc, "nope.mp4")
    assert proc.returncode == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is for X on Linux")
def test_no_display_without_headless(tmp_path: Path) -> None:
    proc = live("--camera", str(SAMPLE), "--exercise", "bridge", cwd=tmp_path, env=env_without("DISPLAY", "WAYLAND_DISPLAY"))
    assert_clean_failure(proc, "display", "--headless")
    assert proc.returncode == 2


def test_camera_disappearing_ends_the_session_with_the_report(tmp_path: Path) -> None:
    clip = write_video(tmp_path / "one_second.mp4", frames=30, kind="noise")
    out = tmp_path / "session"
    proc = live("--camera", str(clip), "--exercise", "bridge", "--headless", "--mute", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["live"]["ended"] == "video_ended"
    assert "setup_not_finished" in report["warnings"]  # nobody in a noise clip
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("session ended (the video ended); report: ") and str(out / "report.json") in last


def test_ctrl_c_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "session"
    proc = subprocess.Popen([sys.executable, "-m", "coach", "live", "--camera", str(SAMPLE), "--exercise", "bridge",
                             "--headless", "--mute", "--out", str(out)], cwd=str(tmp_path), env=env_without(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    trace = out / "landmarks.jsonl"
    deadline = time.time() + TIMEOUT
    while time.time() < deadline and (not trace.exists() or trace.read_text().count("\n") < 21):  # header + 20 frames
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coach: interrupted") and str(out / "report.json") in lines[0]
    report = json.loads((out / "report.json").read_text())
    assert "interrupted" in report["warnings"] and report["live"]["ended"] == "interrupted"
    assert report["source"]["frames"] == trace.read_text().count("\n") - 1 >= 20


# -- a real window on a virtual X server -------------------------------------------------------------------

def xwd_image(data: bytes) -> np.ndarray:
    """The picture in an XWD file (Xvfb's -fbdir screen: 24-bit TrueColor, 32 bits per pixel), as BGR."""
    header = struct.unpack(">25I", data[:100])
    header_size, width, height, byte_order, bits_per_pixel, bytes_per_line, ncolors = (
        header[0], header[4], header[5], header[7], header[11], header[12], header[19])
    assert bits_per_pixel == 32, bits_per_pixel
    pixels = np.frombuffer(data, np.uint8, count=bytes_per_line * height, offset=header_size + 12 * ncolors)
    rows = pixels.reshape(height, bytes_per_line)[:, :width * 4].reshape(height, width, 4)
    return rows[:, :, :3] if byte_order == 0 else rows[:, :, 3:0:-1]  # LSBFirst: B, G, R, pad


def is_blank(image: np.ndarray) -> bool:
    return float(image.std()) < 10.0


def close_window(display: str, title_prefix: str) -> bool:
    """Click the close button of the window titled ``title_prefix...``: see x11_close.py (run apart,
    as it calls libX11 through ctypes). False when libX11 or the window cannot be found."""
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("x11_close.py")), display, title_prefix],
                          capture_output=True, text=True, timeout=30)
    return proc.returncode == 0


# Seen under CPU starvation only (other processes hogging both cores), about one start in five with
# a bare cv2 script too: the Qt in OpenCV's wheel loses a block of X events while the window is
# being created, its MapNotify among them. Qt then takes the mapped window for unmapped and never
# paints it (xwininfo: "IsViewable"; no later event repairs it). Qt's own event log shows whether
# that happened, so an attempt is retried only when Qt never saw its window mapped: any other
# blank window still fails the test.
QT_EVENT_LOG = {"COACH_NATIVE_LOGS": "1", "QT_LOGGING_RULES": "qt.qpa.events=true"}
ATTEMPTS = 3
PAINT_TIMEOUT = 20.0  # seconds from start to a painted window; a healthy start takes 2-5 s under load


def qt_lost_the_map_notify(native_log: str) -> bool:
    return "qt.qpa.events" in native_log and "XCB_MAP_NOTIFY" not in native_log


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt-get install xvfb): "
                                                          "the real-window test needs a virtual X server")
def test_real_window_shows_the_coached_video(tmp_path: Path) -> None:
    for attempt in range(1, ATTEMPTS + 1):
        shot, closed, proc, out, out_text, native_log = show_in_real_window(tmp_path / f"attempt{attempt}")
        if shot is not None or not qt_lost_the_map_notify(native_log):
            break
        print(f"attempt {attempt}: Qt never saw its window mapped (a Qt flake under load); trying again")
    assert shot is not None, (f"the window never showed anything in {attempt} attempt(s) (exit {proc.returncode})"
                              f"\n{out_text}\n{native_log[-3000:]}")
    import cv2

    cv2.imwrite(str(out.parent / "screenshot.png"), shot)  # for a look when it fails
    lit = shot[shot.max(axis=2) > 0]
    assert not is_blank(shot) and lit.shape[0] > 100_000  # most of a 640x480 window drawn
    assert float(lit.mean()) > 60.0  # the (bright) video, not a black window
    report = json.loads((out / "report.json").read_text())
    assert report["source"]["frames"] > 0
    if closed:  # closing the window ends the session like q, with the report written
        assert proc.returncode == 0, native_log[-3000:]
        assert report["live"]["ended"] == "window_closed", report["live"]
        assert out_text.strip().splitlines()[-1].startswith("session ended (the window was closed); report: ")
    else:
        assert proc.returncode == 130 and report["live"]["ended"] == "interrupted", native_log[-3000:]


def show_in_real_window(folder: Path) -> tuple:
    """One ``coach live`` in a window on a fresh Xvfb: the screen once the window is painted (or None
    after PAINT_TIMEOUT), whether its close button ended the session (else Ctrl-C did), the ended
    process, the session folder, its stdout, and its native stderr with Qt's event log."""
    folder.mkdir(parents=True)
    fbdir = Path(tempfile.mkdtemp(prefix="xvfb-", dir=folder))
    out, log = folder / "session", folder / "native.log"
    proc = None
    with virtual_display(fbdir, black=True) as display, open(log, "w") as native:
        try:
            screen = fbdir / "Xvfb_screen0"
            assert is_blank(xwd_image(screen.read_bytes()))  # -br: a black screen before the window opens
            # --max-seconds is only a safety net: the window is closed as soon as it has been seen.
            # stderr goes to a file: Qt's event log could fill a pipe nobody reads until the end.
            proc = subprocess.Popen([sys.executable, "-m", "coach", "live", "--camera", str(SAMPLE), "--exercise",
                                     "bridge", "--mute", "--stats", "--max-seconds", "60", "--out", str(out)], cwd=str(folder),
                                    env=env_without("WAYLAND_DISPLAY", DISPLAY=display, **QT_EVENT_LOG),
                                    stdout=subprocess.PIPE, stderr=native, text=True, stdin=subprocess.DEVNULL)
            shot = None
            deadline = time.time() + PAINT_TIMEOUT
            while time.time() < deadline and proc.poll() is None:
                if not is_blank(xwd_image(screen.read_bytes())):
                    time.sleep(0.5)  # a few more frames: the picture, not a half-drawn window
                    shot = xwd_image(screen.read_bytes())
                    break
                time.sleep(0.1)
            closed = proc.poll() is None and close_window(display, "coach - ")  # its close button
            if not closed and proc.poll() is None:  # no libX11 to click with, or never painted: Ctrl-C
                proc.send_signal(signal.SIGINT)
            out_text, _ = proc.communicate(timeout=TIMEOUT)
        finally:
            stop(proc)
    return shot, closed, proc, out, out_text, log.read_text(errors="replace")


def test_headless_in_a_terminal_shows_a_live_status_line_and_asks_the_pain_rating(tmp_path: Path) -> None:
    """In a terminal (a pseudo-terminal here): the status line is redrawn in place, a typed key is
    confirmed, and at the end the pain rating is asked and answered with a number and Enter."""
    import pty
    import select

    out = tmp_path / "session"
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "coach", "live", "--camera", str(SHORT_REP), "--exercise", "bridge", "--headless",
                             "--countdown", "1", "--max-seconds", "6", "--out", str(out)], cwd=str(tmp_path),
                            env=env_without(COLUMNS="160", TERM="xterm"), stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    text = b""
    sent_mute = answered = False
    deadline = time.time() + TIMEOUT
    try:
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the process closed the terminal
                    break
                if not chunk:
                    break
                text += chunk
            if not sent_mute and b"set-up: " in text:
                os.write(master, b"m\n")
                sent_mute = True
            if not answered and b"How is your pain now, 0 to 10?" in text:
                os.write(master, b"3\n")
                answered = True
            if proc.poll() is not None and not ready:
                break
        proc.wait(timeout=60)
    finally:
        stop(proc)
        os.close(master)
    shown = text.decode("utf-8", "replace")
    assert proc.returncode == 0, shown[-2000:]
    assert "\x1b[" in shown  # redrawn in place (rich), not a line per frame
    assert "muted (m to unmute)" in shown and "set-up: " in shown and "reps " in shown
    assert answered, shown[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert report["pain_rating"]["value"] == 3 and report["live"]["ended"] == "max_seconds"
    assert "pain rating: 3/10" in shown
