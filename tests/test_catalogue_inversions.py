"""Downward dog (the inverted V on the hands and feet): its definition, what MediaPipe reads reliably
in the V (the open knee and hip angles, the knees' height above the floor line; a folded joint it
reads poorly: see poses/childs_pose.toml), and counts, holds and faults on the rendered clips in
samples/downward_dog/ (MediaPipe's landmarks and the person mask's back profile shipped beside each
clip, replayed here), against the clips' truth labels."""

from __future__ import annotations

import copy
import json
import statistics
import sys
from pathlib import Path

import numpy as np
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from coach.engine.definition import Exercise, load_exercise, parse_exercise
from coach.errors import CoachError
from coach.labels import load_labels
from coach.measures import hip_angle, knee_angle, knee_lift
from coach.trace import TraceSource
from poses import POSES_DIR
from rendered import clips, match, run, trace_of

EX_ID = "downward_dog"
FAULTS = {"knees_bent", "back_rounded"}
HOLD_TARGET = 5.0  # the renders hold 5-6 s
CLIPS = clips(EX_ID)


def exercise() -> Exercise:
    return load_exercise(EX_ID).with_targets(hold_s=HOLD_TARGET)


def _data() -> dict:
    with open(POSES_DIR / f"{EX_ID}.toml", "rb") as fh:
        return tomllib.load(fh)


# -- the definition -------------------------------------------------------------------------------

def test_definition_loads_with_the_catalogue_faults_and_plain_instructions() -> None:
    ex = load_exercise(EX_ID)
    assert {f.code for f in ex.faults} == FAULTS
    assert all(f.cue and f.label and f.scope == "hold" and f.pauses_hold for f in ex.faults)
    assert "Stop if the exercise makes your pain worse" in ex.instructions
    assert "upside-down V" in ex.instructions
    assert ex.view == "side" and ex.needs_segmentation and ex.sides is None
    assert ex.phases.kind == "out_and_back" and ex.phases.measure == "knee_lift"
    assert ex.phases.absolute_rest is not None  # a recording that starts in the V is timed from its start
    assert (ex.hold_target_s, ex.reps_min, ex.reps_max) == (30.0, 1, 1)  # the handout: hold 30 s


def test_bad_definitions_are_refused() -> None:
    bad = copy.deepcopy(_data())
    bad["faults"][0]["below"] = 200.0  # knee_angle is unsigned, 0-180
    with pytest.raises(CoachError, match="knee_angle"):
        parse_exercise(bad, "downward_dog.toml")
    bad = copy.deepcopy(_data())
    bad["phases"]["time_within"] = 0.5  # wider than leave_hold (0.1)
    with pytest.raises(CoachError, match="time_within"):
        parse_exercise(bad, "downward_dog.toml")
    bad = copy.deepcopy(_data())
    bad["faults"][1]["measure"] = "back_curvatur"
    with pytest.raises(CoachError, match="back_curvatur"):
        parse_exercise(bad, "downward_dog.toml")


# -- what MediaPipe reads in the V (the renders' picture truth against the shipped traces) ----------

def _hold_frames(path: Path) -> list[tuple[int, list]]:
    """Per labelled rep: the shipped trace's frames inside that rep's truth hold (the phase 'hold')."""
    labels = load_labels(path)
    frames = list(TraceSource(str(trace_of(path))))
    out = []
    for i, _ in enumerate(labels.reps):
        spans = [(p["start_s"], p["end_s"]) for p in labels.phases if p.get("phase") == "hold" and p.get("rep") == i + 1]
        out.append((i, [f for f in frames if f.xy is not None and any(a + 0.3 <= f.t <= b - 0.3 for a, b in spans)]))
    return out


def _rep_truth(path: Path) -> list[dict]:
    return json.loads(path.read_text())["reps"]


SPEC = Path(__file__).resolve().parents[1] / "bench" / "motions" / "specs" / f"{EX_ID}.json"


def _camera(path: Path) -> dict:
    """The clip's camera in the spec it was rendered from (camera_side, azimuth_deg)."""
    name = path.name.replace(".labels.json", "")
    return next(c["camera"] for c in json.loads(SPEC.read_text())["clips"] if c["name"] == name)


@pytest.mark.parametrize("path", CLIPS, ids=[p.name.split(".")[0] for p in CLIPS])
def test_mediapipe_reads_the_v_s_open_knee_and_hip_near_the_picture_truth(path: Path) -> None:
    """In the V the knee is straight (or bent 35-50 deg) and the hip open 60-90 deg: nothing is fully
    folded. Side-on MediaPipe reads the knee within a few degrees of the renders' picture truth; seen
    30-35 deg round it reads it 9-11 deg small (the child's pose knee, fully folded, ~11 deg small
    side-on), which still leaves every straight knee above knees_bent's 160 and every bent one below."""
    truth = _rep_truth(path)
    side = _camera(path)["camera_side"]
    oblique = _camera(path)["azimuth_deg"] != 0
    limit = next(f.below for f in load_exercise(EX_ID).faults if f.code == "knees_bent")
    for i, frames in _hold_frames(path):
        assert frames, i
        knee = statistics.median(knee_angle(f, side) for f in frames)
        hip = statistics.median(hip_angle(f, side) for f in frames)
        want_knee = truth[i]["hold_knee_angle_2d_deg"]
        assert abs(knee - want_knee) <= (12.0 if oblique else 4.0), (i, knee, want_knee)
        # the hip angle of the V: within 7 deg side-on, 12 obliquely (no fault reads it)
        assert abs(hip - truth[i]["hold_hip_angle_2d_deg"]) <= (12.0 if oblique else 7.0), (i, hip)
        assert (knee < limit - 5.0) if want_knee < 160.0 else (knee > limit + 5.0), (i, knee)


def test_the_knees_height_tells_the_v_from_all_fours_on_every_render() -> None:
    """knee_lift: all fours under 0.2, every V (straight or bent knees, rounded back) over 0.35."""
    for path in CLIPS:
        labels = load_labels(path)
        side = _camera(path)["camera_side"]
        frames = list(TraceSource(str(trace_of(path))))
        rest = [knee_lift(f, side) for f in frames if f.xy is not None and f.t < labels.reps[0].start_s]
        assert rest and statistics.median(rest) < 0.2, path.name
        for _, hold in _hold_frames(path):
            assert statistics.median(knee_lift(f, side) for f in hold) > 0.35, path.name


# -- the rendered clips ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", CLIPS, ids=[p.name.split(".")[0] for p in CLIPS])
def test_rendered_clip_counts_holds_and_faults(path: Path) -> None:
    labels = load_labels(path)
    ex = exercise()
    _, session = run(ex, list(TraceSource(str(trace_of(path)))))
    judged = {f.code for f in ex.faults if f.max_view_deg is None or _camera(path)["azimuth_deg"] == 0}
    assert len(session.reps) == len(labels.reps), [(r.start_s, r.end_s) for r in session.reps]
    pairs = match(labels, session.reps)
    assert len(pairs) == len(labels.reps)
    errors = []
    for i, j in pairs.items():
        want, got = labels.reps[i], session.reps[j]
        # back_rounded is judged only near side-on (max_view_deg): the oblique renders' rounded backs
        # are left unjudged, neither flagged nor cleared
        assert set(got.faults) == set(want.faults) & judged, (i, got.faults, want.faults)
        # a good hold is timed in good form; a faulty one's timer pauses on the fault (its time in the
        # position is the rep's top_s)
        position = got.hold_s if not want.faults else got.top_s
        assert want.position_s is not None
        errors.append(abs(position - want.position_s))
        if set(want.faults) & judged:
            assert got.hold_s < want.position_s - 3.0  # the fault paused the timer
    # each hold within 1 s (dog_faults_03's bent-knee V is timed 0.6 s long: its knee stays up as the
    # hips start down); the median over the renders is the 0.5 s target (the next test)
    assert max(errors) <= 1.0, errors


def test_rendered_holds_median_error_within_half_a_second() -> None:
    errors = []
    for path in CLIPS:
        labels = load_labels(path)
        _, session = run(exercise(), list(TraceSource(str(trace_of(path)))))
        for i, j in match(labels, session.reps).items():
            want, got = labels.reps[i], session.reps[j]
            assert want.position_s is not None
            errors.append(abs((got.hold_s if not want.faults else got.top_s) - want.position_s))
    assert len(errors) == sum(len(load_labels(p).reps) for p in CLIPS)
    assert float(np.median(errors)) <= 0.5, errors


def test_every_rendered_fault_is_covered_and_both_camera_sides() -> None:
    seen = {f for path in CLIPS for r in load_labels(path).reps for f in r.faults}
    assert seen == FAULTS
    cams = [_camera(p) for p in CLIPS]
    assert {c.get("camera_side") for c in cams} == {"left", "right"}
    assert any(c["azimuth_deg"] > 20 for c in cams) and any(c["azimuth_deg"] < -20 for c in cams)
