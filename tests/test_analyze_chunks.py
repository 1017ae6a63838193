"""A long video inferred in overlapping chunks and joined (coach/chunks.py): the same report with
one worker or several, and the same session as one run through the video, with seams forced mid-rep
on a shipped render (real MediaPipe; chunks made small through COACH_CHUNK_FRAMES)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coach import chunks
from coach.analyze import analyze
from coach.cli import main
from coach.engine.definition import load_exercise
from coach.sources import SourceInfo

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CHUNK = 130  # frames: three chunks of a ~16 s clip, seams at 4.3 s and 8.7 s (mid-rep in both clips)


def _trace(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()[1:]]


TIME_SLACK_FRAMES = 3  # how far a rep's or a hold's start and end may move (see below)


def _session(report: dict) -> dict:
    """What the session was: its reps and holds, what was found in them, and the phases it went
    through (a flicker of a frame or two dropped). Not their times to the frame: the joined
    landmarks are not bit for bit the single pass's (coach/chunks.py: MediaPipe's tracking keeps
    two runs 1-5 px apart however long the warm-up), so a threshold crossing may move a frame or two."""
    phases: list[str] = []
    for p in report["phases"]:
        if p["end_s"] - p["start_s"] >= 0.1 and (not phases or phases[-1] != p["phase"]):
            phases.append(p["phase"])
    return {"reps": [(r["side"], r["good"], r["faults"], r.get("unjudged")) for r in report["reps"]],
            "holds": [(h["side"], h["met_target"], h["faults"], h.get("pose"), h["rep"]) for h in report["holds"]],
            "phases": phases, "summary": {k: v for k, v in report["summary"].items() if not k.endswith("_s")},
            "cues": [c["text"] for c in report["cues"]],
            "backend": {k: report["backend"][k] for k in ("name", "model", "stride")},  # (not how it was cut)
            **{k: report[k] for k in ("schema", "exercise", "source", "tracking", "targets", "setup_faults", "warnings")}}


def _largest_shift(a: dict, b: dict) -> float:
    """The largest move of a rep's or a hold's start or end between two reports of the same session."""
    return max((abs(x[k] - y[k]) for part in ("reps", "holds") for x, y in zip(a[part], b[part])
                for k in ("start_s", "end_s")), default=0.0)


def _without_timings(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "times"}


@pytest.mark.parametrize("clip, exercise", [("bridge_mixed_05.mp4", "bridge"), ("catcow_shallow_13.mp4", "cat_cow")])
def test_the_report_is_the_same_whatever_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clip: str,
                                                     exercise: str) -> None:
    """A long video is cut into the same chunks with one worker (one after the other, in process) as
    with two (on a pool): the same report to the byte, apart from its timings, and the same trace.
    cat-cow needs the person mask (the back's profile): the workers measure it as a single pass does."""
    video, ex = SAMPLES / clip, load_exercise(exercise)
    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, str(CHUNK))
    one = analyze(str(video), ex, str(tmp_path / "one"), write_video=False, progress=False, workers=1)
    two = analyze(str(video), ex, str(tmp_path / "two"), write_video=False, progress=False, workers=2)
    assert _without_timings(one.report) == _without_timings(two.report)
    assert one.report["backend"]["chunks"] == 3
    assert Path(one.files["trace"]).read_bytes() == Path(two.files["trace"]).read_bytes()
    frames = _trace(Path(two.files["trace"]))
    assert [f["i"] for f in frames] == list(range(one.report["source"]["frames"]))  # no frame lost or doubled
    assert ("back" in frames[200]) == ex.needs_segmentation  # the back's profile measured in the chunks
    assert not (tmp_path / "two" / chunks.PARTIALS).exists()  # the partial traces are gone


@pytest.mark.parametrize("clip, exercise", [("bridge_mixed_05.mp4", "bridge"), ("catcow_shallow_13.mp4", "cat_cow")])
def test_the_chunked_analysis_reports_what_one_run_through_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 clip: str, exercise: str) -> None:
    """Against one MediaPipe run through the whole video, seams mid-rep: the same session."""
    video, ex = SAMPLES / clip, load_exercise(exercise)
    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, "0")
    single = analyze(str(video), ex, str(tmp_path / "single"), write_video=False, progress=False)
    assert "chunks" not in single.report["backend"]
    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, str(CHUNK))
    chunked = analyze(str(video), ex, str(tmp_path / "chunked"), write_video=False, progress=False, workers=2)
    seams = [k * CHUNK / single.report["source"]["fps"] for k in (1, 2)]
    moving = [(r["start_s"], r["end_s"]) for r in single.report["reps"]]
    assert all(any(start < seam < end for start, end in moving) for seam in seams), "a seam falls between reps"
    assert _session(chunked.report) == _session(single.report)
    assert _largest_shift(chunked.report, single.report) <= TIME_SLACK_FRAMES / single.report["source"]["fps"]
    frames = _trace(Path(chunked.files["trace"]))
    assert [f["t"] for f in frames] == [f["t"] for f in _trace(Path(single.files["trace"]))]  # the video's own times


def test_the_chunks_stride_and_still_agree_whatever_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--stride auto`` applies in each chunk (a fresh stride from its warm-up's first frame), so it
    too gives one report whatever the workers; the pose model ran on fewer frames than there are."""
    video, ex = SAMPLES / "bridge_mixed_05.mp4", load_exercise("bridge")
    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, str(CHUNK))
    every = analyze(str(video), ex, str(tmp_path / "every"), write_video=False, progress=False, workers=1)
    one = analyze(str(video), ex, str(tmp_path / "one"), write_video=False, progress=False, workers=1, stride="auto")
    two = analyze(str(video), ex, str(tmp_path / "two"), write_video=False, progress=False, workers=2, stride="auto")
    assert _without_timings(one.report) == _without_timings(two.report)
    backend = one.report["backend"]
    assert backend["stride"] == "auto" and every.report["backend"]["stride"] == "off"
    # every frame once, the warm-ups' 2 x 90 again and the frame at each of the two ends (inferred
    # before it is seen to be the next chunk's), with the stride off; fewer with it
    assert every.report["backend"]["frames_inferred"] == 485 + 2 * chunks.WARMUP_FRAMES + 2
    assert backend["frames_inferred"] < 0.9 * 485
    assert len(one.report["reps"]) == len(every.report["reps"]) == 3


def test_the_annotated_video_is_drawn_from_the_joined_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the annotated video the main process decodes the video itself, frame for frame with the join."""
    import cv2

    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, str(CHUNK))
    video = SAMPLES / "bridge_mixed_05.mp4"
    result = analyze(str(video), load_exercise("bridge"), str(tmp_path / "run"), progress=False, workers=2)
    cap = cv2.VideoCapture(result.files["video"])
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == result.report["source"]["frames"] == 485
    cap.release()


@pytest.mark.parametrize("sig, to_group, status, said, workers", [
    (signal.SIGINT, True, 130, "coach: interrupted", "2"), (signal.SIGTERM, False, 143, "coach: stopped by signal 15", "2"),
    (signal.SIGTERM, False, 143, "coach: stopped by signal 15", "1")])
def test_ctrl_c_stops_the_workers_and_reports_what_was_joined(tmp_path: Path, sig: int, to_group: bool, status: int,
                                                              said: str, workers: str) -> None:
    """Ctrl-C in a terminal reaches the whole process group, workers included: they leave the stopping
    to the main process, which writes the report of the frames joined so far. A SIGTERM to the main
    process alone (a service manager) stops the workers as well. With one worker the chunks are
    inferred in the main process, and the frames held for the next seam are joined too."""
    out = tmp_path / "run"
    env = {**os.environ, chunks.CHUNK_FRAMES_ENV: str(CHUNK)}
    proc = subprocess.Popen([sys.executable, "-m", "coach", "analyze", str(SAMPLES / "bridge_mixed_05.mp4"), "-e",
                             "bridge", "--out", str(out), "--workers", workers, "--no-video", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    trace = out / "landmarks.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not trace.exists() or trace.read_text().count("\n") < 31):
        time.sleep(0.05)  # the first chunk joined
    if to_group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert "Traceback" not in err and err.startswith(said)
    report = json.loads((out / "report.json").read_text())
    joined = _trace(trace)
    assert "interrupted" in report["warnings"]
    assert 30 <= len(joined) and len(joined) - 1 <= report["source"]["frames"] <= len(joined) < 485  # (the frame
    # in flight may count)
    assert [f["i"] for f in joined] == list(range(len(joined)))
    assert not (out / chunks.PARTIALS).exists()


def test_a_stop_while_frames_wait_for_the_seam_keeps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first chunk's frames from the second one's warm-up on wait for the seam; stopped at frame
    100 (a signal while the chunk is inferred), the report takes them, to frame 99, none lost."""
    from coach.pose import backends
    from coach.stopping import Stopped

    real = backends.make_backend

    class StopsAt100:
        def __init__(self, bare: object) -> None:
            self.bare = bare

        def process(self, image: object, t: float, index: int) -> object:
            if index == 100:
                raise Stopped(signal.SIGTERM)
            return self.bare.process(image, t, index)

        def __getattr__(self, name: str) -> object:
            return getattr(self.bare, name)

    monkeypatch.setattr(backends, "make_backend", lambda **kw: StopsAt100(real(**kw)))
    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, str(CHUNK))
    assert chunks.plan(chunks.VideoSource(str(SAMPLES / "bridge_mixed_05.mp4")).info)[1].warm_start == 40 < 100
    result = analyze(str(SAMPLES / "bridge_mixed_05.mp4"), load_exercise("bridge"), str(tmp_path / "run"),
                     write_video=False, progress=False, workers=1)
    assert "interrupted" in result.report["warnings"] and result.report["source"]["frames"] == 100
    assert [f["i"] for f in _trace(Path(result.files["trace"]))] == list(range(100))


def test_a_seek_that_lands_early_is_renumbered_by_the_frames_times(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A container that seeks to a keyframe a few frames before the one asked (the chunk counts from
    where it meant to land): the overlap's timestamps put its frames back under the video's own
    numbers, with none lost or doubled."""
    from coach.sources import VideoSource

    seek = VideoSource.start_at

    def lands_early(self: VideoSource, first: int) -> None:
        seek(self, max(0, first - 3))
        self._first = first  # counts on as if it had landed where it meant to

    video, ex = SAMPLES / "bridge_mixed_05.mp4", load_exercise("bridge")
    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, str(CHUNK))
    right = analyze(str(video), ex, str(tmp_path / "right"), write_video=False, progress=False)
    monkeypatch.setattr(VideoSource, "start_at", lands_early)
    early = analyze(str(video), ex, str(tmp_path / "early"), write_video=False, progress=False)
    frames = _trace(Path(early.files["trace"]))
    assert [(f["i"], f["t"]) for f in frames] == [(f["i"], f["t"]) for f in _trace(Path(right.files["trace"]))]
    assert _session(early.report) == _session(right.report)


def test_a_video_cut_short_ends_where_its_frames_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Half the bytes of a 610-frame clip: the chunks planned past the last decodable frame are not
    joined (a single pass stops at the first frame that does not decode), and the report says so."""
    from coach.sources import VideoSource

    data = (SAMPLES / "bridge_clean_01.mp4").read_bytes()
    clip = tmp_path / "cut.mp4"
    clip.write_bytes(data[: len(data) // 2])
    decodable = sum(1 for _ in VideoSource(str(clip)))
    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, str(CHUNK))
    result = analyze(str(clip), load_exercise("bridge"), str(tmp_path / "run"), write_video=False, progress=False,
                     workers=2)
    assert 2 * CHUNK < decodable < 3 * CHUNK  # (the cut falls in the third of the four chunks planned)
    assert result.report["source"]["frames"] == decodable and "truncated" in result.report["warnings"]
    assert [f["i"] for f in _trace(Path(result.files["trace"]))] == list(range(decodable))


@pytest.mark.parametrize("value, said", [("0", "give 1 worker process or more"), ("two", "not a whole number")])
def test_a_bad_workers_value_is_one_line_and_exit_2(capsys: pytest.CaptureFixture, value: str, said: str) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["analyze", str(SAMPLES / "bridge_mixed_05.mp4"), "-e", "bridge", "--workers", value])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1
    assert err.startswith("coach: argument --workers") and said in err


def _info(frames: int, fps: float = 30.0) -> SourceInfo:
    return SourceInfo(path="v.mp4", fps=fps, frames=frames, width=640, height=480, announced_frames=frames)


def test_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The video's length alone makes the plan: one minute a chunk from 3 minutes on."""
    monkeypatch.delenv(chunks.CHUNK_FRAMES_ENV, raising=False)
    assert chunks.plan(_info(5399)) == []  # under 3 minutes: a single pass
    assert chunks.plan(_info(0)) == []  # a length the container does not say
    assert len(chunks.plan(_info(5400))) == 3
    hour = chunks.plan(_info(108_000))  # an hour: 60 chunks, each warmed up before its range
    assert len(hour) == 60 and hour[0] == chunks.Chunk(0, 0, 0, 1800) and hour[-1].end is None
    assert all(c.warm_start == c.start - chunks.WARMUP_FRAMES and c.start == p.end for p, c in zip(hour, hour[1:]))
    assert len(chunks.plan(_info(54_000, fps=15.0))) == 60  # a minute of frames at the video's own rate
    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, str(CHUNK))
    assert [(c.start, c.end) for c in chunks.plan(_info(485))] == [(0, 130), (130, 260), (260, None)]
    monkeypatch.setenv(chunks.CHUNK_FRAMES_ENV, "0")
    assert chunks.plan(_info(108_000)) == []


def test_a_trace_is_replayed_in_one_pass_whatever_the_workers(tmp_path: Path) -> None:
    from synth import bridge_profile, lying_frame, write_trace

    profile, _ = bridge_profile(135.0, [(180.0, 2.0)])
    n = write_trace(str(tmp_path / "landmarks.jsonl"), profile, lying_frame)
    result = analyze(str(tmp_path / "landmarks.jsonl"), load_exercise("bridge"), str(tmp_path / "out"),
                     write_video=False, progress=False, workers=4)
    assert result.report["source"]["frames"] == n and len(result.report["reps"]) == 1
