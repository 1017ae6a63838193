"""The landmark trace: TraceWriter -> TraceSource round trip, truncation, malformed input."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Optional

import numpy as np
import pytest

from coach.errors import CoachError
from coach.pose.frame import PoseFrame
from coach.sources import SourceInfo
from coach.trace import BACK_DECIMALS, SCHEMA, TraceSource, TraceWriter, quantize

FPS = 30.0
W, H = 640, 480
BACKEND = {"name": "test-backend", "model": "none"}


def make_frames(n: int, seed: int = 0, gaps: tuple[int, ...] = (), with_world: bool = True) -> list[PoseFrame]:
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n):
        t = i / FPS + rng.uniform(-0.004, 0.004)  # a variable frame rate, as phones record
        if i in gaps:
            frames.append(PoseFrame(index=i, t=t, width=W, height=H, people=0))
            continue
        xy = rng.uniform([-20, -20], [W + 20, H + 20], size=(33, 2))
        frames.append(PoseFrame(index=i, t=t, width=W, height=H, xy=xy, z=rng.normal(0, 150, 33),
                                visibility=rng.uniform(0, 1, 33),
                                world=rng.normal(0, 0.5, (33, 3)) if with_world else None,
                                people=int(rng.integers(1, 3))))
    return frames


def write_trace(path: Path, frames: list[PoseFrame], fps: float = FPS) -> SourceInfo:
    info = SourceInfo(path="clip.mp4", fps=fps, frames=len(frames), width=W, height=H)
    writer = TraceWriter(str(path), info, BACKEND)
    for f in frames:
        writer.write(f)
    writer.close()
    return info


def read_all(path: Path) -> tuple[TraceSource, list[PoseFrame]]:
    src = TraceSource(str(path))
    return src, list(src)


def assert_same(a: PoseFrame, b: PoseFrame) -> None:
    assert b.index == a.index
    assert b.t == pytest.approx(a.t, abs=5e-6)
    assert (b.width, b.height) == (a.width, a.height)
    assert b.people == a.people
    if a.xy is None:
        assert b.xy is None and b.z is None and b.visibility is None
        return
    assert b.xy is not None and b.z is not None and b.visibility is not None
    np.testing.assert_allclose(b.xy, a.xy, atol=0.005 + 1e-9)
    np.testing.assert_allclose(b.z, a.z, atol=0.005 + 1e-9)
    np.testing.assert_allclose(b.visibility, a.visibility, atol=5e-5 + 1e-12)
    if a.world is None:
        assert b.world is None
    else:
        assert b.world is not None
        np.testing.assert_allclose(b.world, a.world, atol=5e-5 + 1e-12)


def test_round_trip(tmp_path: Path) -> None:
    frames = make_frames(90, gaps=(0, 17, 18, 60))
    path = tmp_path / "landmarks.jsonl"
    write_trace(path, frames)
    src, back = read_all(path)
    assert len(back) == len(frames)
    for a, b in zip(frames, back):
        assert_same(a, b)
    assert src.backend == BACKEND
    assert src.info.path == "clip.mp4"
    assert (src.info.width, src.info.height, src.info.fps) == (W, H, FPS)
    assert src.info.frames == 90
    assert src.info.duration_s == pytest.approx(back[-1].t + 1 / FPS, abs=1e-6)


def test_round_trip_without_world_landmarks(tmp_path: Path) -> None:
    frames = make_frames(10, seed=3, with_world=False)
    path = tmp_path / "t.jsonl"
    write_trace(path, frames)
    _, back = read_all(path)
    for a, b in zip(frames, back):
        assert_same(a, b)


def test_header_is_the_documented_one(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    write_trace(path, make_frames(3))
    header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert header["schema"] == SCHEMA == "coach.trace/1"
    assert set(header["source"]) >= {"path", "fps", "frames", "width", "height", "duration_s"}
    assert header["backend"] == BACKEND
    assert len(header["landmarks"]) == 33 and header["landmarks"][0] == "nose"
    assert header["point"] == ["x", "y", "z", "visibility"]


def test_frame_lines_are_what_json_dumps_writes(tmp_path: Path) -> None:
    """The writer formats the numbers itself (json.dumps is the slow part of a frame): the bytes must
    still be json.dumps's, NaN included."""
    frames = make_frames(8, seed=2, gaps=(3,)) + make_frames(3, seed=4, with_world=False)
    xy = frames[1].xy.copy()
    xy[5, 0] = np.nan
    frames[1] = PoseFrame(index=1, t=frames[1].t, width=W, height=H, xy=xy, z=frames[1].z,
                          visibility=frames[1].visibility, world=frames[1].world, people=1)
    path = tmp_path / "t.jsonl"
    write_trace(path, frames)
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    for f, line in zip(frames, lines):
        kp = world = None
        if f.xy is not None:
            kp = np.column_stack((np.round(f.xy, 2), np.round(f.z, 2), np.round(f.visibility, 4))).tolist()
            world = None if f.world is None else np.round(f.world, 4).tolist()
        record = {"i": f.index, "t": round(f.t, 5), "people": f.people, "kp": kp, "world": world}
        assert line == json.dumps(record, separators=(",", ":"))
    assert "NaN" in lines[1]


def test_every_line_is_flushed_as_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    info = SourceInfo(path="clip.mp4", fps=FPS, frames=0, width=W, height=H)
    writer = TraceWriter(str(path), info, BACKEND)
    for f in make_frames(5):
        writer.write(f)
    try:
        assert path.read_text(encoding="utf-8").count("\n") == 6  # readable before close (a crash keeps it)
    finally:
        writer.close()


@pytest.mark.parametrize("cut", [1, 10, "half"])
def test_truncated_last_line_is_ignored(tmp_path: Path, cut) -> None:
    frames = make_frames(20, seed=5)
    path = tmp_path / "t.jsonl"
    write_trace(path, frames)
    text = path.read_text(encoding="utf-8")
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    n = len(last) // 2 if cut == "half" else cut
    path.write_text(text[: len(text) - 1 - n], encoding="utf-8")  # drop the newline and n characters
    src, back = read_all(path)
    assert len(back) == 19
    for a, b in zip(frames, back):
        assert_same(a, b)
    assert src.info.frames == 19


def test_last_line_cut_right_before_its_newline_is_ignored(tmp_path: Path) -> None:
    """A complete JSON record without its newline may still be cut short: not trusted."""
    frames = make_frames(5, seed=6)
    path = tmp_path / "t.jsonl"
    write_trace(path, frames)
    path.write_text(path.read_text(encoding="utf-8")[:-1], encoding="utf-8")
    _, back = read_all(path)
    assert len(back) == 4


def _expect_error(path: Path, line: Optional[int], *also: str) -> str:
    with pytest.raises(CoachError) as err:
        src = TraceSource(str(path))
        list(src)
    msg = str(err.value)
    assert str(path) in msg
    if line is not None:
        assert re.search(rf"\bline {line}\b", msg), msg
    for word in also:
        assert word in msg, msg
    assert "\n" not in msg
    return msg


def _header(**source) -> str:
    src = {"path": "clip.mp4", "fps": FPS, "frames": 3, "width": W, "height": H, "duration_s": 0.1}
    src.update(source)
    return json.dumps({"schema": SCHEMA, "source": src, "backend": BACKEND,
                       "landmarks": [], "point": ["x", "y", "z", "visibility"]}) + "\n"


def _frame_line(i: int = 0, **kw) -> str:
    rec = {"i": i, "t": i / FPS, "people": 1, "kp": [[1.0, 2.0, 3.0, 0.9]] * 33, "world": None}
    rec.update(kw)
    return json.dumps(rec) + "\n"


@pytest.mark.parametrize("header", [
    "this is not json\n",
    '{"schema": "coach.trace/9", "source": {}}\n',
    '["a", "list"]\n',
    '{"schema": "coach.trace/1"}\n',  # no source
    '{"schema": "coach.trace/1", "source": {"path": "x", "fps": "fast", "frames": 1, "width": 1, "height": 1}}\n',
])
def test_malformed_header_names_file_and_line_1(tmp_path: Path, header: str) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(header + _frame_line(), encoding="utf-8")
    _expect_error(path, 1)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\x00\xff\xfe\x89PNG\r\n" * 20)
    _expect_error(path, 1)


@pytest.mark.parametrize("bad, line", [
    ("not json at all\n", 3),
    ('[1, 2, 3]\n', 3),
    (_frame_line(1, kp=[[1.0, 2.0]] * 33), 3),  # wrong point size
    (_frame_line(1, kp=[[1.0, 2.0, 3.0, 0.5]] * 32), 3),  # 32 points
    (_frame_line(1, kp="lots"), 3),
    (json.dumps({"t": 0.1, "kp": None}) + "\n", 3),  # no index
    (_frame_line(1, t="soon"), 3),
    (_frame_line(1, world=[[0.0, 0.0]] * 33), 3),
    (_frame_line(1).replace("0.9]", "NaN]", 1), 3),  # not finite
    # every field checked (hostile input): times, counts, sizes, nesting
    (_frame_line(1, t=float("nan")), 3),  # NaN would silently drop every later rep
    (_frame_line(1, t=float("inf")), 3),
    (_frame_line(1, t=-0.5), 3),  # before frame 0
    (_frame_line(1, t=0.0), 3),  # not after frame 0 at 0 s
    (_frame_line(1).replace('"i": 1', '"i": 1e400', 1), 3),  # Infinity once parsed: int() overflowed
    (_frame_line(1).replace('"i": 1', '"i": 1.5', 1), 3),
    (_frame_line(1).replace('"i": 1', '"i": [[1]]', 1), 3),
    (_frame_line(1, people=10**9), 3),
    (_frame_line(1, people=True), 3),
    (_frame_line(1, kp=[[1e300, 2.0, 3.0, 0.9]] * 33), 3),  # huge
    (_frame_line(1, kp=[[[1.0, 2.0, 3.0, 0.9]]] * 33), 3),  # nested one level too deep
    (_frame_line(1, kp=[[1.0, 2.0, 3.0, 7.0]] * 33), 3),  # a visibility of 7
    (_frame_line(1, world=[[float("inf"), 0.0, 0.0]] * 33), 3),
])
def test_malformed_frame_line_names_file_and_line(tmp_path: Path, bad: str, line: int) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(_header() + _frame_line(0) + bad + _frame_line(2), encoding="utf-8")
    _expect_error(path, line)


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(_header() + _frame_line(0) + "\n" + "not json\n" + _frame_line(2), encoding="utf-8")
    _expect_error(path, 4)


def test_empty_trace_header_only(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    write_trace(path, [])
    _expect_error(path, None, "no frames")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text("", encoding="utf-8")
    _expect_error(path, None)


def test_missing_trace(tmp_path: Path) -> None:
    _expect_error(tmp_path / "nope.jsonl", None, "not found")


@pytest.mark.parametrize("source", [{"fps": 0}, {"fps": float("inf")}, {"fps": float("nan")}, {"fps": -30},
                                    {"width": float("inf")}, {"height": 0}, {"width": 1e400}, {"frames": -1},
                                    {"duration_s": float("nan")}, {"fps": [30]}])
def test_header_with_bad_numbers_is_refused(tmp_path: Path, source: dict) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(_header(**source) + _frame_line(0) + _frame_line(1), encoding="utf-8")
    _expect_error(path, 1)


def test_timestamps_that_go_backwards_are_refused_at_their_line(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(_header() + _frame_line(0) + _frame_line(2) + _frame_line(1) + _frame_line(3), encoding="utf-8")
    _expect_error(path, 4, "does not come after")


# -- the back's profile (exercises that need the person mask) ------------------------------------------

def _with_back(frames: list[PoseFrame], seed: int = 5) -> list[PoseFrame]:
    rng = np.random.default_rng(seed)
    return [f if f.xy is None else dataclasses.replace(f, back=rng.uniform(-0.3, 0.8, 9)) for f in frames]


def test_round_trip_keeps_the_back_profile(tmp_path: Path) -> None:
    frames = _with_back(make_frames(40, gaps=(0, 7)))
    frames[12] = dataclasses.replace(frames[12], back=None)  # a frame without a mask: no "back"
    path = tmp_path / "landmarks.jsonl"
    write_trace(path, frames)
    _, back = read_all(path)
    for a, b in zip(frames, back):
        assert_same(a, b)
        if a.back is None:
            assert b.back is None
        else:
            assert b.back is not None
            np.testing.assert_allclose(b.back, a.back, atol=0.5 * 10 ** -BACK_DECIMALS + 1e-12)
    assert '"back"' not in path.read_text(encoding="utf-8").splitlines()[13]


def test_back_is_the_last_field_of_the_line_json_dumps_would_write(tmp_path: Path) -> None:
    frames = _with_back(make_frames(5, seed=3))
    path = tmp_path / "t.jsonl"
    write_trace(path, frames)
    for f, line in zip(frames, path.read_text(encoding="utf-8").splitlines()[1:]):
        record = json.loads(line)
        assert list(record) == ["i", "t", "people", "kp", "world", "back"]
        assert line.endswith(',"back":' + json.dumps(np.round(f.back, BACK_DECIMALS).tolist(),
                                                     separators=(",", ":")) + "}")


def test_quantize_rounds_the_back_and_a_replay_sees_the_same(tmp_path: Path) -> None:
    frame = _with_back(make_frames(1))[0]
    q = quantize(frame)
    assert q.back is not None
    np.testing.assert_array_equal(q.back, np.round(frame.back, BACK_DECIMALS))
    path = tmp_path / "t.jsonl"
    write_trace(path, [q])
    _, (again,) = read_all(path)
    np.testing.assert_array_equal(again.back, q.back)


@pytest.mark.parametrize("back", ["flat", [0.1, 0.2], [[0.1, 0.2, 0.3]], [0.1, None, 0.3]])
def test_malformed_back_names_file_and_line(tmp_path: Path, back) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(_header() + _frame_line(0) + _frame_line(1, back=back) + _frame_line(2), encoding="utf-8")
    _expect_error(path, 3)


def test_gzipped_trace_replays_the_same_frames(tmp_path: Path) -> None:
    """A shipped ``*.landmarks.jsonl.gz`` (the catalogue's renders carry theirs) reads as the plain file."""
    import gzip
    import shutil

    frames = make_frames(12, seed=3)
    plain = tmp_path / "t.jsonl"
    write_trace(plain, frames)
    packed = tmp_path / "t.landmarks.jsonl.gz"
    with open(plain, "rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    _, a = read_all(plain)
    src, b = read_all(packed)
    assert len(b) == len(a) == 12 and src.info.frames == 12
    for x, y in zip(a, b):
        assert_same(x, y)


def test_corrupt_gzipped_trace_is_refused_with_line_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.landmarks.jsonl.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    with pytest.raises(CoachError, match="line 1"):
        list(TraceSource(str(bad)))


def test_a_gzipped_trace_is_replayed_by_coach_analyze_and_names_its_exercise(tmp_path: Path) -> None:
    import gzip
    import shutil
    import subprocess
    import sys

    from coach.engine.definition import load_exercise
    from coach.trace import recorded_exercise

    plain = tmp_path / "t.jsonl"
    frames = make_frames(30, seed=5)
    writer = TraceWriter(str(plain), SourceInfo(path="clip.mp4", fps=FPS, frames=30, width=W, height=H,
                                                duration_s=1.0), BACKEND, load_exercise("bridge"))
    for f in frames:
        writer.write(f)
    writer.close()
    packed = tmp_path / "clip.landmarks.jsonl.gz"
    with open(plain, "rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert recorded_exercise(str(packed)) == "bridge"
    proc = subprocess.run([sys.executable, "-m", "coach", "analyze", str(packed), "--history-db",
                           str(tmp_path / "h.db")], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "runs" / "clip-replay" / "report.json").read_text())
    assert report["exercise"]["id"] == "bridge" and report["source"]["frames"] == 30
