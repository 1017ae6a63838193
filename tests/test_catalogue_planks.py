"""The planks (high_plank, forearm_plank, side_plank): their definitions, the general measures they
brought (body_line: the shoulder-hip-ankle line, signed; knee_lift: knees off the floor; elbow_ahead:
elbows in front of the shoulders), the phase machine's absolute rest (a recording that starts in the
plank is timed from its start), and counts, holds and faults on the rendered clips in samples/<id>/
(MediaPipe's landmarks shipped beside each clip, replayed here), against the clips' truth labels."""

from __future__ import annotations

import copy
import dataclasses
import math
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
from coach.labels import ClipLabels, load_labels
from coach.measures import MEASURES, RANGES, body_line, elbow_ahead, knee_lift, mid_body_line, support_lift
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import clips, match, run, trace_of
from poses import POSES_DIR

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FAMILY = {"high_plank": {"hips_sagging", "hips_piked", "head_dropped"},
          "forearm_plank": {"hips_sagging", "hips_piked", "elbows_forward"},
          "side_plank": {"hips_dropped", "hips_piked"}}
HOLD_TARGET = 5.0  # the renders hold 5 s (the handouts' 30 s would reuse one render anyway)


def exercise(ex_id: str) -> Exercise:
    return load_exercise(ex_id).with_targets(hold_s=HOLD_TARGET)


ALL_CLIPS = [(ex_id, path) for ex_id in FAMILY for path in clips(ex_id)]


# -- definitions --------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", sorted(FAMILY))
def test_definition_loads_with_the_catalogue_faults_and_plain_instructions(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert {f.code for f in ex.faults} == FAMILY[ex_id]
    assert all(f.cue and f.label and f.scope == "hold" and f.pauses_hold for f in ex.faults)
    assert "Stop if the exercise makes your pain worse" in ex.instructions
    assert "straight line" in ex.instructions
    assert ex.phases.kind == "out_and_back" and ex.phases.absolute_rest is not None
    assert (ex.hold_target_s, ex.reps_min, ex.reps_max) == (30.0, 1, 1)  # the handouts: hold 30 s


def test_views_and_sides() -> None:
    assert load_exercise("high_plank").view == "side" and load_exercise("forearm_plank").view == "side"
    side = load_exercise("side_plank")
    assert side.view == "front" and side.side_within_deg is None and side.per_side


def _data(ex_id: str) -> dict:
    with open(POSES_DIR / f"{ex_id}.toml", "rb") as fh:
        return tomllib.load(fh)


def test_bad_definitions_are_refused() -> None:
    base = _data("high_plank")
    bad = copy.deepcopy(base)
    bad["faults"][0]["below"] = 400.0  # body_line is an angle, 0-360
    with pytest.raises(CoachError, match="body_line"):
        parse_exercise(bad, "high_plank.toml")
    bad = copy.deepcopy(base)
    del bad["phases"]["absolute_rest"]  # own_rest_within means nothing without it
    with pytest.raises(CoachError, match="own_rest_within"):
        parse_exercise(bad, "high_plank.toml")
    bad = copy.deepcopy(base)
    bad["phases"]["own_rest_within"] = -0.1
    with pytest.raises(CoachError, match="own_rest_within"):
        parse_exercise(bad, "high_plank.toml")
    bad = copy.deepcopy(_data("forearm_plank"))
    bad["faults"][2]["measure"] = "elbow_ahed"
    with pytest.raises(CoachError, match="elbow_ahed"):
        parse_exercise(bad, "forearm_plank.toml")


# -- the general measures, on made-up skeletons --------------------------------------------------

def plank(hip_px: float = 0.0, head_right: bool = True, knees_down: bool = False, elbow_px: float = 0.0,
          t: float = 0.0, forearm: bool = False) -> PoseFrame:
    """A made-up plank seen side-on: shoulders 160 px above the floor line at the hands, ankles 40 px
    above it 500 px away (y down in the picture), the hip ``hip_px`` above the straight
    shoulder-ankle line (negative: sagging); knees on the floor with ``knees_down``; the elbow
    ``elbow_px`` ahead of the shoulder (forearm plank)."""
    sgn = 1.0 if head_right else -1.0
    floor = 400.0
    x0 = 320.0
    shoulder = np.array([x0 + sgn * 200.0, floor - (100.0 if forearm else 160.0)])
    ankle = np.array([x0 - sgn * 300.0, floor - 40.0])
    hip = shoulder + 0.45 * (ankle - shoulder) + [0.0, -hip_px]
    knee = hip + 0.5 * (ankle - hip) if not knees_down else np.array([x0 - sgn * 60.0, floor - 5.0])
    if knees_down:
        ankle = np.array([x0 - sgn * 250.0, floor - 40.0])
        hip = np.array([x0 - sgn * 40.0, floor - 150.0])
    elbow = shoulder + [sgn * elbow_px, 90.0 if forearm else 80.0]
    wrist = (elbow + [sgn * 120.0, 0.0]) if forearm else shoulder + [0.0, 160.0]
    xy = np.full((33, 2), np.nan)
    for s in ("left", "right"):
        for j, p in (("shoulder", shoulder), ("hip", hip), ("knee", knee), ("ankle", ankle), ("elbow", elbow),
                     ("wrist", wrist), ("ear", shoulder + [sgn * 60.0, -5.0]), ("heel", ankle + [-sgn * 10, 5]),
                     ("foot_index", ankle + [sgn * 15.0, 35.0])):
            xy[side_landmark(s, j)] = p
    for i in range(33):
        if np.isnan(xy[i]).any():
            xy[i] = xy[side_landmark("right", "ear")] + [sgn * 10.0, 5.0]
    vis = np.full(33, 0.95)
    vis[[side_landmark("left", j) for j in ("shoulder", "hip", "knee", "ankle", "ear")]] = 0.6  # the far side
    return PoseFrame(index=int(round(t * 30)), t=t, width=640, height=480, xy=xy, z=np.zeros(33), visibility=vis,
                     people=1)


@pytest.mark.parametrize("head_right", [True, False])
def test_body_line_is_180_straight_below_sagging_above_piked(head_right: bool) -> None:
    assert body_line(plank(0.0, head_right), "right") == pytest.approx(180.0, abs=1e-6)
    sag, pike = body_line(plank(-40.0, head_right), "right"), body_line(plank(40.0, head_right), "right")
    assert sag < 175.0 and pike > 185.0
    assert 180.0 - sag == pytest.approx(pike - 180.0, abs=0.5)  # the same bend either way reads alike


@pytest.mark.parametrize("head_right", [True, False])
def test_knee_lift_tells_knees_down_from_a_plank(head_right: bool) -> None:
    assert abs(knee_lift(plank(knees_down=True, head_right=head_right), "right")) < 0.1
    assert knee_lift(plank(head_right=head_right), "right") > 0.15


@pytest.mark.parametrize("head_right", [True, False])
def test_elbow_ahead_of_the_shoulder_toward_the_head(head_right: bool) -> None:
    assert elbow_ahead(plank(head_right=head_right, forearm=True), "right") == pytest.approx(0.0, abs=1e-6)
    ahead = elbow_ahead(plank(head_right=head_right, forearm=True, elbow_px=60.0), "right")
    assert ahead > 0.15


def test_measures_are_nan_without_a_trunk() -> None:
    p = plank()
    assert p.xy is not None
    p.xy[side_landmark("right", "shoulder")] = p.xy[side_landmark("right", "hip")]
    assert math.isnan(knee_lift(p, "right")) and math.isnan(elbow_ahead(p, "right"))


def side_plank(hip_px: float, support: str = "left") -> PoseFrame:
    """A made-up side plank seen from the front, lying on the ``support`` side's forearm: the body's
    middle line from the mid-shoulders (x 500) to the mid-ankles (x 100) rising 20 deg, the mid-hips
    ``hip_px`` above it; each side's joints half the body's width (shoulders 70 px, hips 55, ankles
    10) either side of the middle, across the line, the lower side below it; the lower elbow on the
    floor under the lower shoulder, the upper elbow on the upper hip."""
    a = math.radians(20.0)
    u = np.array([-math.cos(a), math.sin(a)])  # shoulder -> ankle (y down in the picture)
    n = np.array([-u[1], u[0]])
    if n[1] > 0:
        n = -n  # up in the picture
    mid_sh = np.array([500.0, 250.0])
    mid = {"shoulder": mid_sh, "ankle": mid_sh + 430.0 * u, "hip": mid_sh + 200.0 * u + hip_px * n}
    half = {"shoulder": 70.0, "hip": 55.0, "ankle": 10.0}
    lower, upper = support, ("right" if support == "left" else "left")
    xy = np.full((33, 2), np.nan)
    for j, p in mid.items():
        xy[side_landmark(lower, j)] = p - half[j] * n
        xy[side_landmark(upper, j)] = p + half[j] * n
    floor_y = xy[side_landmark(lower, "ankle")][1] + 10.0
    xy[side_landmark(lower, "elbow")] = [xy[side_landmark(lower, "shoulder")][0], floor_y]
    xy[side_landmark(upper, "elbow")] = xy[side_landmark(upper, "hip")] + [0.0, -5.0]
    for i in range(33):
        if np.isnan(xy[i]).any():
            xy[i] = mid_sh + [20.0, -40.0]
    return PoseFrame(index=0, t=0.0, width=640, height=480, xy=xy, z=np.zeros(33), visibility=np.full(33, 0.9),
                     people=1)


@pytest.mark.parametrize("support", ["left", "right"])
def test_mid_body_line_is_straight_whichever_side_is_down(support: str) -> None:
    straight = side_plank(0.0, support)
    assert mid_body_line(straight, "left") == pytest.approx(180.0, abs=1e-6)
    # each side's own line is bent by the body's width: the middle line is the one to judge
    assert abs(body_line(straight, "left") - 180.0) > 1.0 or abs(body_line(straight, "right") - 180.0) > 1.0
    assert mid_body_line(side_plank(-40.0, support), "left") < 170.0 < 190.0 < mid_body_line(side_plank(40.0, support), "left")


@pytest.mark.parametrize("support", ["left", "right"])
def test_support_lift_grows_on_the_side_on_the_floor(support: str) -> None:
    other = "right" if support == "left" else "left"
    down, up = side_plank(-60.0, support), side_plank(0.0, support)
    assert support_lift(up, support) - support_lift(down, support) > 0.15
    assert support_lift(up, support) - support_lift(down, support) > support_lift(up, other) - support_lift(down, other)


def test_new_measures_are_registered_with_ranges() -> None:
    for name in ("body_line", "knee_lift", "elbow_ahead", "support_lift", "mid_body_line"):
        assert name in MEASURES and name in RANGES


# -- the phase machine's absolute rest -----------------------------------------------------------

def sequence(parts: list[tuple[float, dict, dict]]) -> list[PoseFrame]:
    """Frames at 30 fps through ``(seconds, from, to)`` parts of ``plank`` keyword settings (the
    numbers blended, ``knees_down`` switching half way)."""
    out, t = [], 0.0
    for dur, a, b in parts:
        n = int(round(dur * 30))
        for k in range(n):
            w = (k + 1) / n
            kw = {key: (a[key] + (b[key] - a[key]) * w if isinstance(a[key], float) else (a[key] if w < 0.5 else b[key]))
                  for key in a}
            out.append(plank(t=t, **kw))
            t += 1 / 30
    return out


DOWN = {"hip_px": 0.0, "knees_down": True}
UP = {"hip_px": 0.0, "knees_down": False}
SAG = {"hip_px": -30.0, "knees_down": False}  # body_line ~167


def test_a_plank_from_the_knees_is_one_hold_timed_in_position() -> None:
    _, session = run(exercise("high_plank"), sequence([(2.0, DOWN, DOWN), (0.5, DOWN, UP), (6.0, UP, UP),
                                                       (0.5, UP, DOWN), (2.0, DOWN, DOWN)]))
    assert len(session.reps) == 1
    rep = session.reps[0]
    assert rep.faults == [] and 5.5 <= rep.hold_s <= 7.0


def test_a_recording_that_starts_in_the_plank_times_the_hold_from_its_start() -> None:
    """The absolute rest (knees on the floor read 0): a person already in the plank when counting
    starts is holding, not resting; the hold ends when the recording does."""
    _, session = run(exercise("high_plank"), sequence([(6.0, UP, UP)]))
    assert len(session.holds) == 1
    hold = session.holds[0]
    assert hold.start_s <= 1.0 and hold.end_s >= 5.5


def test_without_an_absolute_rest_a_start_in_the_plank_is_the_rest() -> None:
    ex = exercise("high_plank")
    ex = dataclasses.replace(ex, phases=dataclasses.replace(ex.phases, absolute_rest=None, own_rest_within=math.inf))
    _, session = run(ex, sequence([(6.0, UP, UP)]))
    assert not session.holds and not session.reps


def test_a_sagging_plank_is_flagged_and_its_time_not_counted() -> None:
    _, session = run(exercise("high_plank"), sequence([(2.0, DOWN, DOWN), (0.5, DOWN, UP), (1.0, UP, UP),
                                                       (0.3, UP, SAG), (4.0, SAG, SAG), (0.5, SAG, DOWN),
                                                       (2.0, DOWN, DOWN)]))
    assert len(session.reps) == 1
    rep = session.reps[0]
    assert rep.faults == ["hips_sagging"] and rep.hold_s < 2.0


# -- the rendered clips ----------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id,path", ALL_CLIPS, ids=[p.name.split(".")[0] for _, p in ALL_CLIPS])
def test_rendered_clip_counts_holds_sides_and_faults(ex_id: str, path: Path) -> None:
    labels = load_labels(path)
    _, session = run(exercise(ex_id), list(TraceSource(str(trace_of(path)))))
    assert len(session.reps) == len(labels.reps), [(r.start_s, r.end_s) for r in session.reps]
    pairs = match(labels, session.reps)
    assert len(pairs) == len(labels.reps)
    errors = []
    for i, j in pairs.items():
        want, got = labels.reps[i], session.reps[j]
        assert set(got.faults) == set(want.faults), (i, got.faults, want.faults)
        if ex_id == "side_plank":
            assert got.side is None  # the supporting side is not told apart: the rep claims none (see its definition)
        elif want.side in ("left", "right"):
            assert got.side == want.side, (i, got.side, want.side)
        # a good hold is timed in good form; a faulty one's timer pauses on the fault (its time in the
        # position is the rep's top_s)
        position = got.hold_s if not want.faults else got.top_s
        assert want.position_s is not None
        errors.append(abs(position - want.position_s))
    # the side plank's hold band is wide (its key measure is the line that a dropped hip bends): its
    # holds read ~0.75 s long, short of the 0.5 s target (a known gap, see its definition)
    assert float(np.median(errors)) <= (1.0 if ex_id == "side_plank" else 0.5), errors


def test_every_rendered_fault_is_covered() -> None:
    for ex_id, codes in FAMILY.items():
        if not clips(ex_id):
            continue  # side_plank: see its definition's header (not rendered)
        seen = {f for path in clips(ex_id) for r in load_labels(path).reps for f in r.faults}
        assert seen == codes, ex_id
