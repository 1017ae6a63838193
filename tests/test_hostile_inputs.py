"""Hostile input and faults (issue 13). Here: numbers on the command line (every option in seconds
refuses NaN, infinity and out-of-range values in one line, exit 2, before any work), strict JSON
reports, degraded videos, a trace of another exercise, a file named like an option.

The rest of the list, each in the file of the part it tests:
1. phone rotation: test_rotation.py; 2. output folders and a full disk, 3. two runs into one
folder: test_output_folders.py; 4. SIGTERM/SIGHUP: test_interrupt.py; 5. definitions and profiles:
test_definition.py, test_profile.py; 7. a stalled camera: test_live_loop.py; 8. traces:
test_trace.py; 9. text in any language: test_overlay.py; 10. too small to judge: test_checker.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from coach.report import strict_json, write_report
from e2e_runs import SAMPLES_DIR
from test_cli_errors import assert_clean_failure, coach

SAMPLE = str(SAMPLES_DIR / "bridge_clean_01.mp4")
CASES = [
    (["analyze", SAMPLE, "-e", "bridge", "--hold"], "--hold", ["nan", "inf", "-inf", "0", "-2", "two"]),
    (["calibrate", "camera", "--camera", SAMPLE, "--headless", "--seconds"], "--seconds", ["nan", "inf", "0"]),
    (["calibrate", "camera", "--camera", SAMPLE, "--headless", "--countdown"], "--countdown", ["nan", "-1"]),
    (["calibrate", "baseline", "-e", "bridge", "--profile", "p", "--seconds"], "--seconds", ["nan", "inf"]),
]


@pytest.mark.parametrize("args, option, value", [(a, o, v) for a, o, vs in CASES for v in vs])
def test_a_number_that_is_not_a_finite_count_of_seconds_is_refused(tmp_path: Path, args: list, option: str,
                                                                    value: str) -> None:
    proc = coach(*args[:-1], f"{args[-1]}={value}", cwd=tmp_path)  # "=": "-inf" is a value, not an option
    line = assert_clean_failure(proc, option)
    assert proc.returncode == 2 and value in line
    assert not any(tmp_path.iterdir())  # refused before any work: nothing written


def test_a_report_is_strict_json_whatever_was_measured(tmp_path: Path) -> None:
    report = {"summary": {"reps": 1, "mean": math.nan}, "reps": [{"peak": {"x": math.inf, "y": -math.inf, "z": 1.5}}]}
    path = tmp_path / "report.json"
    write_report(report, str(path))
    data = json.loads(path.read_text(), parse_constant=_refuse)
    assert data == {"summary": {"reps": 1, "mean": None}, "reps": [{"peak": {"x": None, "y": None, "z": 1.5}}]}
    assert strict_json((1.0, [math.nan])) == [1.0, [None]]


def _refuse(name: str) -> float:
    raise ValueError(f"not strict JSON: {name}")


def test_the_suites_strict_json_check_finds_a_nan(tmp_path: Path) -> None:
    """The end-of-session check (conftest.not_strict_json) that parses every report the suite wrote."""
    from conftest import not_strict_json

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "report.json").write_text('{"x": NaN}')
    (tmp_path / "calibration.json").write_text('{"x": 1}')
    bad = not_strict_json([tmp_path])
    assert len(bad) == 1 and "a/report.json" in bad[0]


def _cut(src: Path, dst: Path, share: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * share)])
    return dst


def test_a_video_cut_short_is_said_to_be(tmp_path: Path) -> None:
    """Half the bytes of a 610-frame clip decode to 277 frames: the report says the file may be cut
    short instead of passing for a complete session."""
    clip = _cut(Path(SAMPLE), tmp_path / "cut.mp4", 0.5)
    proc = coach("analyze", str(clip), "-e", "bridge", "--out", str(tmp_path / "run"), "--no-video", "-q",
                 "--history-db", str(tmp_path / "h.db"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert "truncated" in report["warnings"] and report["source"]["frames"] < 610


def test_a_video_with_no_decodable_frame_leaves_nothing_behind(tmp_path: Path) -> None:
    clip = _cut(Path(SAMPLE), tmp_path / "stub.mp4", 0.03)  # the header and part of one frame
    proc = coach("analyze", str(clip), "-e", "bridge", "--history-db", str(tmp_path / "h.db"), cwd=tmp_path)
    assert_clean_failure(proc)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())  # no empty folder
    out = tmp_path / "named"
    proc = coach("analyze", str(clip), "-e", "bridge", "--out", str(out), "--history-db", str(tmp_path / "h.db"),
                 cwd=tmp_path)
    assert_clean_failure(proc)
    assert not (out / "annotated.mp4").exists() and not (out / "landmarks.jsonl").exists()


def test_a_trace_of_another_exercise_is_refused_unless_forced(tmp_path: Path) -> None:
    from coach.engine.definition import load_exercise
    from coach.sources import SourceInfo
    from coach.trace import TraceWriter
    from test_trace import BACKEND, make_frames

    trace = tmp_path / "k2c.jsonl"
    writer = TraceWriter(str(trace), SourceInfo("clip.mp4", 30.0, 5, 640, 480), BACKEND, load_exercise("knee_to_chest"))
    for frame in make_frames(5):
        writer.write(frame)
    writer.close()
    proc = coach("analyze", str(trace), "-e", "bridge", "--out", str(tmp_path / "a"), cwd=tmp_path)
    assert_clean_failure(proc, "recorded for knee_to_chest, not bridge", "--force")
    proc = coach("analyze", str(trace), "-e", "bridge", "--out", str(tmp_path / "b"), "--force",
                 "--history-db", str(tmp_path / "h.db"), cwd=tmp_path)
    assert "recorded for" not in proc.stderr


def test_a_file_named_like_an_option_is_explained(tmp_path: Path) -> None:
    (tmp_path / "-clip.mp4").write_bytes(Path(SAMPLE).read_bytes()[:100])
    proc = coach("analyze", "-clip.mp4", "-e", "bridge", cwd=tmp_path)
    assert_clean_failure(proc, "put -- before it", "coach analyze -- -clip.mp4")
