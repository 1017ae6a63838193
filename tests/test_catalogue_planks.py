"""The planks (high_plank, forearm_plank, side_plank): their definitions, the general measures they
brought (body_line: the shoulder-hip-ankle line, signed; knee_lift: knees off the floor; elbow_ahead:
elbows in front of the shoulders), the phase machine's absolute rest (a recording that starts in the
plank is timed from its start), and counts, holds and faults on the rendered clips in samples/<id>/
(MediaPipe's landmarks shipped beside each clip, replayed here), against the clips' truth labels."""

from __future__ import annotations

import copy
import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest


from coach.engine.definition import Exercise, load_exercise, parse_exercise
from coach.errors import CoachError
from coach.labels import load_labels
from coach.measures import (MEASURES, RANGES, body_line, elbow_ahead, knee_lift, lower_side_lift, mid_body_line,
                            shoulder_stack, support_lift)
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import definition_data as _data
from rendered import refused
from rendered import clips, match, run, trace_of

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
    with refused("forearm_plank", match="elbow_ahed") as bad:
        bad["faults"][2]["measure"] = "elbow_ahed"


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


def raise_top_arm(pose: PoseFrame, support: str) -> PoseFrame:
    """The same side plank with the top arm raised to the ceiling (elbow above the top shoulder)."""
    assert pose.xy is not None
    upper = "right" if support == "left" else "left"
    pose.xy[side_landmark(upper, "elbow")] = pose.xy[side_landmark(upper, "shoulder")] + [0.0, -120.0]
    return pose


@pytest.mark.parametrize("arm_up", [False, True])
@pytest.mark.parametrize("support", ["left", "right"])
def test_lower_side_lift_grows_on_the_side_on_the_floor_only(support: str, arm_up: bool) -> None:
    """The side whose shoulder is lower in the picture is the one on the floor: its hips-above-the-floor
    reading rises as the hips lift, the upper side reads 0 whatever its arm does (support_lift's upper
    side grew as much with the top arm raised)."""
    other = "right" if support == "left" else "left"
    frames = {h: side_plank(h, support) for h in (-60.0, 0.0, 30.0)}
    if arm_up:
        frames = {h: raise_top_arm(p, support) for h, p in frames.items()}
    lifts = [lower_side_lift(frames[h], support) for h in (-60.0, 0.0, 30.0)]
    assert lifts[0] < lifts[1] < lifts[2] and lifts[1] - lifts[0] > 0.15
    assert all(lower_side_lift(p, other) == 0.0 for p in frames.values())


def test_lower_side_lift_and_shoulder_stack_with_level_shoulders() -> None:
    """Shoulders level in the picture (kneeling or standing seen side-on): which side is down can't
    be told (NaN), and the shoulders are not stacked."""
    level = plank()
    assert math.isnan(lower_side_lift(level, "left")) and math.isnan(lower_side_lift(level, "right"))
    assert shoulder_stack(level, "left") < 0.05
    assert shoulder_stack(side_plank(0.0, "left"), "left") > 0.3 and shoulder_stack(side_plank(0.0, "right"), "left") > 0.3


def test_new_measures_are_registered_with_ranges() -> None:
    for name in ("body_line", "knee_lift", "elbow_ahead", "support_lift", "mid_body_line", "lower_side_lift",
                 "shoulder_stack"):
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
        if want.side in ("left", "right"):
            assert got.side == want.side, (i, got.side, want.side)
        # a good hold is timed in good form; a faulty one's timer pauses on the fault (its time in the
        # position is the rep's top_s)
        position = got.hold_s if not want.faults else got.top_s
        assert want.position_s is not None
        errors.append(abs(position - want.position_s))
    assert float(np.median(errors)) <= 0.5, errors


def test_every_rendered_fault_is_covered() -> None:
    for ex_id, codes in FAMILY.items():
        if not clips(ex_id):
            continue
        seen = {f for path in clips(ex_id) for r in load_labels(path).reps for f in r.faults}
        assert seen == codes, ex_id


@pytest.mark.parametrize("name,side,other", [("splank_left_07", "left", "right"), ("splank_right_08", "right", "left")])
def test_side_plank_says_switch_sides_once_the_first_side_is_done(name: str, side: str, other: str) -> None:
    """The side worked is known (lower_side_lift's [sides] rule): once the first side's hold is done
    (1 per side), the coach says to switch to the other side, once."""
    from coach.engine.set_progress import SWITCH_CODE

    path = SAMPLES / "side_plank" / f"{name}.labels.json"
    _, session = run(exercise("side_plank"), list(TraceSource(str(trace_of(path)))))
    assert [r.side for r in session.reps] == [side, side]
    (switch,) = [c for c in session.cues if c.code == SWITCH_CODE]
    assert other in switch.text
    assert session.reps[0].end_s - 0.5 <= switch.t <= session.reps[1].start_s + 0.5


def test_time_within_times_the_hold_in_position_and_is_refused_wider_than_the_band() -> None:
    """time_within: the hold is timed within it of its level while a wider leave_hold keeps a fault
    that moves the key measure (a dropped hip) inside the hold; wider than leave_hold it is refused."""
    with refused("side_plank", match="time_within") as bad:
        bad["phases"]["time_within"] = bad["phases"]["leave_hold"] + 1.0
    bad["phases"]["time_within"] = -1.0
    with pytest.raises(CoachError, match="time_within"):
        parse_exercise(bad, "side_plank.toml")
    # on the side plank's own phases, fed a made-up line: rest 158, up to 175 in 1 s, held 4 s, lowered
    # back to 158 in 1 s. The hold ends where the line left time_within of its top, not leave_hold (14 deg
    # down, most of the way back)
    from coach.engine.phases import HOLD_END, HOLD_START, PhaseMachine

    values = ([158.0] * 30 + [158.0 + 17.0 * k / 30 for k in range(31)] + [175.0] * 120
              + [175.0 - 17.0 * k / 30 for k in range(31)] + [158.0] * 30)

    def hold_times(phases) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        machine, prev, times = PhaseMachine(phases), values[0], {}
        for i, v in enumerate(values):
            for c in machine.update(i / 30, v, (v - prev) * 30):
                if c.event in (HOLD_START, HOLD_END):
                    times[c.event] = c.hold_t
            prev = v
        return times[HOLD_START], times[HOLD_END]

    p = load_exercise("side_plank").phases
    assert p.time_within is not None and p.time_within < p.leave_hold
    start, end = hold_times(p)
    wide_start, wide_end = hold_times(dataclasses.replace(p, time_within=None))
    top_end = (30 + 30 + 120) / 30  # the lowering starts at 6.0 s
    assert abs(end - top_end) < 0.3 < wide_end - top_end
    assert abs(start - 2.0) < 0.3 and wide_start < start
