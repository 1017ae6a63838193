"""The seated rotations seen from the front (seated_spinal_twist, seated_rotation): their definitions, the
measures they brought (coach/measures/rotations.py: the shoulder line's turn against the hip line
from the world landmarks, the hips' turn, the sideways lean) on made-up skeletons, and the checker on
the rendered clips in samples/<id>/ (replayed from their shipped MediaPipe traces: no inference
here), judged against the clips' truth labels and truth keypoints.

(tests/test_rotation.py is about video rotation tags: unrelated.)

The renders (bench/motions/rotations.py, specs in bench/motions/specs/) hold 5 s a side; the tests
pass a 4 s hold target (the handouts' 30 s, or 10 s, would make every rendered hold short).
"""

from __future__ import annotations

import copy
import math
import sys
from pathlib import Path

import numpy as np
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise, parse_exercise
from coach.errors import CoachError
from coach.labels import load_labels
from coach.measures import (JOINTS, MEASURES, RANGES, hip_turn, shoulder_turn, shoulder_turn_amount, side_lean,
                            side_lean_picture)
from coach.measures.rotations import TWIST_SCALE, YAW_SCALE, shoulder_yaw, shoulder_yaw_raw, twist_left, twist_left_raw
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import match

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
EXERCISES = ("seated_spinal_twist", "seated_rotation")
FAULTS = {"hips_turned", "leaning"}
HOLD_S = 4.0


def clips(ex_id: str) -> list[Path]:
    return sorted((SAMPLES / ex_id).glob("*.labels.json"))


# Renders the coach is known to get wrong, and why (a strict xfail: it fails once they are right).
WRONG: dict[str, str] = {}  # twist_faults_03 rep 1 (hips turned, 20 deg round) was one till the phases read
# the turn in the room either way (shoulder_yaw, either_way) and a hold-required pull that overshoots
# and settles far out became the hold (tests/test_either_way.py)
ALL_CLIPS = [pytest.param(ex_id, p, id=p.name.split(".")[0],
                          marks=[pytest.mark.xfail(strict=True, reason=WRONG[p.name.split(".")[0]])]
                          if p.name.split(".")[0] in WRONG else [])
             for ex_id in EXERCISES for p in clips(ex_id)]


# -- made-up skeletons ---------------------------------------------------------------------------

def _rz(deg: float) -> np.ndarray:
    """A turn about the vertical (MediaPipe's world: x right, y down, z away from the camera), + = the
    person's left (for a person facing the camera: their left is +x) going away from the camera."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0.0, -s], [0.0, 1.0, 0.0], [s, 0.0, c]])


def seated(twist: float = 0.0, hips: float = 0.0, lean: float = 0.0, camera: float = 0.0,
           pitch: float = 0.0) -> PoseFrame:
    """A made-up person sitting facing the camera: hips 0.3 m apart, shoulders 0.38 m apart 0.5 m above
    them; the pelvis turned ``hips`` deg to their left, the shoulders a further ``twist``; the trunk
    leaning ``lean`` deg toward their left; the whole body seen ``camera`` deg round about the vertical
    and ``pitch`` deg from above (a camera tilted down). World landmarks in metres, the picture a plain
    projection of them (200 px a metre, mid-hip at (320, 300))."""
    world = np.zeros((33, 3))
    lean_r = math.radians(lean)
    up = np.array([math.sin(lean_r), -math.cos(lean_r), 0.0])  # y down: up is -y; leaning left = toward +x
    hip_half = _rz(hips) @ np.array([0.15, 0.0, 0.0])
    sh_half = _rz(hips + twist) @ np.array([0.19, 0.0, 0.0])
    # the shoulder line turned about the (leaning) trunk axis: rotate the level line into the lean
    lean_m = np.array([[math.cos(lean_r), -math.sin(lean_r), 0.0], [math.sin(lean_r), math.cos(lean_r), 0.0],
                       [0.0, 0.0, 1.0]])
    sh_half = lean_m @ sh_half
    mid_sh = 0.5 * up
    pts = {"left_hip": hip_half, "right_hip": -hip_half, "left_shoulder": mid_sh + sh_half,
           "right_shoulder": mid_sh - sh_half}
    view = _rz(camera)
    p = math.radians(pitch)
    tilt = np.array([[1.0, 0.0, 0.0], [0.0, math.cos(p), -math.sin(p)], [0.0, math.sin(p), math.cos(p)]])
    for name, v in pts.items():
        world[side_landmark("left" if name.startswith("left") else "right", name.split("_")[1])] = tilt @ view @ v
    for i in range(33):
        if not world[i].any():
            world[i] = world[11] * 0.5 + world[12] * 0.5 + [0.0, -0.2, 0.0]
    xy = world[:, :2] * 200.0 + [320.0, 300.0]
    return PoseFrame(index=0, t=0.0, width=640, height=480, xy=xy, z=world[:, 2] * 200.0,
                     visibility=np.full(33, 0.9), world=world, people=1)


@pytest.mark.parametrize("camera", [0.0, 30.0, -40.0])
@pytest.mark.parametrize("twist", [-45.0, -20.0, 0.0, 20.0, 45.0])
def test_the_twist_reads_the_shoulders_against_the_hips_whatever_the_camera(twist: float, camera: float) -> None:
    pose = seated(twist, camera=camera)
    assert twist_left_raw(pose) == pytest.approx(twist, abs=1e-6)
    # the measures read the landmarks' angle scaled up: MediaPipe reads turns short (TWIST_SCALE)
    assert twist_left(pose) == pytest.approx(max(-180.0, min(180.0, TWIST_SCALE * twist)), abs=1e-6)
    assert shoulder_turn(pose, "left") == pytest.approx(twist_left(pose), abs=1e-9)
    assert shoulder_turn(pose, "right") == pytest.approx(-twist_left(pose), abs=1e-9)
    assert shoulder_turn_amount(pose, "right") == pytest.approx(abs(twist_left(pose)), abs=1e-9)


def test_the_twist_is_against_the_hips_not_the_camera() -> None:
    """Hips swung round with the shoulders: the twist is only what the shoulders turned beyond them."""
    assert twist_left_raw(seated(25.0, hips=20.0)) == pytest.approx(25.0, abs=1e-6)
    assert twist_left_raw(seated(0.0, hips=30.0)) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("camera", [0.0, 30.0, -40.0])
def test_the_shoulder_yaw_reads_the_whole_turn_in_the_room(camera: float) -> None:
    """The phases' measure: hips and all (a hips-turned twist turns the shoulders the full way), with the
    camera's angle in it (the machine takes the distance from rest either way)."""
    rest = shoulder_yaw_raw(seated(camera=camera))
    assert rest == pytest.approx(camera, abs=1e-6)
    assert shoulder_yaw_raw(seated(20.0, hips=20.0, camera=camera)) - rest == pytest.approx(40.0, abs=1e-6)
    assert shoulder_yaw_raw(seated(-40.0, camera=camera)) - rest == pytest.approx(-40.0, abs=1e-6)
    assert shoulder_yaw(seated(-40.0, camera=camera), "left") == pytest.approx(YAW_SCALE * (rest - 40.0), abs=1e-6)
    assert shoulder_yaw(seated(30.0), "left") == shoulder_yaw(seated(30.0), "right")  # no side of its own
    assert math.isnan(shoulder_yaw(seated(30.0).__class__(index=0, t=0.0, width=640, height=480), "left"))


def test_a_tilted_camera_or_a_lean_is_no_twist() -> None:
    assert twist_left_raw(seated(0.0, pitch=25.0)) == pytest.approx(0.0, abs=1e-6)
    assert twist_left_raw(seated(0.0, lean=15.0)) == pytest.approx(0.0, abs=1e-6)
    assert twist_left_raw(seated(30.0, pitch=25.0)) == pytest.approx(30.0, abs=1.0)


@pytest.mark.parametrize("camera", [0.0, 35.0])
def test_hip_turn_follows_the_hips_toward_a_side(camera: float) -> None:
    rest = hip_turn(seated(camera=camera), "left")
    assert rest == pytest.approx(camera, abs=1e-6)  # the camera's angle: judged as a change from rest
    assert hip_turn(seated(40.0, hips=20.0, camera=camera), "left") - rest == pytest.approx(20.0, abs=1e-6)
    assert hip_turn(seated(40.0, hips=20.0, camera=camera), "right") + rest == pytest.approx(-20.0, abs=1e-6)
    assert hip_turn(seated(40.0, camera=camera), "left") == pytest.approx(rest, abs=1e-6)  # shoulders only


@pytest.mark.parametrize("camera", [0.0, 30.0])
def test_side_lean_reads_the_lean_toward_a_side_not_a_twist(camera: float) -> None:
    assert side_lean(seated(camera=camera), "left") == pytest.approx(0.0, abs=1e-6)
    assert side_lean(seated(lean=15.0, camera=camera), "left") == pytest.approx(15.0, abs=1e-6)
    assert side_lean(seated(lean=15.0, camera=camera), "right") == pytest.approx(-15.0, abs=1e-6)
    assert side_lean(seated(40.0, camera=camera), "left") == pytest.approx(0.0, abs=1e-6)
    assert side_lean_picture(seated(lean=15.0), "left") == pytest.approx(15.0, abs=1e-6)  # facing the camera


def test_no_world_landmarks_no_reading() -> None:
    import dataclasses

    pose = dataclasses.replace(seated(30.0), world=None)
    assert all(math.isnan(f(pose, "left")) for f in (shoulder_turn, shoulder_turn_amount, hip_turn, side_lean))
    flat = seated()
    assert flat.world is not None
    flat.world[[11, 12]] = flat.world[[23, 24]]  # shoulders on the hips: no trunk
    assert math.isnan(twist_left(flat)) and math.isnan(twist_left_raw(flat)) and math.isnan(side_lean(flat, "left"))


def test_the_measures_are_registered_with_their_joints_and_ranges() -> None:
    for name in ("shoulder_turn", "shoulder_turn_amount", "hip_turn", "side_lean", "side_lean_picture"):
        assert name in MEASURES and set(JOINTS[name]) <= {"shoulder", "hip"}
    assert RANGES["shoulder_turn_amount"] == (0.0, 180.0)


# -- definitions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", EXERCISES)
def test_the_definition_loads_with_the_catalogue_faults_and_targets(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert {f.code for f in ex.faults} == FAULTS
    assert ex.view == "front" and ex.side_within_deg is None
    assert ex.key_joints == ("shoulder", "hip")  # a desk camera may cut the legs off
    assert ex.sides is not None and ex.per_side  # turning left and right are the two sides
    assert "Stop if the exercise makes your pain worse" in " ".join(ex.instructions.split())
    assert any(c.to_start for c in ex.posture)
    assert all(f.label and f.cue and f.scope == "hold" for f in ex.faults)
    targets = {"seated_spinal_twist": (30.0, 1, 1), "seated_rotation": (10.0, 2, 3)}[ex_id]
    assert (ex.hold_target_s, ex.reps_min, ex.reps_max) == targets
    ExerciseChecker(ex)


@pytest.mark.parametrize("ex_id", EXERCISES)
@pytest.mark.parametrize("change, problem", [
    (lambda d: d["sides"].update(measure="shoulder_turns"), "unknown measure 'shoulder_turns'"),
    (lambda d: d["phases"].update(measure="twist"), "unknown measure 'twist'"),
    (lambda d: d["posture"][-1].update(max=200.0), "must be from"),
    (lambda d: d["faults"].append(dict(d["faults"][0])), "duplicate fault code"),
    (lambda d: d["phases"].update(rest_within=20.0), "hysteresis"),
    (lambda d: d.update(key_joints=["shoulder", "hips"]), "unknown joint 'hips'"),
])
def test_a_bad_definition_is_refused(ex_id: str, change, problem: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(tomllib.loads((ROOT / "poses" / f"{ex_id}.toml").read_text(encoding="utf-8")))
    change(data)
    with pytest.raises(CoachError, match=problem):
        parse_exercise(data, str(tmp_path / f"{ex_id}.toml"))


# -- the rendered clips --------------------------------------------------------------------------

def run_clip(ex_id: str, labels_path: Path):  # type: ignore[no-untyped-def]
    name = labels_path.name[: -len(".labels.json")]
    checker = ExerciseChecker(load_exercise(ex_id).with_targets(hold_s=HOLD_S))
    for pose in TraceSource(str(labels_path.with_name(name + ".landmarks.jsonl.gz"))):
        checker.update(pose)
    return checker.finish(), load_labels(labels_path)


def hold_errors(ex_id: str, labels_path: Path) -> list[float]:
    """|our hold - the labelled time in the position| per rep, after checking the count, each rep's side
    (the side turned to) and its faults against the labels."""
    session, labels = run_clip(ex_id, labels_path)
    assert len(session.reps) == len(labels.reps), [(r.start_s, r.end_s, r.side) for r in session.reps]
    errors = []
    for ours, truth in zip(session.reps, labels.reps):
        assert ours.side == truth.side, (ours.start_s, ours.side, truth.side)
        assert truth.position_s is not None
        errors.append(abs(ours.hold_s - truth.position_s))
        assert set(ours.faults) == set(truth.faults), (ours.start_s, ours.faults, ours.unjudged, truth.faults)
    return errors


@pytest.mark.parametrize("ex_id, labels_path", ALL_CLIPS)
def test_rendered_clip_counts_sides_holds_and_faults(ex_id: str, labels_path: Path) -> None:
    errors = hold_errors(ex_id, labels_path)
    # every hold within 1.5 s (rot_full_03's hips-turned hold reads 1.4 s long: MediaPipe's hip line,
    # stuck turned after the first hold, makes the turn read early); the median is checked below
    assert all(e <= 1.5 for e in errors), errors


@pytest.mark.parametrize("ex_id", EXERCISES)
def test_the_median_hold_error_is_within_half_a_second(ex_id: str) -> None:
    """Over every labelled hold a found one matches (by time overlap, as bench/accuracy.py), all clips."""
    errors = []
    for path in clips(ex_id):
        session, labels = run_clip(ex_id, path)
        for i, j in match(labels, session.reps).items():
            errors.append(abs(session.reps[j].hold_s - labels.reps[i].position_s))
    errors.sort()
    assert errors and (errors[(len(errors) - 1) // 2] + errors[len(errors) // 2]) / 2 <= 0.5, errors


def test_the_clips_cover_both_sides_the_cameras_and_every_fault() -> None:
    for ex_id in EXERCISES:
        labels = [load_labels(p) for p in clips(ex_id)]
        assert len(labels) >= 2
        reps = [r for lab in labels for r in lab.reps]
        assert {r.side for r in reps} == {"left", "right"}
        assert FAULTS <= {f for r in reps for f in r.faults}
        assert any(not r.faults for r in reps)


def test_a_mirrored_picture_reads_the_turns_to_the_other_side() -> None:
    """rot_desk_01 flipped left-right (bench/rotation.py --mirror; MediaPipe's trace shipped beside the
    clip): a mirror swaps the person's left and right, so each turn reads to the other side, with its
    hold. The coach takes the picture as the camera gives it: a mirrored ("selfie") recording names
    the sides the other way round."""
    labels = load_labels(SAMPLES / "seated_rotation" / "rot_desk_01.labels.json")
    checker = ExerciseChecker(load_exercise("seated_rotation").with_targets(hold_s=HOLD_S))
    for pose in TraceSource(str(SAMPLES / "seated_rotation" / "rot_desk_01_mirrored.landmarks.jsonl.gz")):
        checker.update(pose)
    session = checker.finish()
    other = {"left": "right", "right": "left"}
    assert [r.side for r in session.reps] == [other[str(r.side)] for r in labels.reps] == ["right", "left"]
    assert all(abs(ours.hold_s - truth.position_s) <= 1.0 for ours, truth in zip(session.reps, labels.reps))


def test_with_the_knees_out_of_the_picture_the_hips_are_not_judged_but_the_turns_count() -> None:
    """A desk camera that shows only the trunk: rot_desk_02 replayed with the knees moved below the
    picture's lower edge. Counting needs only the shoulders and hips (key_joints): both holds and
    their sides stay; hips_turned reads the thighs, so it is reported as not judged, not as good."""
    import dataclasses

    labels = load_labels(SAMPLES / "seated_rotation" / "rot_desk_02.labels.json")
    checker = ExerciseChecker(load_exercise("seated_rotation").with_targets(hold_s=HOLD_S))
    for pose in TraceSource(str(SAMPLES / "seated_rotation" / "rot_desk_02.landmarks.jsonl.gz")):
        if pose.xy is not None:
            xy = pose.xy.copy()
            for j in ("knee", "ankle", "heel", "foot_index"):
                for s in ("left", "right"):
                    xy[side_landmark(s, j), 1] = pose.height + 40.0
            pose = dataclasses.replace(pose, xy=xy)
        checker.update(pose)
    session = checker.finish()
    assert [r.side for r in session.reps] == [r.side for r in labels.reps]
    turned = [r for r, lab in zip(session.reps, labels.reps) if "hips_turned" in lab.faults]
    assert turned and all("hips_turned" in r.unjudged and "hips_turned" not in r.faults for r in turned)
    assert all("hips_turned" not in r.faults for r in session.reps)
