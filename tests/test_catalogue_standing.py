"""The standing desk exercises with a prop (chair_squat, wall_pushup): their definitions, the measures
they brought (arm_reach: how near the shoulder is to the hand; wrist_drop: how far down the trunk the
hands are), and
counts, holds and faults on the rendered clips in samples/<id>/ (MediaPipe's landmarks shipped beside
each clip, replayed here), against the clips' truth labels."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest


from coach.engine.definition import Exercise, load_exercise
from coach.labels import load_labels
from coach.measures import MEASURES, RANGES, arm_reach, body_line, knee_angle, torso_tilt, wrist_drop
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import clips, match, refused, run, trace_of

FAMILY = {"chair_squat": {"trunk_forward", "hands_used"},
          "wall_pushup": {"hips_sagging", "hips_piked", "shallow"}}
HOLD_TARGET = {"chair_squat": 2.5, "wall_pushup": 2.0}  # what the renders hold


def exercise(ex_id: str) -> Exercise:
    return load_exercise(ex_id).with_targets(hold_s=HOLD_TARGET[ex_id])


ALL_CLIPS = [(ex_id, path) for ex_id in FAMILY for path in clips(ex_id)]


# -- definitions --------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", sorted(FAMILY))
def test_definition_loads_with_the_catalogue_faults_and_asks_for_the_whole_body_side_on(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert {f.code for f in ex.faults} == FAMILY[ex_id]
    assert all(f.cue and f.label and f.scope == "hold" for f in ex.faults)
    assert "Stop if the exercise makes your pain worse" in ex.instructions
    assert "from head to feet" in ex.instructions  # the set-up: the whole body in the picture, side-on
    assert ex.view == "side" and ex.side_within_deg is not None and 20.0 <= ex.side_within_deg <= 45.0
    assert {"shoulder", "hip", "ankle"} <= set(ex.key_joints)  # whole body: the set-up check asks for the feet
    assert ex.phases.kind == "out_and_back"
    assert any(p.to_start for p in ex.posture)


def test_targets_are_the_handouts() -> None:
    squat, wall = load_exercise("chair_squat"), load_exercise("wall_pushup")
    assert (squat.reps_min, squat.reps_max) == (3, 4) and squat.hold_target_s == 3.0
    assert (wall.reps_min, wall.reps_max) == (4, 6) and wall.hold_target_s == 2.0


def test_bad_definitions_are_refused() -> None:
    with refused("wall_pushup", match="arm_reach") as bad:
        bad["faults"][2]["above"] = -7.0  # a change of arm_reach (0-5 torso lengths) from rest is within -5..5
    with refused("wall_pushup", match="arm_reech") as bad:
        bad["phases"]["measure"] = "arm_reech"
    with refused("chair_squat", match="wrist_drop") as bad:
        bad["faults"][1]["above"] = 9.0  # wrist_drop is in torso lengths, -5..5
    with refused("chair_squat", match="side_within_deg") as bad:
        bad["side_within_deg"] = 120.0


def test_new_measures_are_registered_with_ranges() -> None:
    for name in ("arm_reach", "wrist_drop"):
        assert name in MEASURES and name in RANGES


# -- the measures, on made-up skeletons -----------------------------------------------------------

def person(face_left: bool = True, sit: float = 0.0, lean_deg: float = 0.0, elbow_deg: float = 170.0,
           hands: str = "folded", t: float = 0.0, hip_px: float = 0.0, wall_lean_deg: float = 0.0) -> PoseFrame:
    """A made-up person seen side-on (y down in the picture), facing left or right, feet on the floor
    150 px behind the picture's middle: ``sit`` 1 = sitting (thighs level, shins vertical), 0 = standing; the trunk leaning
    ``lean_deg`` forward from vertical; the whole body leaning ``wall_lean_deg`` forward about the
    ankles (a wall push-up), the hip ``hip_px`` toward the front of the straight shoulder-ankle line;
    hands ``folded`` on the chest, on the ``thighs``, or on a ``wall`` ahead at shoulder height with
    the elbow at ``elbow_deg``."""
    f = -1.0 if face_left else 1.0          # the facing direction along x
    ankle = np.array([320.0 - f * 150.0, 440.0])
    shin, thigh, torso, upper, fore = 110.0, 110.0, 140.0, 75.0, 65.0
    b = math.radians(wall_lean_deg)
    up = np.array([f * math.sin(b), -math.cos(b)])   # along the body, toward the head
    front = np.array([f * math.cos(b), math.sin(b)])
    knee = ankle + shin * up
    s = math.radians(90.0 * sit)
    hip = knee + thigh * (math.cos(s) * up - math.sin(s) * front)
    a = math.radians(lean_deg)
    shoulder = hip + torso * (math.cos(a) * up + math.sin(a) * front)
    if wall_lean_deg:  # one straight line from the ankle, the hip moved across it
        shoulder = ankle + (shin + thigh + torso) * up
        hip = ankle + (shin + thigh) * up + hip_px * front
        knee = ankle + shin * up
    down = (hip - shoulder) / np.linalg.norm(hip - shoulder)
    fwd = np.array([-down[1], down[0]]) * (1 if np.dot([-down[1], down[0]], front) > 0 else -1)
    if hands == "folded":
        wrist = shoulder + 0.35 * torso * down + 25.0 * fwd
        elbow = shoulder + 0.55 * torso * down + 10.0 * fwd
    elif hands == "thighs":
        wrist = hip + 0.55 * (knee - hip) - 12.0 * down
        elbow = shoulder + 0.6 * (wrist - shoulder) + 8.0 * fwd
    else:  # on a wall ahead, the elbow bent down-and-out by elbow_deg
        ex = math.radians(180.0 - elbow_deg)
        elbow = shoulder + upper * np.array([f * math.cos(ex / 2), math.sin(ex / 2)])
        wrist = elbow + fore * np.array([f * math.cos(ex / 2), -math.sin(ex / 2)])
    xy = np.full((33, 2), np.nan)
    for side in ("left", "right"):
        for j, p in (("shoulder", shoulder), ("hip", hip), ("knee", knee), ("ankle", ankle), ("elbow", elbow),
                     ("wrist", wrist), ("ear", shoulder + 40.0 * -down + 10.0 * fwd), ("heel", ankle + [-f * 15, 5]),
                     ("foot_index", ankle + [f * 40.0, 8.0])):
            xy[side_landmark(side, j)] = p
    for i in range(33):
        if np.isnan(xy[i]).any():
            xy[i] = xy[side_landmark("right", "ear")] + [f * 10.0, 0.0]
    return PoseFrame(index=int(round(t * 30)), t=t, width=640, height=480, xy=xy, z=np.zeros(33),
                     visibility=np.full(33, 0.95), people=1)


@pytest.mark.parametrize("face_left", [True, False])
def test_arm_reach_shrinks_as_the_elbow_bends(face_left: bool) -> None:
    """Shoulder to wrist in torso lengths (arm 75 + 65 px, torso 140 px): straight about 1, a right
    angle about 0.71, whichever way the person faces."""
    straight = arm_reach(person(face_left, hands="wall", elbow_deg=180.0, wall_lean_deg=20.0), "right")
    bent = arm_reach(person(face_left, hands="wall", elbow_deg=90.0, wall_lean_deg=30.0), "right")
    assert straight == pytest.approx(1.0, abs=0.01)
    assert bent == pytest.approx(math.hypot(75.0, 65.0) / 140.0, abs=0.01)


@pytest.mark.parametrize("face_left", [True, False])
def test_wrist_drop_tells_folded_arms_from_hands_at_the_thighs(face_left: bool) -> None:
    for sit in (0.0, 1.0):
        folded = wrist_drop(person(face_left, sit=sit), "right")
        thighs = wrist_drop(person(face_left, sit=sit, hands="thighs"), "right")
        assert 0.2 < folded < 0.5 and thighs > 0.9, (sit, folded, thighs)
    # along the trunk, whichever way it leans
    assert wrist_drop(person(face_left, lean_deg=35.0), "right") == pytest.approx(wrist_drop(person(face_left), "right"))


def test_wrist_drop_is_nan_without_a_trunk() -> None:
    p = person()
    assert p.xy is not None
    p.xy[side_landmark("right", "shoulder")] = p.xy[side_landmark("right", "hip")]
    assert math.isnan(wrist_drop(p, "right")) and math.isnan(arm_reach(p, "right"))


@pytest.mark.parametrize("face_left", [True, False])
def test_the_wall_pushup_body_line_sags_below_and_pikes_above_180(face_left: bool) -> None:
    """The plank's body_line on a body leaning on a wall: the hips toward the wall read below 180."""
    def line(hip_px: float) -> float:
        return body_line(person(face_left, hands="wall", wall_lean_deg=30.0, hip_px=hip_px), "right")
    assert line(0.0) == pytest.approx(180.0, abs=1e-6)
    assert line(25.0) < 172.0 and line(-25.0) > 188.0


# -- the chair squat and the wall push-up on made-up movements -------------------------------------

def sequence(parts: list[tuple[float, dict, dict]]) -> list[PoseFrame]:
    """Frames at 30 fps through ``(seconds, from, to)`` parts of ``person`` keyword settings (numbers
    blended, other settings switching half way)."""
    out, t = [], 0.0
    for dur, a, b in parts:
        n = int(round(dur * 30))
        for k in range(n):
            w = (k + 1) / n
            kw = {key: (a[key] + (b[key] - a[key]) * w if isinstance(a[key], float) else (a[key] if w < 0.5 else b[key]))
                  for key in a}
            out.append(person(t=t, **kw))
            t += 1 / 30
    return out


SIT = {"sit": 1.0, "lean_deg": 0.0, "hands": "folded"}
MID = {"sit": 0.5, "lean_deg": 30.0, "hands": "folded"}
STAND = {"sit": 0.0, "lean_deg": 0.0, "hands": "folded"}
STAND_LEANING = {"sit": 0.0, "lean_deg": 35.0, "hands": "folded"}


def squats(top: dict, reps: int = 3) -> list[tuple[float, dict, dict]]:
    parts = [(1.5, SIT, SIT)]
    for _ in range(reps):
        mid = dict(MID, hands=top["hands"])
        parts += [(0.8, SIT, mid), (0.8, mid, top), (3.0, top, top), (0.8, top, mid), (0.8, mid, SIT), (1.2, SIT, SIT)]
    return parts


def test_made_up_chair_squats_are_counted_with_their_stands_timed() -> None:
    _, session = run(load_exercise("chair_squat"), sequence(squats(STAND)))
    assert len(session.reps) == 3
    for rep in session.reps:
        assert rep.faults == [] and 2.8 <= rep.hold_s <= 4.0, (rep.faults, rep.hold_s)


@pytest.mark.parametrize("top,fault", [(STAND_LEANING, "trunk_forward"),
                                       (dict(STAND, hands="thighs"), "hands_used")])
def test_made_up_chair_squat_faults(top: dict, fault: str) -> None:
    _, session = run(load_exercise("chair_squat"), sequence(squats(top, reps=2)))
    assert len(session.reps) == 2
    assert all(rep.faults == [fault] for rep in session.reps), [r.faults for r in session.reps]


WALL_REST = {"hands": "wall", "wall_lean_deg": 20.0, "elbow_deg": 175.0, "hip_px": 0.0}


def pushups(depth_deg: float, hip_px: float = 0.0, reps: int = 4) -> list[tuple[float, dict, dict]]:
    low = {"hands": "wall", "wall_lean_deg": 32.0, "elbow_deg": depth_deg, "hip_px": hip_px}
    parts = [(1.5, WALL_REST, WALL_REST)]
    for _ in range(reps):
        parts += [(1.2, WALL_REST, low), (2.0, low, low), (1.2, low, WALL_REST), (1.0, WALL_REST, WALL_REST)]
    return parts


def test_made_up_wall_pushups_are_counted_with_their_holds_timed() -> None:
    _, session = run(load_exercise("wall_pushup"), sequence(pushups(60.0)))
    assert len(session.reps) == 4
    for rep in session.reps:
        assert rep.faults == [] and 1.8 <= rep.hold_s <= 3.0, (rep.faults, rep.hold_s)


@pytest.mark.parametrize("depth,hip_px,fault", [(60.0, 30.0, "hips_sagging"), (60.0, -30.0, "hips_piked"),
                                                (110.0, 0.0, "shallow")])
def test_made_up_wall_pushup_faults(depth: float, hip_px: float, fault: str) -> None:
    _, session = run(load_exercise("wall_pushup"), sequence(pushups(depth, hip_px, reps=2)))
    assert len(session.reps) == 2
    assert all(rep.faults == [fault] for rep in session.reps), [r.faults for r in session.reps]


def test_standing_with_the_arms_down_is_not_counted_as_wall_pushups() -> None:
    """Arms hanging (no hands on the wall): the posture is not armed, so bending the elbows counts nothing."""
    hang = {"sit": 0.0, "lean_deg": 0.0, "hands": "thighs"}
    _, session = run(load_exercise("wall_pushup"), sequence([(2.0, hang, hang), (1.0, hang, hang)] * 3))
    assert not session.reps


# -- the rendered clips ----------------------------------------------------------------------------

def azimuth(path: Path) -> float:
    with open(path, encoding="utf-8") as fh:
        return abs(float(json.load(fh)["view"]["azimuth_deg"]))


# The wall push-up is judged within 20 deg of side-on (its side_within_deg): beyond, from behind, the near
# arm hides behind the head (see its definition). Its 35 deg clip is checked for what the coach still
# does right there, below.
BEYOND = [(ex_id, path) for ex_id, path in ALL_CLIPS if ex_id == "wall_pushup" and azimuth(path) > 25.0]
WITHIN = [c for c in ALL_CLIPS if c not in BEYOND]


@pytest.mark.parametrize("ex_id,path", WITHIN, ids=[p.name.split(".")[0] for _, p in WITHIN])
def test_rendered_clip_counts_and_holds(ex_id: str, path: Path) -> None:
    labels = load_labels(path)
    _, session = run(exercise(ex_id), list(TraceSource(str(trace_of(path)))))
    assert len(session.reps) == len(labels.reps), [(r.start_s, r.end_s) for r in session.reps]
    pairs = match(labels, session.reps)
    assert len(pairs) == len(labels.reps)
    errors = []
    for i, j in pairs.items():
        want, got = labels.reps[i], session.reps[j]
        assert got.side is None
        assert want.position_s is not None
        errors.append(abs(got.top_s - want.position_s))
    assert float(np.median(errors)) <= 0.5, errors


# Held-out clips where the limits, set on the other clips, are known to miss (see the wall push-up's
# definition): at 20 deg from behind its sag reads 173.9 (limit 172) and a full push-up comes only 0.225
# nearer (limit 0.23) - both limits were set side-on and 35 deg behind, and not moved to fit this clip.
KNOWN_MISSES = {"wpu_faults_04": "20 deg from behind: the 15 deg sag reads 173.9 (limit 172, missed) and a full "
                                 "push-up's reach change -0.225 (limit -0.23, a false 'shallow')"}
FAULT_CASES = [pytest.param(ex_id, path, id=path.name.split(".")[0],
                            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[path.name.split(".")[0]])]
                            if path.name.split(".")[0] in KNOWN_MISSES else [])
               for ex_id, path in WITHIN]


@pytest.mark.parametrize("ex_id,path", FAULT_CASES)
def test_rendered_clip_faults(ex_id: str, path: Path) -> None:
    labels = load_labels(path)
    _, session = run(exercise(ex_id), list(TraceSource(str(trace_of(path)))))
    for i, j in match(labels, session.reps).items():
        want, got = labels.reps[i], session.reps[j]
        assert set(got.faults) == set(want.faults), (i, got.faults, want.faults)


@pytest.mark.parametrize("ex_id,path", BEYOND, ids=[p.name.split(".")[0] for _, p in BEYOND])
def test_beyond_the_supported_view_the_coach_does_not_guess(ex_id: str, path: Path) -> None:
    """From 35 deg behind: the reps it counts are real ones and their hips are judged right; the depth
    is not promised there: a half push-up goes uncounted, and the depth of a piked rep (whose view the
    engine reads under 20 deg) is misjudged "shallow" (the known limit, see the definition)."""
    labels = load_labels(path)
    _, session = run(exercise(ex_id), list(TraceSource(str(trace_of(path)))))
    pairs = match(labels, session.reps)
    assert len(pairs) == len(session.reps) >= len(labels.reps) - 1
    for i, j in pairs.items():
        want, got = labels.reps[i], session.reps[j]
        assert set(got.faults) - {"shallow"} == set(want.faults) - {"shallow"}, (i, got.faults, want.faults)


def test_every_rendered_fault_is_covered() -> None:
    for ex_id, codes in FAMILY.items():
        seen = {f for path in clips(ex_id) for r in load_labels(path).reps for f in r.faults}
        assert seen == codes, ex_id


def test_knee_angle_and_torso_tilt_read_a_made_up_stand() -> None:
    """The chair squat's key measure and trunk check on the made-up skeleton: standing straight reads a
    straight knee and an upright trunk, sitting a right-angled knee."""
    assert knee_angle(person(sit=0.0), "right") == pytest.approx(180.0, abs=0.5)
    assert knee_angle(person(sit=1.0), "right") == pytest.approx(90.0, abs=0.5)
    assert torso_tilt(person(sit=0.0), "right") == pytest.approx(90.0, abs=0.5)
    assert torso_tilt(person(sit=0.0, lean_deg=35.0), "right") == pytest.approx(55.0, abs=0.5)
