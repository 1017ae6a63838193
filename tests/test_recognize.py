"""Recognising the exercise from the poses: the features ignore turn, size and side; the shipped model
knows every rendered exercise; a recording joined from several exercises' clips is cut into them and
each stretch analysed as its exercise (also as a routine's steps); an impossible pose is "unknown".

The joined recordings here are made of the renders the model was trained on: these tests check that
the pieces work together, not how well the model generalises (bench/recognition.py measures that on
clips it never saw)."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from coach.pose.frame import PoseFrame
from coach.recognize.features import NAMES, frame_features, window_features
from coach.recognize.model import UNKNOWN, Model, segments
from coach.sources import SourceInfo
from coach.trace import TraceSource, TraceWriter
from e2e_runs import ROOT
from test_cli_errors import assert_clean_failure, coach

SAMPLES = ROOT / "samples"
CLIPS = [SAMPLES / "childs_pose" / "childs_mixed_01", SAMPLES / "high_plank" / "hplank_good_01",
         SAMPLES / "locust" / "locust_mixed_06"]


def trace_of(stem: Path) -> Path:
    return stem.with_name(stem.name + ".landmarks.jsonl.gz")


def labelled_reps(stem: Path) -> int:
    return len(json.loads(stem.with_name(stem.name + ".labels.json").read_text())["reps"])


def poses(stem: Path) -> list[PoseFrame]:
    return list(TraceSource(str(trace_of(stem))))


def a_pose(stem: Path = CLIPS[1], at: int = 200) -> PoseFrame:
    return poses(stem)[at]


def turned(pose: PoseFrame, deg: float, scale: float = 1.0, mirror: bool = False) -> PoseFrame:
    a = math.radians(deg)
    rot = np.array([[math.cos(a), 0.0, math.sin(a)], [0.0, 1.0, 0.0], [-math.sin(a), 0.0, math.cos(a)]])
    world = pose.world @ rot.T * scale
    if mirror:  # the other side worked: left and right swap places
        from coach.pose.frame import LANDMARK_NAMES
        swap = [LANDMARK_NAMES.index(n.replace("left", "#").replace("right", "left").replace("#", "right"))
                for n in LANDMARK_NAMES]
        world = world[swap] * np.array([1.0, 1.0, -1.0])
    return dataclasses.replace(pose, world=world)


def test_the_features_ignore_the_turn_the_size_and_the_side() -> None:
    pose = a_pose()
    base = frame_features(pose)
    assert base is not None and len(base) == len(NAMES)
    for other in (turned(pose, 40.0), turned(pose, -120.0, scale=1.3), turned(pose, 75.0, mirror=True)):
        assert np.allclose(frame_features(other), base, atol=1e-6)


def test_lying_on_the_back_and_on_the_front_differ_in_which_way_the_chest_faces() -> None:
    facing = NAMES.index("chest_facing")
    back = np.median([f[facing] for f in map(frame_features, poses(SAMPLES / "pelvic_tilt" / "pt_good_good_05")[:60])
                      if f is not None])
    front = np.median([f[facing] for f in map(frame_features, poses(CLIPS[2])[:60]) if f is not None])
    assert abs(back - front) * 90.0 > 90.0  # degrees apart: up against down


def test_the_shipped_model_knows_every_rendered_exercise() -> None:
    rendered = {p.name for p in SAMPLES.iterdir() if p.is_dir() and any(p.glob("*.landmarks.jsonl.gz"))}
    model = Model.load()
    missing = rendered - set(model.labels)
    assert not missing, f"retrain: python bench/recognition.py --train (missing {sorted(missing)})"


def hands_up_high(pose: PoseFrame) -> PoseFrame:
    """The plank with the hands 3 m above where they are: no body and no exercise looks like it."""
    from coach.pose.frame import LANDMARK_NAMES

    hands = [i for i, n in enumerate(LANDMARK_NAMES) if any(k in n for k in ("wrist", "pinky", "index", "thumb"))]
    world = pose.world.copy()
    world[hands, 1] -= 3.0  # y down: up
    return dataclasses.replace(pose, world=world)


def test_a_pose_no_exercise_has_is_unknown() -> None:
    """Beyond the spread of the renders of every exercise: "not an exercise we know". (How near a real
    recording of an exercise outside the catalogue comes is another matter: bench/recognition.py.)"""
    assert [s.exercise for s in segments(Model.load(), [hands_up_high(p) for p in poses(CLIPS[1])])] == [UNKNOWN]


def joined_trace(path: Path, stems: list[Path]) -> tuple[Path, list[float]]:
    """The clips' traces one after another; the times where each starts."""
    frames, starts, t, info, backend = [], [], 0.0, None, None
    for stem in stems:
        trace = TraceSource(str(trace_of(stem)))
        info, backend = info or trace.info, backend or trace.backend
        part = list(trace)
        starts.append(t)
        frames += [dataclasses.replace(f, t=t + f.t - part[0].t, index=len(frames) + i) for i, f in enumerate(part)]
        t = frames[-1].t + 1.0 / info.fps
    writer = TraceWriter(str(path), SourceInfo(path="joined.mp4", fps=info.fps, frames=len(frames), width=info.width,
                                               height=info.height, duration_s=t, kind="trace"), backend)
    for f in frames:
        writer.write(f, quantized=True)
    writer.close()
    return path, starts


def test_a_recording_of_three_exercises_is_cut_into_them_and_each_analysed(tmp_path: Path) -> None:
    trace, starts = joined_trace(tmp_path / "joined.jsonl", CLIPS)
    out = tmp_path / "out"
    proc = coach("analyze", str(trace), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("no --exercise: recognising the exercises from the poses")
    report = json.loads((out / "recognition.json").read_text())
    segs = report["segments"]
    assert [s["exercise"] for s in segs] == ["childs_pose", "high_plank", "locust"]
    assert all(abs(s["start_s"] - t) <= 2.0 for s, t in zip(segs[1:], starts[1:]))
    assert all(0.5 <= s["confidence"] <= 1.0 for s in segs)
    for s, stem in zip(segs, CLIPS):
        own = json.loads((out / s["report_file"]).read_text())
        assert own["exercise"]["id"] == s["exercise"] and own["summary"]["reps"] == labelled_reps(stem) == s["reps"]


def test_a_recording_of_a_routine_is_matched_to_its_steps(tmp_path: Path) -> None:
    trace, _ = joined_trace(tmp_path / "joined.jsonl", CLIPS)
    routine = tmp_path / "mine.toml"
    routine.write_text('schema = "coach.routine/1"\nid = "mine"\nname = "Mine"\nsource = "a test"\n'
                       + "".join(f'[[step]]\nexercise = "{e}"\nhold_s = 5\n'
                                 for e in ("childs_pose", "side_plank", "high_plank", "locust")), encoding="utf-8")
    out = tmp_path / "out"
    proc = coach("analyze", str(trace), "--routine", str(routine), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["schema"] == "coach.routine_report/1"
    assert [(s["exercise"]["id"], s["status"]) for s in report["steps"]] == [
        ("childs_pose", "done"), ("side_plank", "not_reached"), ("high_plank", "done"), ("locust", "done")]
    assert [s["summary"]["reps"] for s in report["steps"] if s["status"] == "done"] == [labelled_reps(c) for c in CLIPS]


def test_routine_and_exercise_together_are_refused(tmp_path: Path) -> None:
    proc = coach("analyze", str(trace_of(CLIPS[0])), "--routine", "desk_routine", "--exercise", "bridge",
                 cwd=tmp_path)
    assert_clean_failure(proc, "--exercise or --routine, not both")


def test_holding_still_and_moving_a_little_differ_as_much_as_a_little_and_a_lot() -> None:
    """A window's spreads are compared on a log scale: a cat held still (landmark noise only) and
    cat-cow's head swinging a little lie as far apart as that small swing and a big movement, where
    the raw spread of the small swing was lost among the big movements of other exercises."""
    rng = np.random.default_rng(1)
    base = frame_features(a_pose())
    head = NAMES.index("head_height")

    def spread_feature(head_sd: float) -> float:
        frames = np.tile(base, (90, 1)) + rng.normal(0.0, 0.005, (90, len(NAMES)))
        frames[:, head] += head_sd * np.sqrt(2) * np.sin(np.linspace(0, 2 * np.pi, 90))
        return float(window_features(frames)[len(NAMES) + head])

    held, swing, big = spread_feature(0.0), spread_feature(0.06), spread_feature(0.5)
    assert swing - held >= 0.5 * (big - swing)


def test_the_features_of_many_frames_at_once_are_each_frames_own() -> None:
    """world_features (a whole recording at once, as the recogniser computes them) row by row equals
    frame_features, and a frame without world landmarks is a row of NaN."""
    from coach.recognize.features import world_features

    frames = poses(CLIPS[2])[:40]
    world = np.array([f.world for f in frames])
    world[5] = np.nan
    rows = world_features(world)
    assert np.isnan(rows[5]).all()
    assert all(np.allclose(rows[i], frame_features(f), atol=1e-9) for i, f in enumerate(frames) if i != 5)


def test_one_stray_training_window_does_not_make_an_exercise_near() -> None:
    """An exercise's cost is the mean distance to its nearest training windows (COST_NEAREST), not to
    the single nearest: a transition or a landmark glitch in one training clip that happens to look
    like another exercise does not pull that exercise's label onto a recording."""
    from coach.recognize.model import COST_NEAREST

    n = COST_NEAREST * 2
    a = np.zeros((n, 2))
    b = np.tile([5.0, 0.5], (n, 1))
    stray = np.array([[5.0, 0.0]])  # one window of "a" lying where "b" is done
    model = Model(np.vstack([a, stray, b]), np.array(["a"] * (n + 1) + ["b"] * n), np.array([0] * (n + 1) + [1] * n),
                  np.zeros(2), np.ones(2), unknown_distance=100.0)
    costs, _ = model.costs_and_shares([np.array([5.0, 0.0])])
    assert model.labels == ["a", "b"] and costs[0, 1] < costs[0, 0]
