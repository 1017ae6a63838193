"""The command line fails cleanly: non-zero exit, one line on stderr starting with "coach:", no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from e2e_runs import ROOT

TIMEOUT = 300


def coach(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COACH_NATIVE_LOGS"}
    return subprocess.run([sys.executable, "-m", "coach", *args], cwd=str(cwd), env=env, capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def assert_clean_failure(proc: subprocess.CompletedProcess, *words: str) -> str:
    out = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode != 0, out
    assert "Traceback" not in proc.stderr + proc.stdout, out
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, out
    assert lines[0].startswith("coach: "), out
    for w in words:
        assert w.lower() in lines[0].lower(), out
    return lines[0]


def write_video(path: Path, frames: int, kind: str = "noise", size: tuple[int, int] = (320, 240)) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, size)
    assert writer.isOpened()
    rng = np.random.default_rng(0)
    w, h = size
    for i in range(frames):
        if kind == "noise":
            img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        else:  # a plain colour slowly changing
            img = np.full((h, w, 3), (40 + 3 * i) % 256, dtype=np.uint8)
        writer.write(img)
    writer.release()
    assert path.exists()
    return path


def analyze(inp: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return coach("analyze", str(inp), "--exercise", "bridge", "--out", str(tmp_path / "out"), "--quiet", *extra,
                 cwd=tmp_path)


def test_exercises_lists_bridge(tmp_path: Path) -> None:
    proc = coach("exercises", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines() if line.strip()]
    assert any(r[0] == "bridge" for r in rows), proc.stdout
    assert "Pelvic tilt bridge" in proc.stdout


def test_missing_video(tmp_path: Path) -> None:
    assert_clean_failure(analyze(tmp_path / "nothere.mp4", tmp_path), "not found", "nothere.mp4")


def test_missing_trace(tmp_path: Path) -> None:
    assert_clean_failure(analyze(tmp_path / "nothere.jsonl", tmp_path), "not found", "nothere.jsonl")


def test_folder_instead_of_a_video(tmp_path: Path) -> None:
    folder = tmp_path / "clips.mp4"
    folder.mkdir()
    assert_clean_failure(analyze(folder, tmp_path))


def test_text_file_renamed_mp4(tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("shopping list: eggs, milk\n" * 50, encoding="utf-8")
    assert_clean_failure(analyze(fake, tmp_path), "notes.mp4")


def test_zero_byte_mp4(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert_clean_failure(analyze(empty, tmp_path), "empty.mp4")


def test_mp4_container_without_frames(tmp_path: Path) -> None:
    path = write_video(tmp_path / "noframes.mp4", frames=0)
    assert_clean_failure(analyze(path, tmp_path), "noframes.mp4")


def test_video_with_nobody_in_it(tmp_path: Path) -> None:
    path = write_video(tmp_path / "noise.mp4", frames=30, kind="noise")  # 1 s of noise
    line = assert_clean_failure(analyze(path, tmp_path), "nobody")
    # the report of what was seen is still written, and says so
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["tracking"]["frames_with_pose"] == 0
    assert report["summary"]["reps"] == 0
    assert "report" in line.lower()


def test_unknown_exercise(tmp_path: Path) -> None:
    video = ROOT / "samples" / "bridge_clean_01.mp4"
    proc = coach("analyze", str(video), "--exercise", "handstand", "--out", str(tmp_path / "out"), "--quiet",
                 cwd=tmp_path)
    assert_clean_failure(proc, "handstand", "bridge")
    assert not (tmp_path / "out" / "report.json").exists()


def test_malformed_exercise_file(tmp_path: Path) -> None:
    bad = tmp_path / "bridge.toml"
    bad.write_text('schema = "coach.exercise/1"\nid = "bridge"\n', encoding="utf-8")
    video = ROOT / "samples" / "bridge_clean_01.mp4"
    proc = coach("analyze", str(video), "--exercise-file", str(bad), "--out", str(tmp_path / "out"), "--quiet",
                 cwd=tmp_path)
    assert_clean_failure(proc, str(bad))


HEADER = json.dumps({"schema": "coach.trace/1", "backend": {"name": "x", "model": "y"},
                     "source": {"path": "clip.mp4", "fps": 30.0, "frames": 2, "width": 640, "height": 480}})


@pytest.mark.parametrize("text", [
    "garbage, not a trace\n",
    HEADER + "\n",  # a header and no frames
    HEADER + '\n{"i": 0, "t": 0.0, "kp": [[1, 2]]}\n',
    HEADER + '\n{"i": 0, "t": 0.0, "kp": null}\nnot json\n',
], ids=["garbage", "no_frames", "bad_points", "bad_line"])
def test_malformed_trace(tmp_path: Path, text: str) -> None:
    trace = tmp_path / "landmarks.jsonl"
    trace.write_text(text, encoding="utf-8")
    assert_clean_failure(analyze(trace, tmp_path), "landmarks.jsonl")
