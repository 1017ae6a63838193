"""The face-down exercises (back_extension, locust, superman): their definitions, the general measures
they brought (face_angle: face down or up, and the neck bent back; wrist_reach: where the arms are),
and counts, holds and faults on the rendered clips in samples/<id>/ (MediaPipe's landmarks shipped
beside each clip, replayed here), against the clips' truth labels."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest


from coach.engine.definition import Exercise, load_exercise, parse_exercise
from coach.errors import CoachError
from coach.labels import load_labels
from coach.measures import MEASURES, RANGES, face_angle, nose_lift, wrist_reach
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import definition_data as _data
from rendered import refused
from rendered import clips, match, run, trace_of

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FAMILY = {"back_extension": {"hips_lifted", "neck_overextended"},
          "locust": {"arms_forward", "legs_bent"},
          "superman": {"knees_bent", "neck_overextended", "hold_short"}}
# The clips hold 3.5-5 s (back extension, locust: the handout's 30 s would reuse one render anyway).
HOLD_TARGET = {"back_extension": 3.0, "locust": 3.0, "superman": None}


def exercise(ex_id: str) -> Exercise:
    ex = load_exercise(ex_id)
    return ex.with_targets(hold_s=HOLD_TARGET[ex_id]) if HOLD_TARGET[ex_id] else ex


ALL_CLIPS = [(ex_id, path) for ex_id in FAMILY for path in clips(ex_id)]


# -- definitions --------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", sorted(FAMILY))
def test_definition_loads_with_the_catalogue_faults_and_plain_instructions(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert {f.code for f in ex.faults} == FAMILY[ex_id]
    assert all(f.cue and f.label for f in ex.faults)
    assert "Stop if the exercise makes your pain worse" in ex.instructions
    assert "face down" in ex.instructions.lower()
    assert ex.view == "side" and ex.side_within_deg is not None
    # face down, in the starting position that arms counting
    assert any(c.measure == "nose_lift" and c.to_start for c in ex.posture)
    assert ex.phases.kind == "out_and_back"


def test_locust_says_its_caution_before_it_starts() -> None:
    text = load_exercise("locust").instructions
    assert text.lower().startswith("caution: avoid this exercise if you have a disc problem")


def test_targets_are_the_handouts() -> None:
    assert load_exercise("back_extension").hold_target_s == 30.0
    assert load_exercise("locust").hold_target_s == 30.0
    superman = load_exercise("superman")
    assert (superman.hold_target_s, superman.reps_min, superman.reps_max) == (2.0, 12, 12)




def test_bad_definitions_are_refused() -> None:
    base = _data("back_extension")
    bad = copy.deepcopy(base)
    bad["posture"][1]["max"] = 7.0  # nose_lift (torso lengths) never reaches it
    with pytest.raises(CoachError, match="nose_lift"):
        parse_exercise(bad, "back_extension.toml")
    bad = copy.deepcopy(base)
    bad["faults"][0]["measure"] = "face_angel"
    with pytest.raises(CoachError, match="face_angel"):
        parse_exercise(bad, "back_extension.toml")
    with refused("locust", match="wrist_reach") as bad:
        bad["faults"][0]["above"] = 9.0  # wrist_reach is in torso lengths: -5..5
    with refused("superman", match="hold_share|knee_angle") as bad:
        bad["faults"][2]["measure"] = "knee_angle"  # a rep-scope fault judges the rep's figures, not a measure


# -- the general measures, on made-up skeletons --------------------------------------------------

def skeleton(face_deg: float, head_right: bool = True, trunk_deg: float = 0.0, wrist: float = 0.0,
             side: str = "right") -> PoseFrame:
    """A lying trunk (hip to shoulder 150 px, rising ``trunk_deg`` from the floor, head toward the
    picture's right or left), the face pointing ``face_deg`` from the trunk's direction toward its
    upper side (negative: toward the floor), the wrist ``wrist`` torso lengths past the shoulder."""
    sign = 1.0 if head_right else -1.0
    a = math.radians(trunk_deg)
    u = np.array([sign * math.cos(a), -math.sin(a)])  # hip -> shoulder (y down in the picture)
    n = np.array([-u[1], u[0]])
    if n[1] > 0:
        n = -n  # the trunk's upper side in the picture
    hip = np.array([320.0, 300.0])
    shoulder = hip + 150.0 * u
    ear = shoulder + 40.0 * u
    f = math.radians(face_deg)
    nose = ear + 25.0 * (math.cos(f) * u + math.sin(f) * n)
    xy = np.full((33, 2), np.nan)
    for s in ("left", "right"):
        xy[side_landmark(s, "hip")] = hip
        xy[side_landmark(s, "shoulder")] = shoulder
        xy[side_landmark(s, "ear")] = ear
        xy[side_landmark(s, "wrist")] = shoulder + wrist * 150.0 * u
    xy[0] = nose
    return PoseFrame(index=0, t=0.0, width=640, height=480, xy=xy, z=np.zeros(33), visibility=np.full(33, 0.9),
                     people=1)


@pytest.mark.parametrize("head_right", [True, False])
def test_face_angle_tells_face_down_from_face_up_either_way_round(head_right: bool) -> None:
    assert face_angle(skeleton(-100.0, head_right), "right") == pytest.approx(-100.0, abs=1e-6)  # face down
    assert face_angle(skeleton(100.0, head_right), "right") == pytest.approx(100.0, abs=1e-6)  # face up
    # the neck bent back while the chest is up: the face turns from the floor toward the head
    assert face_angle(skeleton(-50.0, head_right, trunk_deg=35.0), "right") == pytest.approx(-50.0, abs=1e-6)


@pytest.mark.parametrize("head_right", [True, False])
def test_nose_lift_tells_face_down_from_face_up(head_right: bool) -> None:
    down, up = skeleton(-100.0, head_right), skeleton(100.0, head_right)
    assert nose_lift(down, "right") < 0 < 0.12 < nose_lift(up, "right")
    # exactly mirrored about the trunk line
    assert nose_lift(up, "right") == pytest.approx(-nose_lift(down, "right"))


def test_face_angle_is_the_face_against_the_trunk_not_the_picture() -> None:
    flat, lifted = skeleton(-95.0), skeleton(-95.0, trunk_deg=40.0)
    assert face_angle(flat, "right") == pytest.approx(face_angle(lifted, "right"), abs=1e-6)


def test_wrist_reach_along_the_trunk() -> None:
    for reach in (-1.0, 0.0, 1.2):
        for head_right in (True, False):
            assert wrist_reach(skeleton(-90.0, head_right, trunk_deg=20.0, wrist=reach), "right") == pytest.approx(reach)


def test_face_angle_is_not_read_when_the_nose_is_drawn_on_the_ear() -> None:
    p = skeleton(-90.0)
    assert p.xy is not None
    p.xy[0] = p.xy[side_landmark("right", "ear")] + [3.0, 2.0]  # 0.02 torso lengths: the face not seen
    assert math.isnan(face_angle(p, "right"))


def test_measures_are_nan_without_a_trunk() -> None:
    p = skeleton(-90.0)
    assert p.xy is not None
    p.xy[side_landmark("right", "shoulder")] = p.xy[side_landmark("right", "hip")]
    assert math.isnan(face_angle(p, "right")) and math.isnan(wrist_reach(p, "right"))


def test_new_measures_are_registered_with_ranges() -> None:
    for name in ("face_angle", "nose_lift", "wrist_reach"):
        assert name in MEASURES and name in RANGES


# -- the rendered clips ----------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id,path", ALL_CLIPS, ids=[p.name.split(".")[0] for _, p in ALL_CLIPS])
def test_rendered_clip_counts_holds_and_faults(ex_id: str, path: Path) -> None:
    labels = load_labels(path)
    ex = exercise(ex_id)
    _, session = run(ex, list(TraceSource(str(trace_of(path)))))
    assert len(session.reps) == len(labels.reps), [(r.start_s, r.end_s) for r in session.reps]
    pairs = match(labels, session.reps)
    assert len(pairs) == len(labels.reps)
    # The face can be hidden, and then the neck is not judged and the rep says so: seen straight from
    # the side, a superman's raised near arm covers it (MediaPipe draws the nose on the ear). From the
    # feet's side (azimuth < 0) the camera sees the back of a lifted head: mostly hidden, and where a
    # few frames show it the direction is the view's, not the neck's: a known limit, a bent-back neck
    # may be missed there (bext_mixed_03). Side-on (other exercises) and from the head's side the
    # neck is judged, and every fault is found.
    view = json.loads(path.read_text())["view"]["azimuth_deg"]
    neck = {"neck_overextended"}
    may_hide = neck if (ex_id == "superman" and abs(view) < 20) or view < -20 else set()
    may_miss = neck if view < -20 else set()
    errors = []
    for i, j in pairs.items():
        want, got = labels.reps[i], session.reps[j]
        assert set(got.faults) <= set(want.faults), (i, got.faults, want.faults)  # no false alarm
        missed = set(want.faults) - set(got.faults)
        assert missed <= set(got.unjudged) | may_miss, (i, got.faults, want.faults)  # a miss is said, or known
        assert set(got.unjudged) <= may_hide, (i, got.unjudged)
        if want.position_s is not None:
            errors.append(abs(got.hold_s - want.position_s))
    assert float(np.median(errors)) <= 0.5, errors


def test_every_rendered_fault_is_covered() -> None:
    for ex_id, codes in FAMILY.items():
        seen = {f for path in clips(ex_id) for r in load_labels(path).reps for f in r.faults}
        assert seen == codes, ex_id


def lying(face_deg: float, lift_deg: float, wrist: float, t: float) -> PoseFrame:
    """A whole made-up person lying side-on (head to the picture's right, the right side to the
    camera): legs flat on the floor, the trunk lifted ``lift_deg`` from it, the face pointing
    ``face_deg`` against the trunk (negative: toward the floor, face down)."""
    p = skeleton(face_deg, trunk_deg=lift_deg, wrist=wrist)
    assert p.xy is not None
    xy = p.xy.copy()
    hip = xy[side_landmark("right", "hip")]
    shoulder, wrist_xy = xy[side_landmark("right", "shoulder")], xy[side_landmark("right", "wrist")]
    for s in ("left", "right"):
        xy[side_landmark(s, "knee")] = hip + [-130.0, 2.0]
        xy[side_landmark(s, "ankle")] = hip + [-250.0, 4.0]
        xy[side_landmark(s, "heel")] = hip + [-262.0, 0.0]
        xy[side_landmark(s, "foot_index")] = hip + [-270.0, 8.0]
        xy[side_landmark(s, "elbow")] = (shoulder + wrist_xy) / 2 + [0.0, 3.0]
    for i in range(33):  # eyes, mouth, hands: beside the nose and the wrist
        if np.isnan(xy[i]).any():
            xy[i] = xy[0] if i < 11 else wrist_xy
    vis = np.full(33, 0.95)
    vis[[side_landmark("left", j) for j in ("shoulder", "hip", "knee", "ankle", "ear")]] = 0.6  # the far side
    return dataclasses.replace(p, index=int(round(t * 30)), t=t, xy=xy, visibility=vis)


START_ARMS = {"back_extension": 0.1, "locust": -1.0, "superman": 1.1}  # wrists in each starting position


def lift_and_lower(ex_id: str, face_deg: float) -> list[PoseFrame]:
    """Lying 2 s, lifting the chest 30 deg in 1 s, held 4 s, lowered in 1 s, lying 2 s."""
    out, t = [], 0.0
    for dur, a, b in ((2.0, 0, 0), (1.0, 0, 30), (4.0, 30, 30), (1.0, 30, 0), (2.0, 0, 0)):
        n = int(dur * 30)
        for k in range(n):
            out.append(lying(face_deg, a + (b - a) * (k + 1) / n, START_ARMS[ex_id], t))
            t += 1 / 30
    return out


@pytest.mark.parametrize("ex_id", sorted(FAMILY))
def test_a_person_lying_on_the_back_is_told_to_turn_over_and_not_counted(ex_id: str) -> None:
    results, session = run(exercise(ex_id), lift_and_lower(ex_id, face_deg=100.0))  # face up
    assert not session.reps
    assert results[-1].message == "Turn over to lie face down"
    results, session = run(exercise(ex_id), lift_and_lower(ex_id, face_deg=-100.0))  # the same, face down
    assert len(session.reps) == 1 and not any(r.message == "Turn over to lie face down" for r in results)


def test_a_hidden_face_is_said_not_guessed() -> None:
    """Superman seen side-on: the neck can't be judged, and the coach says so once per kind of reason
    instead of judging the last reading from before the arm covered the face."""
    path = SAMPLES / "superman" / "superman_good_07.labels.json"
    results, session = run(exercise("superman"), list(TraceSource(str(trace_of(path)))))
    said = {r.cue.text for r in results if r.cue is not None}
    assert "I can't check for neck bent back: the camera can't see it well enough from here" in said
    assert session.reps and all(r.unjudged == ["neck_overextended"] and "face_angle_deg" not in r.peak
                                for r in session.reps)


@pytest.mark.parametrize("ex_id,path", ALL_CLIPS, ids=[p.name.split(".")[0] for _, p in ALL_CLIPS])
def test_body_controls_stay_quiet_through_the_exercise(ex_id: str, path: Path) -> None:
    """Neither hands-free control fires: a superman's arms reach forward, not up; a back extension
    lifts the chest (torso up to ~48 deg on the renders), short of sitting up (60 deg)."""
    from bench.body_controls import check

    seen = check(trace_of(path))
    assert seen["fired"] == [] and seen["max_elevation_deg"] < 55.0
