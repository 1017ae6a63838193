"""Phone videos: a recording whose frames are stored sideways, with the container's display rotation
saying so, is analysed upright. Clips are made from a shipped sample with imageio-ffmpeg's ffmpeg
(a dependency): the pixels turned one way, the display rotation turning them back, as a phone does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from coach.sources import VideoSource
from coach.trace import TraceSource
from e2e_runs import SAMPLES_DIR
from test_cli_errors import coach

SAMPLE = SAMPLES_DIR / "bridge_clean_01.mp4"  # 640x480, three bridges
# rotation -> (the filter that turns the stored pixels, the display rotation that turns them back: anticlockwise)
TURNS = {90: ("transpose=1", "90"), 180: ("hflip,vflip", "180"), 270: ("transpose=2", "-90")}


def phone_clip(rotation: int, out: Path, seconds: float = 0.0) -> Path:
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    turn, display = TURNS[rotation]
    stored = out.with_suffix(".stored.mp4")
    length = ["-t", str(seconds)] if seconds else []
    subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-i", str(SAMPLE), *length, "-vf", turn, "-c:v", "libx264",
                    "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p", str(stored)], check=True)
    subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-display_rotation", display, "-i", str(stored), "-c", "copy",
                    str(out)], check=True)
    return out


@pytest.mark.parametrize("rotation", sorted(TURNS))
def test_frames_come_out_upright_with_the_upright_size(tmp_path: Path, rotation: int) -> None:
    clip = phone_clip(rotation, tmp_path / f"phone_{rotation}.mp4", seconds=1.0)
    original = [f.image for f, _ in zip(VideoSource(str(SAMPLE)), range(5))]
    source = VideoSource(str(clip))
    frames = [f.image for f, _ in zip(source, range(5))]
    assert (source.info.width, source.info.height) == (640, 480)
    assert source.info.rotation_deg in (90, 180, 270) and source.info.to_json()["rotation_deg"] == source.info.rotation_deg
    for got, want in zip(frames, original):
        assert got.shape == want.shape
        assert np.abs(got.astype(int) - want.astype(int)).mean() < 4.0  # the same picture, re-encoded


def test_a_sideways_phone_video_is_analysed_like_the_upright_one(tmp_path: Path) -> None:
    """The reps are found, and the report, the landmark trace and the annotated video all have the
    upright picture's size."""
    clip = phone_clip(90, tmp_path / "phone.mp4")
    out = tmp_path / "run"
    proc = coach("analyze", str(clip), "--exercise", "bridge", "--out", str(out), "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["reps"] == 3, report["summary"]
    assert (report["source"]["width"], report["source"]["height"]) == (640, 480)
    assert report["source"]["rotation_deg"] in (90, 270)
    trace = TraceSource(str(out / "landmarks.jsonl"))
    assert (trace.info.width, trace.info.height) == (640, 480)
    video = cv2.VideoCapture(str(out / "annotated.mp4"))
    assert (video.get(cv2.CAP_PROP_FRAME_WIDTH), video.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (640, 480)
    video.release()
