"""The knee drops (side_knee_drop, lying_trunk_rotation): their definitions, their measures on made-up
skeletons, and the checker on the rendered clips in samples/<id>/ (replayed from their shipped
MediaPipe traces: no inference here), judged against the clips' truth labels.

The renders (bench/motions/knee_drops.py, specs in bench/motions/specs/) hold 5-5.5 s a side; the
tests pass a 4 s hold target (the handouts' 30-45 s holds would make every rendered hold short).
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
from coach.measures import (knee_above_other, knee_angle_max, knee_angle_min, knee_height, knee_height_gap,
                            knee_height_max, knee_height_mean, knees_away_from, shoulder_rise)
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
EXERCISES = ("side_knee_drop", "lying_trunk_rotation")
HOLD_S = 4.0


def clips(ex_id: str) -> list[Path]:
    return sorted((SAMPLES / ex_id).glob("*.labels.json"))


# Renders the coach is known not to see, and why (a strict xfail: it fails once they are seen).
UNSEEN = {
    "kd_faults_04": "rep 1 drops the knees AWAY from the camera with the near knee lagging (knees_apart): from "
                    "side-on the near knee stays up and the far one is hidden behind it; MediaPipe's knees do not "
                    "move (knee_height 0.60 -> 0.57, depth unchanged), so the hold is not found",
    "tr_good_02": "seen 35 deg round from the head's side, the straight far leg lies end-on behind the bent near "
                  "one and MediaPipe draws it bent on top of it: the first rotation's side comes out wrong and "
                  "the second hold is lost after 1.9 s",
    "tr_feet_05": "seen 30 deg round from the feet (rendered after the limits were set): back from the first "
                  "rotation the bent knee reads 0.67 torso lengths up, then settles at 0.55 where it rested at "
                  "0.65; 0.12 below the resting level it has just learned is past hold_above_rest (0.08), and "
                  "the still knee at rest is counted as a third hold of 2.5 s",
}
ALL_CLIPS = [pytest.param(ex_id, p, id=p.name.split(".")[0],
                          marks=[pytest.mark.xfail(strict=True, reason=UNSEEN[p.name.split(".")[0]])]
                          if p.name.split(".")[0] in UNSEEN else [])
             for ex_id in EXERCISES for p in clips(ex_id)]


def run_clip(ex_id: str, labels_path: Path):  # type: ignore[no-untyped-def]
    name = labels_path.name[: -len(".labels.json")]
    trace = labels_path.with_name(name + ".landmarks.jsonl.gz")
    checker = ExerciseChecker(load_exercise(ex_id).with_targets(hold_s=HOLD_S))
    for pose in TraceSource(str(trace)):
        checker.update(pose)
    return checker.finish(), load_labels(labels_path)


def _matched(session, labels):  # type: ignore[no-untyped-def]
    """Our reps beside the labelled ones, in order (the counts are checked equal first)."""
    assert len(session.reps) == len(labels.reps), ([(r.start_s, r.end_s) for r in session.reps],
                                                   [(r.start_s, r.end_s) for r in labels.reps])
    return list(zip(session.reps, labels.reps))


# -- definitions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", EXERCISES)
def test_the_definition_loads_with_the_catalogue_faults_and_targets(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    codes = {f.code for f in ex.faults}
    expected = {"side_knee_drop": {"shoulder_lifted", "knees_apart"},
                "lying_trunk_rotation": {"shoulder_lifted", "straight_leg_bent"}}[ex_id]
    assert codes == expected
    assert ex.sides is not None  # one hold to each side
    assert "pain" in ex.instructions and "Stop" in ex.instructions
    assert ex.hold_target_s == 30.0 and (ex.reps_min, ex.reps_max) == (1, 1) and ex.per_side  # 30 s per side
    assert any(c.to_start for c in ex.posture)
    assert all(f.label and f.cue for f in ex.faults)
    ExerciseChecker(ex)


@pytest.mark.parametrize("ex_id", EXERCISES)
@pytest.mark.parametrize("change, problem", [
    (lambda d: d["sides"].update(measure="knees_toward"), "unknown measure 'knees_toward'"),
    (lambda d: d["faults"][0].update({"above" if "above" in d["faults"][0] else "below": 500.0}), "must be from"),
    (lambda d: d["faults"].append(dict(d["faults"][0])), "duplicate fault code"),
    (lambda d: d["posture"][-1].update(measure="knee_angles_max"), "unknown measure"),
    (lambda d: d["phases"].update(rest_within=1.0), "hysteresis"),
])
def test_a_bad_definition_is_refused(ex_id: str, change, problem: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tomllib.loads((ROOT / "poses" / f"{ex_id}.toml").read_text())
    data = copy.deepcopy(data)
    change(data)
    with pytest.raises(CoachError, match=problem):
        parse_exercise(data, str(tmp_path / f"{ex_id}.toml"))


# -- the rendered clips --------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id, labels_path", ALL_CLIPS)
def test_rendered_clip_counts_sides_holds_and_faults(ex_id: str, labels_path: Path) -> None:
    session, labels = run_clip(ex_id, labels_path)
    errors = []
    for ours, truth in _matched(session, labels):
        assert ours.side == truth.side, (ours.start_s, ours.side, truth.side)
        assert truth.position_s is not None
        errors.append(abs(ours.hold_s - truth.position_s))
        judged = set(ours.faults) | set(ours.unjudged)
        assert set(ours.faults) <= set(truth.faults), (ours.start_s, ours.faults, truth.faults)
        assert set(truth.faults) <= judged, (ours.start_s, ours.faults, ours.unjudged, truth.faults)
    assert sorted(errors)[len(errors) // 2] <= 0.5, errors
    assert all(e <= 1.0 for e in errors), errors


def test_the_clips_cover_both_sides_both_cameras_and_every_fault() -> None:
    for ex_id in EXERCISES:
        labels = [load_labels(p) for p in clips(ex_id)]
        assert len(labels) >= 4
        assert {r.side for lab in labels for r in lab.reps} == {"left", "right"}
        faults = {f for lab in labels for r in lab.reps for f in r.faults}
        assert faults == {f.code for f in load_exercise(ex_id).faults}


# -- measures on made-up skeletons ---------------------------------------------------------------

def _lying(knee_lift: float, knee_depth: float, near: str = "left", ankle_x: float = 160.0,
           shoulder_rise: dict | None = None) -> PoseFrame:
    """Side view of a person lying head to the right: hips at (300, 300), shoulders 150 px along the
    floor; both knees ``knee_lift`` px above the floor line and ``knee_depth`` px nearer the camera
    than the hips (z: smaller is nearer); the ``near`` side faces the camera."""
    xy, z = np.zeros((33, 2)), np.zeros(33)
    far = "right" if near == "left" else "left"
    for side, dz in ((near, -30.0), (far, 30.0)):
        pts = {"shoulder": (450.0, 300.0 - (shoulder_rise or {}).get(side, 0.0)), "hip": (300.0, 300.0),
               "knee": (230.0, 300.0 - knee_lift), "ankle": (ankle_x, 302.0), "heel": (ankle_x - 5, 305.0),
               "foot_index": (ankle_x - 20, 295.0), "elbow": (390.0, 305.0), "wrist": (330.0, 305.0),
               "ear": (510.0, 290.0), "eye": (520.0, 285.0)}
        for joint, p in pts.items():
            xy[side_landmark(side, joint)] = p
            z[side_landmark(side, joint)] = dz
    for side in ("left", "right"):
        z[side_landmark(side, "knee")] = -knee_depth
    xy[0] = (525.0, 285.0)
    return PoseFrame(index=0, t=0.0, width=640, height=480, xy=xy, z=z, visibility=np.full(33, 0.95), people=1)


def test_knee_height_falls_as_the_knees_drop_whichever_way() -> None:
    up, dropped = _lying(90.0, 0.0), _lying(40.0, 0.0)
    assert knee_height_mean(up, "left") == pytest.approx(90.0 / 150.0, abs=0.02)  # torso lengths
    assert knee_height_mean(dropped, "left") < knee_height_mean(up, "left") - 0.3
    assert knee_height_mean(_lying(40.0, 60.0), "left") == pytest.approx(knee_height_mean(_lying(40.0, -60.0), "left"))


@pytest.mark.parametrize("near", ["left", "right"])
def test_knees_away_from_falls_on_the_side_the_knees_drop_to(near: str) -> None:
    far = "right" if near == "left" else "left"
    rest, toward_near, toward_far = _lying(90, 0.0, near), _lying(40, 60.0, near), _lying(40, -60.0, near)
    for side in ("left", "right"):
        assert knees_away_from(rest, side) == pytest.approx(0.0)
    assert knees_away_from(toward_near, near) == pytest.approx(-60.0 / 150.0)
    assert knees_away_from(toward_near, far) == pytest.approx(60.0 / 150.0)
    assert knees_away_from(toward_far, far) < 0 < knees_away_from(toward_far, near)


def test_knee_angles_of_both_legs() -> None:
    pose = _lying(90.0, 0.0)
    bent = knee_angle_min(pose, "left")
    assert bent == pytest.approx(knee_angle_max(pose, "left")) and bent < 130
    straight = _lying(0.0, 0.0, ankle_x=100.0)
    assert knee_angle_max(straight, "left") > 170


@pytest.mark.parametrize("near", ["left", "right"])
def test_shoulder_rise_moves_whichever_shoulder_comes_up(near: str) -> None:
    far = "right" if near == "left" else "left"
    flat = shoulder_rise(_lying(90.0, 0.0, near), "left")
    assert flat == pytest.approx(0.0)
    for lifted in (near, far):
        value = shoulder_rise(_lying(90.0, 0.0, near, shoulder_rise={lifted: 18.0}), "left")
        assert value == pytest.approx((1.0 if lifted == "left" else -1.0) * 18.0 / 150.0, abs=0.01)


def test_per_leg_knee_heights() -> None:
    pose = _lying(90.0, 0.0)
    xy = pose.xy.copy()
    xy[side_landmark("right", "knee")] = (230.0, 300.0 - 30.0)  # the right knee lower: dropped, or lagging behind
    pose = PoseFrame(index=0, t=0.0, width=640, height=480, xy=xy, z=pose.z, visibility=pose.visibility, people=1)
    assert knee_height(pose, "left") == pytest.approx(0.6, abs=0.02)
    assert knee_height(pose, "right") == pytest.approx(0.2, abs=0.02)
    assert knee_height_mean(pose, "left") == pytest.approx(0.4, abs=0.02)
    assert knee_height_max(pose, "right") == pytest.approx(0.6, abs=0.02)
    assert knee_height_gap(pose, "left") == pytest.approx(0.4, abs=0.02)
    assert knee_above_other(pose, "left") == pytest.approx(0.4, abs=0.02) == -knee_above_other(pose, "right")


# -- the engine's hold_required (a hold exercise: out and back without holding is no rep) ----------

def _events(phases, values: list[float], fps: float = 30.0) -> list[str]:  # type: ignore[no-untyped-def]
    from coach.engine.phases import PhaseMachine

    machine, events, prev = PhaseMachine(phases), [], values[0]
    for i, v in enumerate(values):
        rate = (v - prev) * fps
        prev = v
        events += [c.event for c in machine.update(i / fps, v, rate) if c.event]
    return events


def test_hold_required_drops_a_pass_through_the_out_position_but_keeps_a_hold() -> None:
    """Lying trunk rotation's change of legs takes the higher knee down and up again without a
    pause; only a knee held down is a rep."""
    import dataclasses

    phases = load_exercise("lying_trunk_rotation").phases
    assert phases.hold_required
    dip = [0.56] * 30 + [0.56 - 0.24 * math.sin(math.pi * k / 30) for k in range(31)] + [0.56] * 40
    held = [0.56] * 30 + [0.56 - 0.3 * k / 30 for k in range(31)] + [0.26] * 90 + \
        [0.26 + 0.3 * k / 30 for k in range(31)] + [0.56] * 40
    assert "rep_end" not in _events(phases, dip)
    assert _events(phases, held) == ["rep_start", "hold_start", "hold_end", "rep_end"]
    without = dataclasses.replace(phases, hold_required=False)  # the default: a turn at the top is a rep
    assert _events(without, dip) == ["rep_start", "turned", "rep_end"]


def test_a_drop_away_from_the_camera_with_the_knees_apart_is_not_seen_but_the_next_one_is() -> None:
    """kd_faults_04 (see UNSEEN): the hidden rep is missed, not mistaken; the rep toward the camera
    after it is found whole: its side, its hold and its fault."""
    session, labels = run_clip("side_knee_drop", SAMPLES / "side_knee_drop" / "kd_faults_04.labels.json")
    (ours,), seen = session.reps, labels.reps[1]
    assert (ours.side, ours.faults) == (seen.side, list(seen.faults)) == ("right", ["shoulder_lifted"])
    assert abs(ours.hold_s - seen.position_s) <= 0.5


@pytest.mark.parametrize("ex_id, name", [("side_knee_drop", "kd_good_01"), ("lying_trunk_rotation", "tr_good_01")])
def test_switch_sides_is_said_once_as_the_first_sides_hold_ends(ex_id: str, name: str) -> None:
    from coach.engine.set_progress import SWITCH_CODE

    session, labels = run_clip(ex_id, ROOT / "samples" / ex_id / f"{name}.labels.json")
    first, second = session.reps[0], session.reps[1]
    assert {first.side, second.side} == {"left", "right"}
    (switch,) = [c for c in session.cues if c.code == SWITCH_CODE]
    assert second.side in switch.text
    assert first.end_s - 0.5 <= switch.t <= second.start_s + 0.5  # as the first side ends, before the second starts
