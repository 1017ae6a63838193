"""The kneeling per-side stretches of the catalogue (issue 15): pigeon_pose and hip_flexor_stretch.

- the definitions load, carry the handouts' targets and the pain-stop line; bad ones are refused;
- the new measures (coach/measures/kneeling.py) on made-up skeletons, facing either way;
- ``[sides] from_rest = false``: a side read on the measure's own scale, for a position the person
  rests in or starts in one-sided (made-up half-kneeling sequences);
- the rendered clips in samples/<exercise>/ (bench/motions/kneeling.py; their shipped MediaPipe
  traces are replayed, no inference): counts, sides, faults and hold times against the truth labels;
- the real clips in ../shared/realworld (read in place, skipped where absent).
"""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import numpy as np
import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise, parse_exercise
from coach.errors import CoachError
from coach.labels import load_labels
from coach.measures import (MEASURES, RANGES, hip_height, knee_ahead, knee_lead, rear_knee_angle, rear_thigh_tilt,
                            shin_lean, trunk_lean_mid)
from coach.measures.kneeling import facing
from coach.pose.frame import Landmark, PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import definition_data as _data


ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
REALWORLD = ROOT.parent / "shared" / "realworld"
FAMILY = ("pigeon_pose", "hip_flexor_stretch")
RENDER_HOLD_S = 4.0  # the renders hold 4.5-5 s: judged against a 4 s target (hold_short is not what they test)


# -- definitions -------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", FAMILY)
def test_definition_loads_with_the_handouts_targets(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert "Stop if the exercise makes your pain worse" in ex.instructions
    assert ex.hold_target_s == 30.0 and ex.per_side and (ex.reps_min, ex.reps_max) == (1, 1)
    assert ex.view == "side" and ex.sides is not None and ex.sides.from_rest is False
    assert ex.phases.leave_hold_fraction > 0  # a position hold (one rep = one hold)
    assert ex.phases.absolute_rest == 0.0  # a recording that starts in the stretch is timed from the start
    assert "{side}" in ex.switch_say


def test_the_catalogue_fault_codes_are_there() -> None:
    assert {f.code for f in load_exercise("pigeon_pose").faults} >= {"back_knee_bent", "hips_high"}
    assert {f.code for f in load_exercise("hip_flexor_stretch").faults} >= {
        "leaning_forward", "front_knee_past_toes", "back_arched"}
    assert load_exercise("hip_flexor_stretch").with_preset("short").hold_target_s == 20.0  # the handout's 20-30




@pytest.mark.parametrize("ex_id, change, words", [
    ("pigeon_pose", lambda d: d["sides"].update(from_rest="no"), "from_rest"),        # not a bool
    ("pigeon_pose", lambda d: d["faults"][1].update(above=7.0), "hip_height"),        # a height no picture holds
    ("pigeon_pose", lambda d: d["phases"].update(measure="rear_thigh"), "unknown measure"),
    ("hip_flexor_stretch", lambda d: d["faults"][1].update(of="front"), "of"),       # not a side a rule can judge
    ("hip_flexor_stretch", lambda d: d["faults"][0].update(above=200.0), "trunk_lean_mid"),
    ("hip_flexor_stretch", lambda d: d["sides"].update(from_rst=False), "from_rst"),  # a misspelt key
])
def test_bad_definitions_are_refused(ex_id: str, change, words: str) -> None:  # type: ignore[no-untyped-def]
    data = _data(ex_id)
    change(data)
    with pytest.raises(CoachError, match=words):
        parse_exercise(data, f"{ex_id}.toml")


def test_new_measures_are_registered_with_ranges() -> None:
    for name in ("knee_ahead", "knee_lead", "rear_thigh_tilt", "shin_lean", "rear_knee_angle", "trunk_lean_mid", "hip_height"):
        assert name in MEASURES and name in RANGES


# -- the new measures on made-up skeletons -------------------------------------------------------

def _pose(points: dict[str, tuple[float, float]], t: float = 0.0, index: int = 0) -> PoseFrame:
    xy = np.zeros((33, 2))
    for key, p in points.items():
        if key == "nose":
            xy[Landmark.NOSE] = p
            continue
        side, joint = key.split("_", 1)
        xy[side_landmark(side, joint)] = p
    return PoseFrame(index=index, t=t, width=640, height=480, xy=xy, z=np.zeros(33), visibility=np.ones(33), people=1)


def _mirror(points: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """The same body facing the other way in the picture."""
    return {k: (640.0 - x, y) for k, (x, y) in points.items()}


def _half_kneel(front: str = "left", press: float = 0.0, lean: float = 0.0, shin: float = 0.0,
                head_down: bool = False) -> dict[str, tuple[float, float]]:
    """Half-kneeling facing +x (right): hips at (300, 250), torso 150 px; the back thigh (120 px)
    tilted back ``press`` deg, its shin on the floor behind; the front thigh forward, its shin
    leaning ``shin`` deg (knee ahead of the ankle); the trunk leaning ``lean`` deg forward."""
    rear = "right" if front == "left" else "left"
    hip = np.array([300.0, 250.0])
    a, s, b = (math.radians(v) for v in (press, shin, lean))
    shoulder = hip + 150.0 * np.array([math.sin(b), -math.cos(b)])
    rknee = hip + 120.0 * np.array([-math.sin(a), math.cos(a)])
    fknee = hip + np.array([115.0, 25.0])
    fankle = fknee + 110.0 * np.array([-math.sin(s), math.cos(s)])
    pts = {}
    for side in ("left", "right"):
        pts[f"{side}_hip"] = tuple(hip)
        pts[f"{side}_shoulder"] = tuple(shoulder)
        pts[f"{side}_ear"] = tuple(shoulder + (0.0, -55.0))
        pts[f"{side}_wrist"] = tuple(fknee + (-20.0, -15.0))
    pts[f"{rear}_knee"], pts[f"{rear}_ankle"] = tuple(rknee), tuple(rknee + (-110.0, 0.0))
    pts[f"{front}_knee"], pts[f"{front}_ankle"] = tuple(fknee), tuple(fankle)
    pts["nose"] = tuple(shoulder + ((2.0, -45.0) if head_down else (28.0, -50.0)))
    return pts


@pytest.mark.parametrize("flip", [False, True])
def test_the_facing_and_the_legs_read_the_same_either_way_round(flip: bool) -> None:
    pts = _half_kneel("left", press=25.0, lean=10.0, shin=30.0)
    pose = _pose(_mirror(pts) if flip else pts)
    assert facing(pose) == (-1.0 if flip else 1.0)
    assert knee_ahead(pose, "left") == pytest.approx(115.0 / 150.0)   # the front leg
    assert knee_ahead(pose, "right") < 0                              # the back leg
    assert rear_thigh_tilt(pose, "left") == pytest.approx(25.0)
    assert shin_lean(pose, "left") == pytest.approx(30.0)
    assert trunk_lean_mid(pose, "left") == pytest.approx(10.0)


def test_the_form_measures_read_the_legs_by_where_they_are_not_by_their_labels() -> None:
    """MediaPipe may swap the legs' left/right labels (a lunge seen from the side): the front shin,
    the back thigh and the back knee read the same; only the side (knee_ahead per label) follows."""
    pts = _half_kneel("left", press=25.0, shin=30.0)
    pts["right_ankle"] = (pts["right_knee"][0] - 80.0, pts["right_knee"][1] - 60.0)  # the back shin lifted
    swapped = dict(pts)
    for joint in ("knee", "ankle"):
        swapped[f"left_{joint}"], swapped[f"right_{joint}"] = pts[f"right_{joint}"], pts[f"left_{joint}"]
    a, b = _pose(pts), _pose(swapped)
    for measure in (shin_lean, rear_thigh_tilt, rear_knee_angle):
        assert measure(a, "left") == pytest.approx(measure(b, "left")) == pytest.approx(measure(b, "right"))
    assert shin_lean(a, "right") == pytest.approx(30.0)
    thigh = np.array([120.0 * math.sin(math.radians(25.0)), -120.0 * math.cos(math.radians(25.0))])  # knee -> hip
    shin = np.array([-80.0, -60.0])                                                                 # knee -> ankle
    bend = math.degrees(math.acos(thigh @ shin / (np.linalg.norm(thigh) * np.linalg.norm(shin))))
    assert rear_knee_angle(a, "left") == pytest.approx(bend)  # 78: the back knee bent, its foot up
    assert knee_ahead(b, "right") > 0.5 > knee_ahead(a, "right")


def test_the_lead_tells_the_front_leg_when_the_front_knee_is_misdrawn() -> None:
    pts = _half_kneel("left", press=40.0)
    assert knee_lead(_pose(pts), "left") == pytest.approx(knee_ahead(_pose(pts), "left") - knee_ahead(_pose(pts), "right"))
    pts["left_knee"] = (300.0, 375.0)  # the far front leg drawn straight down under the hip
    pose = _pose(pts)
    assert abs(knee_ahead(pose, "left")) < 0.05 and knee_lead(pose, "left") > 0.4 > knee_lead(pose, "right")


def test_leaning_back_reads_negative_and_the_head_still_tells_the_facing() -> None:
    pose = _pose(_half_kneel("right", press=20.0, lean=-18.0))
    assert facing(pose) == 1.0  # the shoulders behind the hips; the nose ahead of the ears decides
    assert trunk_lean_mid(pose, "right") == pytest.approx(-18.0)


def test_a_hanging_head_leaves_the_facing_to_the_trunk() -> None:
    folded = _half_kneel("left", press=60.0, lean=70.0, head_down=True)
    assert facing(_pose(folded)) == 1.0
    assert facing(_pose(_mirror(folded))) == -1.0
    upright_head_down = _half_kneel("left", head_down=True)
    assert math.isnan(facing(_pose(upright_head_down)))  # nothing tells it: nothing is measured
    assert math.isnan(rear_thigh_tilt(_pose(upright_head_down), "left"))


def test_thighs_pointing_forward_are_no_backward_tilt() -> None:
    """Sitting back on the heels both knees point forward: 0, not a negative tilt from which rising
    to kneel would look like the stretch (realworld hip_flexor_stretch set-up)."""
    pts = _half_kneel("left")
    pts["right_knee"] = (400.0, 265.0)
    assert rear_thigh_tilt(_pose(pts), "left") == 0.0


def test_hip_height_is_measured_from_the_floor_line_of_hands_and_back_leg() -> None:
    # Pigeon facing +x: wrists on the floor (y 400) ahead, the back leg along the floor behind.
    low = {f"{s}_{j}": p for s in ("left", "right") for j, p in
           (("shoulder", (420.0, 290.0)), ("hip", (300.0, 370.0)), ("wrist", (470.0, 400.0)), ("ear", (450.0, 260.0)))}
    low.update(left_knee=(360.0, 395.0), left_ankle=(330.0, 398.0),       # front leg folded forward
               right_knee=(190.0, 400.0), right_ankle=(80.0, 400.0), nose=(465.0, 270.0))
    pose = _pose(low)
    torso = math.hypot(120.0, 80.0)
    assert hip_height(pose, "left") == pytest.approx(30.0 / torso)
    high = dict(low, left_hip=(300.0, 320.0), right_hip=(300.0, 320.0))
    assert hip_height(_pose(high), "left") == pytest.approx(80.0 / math.hypot(120.0, 30.0))
    bent = dict(low, right_ankle=(120.0, 320.0))  # the back shin lifted: the knee is the floor point
    assert hip_height(_pose(bent), "left") == pytest.approx(hip_height(pose, "left"))


# -- from_rest = false: a side on the measure's own scale ----------------------------------------

def _press_sequence(front: str, start_pressed: bool = False) -> list[PoseFrame]:
    """Half-kneeling (already one-sided), press 1 s, hold 5 s, back 1 s, rest 2 s; 30 fps.
    ``start_pressed``: the recording starts in the stretch."""
    presses = ([] if start_pressed else [0.0] * 60 + [k / 30 for k in range(1, 31)]) + [1.0] * 150 \
        + [1 - k / 30 for k in range(1, 31)] + [0.0] * 60
    return [_pose(_half_kneel(front, press=28.0 * p), t=i / 30.0, index=i) for i, p in enumerate(presses)]


@pytest.mark.parametrize("front", ["left", "right"])
def test_the_front_leg_is_the_side_even_resting_one_sided(front: str) -> None:
    checker = ExerciseChecker(load_exercise("hip_flexor_stretch").with_targets(hold_s=4.0))
    for pose in _press_sequence(front):
        checker.update(pose)
    (rep,) = checker.finish().reps
    assert rep.side == front and rep.faults == []
    assert rep.hold_s == pytest.approx(5.0 + 2 * 0.4, abs=0.3)  # the 5 s still, and 40 % of each 1 s ramp (the band)


def test_from_the_rest_a_one_sided_rest_would_show_no_side() -> None:
    """The reason for from_rest = false: half-kneeling, the front knee is ahead of the hip at rest
    already, and pressing moves it back a little, so measured from rest no leg is worked."""
    import dataclasses

    ex = load_exercise("hip_flexor_stretch").with_targets(hold_s=4.0)
    ex = dataclasses.replace(ex, sides=dataclasses.replace(ex.sides, from_rest=True))
    checker = ExerciseChecker(ex)
    for pose in _press_sequence("left"):
        checker.update(pose)
    (rep,) = checker.finish().reps
    assert rep.side is None


def test_a_recording_that_starts_in_the_stretch_is_timed_from_the_start() -> None:
    checker = ExerciseChecker(load_exercise("hip_flexor_stretch").with_targets(hold_s=4.0))
    for pose in _press_sequence("right", start_pressed=True):
        checker.update(pose)
    (rep,) = checker.finish().reps
    assert rep.side == "right" and rep.start_s < 0.5 and rep.hold_s > 4.5


def test_switch_sides_is_said_after_one_side() -> None:
    ex = load_exercise("hip_flexor_stretch").with_targets(hold_s=4.0)
    checker = ExerciseChecker(ex)
    left = _press_sequence("left")
    right = [_pose(_half_kneel("right", press=28.0 * p), t=left[-1].t + (i + 1) / 30.0, index=len(left) + i)
             for i, p in enumerate([0.0] * 60 + [k / 30 for k in range(1, 31)] + [1.0] * 150
                                   + [1 - k / 30 for k in range(1, 31)] + [0.0] * 60)]
    for pose in left + right:
        checker.update(pose)
    session = checker.finish()
    assert [r.side for r in session.reps] == ["left", "right"]
    said = [c.text for c in session.cues]
    assert ex.switch_text("right") in said, said


# -- legs relabelled by the pose model (coach/engine/legs.py LegSwapGuard) ------------------------

def _relabel(pose: PoseFrame) -> PoseFrame:
    """The frame with the legs' left/right labels exchanged, as MediaPipe did mid-hold."""
    from coach.engine.legs import LegSwapGuard

    return LegSwapGuard._relabelled(pose)


def test_legs_relabelled_mid_hold_are_swapped_back_and_the_hold_stays_one() -> None:
    frames = _press_sequence("left")
    swapped = [_relabel(p) if 120 <= i < 220 else p for i, p in enumerate(frames)]  # 100 frames inside the hold
    checker = ExerciseChecker(load_exercise("hip_flexor_stretch").with_targets(hold_s=4.0))
    for pose in swapped:
        checker.update(pose)
    (rep,) = checker.finish().reps
    assert rep.side == "left" and rep.hold_s == pytest.approx(5.8, abs=0.3)


def test_without_the_guard_the_relabelled_legs_would_take_the_side() -> None:
    """What the guard prevents: most of the hold relabelled reads as the other side."""
    import dataclasses

    ex = load_exercise("hip_flexor_stretch").with_targets(hold_s=4.0)
    checker = ExerciseChecker(ex)
    checker.swaps = None
    for i, pose in enumerate(_press_sequence("left")):
        checker.update(_relabel(pose) if 100 <= i < 260 else pose)
    (rep,) = checker.finish().reps
    assert rep.side == "right"
    assert dataclasses.replace(ex.sides, alternating=True).alternating  # the default elsewhere


def test_a_change_of_legs_at_a_persons_pace_is_not_a_relabelling() -> None:
    from coach.engine.legs import LegSwapGuard

    guard = LegSwapGuard()
    left, right = _half_kneel("left"), _half_kneel("right")
    steps = 30  # 1 s from one leg in front to the other: each leg passes through the places between
    for i in range(steps + 1):
        w = i / steps
        pts = {k: tuple((1 - w) * np.array(left[k]) + w * np.array(right[k])) for k in left}
        out = guard.update(_pose(pts, t=i / 30.0, index=i))
    assert not guard.swapped and out.xy is not None
    assert knee_ahead(out, "right") > 0.5  # the right leg is in front now, as drawn


def test_alternating_is_read_and_checked() -> None:
    data = _data("pigeon_pose")
    data["sides"]["alternating"] = "no"
    with pytest.raises(CoachError, match="alternating"):
        parse_exercise(data, "pigeon_pose.toml")
    assert load_exercise("knee_to_chest").sides is None or load_exercise("knee_to_chest").sides.alternating


def test_lying_down_is_no_pigeon() -> None:
    """Lying on the back the thighs lie flat behind the hips as the pigeon's back leg does; the hands
    beside the body (not on the floor below the trunk) keep it from counting."""
    lying = {f"{s}_{j}": p for s in ("left", "right") for j, p in
             (("shoulder", (450.0, 300.0)), ("hip", (300.0, 300.0)), ("knee", (190.0, 300.0)), ("ankle", (80.0, 300.0)),
              ("wrist", (330.0, 305.0)), ("ear", (510.0, 290.0)))}
    lying["nose"] = (525.0, 270.0)
    checker = ExerciseChecker(load_exercise("pigeon_pose").with_targets(hold_s=4.0))
    for i in range(300):
        checker.update(_pose(lying, t=i / 30.0, index=i))
    assert rear_thigh_tilt(_pose(lying), "left") == pytest.approx(90.0)  # what the posture must keep out
    assert checker.finish().reps == [] and not checker.armed


@pytest.mark.parametrize("lean, shin, faults", [(30.0, 0.0, ["leaning_forward"]), (0.0, 35.0, ["front_knee_past_toes"]),
                                                 (-20.0, 0.0, ["back_arched"]), (5.0, 5.0, [])])
def test_hip_flexor_faults_on_made_up_holds(lean: float, shin: float, faults: list[str]) -> None:
    frames = [0.0] * 60 + [k / 30 for k in range(1, 31)] + [1.0] * 150 + [1 - k / 30 for k in range(1, 31)] + [0.0] * 60
    checker = ExerciseChecker(load_exercise("hip_flexor_stretch").with_targets(hold_s=4.0))
    for i, p in enumerate(frames):
        checker.update(_pose(_half_kneel("left", press=28.0 * p, lean=lean * p, shin=shin * p), t=i / 30.0, index=i))
    (rep,) = checker.finish().reps
    assert sorted(rep.faults) == faults


# -- the rendered clips ------------------------------------------------------------------------

def _clips(ex_id: str) -> list[Path]:
    return sorted((SAMPLES / ex_id).glob("*.labels.json"))


def _run(ex_id: str, labels_path: Path):  # type: ignore[no-untyped-def]
    trace = labels_path.with_name(labels_path.name.replace(".labels.json", ".landmarks.jsonl.gz"))
    checker = ExerciseChecker(load_exercise(ex_id).with_targets(hold_s=RENDER_HOLD_S))
    for pose in TraceSource(str(trace)):
        checker.update(pose)
    return load_labels(labels_path), checker.finish()


# Known failures, kept visible (strict: they must keep failing until fixed, then come off this list).
KNOWN_FAILURES: dict[str, str] = {
    "hipflex_mixed_02": "camera 35 deg behind the person, the front leg the near one: MediaPipe labels the legs "
                        "swapped from the first frame to the last (its 'left' knee is the front one, the truth's "
                        "right), so both holds read the left side; nothing to compare with to undo it (the counts, "
                        "holds and faults are right)",
    "pigeon_check_05": "held out (rendered after the pigeon's values were set): the tall thin body's hips held high "
                       "read hip_height 0.43, under the 0.45 limit (the other hips_high renders 0.50-0.68); 0.40 "
                       "would catch it but leave 0.03 over the real Goondoc pigeon (0.31-0.37, no fault): not "
                       "moved after seeing it",
}
RENDERED = [pytest.param(ex_id, p, id=p.name.split(".")[0],
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[p.name.split(".")[0]])]
                         if p.name.split(".")[0] in KNOWN_FAILURES else [])
            for ex_id in FAMILY for p in _clips(ex_id)]


def test_there_are_rendered_clips_for_each_exercise() -> None:
    for ex_id in FAMILY:
        clips = _clips(ex_id)
        assert len(clips) >= 3, ex_id
        sides = {r["side"] for c in clips for r in json.loads(c.read_text())["reps"]}
        assert sides == {"left", "right"}, ex_id


@pytest.mark.parametrize("ex_id, labels_path", RENDERED)
def test_rendered_clip_counts_sides_and_faults(ex_id: str, labels_path: Path) -> None:
    labels, session = _run(ex_id, labels_path)
    assert len(session.reps) == labels.rep_count
    for ours, truth in zip(session.reps, labels.reps):
        assert ours.start_s < truth.end_s and truth.start_s < ours.end_s  # the same rep, in order
        assert ours.side == truth.side
        judged_truth = set(truth.faults) - set(ours.unjudged)
        assert set(ours.faults) == judged_truth, (ours.start_s, ours.faults, ours.unjudged, truth.faults)


@pytest.mark.parametrize("ex_id", [pytest.param("pigeon_pose", marks=pytest.mark.xfail(
    strict=True, reason="median 0.72 s: the labels time the pigeon on the renderer's amount, which the back "
                        "thigh's tilt does not follow linearly (see test_pigeon_holds_match_the_measure_on_"
                        "the_true_keypoints)")), "hip_flexor_stretch"])
def test_rendered_holds_within_half_a_second(ex_id: str) -> None:
    errors = []
    for labels_path in _clips(ex_id):
        labels, session = _run(ex_id, labels_path)
        # a faulty hold's timer pauses while the fault lasts (hold_s: time in good form); its time in
        # the position is its top_s (as bench/accuracy.py compares)
        errors += [abs((ours.top_s if truth.faults else ours.hold_s) - truth.position_s)
                   for ours, truth in zip(session.reps, labels.reps)]
    assert errors and statistics.median(errors) <= 0.5, errors


def _truth_band_s(labels_path: Path, ex_id: str) -> list[float]:
    """Per labelled rep: how long the definition's key measure, read on the renderer's true
    keypoints (truth.json.gz), stays within the definition's hold band of its level mid-hold."""
    import gzip

    ex = load_exercise(ex_id)
    fraction, measure = ex.phases.leave_hold_fraction, MEASURES[ex.phases.measure]
    truth = json.loads(gzip.open(labels_path.with_name(labels_path.name.replace(".labels.json", ".truth.json.gz"))).read())
    ts, values = [], []
    for fr in truth["frames"]:
        xy = np.array([p if p is not None else [np.nan, np.nan] for p in fr["landmarks_2d"]], float)
        ts.append(fr["t"])
        values.append(measure(PoseFrame(index=fr["frame"], t=fr["t"], width=truth["width"], height=truth["height"],
                                        xy=xy, z=np.zeros(33), visibility=np.ones(33), people=1), "left"))
    out = []
    for rep in load_labels(labels_path).reps:
        a = b = min(range(len(ts)), key=lambda i: abs(ts[i] - (rep.start_s + rep.end_s) / 2))
        level = values[a]
        while a > 0 and values[a - 1] >= (1 - fraction) * level:
            a -= 1
        while b < len(ts) - 1 and values[b + 1] >= (1 - fraction) * level:
            b += 1
        out.append(ts[b] - ts[a] + 1.0 / truth["fps"])
    return out


def test_pigeon_holds_match_the_measure_on_the_true_keypoints() -> None:
    """The pigeon's rendered holds read 0.5-0.75 s longer than the labels' time in position (the
    benchmark's figure), which is timed on the renderer's amount: the back thigh reaches most of its
    tilt in the first half of the amount (the leg slides back before the hips sink), so the amount's
    band starts later and ends earlier than the thigh's. Timed on the same measure read on the true
    keypoints, the holds agree within half a second."""
    errors, amount_errors = [], []
    for labels_path in _clips("pigeon_pose"):
        labels, session = _run("pigeon_pose", labels_path)
        for ours, truth, band in zip(session.reps, labels.reps, _truth_band_s(labels_path, "pigeon_pose")):
            held = ours.top_s if truth.faults else ours.hold_s
            errors.append(abs(held - band))
            amount_errors.append(held - truth.position_s)
    assert errors and statistics.median(errors) <= 0.5 and max(errors) <= 0.6, errors
    assert all(0.0 < e < 1.0 for e in amount_errors), amount_errors  # the known offset, kept visible


# -- the real clips (evaluation only, read in place) ---------------------------------------------

def _real(name: str) -> tuple[dict, Path]:
    video = REALWORLD / "videos" / name
    entry = next(e for e in json.loads((REALWORLD / "labels.json").read_text()) if e["file"].endswith(name))
    return entry, video


def _real_session(ex_id: str, video: Path):  # type: ignore[no-untyped-def]
    from bench.traces import cached_trace  # real inference once, then the bench's cache

    checker = ExerciseChecker(load_exercise(ex_id))
    for pose in TraceSource(str(cached_trace(video))):
        checker.update(pose)
    return checker.finish()


PIGEON_REAL = "pigeon__Goondoc08_to-be-frank__mob-pigeon.mp4"
HIPFLEX_REAL = "hipflexor__Goondoc08_to-be-frank__mob-hip-flexor.mp4"
HIPFLEX_ROCKING = "hipflexor__ndnam0109_fitness-content__hip_flexor_stretch.mp4"


@pytest.mark.parametrize("ex_id, name, front", [("pigeon_pose", PIGEON_REAL, "right"),
                                                ("hip_flexor_stretch", HIPFLEX_REAL, "right")])
def test_real_clips_held_throughout_are_one_hold_within_a_second(ex_id: str, name: str, front: str) -> None:
    """Both start in the position (loop clips of 2.5-2.8 s): timed from the start, one hold, both ends
    within 1 s, the side the leg seen in front, and no fault said (the annotator saw none). The clip
    ends in the hold, so it is a hold and not yet a finished rep."""
    if not (REALWORLD / "videos" / name).exists():
        pytest.skip("../shared/realworld is not here")
    entry, video = _real(name)
    session = _real_session(ex_id, video)
    (hold,) = session.holds
    ((start, end),) = entry["holds"]
    assert abs(hold.start_s - start) <= 1.0 and abs(hold.end_s - end) <= 1.0, (hold, start, end)
    assert hold.side == front and hold.faults == [], hold
    codes = {f.code for f in load_exercise(ex_id).faults}
    assert not [c for c in session.cues if c.code in codes], session.cues


@pytest.mark.skipif(not (REALWORLD / "videos" / HIPFLEX_ROCKING).exists(), reason="../shared/realworld is not here")
def test_real_rocking_hip_flexor_is_timed_while_pressed() -> None:
    """The annotator's one hold (5.5-17.0 s, "gentle forward rocking") rocks back to upright every
    ~4 s (the back thigh returns to vertical): the coach times the stretch while the hips are
    pressed, three presses on the same side; the first starts and the last ends within 1 s of the
    label. The front knee goes past the toes at each press (the picture at 7 s shows it ahead of the
    shoe): flagged, against the label's "none seen" (see the report)."""
    entry, video = _real(HIPFLEX_ROCKING)
    session = _real_session("hip_flexor_stretch", video)
    ((start, end),) = entry["holds"]
    assert len(session.holds) == 3 and {r.side for r in session.reps} == {"right"}
    assert abs(session.holds[0].start_s - start) <= 1.0 and abs(session.holds[-1].end_s - end) <= 1.0, session.holds
