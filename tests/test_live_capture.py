"""Live capture (newest frame only, a file paced like a camera, the end of the stream) and loop stats."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Optional

import cv2
import numpy as np
import pytest

from coach.errors import CoachError
from coach.live.capture import CameraLost, FileReader, LatestFrameGrabber, open_camera
from coach.live.stats import FrameTiming, LoopStats, percentile


class GatedReader:
    """Frames on demand: each ``release()`` lets the capture thread read one more; None = the end."""

    description, path, is_file, fps, width, height, paced = "test", "test", False, 30.0, 8, 8, False

    def __init__(self, frames: int) -> None:
        self.left = frames
        self.gate = threading.Semaphore(0)
        self.closed = False

    def release(self, n: int = 1) -> None:
        for _ in range(n):
            self.gate.release()

    def read(self) -> Optional[np.ndarray]:
        self.gate.acquire()
        if self.left <= 0:
            return None
        self.left -= 1
        return np.zeros((8, 8, 3), np.uint8)

    def close(self) -> None:
        self.closed = True


def wait_until(cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Poll ``cond`` until it holds; fail after ``timeout`` seconds (also used by test_live_speech.py)."""
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_the_loop_gets_the_newest_frame_and_older_ones_are_dropped() -> None:
    reader = GatedReader(frames=10)
    grabber = LatestFrameGrabber(reader).start()
    try:
        reader.release(4)
        wait_until(lambda: grabber.captured == 4)
        frame = grabber.get(timeout=1.0)
        assert frame is not None and frame.index == 3  # the newest; 0-2 were replaced unseen
        assert grabber.dropped == 3
        assert grabber.get(timeout=0.05) is None  # each frame is handed out once
        reader.release()
        frame = grabber.get(timeout=1.0)
        assert frame is not None and frame.index == 4
    finally:
        reader.release(10)
        grabber.stop()
    assert reader.closed


def test_the_end_of_the_stream_reaches_the_loop_after_the_last_frame() -> None:
    reader = GatedReader(frames=1)
    grabber = LatestFrameGrabber(reader).start()
    reader.release(2)  # one frame, then the end
    wait_until(lambda: grabber.lost is not None)
    assert grabber.get(timeout=1.0).index == 0  # the last frame still comes first
    with pytest.raises(CameraLost, match="stopped sending frames"):
        grabber.get(timeout=1.0)
    grabber.stop()


def write_clip(path: Path, frames: int, fps: float = 30.0) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), 10 * i % 256, np.uint8))
    writer.release()
    return path


def test_a_file_played_as_a_camera_is_paced_at_its_frame_rate(tmp_path: Path) -> None:
    reader = FileReader(str(write_clip(tmp_path / "clip.mp4", frames=15, fps=30.0)))
    assert reader.paced and reader.is_file and reader.fps == pytest.approx(30.0)
    grabber = LatestFrameGrabber(reader).start()
    stamps = []
    try:
        while True:
            try:
                frame = grabber.get(timeout=1.0)
            except CameraLost as lost:
                assert "video ended" in str(lost)
                break
            if frame is not None:
                stamps.append((frame.index, frame.t_capture))
    finally:
        grabber.stop()
    t0, (i1, t1) = stamps[0][1], stamps[-1]
    # in real time (14 frame periods: 0.47 s; scheduling jitter allowed for), not as fast as decoding (~20 ms)
    assert i1 == 14 and 0.42 <= t1 - t0 <= 0.65


def test_a_slow_pipeline_gets_fresh_frames_not_a_backlog(tmp_path: Path) -> None:
    reader = FileReader(str(write_clip(tmp_path / "clip.mp4", frames=30, fps=30.0)))
    grabber = LatestFrameGrabber(reader).start()
    ages = []
    try:
        while True:
            try:
                frame = grabber.get(timeout=1.0)
            except CameraLost:
                break
            if frame is not None:
                ages.append(time.monotonic() - frame.t_capture)
                time.sleep(0.1)  # a pipeline at 10 fps
    finally:
        grabber.stop()
    assert grabber.dropped >= 15
    # Always a frame captured within about a frame period (33 ms), however long the run: a queue of
    # every frame would fall 0.067 s further behind at each read (0.1 s per read against 1/30 s per
    # frame), 0.6 s by the 10th. (The bound allows for a machine so loaded the capture thread lags.)
    assert max(ages) < 0.3


def test_camera_specs_that_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(CoachError, match="neither a camera index"):
        open_camera(str(tmp_path / "missing.mp4"))
    with pytest.raises(CoachError, match="is a folder"):
        open_camera(str(tmp_path))
    with pytest.raises(CoachError, match=r"cannot open camera 97 .*cameras that can be opened: "):
        open_camera("97")


# -- stats ---------------------------------------------------------------------------------------------

def test_stats_on_synthetic_timestamps() -> None:
    stats = LoopStats(window_s=1.0)
    # 30 fps camera; each frame waits 5 ms, inference 20 ms, the rest 3 ms: latency 28 ms
    for i in range(61):
        c = 100.0 + i / 30.0
        stats.add(FrameTiming(captured=c, inference_start=c + 0.005, inference_end=c + 0.025, shown=c + 0.028))
    assert stats.fps == pytest.approx(30.0)
    fps, latency, inference = stats.recent()
    assert fps == pytest.approx(30.0) and latency == pytest.approx(0.028) and inference == pytest.approx(0.020)
    s = stats.summary(captured=70, dropped=9)
    assert s["frames_processed"] == 61 and s["frames_dropped"] == 9 and s["fps"] == pytest.approx(30.0)
    assert s["latency_ms"] == {"mean": 28.0, "p50": 28.0, "p95": 28.0}
    assert s["inference_ms"]["mean"] == 20.0


def test_inference_figures_leave_out_the_frames_carried_between_inferences() -> None:
    """With --stride auto most held frames carry the last pose (no inference, near 0 ms): the
    inference time reported is that of the frames the model ran on, not diluted by the carried ones."""
    stats = LoopStats(window_s=10.0)
    for i in range(60):
        c = i / 30.0
        inferred = i % 3 == 0  # one frame in three inferred (25 ms), the others carried (0.1 ms)
        stats.add(FrameTiming(c, c + 0.001, c + (0.026 if inferred else 0.0011), c + 0.03, inferred=inferred))
    assert stats.inferred == 20 and stats.frames == 60
    assert stats.summary()["inference_ms"] == {"mean": 25.0, "p50": pytest.approx(25.0, abs=0.1)}
    assert stats.recent()[2] == pytest.approx(0.025)


def test_stats_window_follows_a_change_of_rate() -> None:
    stats = LoopStats(window_s=1.0)
    t = 0.0
    for _ in range(30):  # 1 s at 30 fps, then 2 s at 10 fps
        t += 1 / 30
        stats.add(FrameTiming(t - 0.03, t - 0.02, t - 0.001, t))
    for _ in range(20):
        t += 0.1
        stats.add(FrameTiming(t - 0.05, t - 0.04, t - 0.001, t))
    fps, latency, _ = stats.recent()
    assert fps == pytest.approx(10.0) and latency == pytest.approx(0.05)
    assert stats.fps == pytest.approx(49 / (3.0 - 1 / 30))  # 50 frames shown from 1/30 s to 3 s


def test_percentile_matches_numpy() -> None:
    rng = np.random.default_rng(1)
    xs = list(rng.random(101))
    for q in (0, 5, 50, 95, 100):
        assert percentile(xs, q) == pytest.approx(float(np.percentile(xs, q)))
    assert np.isnan(percentile([], 50))
