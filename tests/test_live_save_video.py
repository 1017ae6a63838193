"""``coach live --save-video``: the annotated video of the session, finished on every way out; and no
video at all without the option (privacy by default). The loop in-process on scripted frames (see
test_live_loop.py), then the command line with real MediaPipe on a sample played as a camera, which
also records the session in the history. (The command line without --save-video, no video and the
session in the history: test_live_cli.py's headless session.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Optional

import cv2
import numpy as np
import pytest

from coach.history.store import open_history
from coach.live.capture import Grabbed
from coach.live.display import Headless
from coach.live.loop import LiveLoop, LiveOptions, LiveResult, StopRequests
from coach.live.setup import SetupConfig
from coach.sources import SourceInfo
from synth import FPS, HEIGHT, WIDTH
from test_live_cli import SHORT_REP, live, video_files
from test_live_loop import EX, FakeGrabber, Keys, KeysByCall, ProfileBackend, RecordingSpeaker, reps_profile

GRAY = 120  # FakeGrabber's plain picture: anything else in the video was drawn by the coach


def read_video(path: Path) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened(), f"{path} can't be opened"
    fps = float(cap.get(cv2.CAP_PROP_FPS))
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    return frames, fps


class SkippingGrabber(FakeGrabber):
    """Inference slower than the camera: only every ``step``-th camera frame reaches the loop. Each
    frame's picture has its own brightness, to tell them apart in the video."""

    def __init__(self, frames: int, step: int) -> None:
        super().__init__(frames)
        self.step = step

    def get(self, timeout: float) -> Optional[Grabbed]:
        frame = super().get(timeout)
        assert frame is not None
        t = 1000.0 + frame.index * self.step / FPS
        self.now = t + 0.002
        return Grabbed(frame.index, t, np.full_like(frame.image, brightness(frame.index)))


def brightness(index: int) -> int:
    return 40 + (10 * index) % 180


class ClosedAfter(Headless):
    """A window the person closes after ``shows`` frames."""

    def __init__(self, shows: int) -> None:
        self.shows, self.left = 0, shows

    def show(self, image: np.ndarray) -> None:
        self.shows += 1

    def closed(self) -> bool:
        return self.shows >= self.left


class FailingBackend(ProfileBackend):
    """A backend that breaks (a bug) at frame ``at``."""

    def __init__(self, at: int) -> None:
        super().__init__(reps_profile()[0])
        self.at = at

    def process(self, image: np.ndarray, t: float, index: int):  # type: ignore[no-untyped-def]
        if index == self.at:
            raise RuntimeError("backend broke")
        return super().process(image, t, index)


def run_loop(tmp_path: Path, frames: int = 240, save_video: bool = True, keys: Optional[Callable] = None,
             grabber: Optional[FakeGrabber] = None, display: Optional[Headless] = None,
             backend: Optional[ProfileBackend] = None, stop: Optional[StopRequests] = None) -> LiveResult:
    profile, _ = reps_profile()
    grabber = grabber or FakeGrabber(frames)
    source = SourceInfo(path="camera:0", fps=FPS, frames=0, width=WIDTH, height=HEIGHT, kind="camera")
    on_frame = keys.frame_done if isinstance(keys, Keys) else None
    loop = LiveLoop(LiveOptions(EX, str(tmp_path / "out"), setup=SetupConfig(countdown_s=1.0), save_video=save_video),
                    grabber, backend or ProfileBackend(profile), source, {"name": "fake"},  # type: ignore[arg-type]
                    display or Headless(), RecordingSpeaker(),  # type: ignore[arg-type]
                    keys=keys or (lambda: None), stop=stop,
                    notice=lambda s: None, on_frame=on_frame)
    return loop.run()


def test_the_video_is_what_was_shown_at_the_cameras_rate(tmp_path: Path) -> None:
    result = run_loop(tmp_path, frames=240)
    video = tmp_path / "out" / "annotated.mp4"
    assert result.files["video"] == str(video)
    frames, fps = read_video(video)
    assert fps == pytest.approx(FPS, abs=0.01)
    assert len(frames) == result.report["source"]["frames"] == 240  # one camera frame, one video frame
    assert frames[0].shape[:2] == (HEIGHT // 2, WIDTH // 2)  # the size of the frames, as they came
    drawn = [float(np.abs(f.astype(int) - GRAY).max()) for f in frames[::20]]
    assert min(drawn) > 80  # every frame carries the overlay (skeleton, panel), not just the picture


def test_slow_inference_still_gives_a_real_time_video(tmp_path: Path) -> None:
    """A loop that gets every third camera frame: each is held on screen, and in the video, until the
    next, so the video lasts as long as the session."""
    result = run_loop(tmp_path, grabber=SkippingGrabber(100, step=3))
    frames, fps = read_video(tmp_path / "out" / "annotated.mp4")
    assert result.report["source"]["frames"] == 100
    assert fps == pytest.approx(FPS, abs=0.01)
    assert len(frames) == pytest.approx(result.report["source"]["duration_s"] * FPS, abs=3)  # ~300, not 100
    # each camera frame the loop got fills the three video frames until the next one
    # (compared with each other: the encoder shifts the levels a little)
    seen = [float(np.median(f)) for f in frames[:12]]
    held = [seen[i:i + 3] for i in range(0, 12, 3)]
    assert all(max(g) - min(g) <= 1 for g in held), seen
    assert all(b[0] - a[0] >= 6 for a, b in zip(held, held[1:])), seen  # brightness(i + 1) is 10 more


def test_a_pause_is_not_in_the_video(tmp_path: Path) -> None:
    """The video follows the session clock, as report.json's times do."""
    result = run_loop(tmp_path, frames=240, keys=KeysByCall({30: " ", 90: " "}))  # ~2 s paused
    frames, _ = read_video(tmp_path / "out" / "annotated.mp4")
    assert result.report["live"]["paused_s"] == pytest.approx(2.0, abs=0.15)
    assert len(frames) == pytest.approx(result.report["source"]["duration_s"] * FPS, abs=3)
    assert len(frames) < 240 - 50


@pytest.mark.parametrize("ending", ["quit", "interrupted", "camera_lost", "window_closed", "pain", "error"])
def test_the_video_is_playable_however_the_session_ends(tmp_path: Path, ending: str) -> None:
    at = 60
    stop = StopRequests()

    class CtrlC(Keys):
        def __call__(self) -> Optional[str]:
            if self.frames + 1 == at:
                stop.reason = "interrupted"
            return None

    kwargs: dict = {}
    if ending in ("quit", "pain"):
        kwargs["keys"] = Keys({at: ending[0]})
    elif ending == "interrupted":
        kwargs.update(keys=CtrlC({}), stop=stop)
    elif ending == "camera_lost":
        kwargs["grabber"] = FakeGrabber(at, is_file=False)
    elif ending == "window_closed":
        kwargs["display"] = ClosedAfter(at)
    else:
        kwargs["backend"] = FailingBackend(at)
    if ending == "error":
        with pytest.raises(RuntimeError, match="backend broke"):
            run_loop(tmp_path, **kwargs)
        report = json.loads((tmp_path / "out" / "report.json").read_text())
        assert report["live"]["ended"] == "error"
    else:
        result = run_loop(tmp_path, **kwargs)
        assert result.ended == ending
        report = result.report
    frames, _ = read_video(tmp_path / "out" / "annotated.mp4")
    assert abs(len(frames) - report["source"]["frames"]) <= 1 and len(frames) >= at - 3


def test_a_failing_video_never_stops_the_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture) -> None:
    from coach.video_out import VideoWriter

    written = []

    def write(self: VideoWriter, image: np.ndarray) -> None:
        written.append(1)
        if len(written) > 30:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(VideoWriter, "write", write)
    result = run_loop(tmp_path, frames=120)
    assert result.ended == "video_ended" and result.report["source"]["frames"] == 120  # coached to the end
    assert "video" not in result.files
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("coach: warning: writing the video") and "No space left" in err[0]


def test_no_video_without_the_option(tmp_path: Path) -> None:
    result = run_loop(tmp_path, frames=90, save_video=False)
    assert "video" not in result.files
    assert video_files(tmp_path) == [] and (tmp_path / "out" / "report.json").exists()


# -- the command line, with real MediaPipe --------------------------------------------------------------------

def test_live_save_video_writes_a_playable_annotated_video(tmp_path: Path, coach_dirs: dict) -> None:
    out = tmp_path / "session"
    proc = live("--camera", str(SHORT_REP), "--exercise", "bridge", "--headless", "--mute", "--countdown", "1",
                "--max-seconds", "4", "--save-video", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "warning" not in proc.stderr
    report = json.loads((out / "report.json").read_text())
    video = out / "annotated.mp4"
    frames, fps = read_video(video)
    source = report["source"]
    assert fps == pytest.approx(source["fps"], abs=0.01)
    assert frames[0].shape[:2] == (source["height"], source["width"])
    # real time at the camera's rate, however many frames inference got through
    assert len(frames) == pytest.approx(source["duration_s"] * source["fps"], rel=0.1, abs=3)
    assert f"video: {video}" in proc.stdout.strip().splitlines()[-1]
    with open_history(coach_dirs["data"] / "history.sqlite3") as db:
        rows = db.sessions()
    assert [(r.kind, r.exercise_id, r.ended, r.report_path) for r in rows] == [
        ("live", "bridge", "max_seconds", str((out / "report.json").resolve()))]
    assert rows[0].reps == report["summary"]["reps"]
