"""coach.analyze.analyze() on synthetic landmark traces (no MediaPipe): the whole pipeline after inference."""

from __future__ import annotations

from pathlib import Path

import pytest

import coach.analyze as analyze_mod
from coach.analyze import analyze
from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise
from synth import FPS, bridge_profile, lying_frame, write_trace

EX = load_exercise("bridge")


def synthetic_trace(path: Path, reps=((180.0, 2.0), (150.0, 2.0))) -> tuple[Path, int]:
    prof, _ = bridge_profile(135.0, list(reps))
    return path, write_trace(str(path), prof, lying_frame)


def test_trace_analysis(tmp_path: Path) -> None:
    trace, n = synthetic_trace(tmp_path / "landmarks.jsonl")
    result = analyze(str(trace), EX, str(tmp_path / "out"), write_video=False, progress=False)
    r = result.report
    assert not result.interrupted
    assert set(result.files) == {"report"}  # a trace has no pictures and needs no new trace
    assert Path(result.files["report"]).exists()
    assert r["source"]["frames"] == n
    assert r["source"]["duration_s"] == pytest.approx(n / FPS, abs=1e-3)
    assert (r["tracking"]["frames_with_pose"], r["tracking"]["fraction"]) == (n, 1.0)
    assert [rep["faults"] for rep in r["reps"]] == [[], ["hips_low"]]
    assert r["backend"]["name"] == "synthetic"
    assert r["backend"]["replayed_from"] == str(trace.resolve())


def test_interrupted_analysis_reports_the_frames_it_analysed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trace, n = synthetic_trace(tmp_path / "landmarks.jsonl")
    stop_at = 40

    class Interrupted(ExerciseChecker):
        def update(self, pose):  # type: ignore[no-untyped-def]
            if pose.index == stop_at:
                raise KeyboardInterrupt
            return super().update(pose)

    monkeypatch.setattr(analyze_mod, "ExerciseChecker", Interrupted)
    result = analyze(str(trace), EX, str(tmp_path / "out"), write_video=False, progress=False)
    r = result.report
    assert result.interrupted and "interrupted" in r["warnings"]
    assert r["tracking"]["frames_with_pose"] == stop_at
    assert r["source"]["frames"] in (stop_at, stop_at + 1)  # the frame in flight may count
    assert r["source"]["duration_s"] == pytest.approx(stop_at / FPS, abs=1.5 / FPS)


@pytest.mark.parametrize("with_back", [True, False])
def test_cat_cow_trace_with_and_without_the_back_profile(tmp_path: Path, with_back: bool) -> None:
    from synth import catcow_profile, quadruped_frame

    prof, truth = catcow_profile([1.0, 1.0])
    path = tmp_path / "landmarks.jsonl"
    write_trace(str(path), prof, lambda i, t, v: quadruped_frame(i, t, v, with_back=with_back))
    r = analyze(str(path), load_exercise("cat_cow"), str(tmp_path / "out"), write_video=False, progress=False).report
    if with_back:
        assert len(r["reps"]) == len(truth)
        assert "no_back_profile" not in r["warnings"]
    else:
        assert r["reps"] == []
        assert "no_back_profile" in r["warnings"]  # a trace recorded without the person mask
