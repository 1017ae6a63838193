"""The folds sitting on the floor (seated_forward_bend, seated_hamstring_stretch): their definitions, the
measures they brought (fold_lean: the trunk's lean toward the feet; knee_angle_3d: the knee in the
world landmarks), the general mechanism (a side read at rest: ``[sides] by = "rest"``), and counts,
holds, sides and faults on the rendered clips in samples/<id>/ (MediaPipe's landmarks and the person
mask's back profile shipped beside each clip, replayed here), against the clips' truth labels."""

from __future__ import annotations

import copy
import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest


from coach.engine.definition import Exercise, load_exercise, parse_exercise
from coach.labels import load_labels
from coach.engine.sides import rest_side
from coach.measures import (JOINTS, MEASURES, RANGES, back_curvature, knee_angle, knee_angle_3d, knee_angle_max,
                            spine_flexion, fold_lean)
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import definition_data as _data
from rendered import refused
from tests.rendered import clips, match, run, trace_of

FAMILY = {"seated_forward_bend": {"knees_bent", "back_rounded"},
          "seated_hamstring_stretch": {"knee_bent", "back_rounded"}}
HOLD_TARGET = 3.0   # the clips hold 5 s (the handouts' 30 s would reuse one render anyway)
ALL_CLIPS = [(ex_id, path) for ex_id in FAMILY for path in clips(ex_id)]
IDS = [p.name.split(".")[0] for _, p in ALL_CLIPS]


def exercise(ex_id: str) -> Exercise:
    return load_exercise(ex_id).with_targets(hold_s=HOLD_TARGET)


def truth_of(labels_path: Path) -> dict:
    with gzip.open(labels_path.with_name(labels_path.name.replace(".labels.json", ".truth.json.gz")), "rt") as fh:
        return json.load(fh)




# -- definitions --------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", sorted(FAMILY))
def test_definition_loads_with_the_catalogue_faults_and_plain_instructions(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert {f.code for f in ex.faults} == FAMILY[ex_id]
    assert all(f.cue and f.label and f.scope == "hold" for f in ex.faults)
    assert "Stop if the exercise makes your pain worse" in ex.instructions
    assert ex.view == "side" and ex.side_within_deg is not None
    assert ex.phases.kind == "out_and_back" and ex.phases.measure == "fold_lean" and ex.phases.direction == 1
    assert ex.hold_target_s == 30.0 and ex.reps_min == ex.reps_max == 1
    # the back's rounding is the person mask's back curve, as the cat's
    assert ex.needs == ("segmentation",) and ex.fault("back_rounded").measure == "spine_flexion"
    # counting starts sitting up
    assert any(c.measure == "fold_lean" and c.to_start and c.max is not None for c in ex.posture)


def test_the_hamstring_stretch_is_per_side_on_the_straight_leg_read_at_rest() -> None:
    ex = load_exercise("seated_hamstring_stretch")
    assert ex.per_side and "{side}" in ex.switch_say
    assert ex.sides is not None and ex.sides.measure == "knee_angle_3d" and ex.sides.by == "rest"
    # folded, MediaPipe may swap the legs: the straight knee is the straighter of the two
    assert ex.fault("knee_bent").measure == "knee_angle_max"
    assert not load_exercise("seated_forward_bend").per_side


def test_bad_definitions_are_refused() -> None:
    with refused("seated_forward_bend", match="trunk_leen") as bad:
        bad["phases"]["measure"] = "trunk_leen"
    with refused("seated_forward_bend", match="knee_angle") as bad:
        bad["faults"][0]["below"] = 200.0  # the knee angle is 0-180
    with refused("seated_hamstring_stretch", match="of") as bad:
        bad["faults"][0]["of"] = "straight"
    with refused("seated_hamstring_stretch", match="knee_angle_3") as bad:
        bad["sides"]["measure"] = "knee_angle_3"
    with refused("seated_hamstring_stretch", match="by") as bad:
        bad["sides"]["by"] = "resting"
    moved = copy.deepcopy(_data("seated_hamstring_stretch"))
    del moved["sides"]["by"]  # the default: the side that moved (knee_to_chest and the rest)
    assert parse_exercise(moved, "seated_hamstring_stretch.toml").sides.by == "moved"


def test_a_side_read_at_rest_is_the_one_clearly_above_the_other() -> None:
    assert rest_side({"left": 170.0, "right": 100.0}, 15.0) == "left"
    assert rest_side({"left": 146.0, "right": 178.0}, 15.0) == "right"
    assert rest_side({"left": 170.0, "right": 165.0}, 15.0) is None  # both straight: no one side
    assert rest_side({"left": math.nan, "right": 100.0}, 15.0) is None


# -- the measures, on made-up skeletons ----------------------------------------------------------

def seated(lean_deg: float, feet_right: bool = True, tucked: str = "") -> PoseFrame:
    """Sitting side-on: hips at (300, 400), the trunk 150 px long leaning ``lean_deg`` toward the feet
    (the picture's right, or left), legs 300 px along the floor; ``tucked``: that leg bent in, its
    ankle 60 px in front of the hips."""
    f = 1.0 if feet_right else -1.0
    hip = np.array([300.0, 400.0])
    a = math.radians(lean_deg)
    shoulder = hip + [f * 150.0 * math.sin(a), -150.0 * math.cos(a)]
    xy = np.full((33, 2), np.nan)
    for s in ("left", "right"):
        xy[side_landmark(s, "hip")] = hip
        xy[side_landmark(s, "shoulder")] = shoulder
        xy[side_landmark(s, "knee")] = hip + [f * 150.0, 0.0]
        xy[side_landmark(s, "ankle")] = hip + [f * (60.0 if s == tucked else 300.0), 5.0]
        if s == tucked:
            xy[side_landmark(s, "knee")] = hip + [f * 120.0, -30.0]
    return PoseFrame(index=0, t=0.0, width=800, height=600, xy=xy, z=np.zeros(33), visibility=np.full(33, 0.9),
                     people=1)


@pytest.mark.parametrize("feet_right", [True, False])
def test_trunk_lean_is_the_lean_toward_the_feet_either_way_round(feet_right: bool) -> None:
    assert fold_lean(seated(0.0, feet_right), "left") == pytest.approx(0.0, abs=0.5)
    assert fold_lean(seated(40.0, feet_right), "left") == pytest.approx(40.0, abs=0.5)
    assert fold_lean(seated(-15.0, feet_right), "left") == pytest.approx(-15.0, abs=0.5)  # leaning back


def test_knee_angle_3d_reads_the_world_landmarks() -> None:
    pose = seated(0.0)
    assert math.isnan(knee_angle_3d(pose, "left"))  # no world landmarks: not measured
    world = np.zeros((33, 3))
    world[side_landmark("left", "hip")] = [0.0, 0.0, 0.0]
    world[side_landmark("left", "knee")] = [0.25, 0.0, -0.25]    # out toward the camera and forward
    world[side_landmark("left", "ankle")] = [0.0, 0.0, -0.1]     # the foot back by the other thigh
    world[side_landmark("right", "hip")] = [0.0, 0.0, 0.0]
    world[side_landmark("right", "knee")] = [0.45, 0.0, 0.0]
    world[side_landmark("right", "ankle")] = [0.9, 0.02, 0.0]
    import dataclasses
    pose = dataclasses.replace(pose, world=world)
    assert knee_angle_3d(pose, "left") < 60.0
    assert knee_angle_3d(pose, "right") == pytest.approx(180.0, abs=3.0)


def test_new_measures_are_registered_with_ranges() -> None:
    assert RANGES["fold_lean"] == (-90.0, 90.0) and RANGES["knee_angle_3d"] == (0.0, 180.0)
    assert MEASURES["fold_lean"] is fold_lean and "ankle" in JOINTS["fold_lean"]


# -- the rendered clips ----------------------------------------------------------------------------

# Known limit, asserted as it is (a change either way shows): seen from behind the person (camera 30
# deg toward the back), MediaPipe labels whichever leg is straight as the left, sitting up and folded
# alike, and reads the far straight knee bent (about 100 deg) in the fold: the right leg's stretch is
# given to the left, and a good stretch of the far leg is called knee_bent. Counts and holds stay
# right. The definitions ask for the camera at the side or toward the front (poses/*.toml headers).
# Likewise 40 deg toward the front (shs_front_05, held out; the definition's side_within_deg is 35):
# the near straight leg, foreshortened, reads 148 in the hold (a false knee_bent), and before the
# second fold the near leg bent in reads straight in 3D (167, as the far straight one): no side told.
FROM_BEHIND = {"shs_mixed_02": {"sides": ["left", "left"], "faults": [["knee_bent"], ["knee_bent"]]},
               "shs_front_05": {"sides": ["right", None], "faults": [["knee_bent"], ["knee_bent"]]}}
# Known miss (held out, rendered after the limit was set), asserted as it is: a milder rounding (spine
# 46 deg, hips 17) on the heavier body, side-on, reads spine_flexion 0.61 in the hold, its good fold
# -0.03: the rounding moves it as much as elsewhere (+0.6..0.9), but this person's level lies lower
# than the limit allows for (the good folds of the other bodies and views read up to 1.08).
MISSED_FAULTS = {"fb_check_04": {1: {"back_rounded"}}, "shs_check_04": {0: {"back_rounded"}}}
# Known: the same heavier body sitting with the far leg bent in (held out): MediaPipe reads both legs
# straight sitting up (3D knees 174 and 175, the picture's 169 and 175), so no side is told (None),
# rather than a wrong one.
UNTOLD_SIDE = {"shs_check_04": {1}}

@pytest.mark.parametrize("ex_id,path", ALL_CLIPS, ids=IDS)
def test_rendered_clip_counts_holds_sides_and_faults(ex_id: str, path: Path) -> None:
    labels = load_labels(path)
    _, session = run(exercise(ex_id), list(TraceSource(str(trace_of(path)))))
    assert len(session.reps) == len(labels.reps), [(r.start_s, r.end_s) for r in session.reps]
    pairs = match(labels, session.reps)
    assert len(pairs) == len(labels.reps)
    errors = []
    known = FROM_BEHIND.get(path.name.split(".")[0])
    for i, j in pairs.items():
        want, got = labels.reps[i], session.reps[j]
        assert not got.unjudged, (i, got.unjudged)
        if known:
            assert got.side == known["sides"][i] and sorted(got.faults) == known["faults"][i], (i, got.side, got.faults)
        else:
            missed = MISSED_FAULTS.get(path.name.split(".")[0], {}).get(i, set())
            assert set(got.faults) == set(want.faults) - missed, (i, got.faults, want.faults)
            if ex_id == "seated_hamstring_stretch":
                untold = i in UNTOLD_SIDE.get(path.name.split(".")[0], set())
                assert got.side == (None if untold else want.side), (i, got.side, want.side)
        if want.position_s is not None:
            errors.append(abs(got.hold_s - want.position_s))
    assert float(np.median(errors)) <= 0.5, errors


def test_every_rendered_fault_and_both_sides_are_covered() -> None:
    for ex_id, codes in FAMILY.items():
        seen = {f for path in clips(ex_id) for r in load_labels(path).reps for f in r.faults}
        assert seen == codes, ex_id
        views = {json.loads(p.read_text())["view"]["camera_side"] for p in clips(ex_id)}
        assert views == {"left", "right"}, ex_id
    sides = {r.side for p in clips("seated_hamstring_stretch") for r in load_labels(p).reps}
    assert sides == {"left", "right"}


def _hold_values(measure, ex_ids=tuple(FAMILY), skip_missed: bool = False) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """Per fault state ('good', or the fault code, knees_bent as knee_bent), the measure on the camera
    side in each rendered hold: its median over the hold's frames, as the hold's verdict judges it."""
    out: dict[str, list[float]] = {}
    for ex_id, path in ALL_CLIPS:
        if ex_id not in ex_ids or path.name.split(".")[0] in FROM_BEHIND:
            continue
        truth = truth_of(path)
        cs = truth["camera_side"]
        labels = load_labels(path)
        poses = {p.index: p for p in TraceSource(str(trace_of(path))) if p.xy is not None}
        for i, rep in enumerate(labels.reps, 1):
            if skip_missed and i - 1 in MISSED_FAULTS.get(path.name.split(".")[0], {}):
                continue
            v = [measure(poses[f["frame"]], cs) for f in truth["frames"]
                 if f["phase"] == "hold" and f["rep"] == i and f["frame"] in poses]
            for key in (rep.faults or ("good",)):
                out.setdefault(key.replace("knees_bent", "knee_bent"), []).append(float(np.nanmedian(v)))
    return out


def test_the_spine_curve_tells_a_rounded_back_from_a_hip_hinge() -> None:
    """In the hold, the shoulder-hip line leans about as far either way (fold_lean); the spine's
    curve (the mask's back curve plus the head's drop) does not: the back_rounded limit sits clear of
    both on every rendered hold. The back curve alone does not: seen from toward the
    front (+35 deg) a flat back with bent knees reads 0.049, a rounded one side-on 0.053."""
    limit = load_exercise("seated_forward_bend").fault("back_rounded").above
    assert limit == load_exercise("seated_hamstring_stretch").fault("back_rounded").above
    v = _hold_values(spine_flexion, skip_missed=True)
    flat = v["good"] + v["knee_bent"]
    assert max(flat) < limit < min(v["back_rounded"]), (flat, v["back_rounded"])
    curve = _hold_values(back_curvature)
    assert np.nanmedian(curve["back_rounded"]) > np.nanmedian(curve["good"] + curve["knee_bent"])


@pytest.mark.parametrize("ex_id,measure", [("seated_forward_bend", knee_angle),
                                             ("seated_hamstring_stretch", knee_angle_max)])
def test_the_straight_knee_limit_sits_between_straight_and_bent_knees(ex_id: str, measure) -> None:  # type: ignore[no-untyped-def]
    ex = load_exercise(ex_id)
    rule = next(f for f in ex.faults if f.code in ("knee_bent", "knees_bent"))
    assert rule.measure == measure.__name__
    v = _hold_values(measure, (ex_id,))
    straight = v["good"] + v["back_rounded"]
    assert max(v["knee_bent"]) + 5.0 < rule.below < min(straight) - 5.0, (v["knee_bent"], straight)


def test_the_straight_leg_is_clear_in_the_world_landmarks_sitting_up() -> None:
    """Sitting up before each fold, the straight leg's 3D knee is well straighter than the bent one's
    (what the side is read on), on every rendered rep, though folded MediaPipe may swap the legs."""
    beyond = load_exercise("seated_hamstring_stretch").sides.worked_beyond
    for path in clips("seated_hamstring_stretch"):
        if path.name.split(".")[0] in FROM_BEHIND:
            continue
        truth, labels = truth_of(path), load_labels(path)
        poses = {p.index: p for p in TraceSource(str(trace_of(path))) if p.xy is not None}
        for i, rep in enumerate(labels.reps, 1):
            if i - 1 in UNTOLD_SIDE.get(path.name.split(".")[0], set()):
                continue
            start = next(f["frame"] for f in truth["frames"] if f["rep"] == i)
            before = [poses[k] for k in range(start - 15, start) if k in poses]
            gap = np.median([knee_angle_3d(p, rep.side) - knee_angle_3d(p, "left" if rep.side == "right" else "right")
                             for p in before])
            assert gap > beyond + 5.0, (path.name, i, gap)


@pytest.mark.parametrize("ex_id,path", ALL_CLIPS, ids=IDS)
def test_body_controls_stay_quiet_through_the_exercise(ex_id: str, path: Path) -> None:
    """Neither hands-free control fires: reaching forward to the feet is not the controls' gesture."""
    from bench.body_controls import check

    assert check(trace_of(path))["fired"] == []
