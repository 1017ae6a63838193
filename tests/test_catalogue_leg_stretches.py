"""The lying leg stretches of the catalogue (issue 14): hamstring_stretch and piriformis_stretch.

- the definitions load, carry the handouts' targets and the pain-stop line; bad ones are refused;
- the new measures (hip_angle_max, ankle_to_other_knee, cross_gap) on made-up skeletons;
- the rendered clips in samples/<exercise>/ (bench/motions/*.py; their shipped MediaPipe traces are
  replayed, no inference): counts, sides, faults and hold times against the truth labels;
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
from coach.engine.judgeable import VIEW, FormGate
from coach.errors import CoachError
from coach.labels import load_labels
from coach.measures import MEASURES, RANGES, ankle_to_other_knee, cross_gap, hip_angle_max, leg_rise_max
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import definition_data as _data

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
REALWORLD = ROOT.parent / "shared" / "realworld"
FAMILY = ("hamstring_stretch", "piriformis_stretch")
RENDER_HOLD_S = 4.0  # the renders hold 4-4.5 s: judged against a 4 s target (hold_short is not what they test)


# -- definitions -------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", FAMILY)
def test_definition_loads_with_the_handouts_targets(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert "Stop if the exercise makes your pain worse" in ex.instructions
    assert ex.hold_target_s == 30.0
    assert ex.view == "side" and ex.sides is not None
    assert any(p.to_start for p in ex.posture)
    assert ex.phases.leave_hold_fraction > 0  # a position hold (one rep = one hold)


def test_the_catalogue_fault_codes_are_there() -> None:
    assert {f.code for f in load_exercise("hamstring_stretch").faults} >= {"knee_bent", "other_leg_lifted", "hips_lifted"}
    assert {f.code for f in load_exercise("piriformis_stretch").faults} >= {"not_crossed", "head_lifted"}
    # twice per leg / once per side
    ham, pir = load_exercise("hamstring_stretch"), load_exercise("piriformis_stretch")
    assert (ham.reps_min, ham.per_side) == (2, True) and (pir.reps_min, pir.per_side) == (1, True)  # per leg
    assert load_exercise("hamstring_stretch").with_preset("relief").hold_target_s == 20.0




@pytest.mark.parametrize("change, words", [
    (lambda d: d["faults"][0].update(above=7.0), "cross_gap"),              # a gap no picture can hold
    (lambda d: d["sides"].update(measure="ankle_to_other_kne"), "unknown measure"),
    (lambda d: d["faults"][0].update(max_view_deg=120.0), "max_view_deg"),
    (lambda d: d["phases"].update(measure="hip_angle_maximum"), "unknown measure"),
])
def test_bad_piriformis_definitions_are_refused(change, words: str) -> None:  # type: ignore[no-untyped-def]
    data = _data("piriformis_stretch")
    change(data)
    with pytest.raises(CoachError, match=words):
        parse_exercise(data, "piriformis_stretch.toml")


def test_bad_hamstring_definition_is_refused() -> None:
    data = _data("hamstring_stretch")
    data["faults"][0]["of"] = "raised"  # not a side a rule can judge
    with pytest.raises(CoachError, match="of"):
        parse_exercise(data, "hamstring_stretch.toml")


def test_new_measures_are_registered_with_ranges() -> None:
    for name in ("hip_angle_max", "ankle_to_other_knee", "cross_gap", "leg_rise_max"):
        assert name in MEASURES and name in RANGES


# -- the new measures on made-up skeletons -------------------------------------------------------

def _pose(points: dict[str, tuple[float, float]]) -> PoseFrame:
    xy = np.zeros((33, 2))
    for key, p in points.items():
        side, joint = key.split("_", 1)
        xy[side_landmark(side, joint)] = p
    return PoseFrame(index=0, t=0.0, width=640, height=480, xy=xy, z=np.zeros(33), visibility=np.ones(33), people=1)


# Lying, head to the right: shoulders at x 450, hips at x 300 (torso 150 px), floor at y 300.
BASE = {f"{s}_{j}": p for s in ("left", "right") for j, p in (("shoulder", (450.0, 300.0)), ("hip", (300.0, 300.0)))}


def _figure_four(crossed: str) -> PoseFrame:
    """The supporting thigh pulled up (knee above the hip), the crossed ankle on it near the knee."""
    support = "right" if crossed == "left" else "left"
    pts = dict(BASE)
    pts[f"{support}_knee"] = (300.0, 180.0)          # thigh vertical: hip angle 90
    pts[f"{support}_ankle"] = (190.0, 185.0)         # shin toward the feet
    pts[f"{crossed}_knee"] = (340.0, 200.0)          # turned out and in toward the chest: hip angle ~68
    pts[f"{crossed}_ankle"] = (300.0, 200.0)         # resting on the supporting thigh, 20 px below its knee
    return _pose(pts)


def test_hip_angle_max_is_the_more_open_hip() -> None:
    pose = _figure_four("left")
    assert hip_angle_max(pose, "left") == pytest.approx(90.0, abs=0.5)
    knees_down = dict(BASE, left_knee=(190.0, 300.0), right_knee=(190.0, 300.0), left_ankle=(80.0, 300.0),
                      right_ankle=(80.0, 300.0))
    assert hip_angle_max(_pose(knees_down), "right") == pytest.approx(180.0)


@pytest.mark.parametrize("crossed", ["left", "right"])
def test_the_crossed_ankle_is_near_the_other_knee(crossed: str) -> None:
    pose = _figure_four(crossed)
    support = "right" if crossed == "left" else "left"
    assert ankle_to_other_knee(pose, crossed) == pytest.approx(20.0 / 150.0)
    assert ankle_to_other_knee(pose, support) > 0.5
    assert cross_gap(pose, "left") == cross_gap(pose, "right") == pytest.approx(20.0 / 150.0)


def test_knees_side_by_side_are_not_crossed() -> None:
    pts = dict(BASE, left_knee=(230.0, 190.0), right_knee=(232.0, 192.0), left_ankle=(110.0, 250.0),
               right_ankle=(112.0, 252.0))
    gap = cross_gap(_pose(pts), "left")
    assert gap > load_exercise("piriformis_stretch").fault("not_crossed").above


def test_leg_rise_max_is_the_raised_leg_whatever_its_knee_reads() -> None:
    """A straight leg raised 60 deg; the far leg lies on the floor but its knee is drawn up on the
    raised one (MediaPipe, seen from toward the head): only hips and ankles count."""
    pts = dict(BASE, left_knee=(250.0, 213.4), left_ankle=(200.0, 126.8),      # 60 deg up, straight
               right_knee=(252.0, 215.0), right_ankle=(100.0, 305.0))         # knee misdrawn, ankle down
    pose = _pose(pts)
    assert leg_rise_max(pose, "left") == leg_rise_max(pose, "right") == pytest.approx(60.0, abs=0.5)
    assert hip_angle_max(pose, "left") < 150  # the hip angle would read the far leg as pulled in too


def test_no_torso_no_distance() -> None:
    assert math.isnan(ankle_to_other_knee(_pose({}), "left"))


def test_not_crossed_is_not_judged_beyond_side_on() -> None:
    rule = load_exercise("piriformis_stretch").fault("not_crossed")
    gate = FormGate()
    assert gate.why(rule, 20.0) is None
    assert gate.why(rule, rule.max_view_deg + 10.0) == VIEW


# -- the rendered clips ------------------------------------------------------------------------

def _clips(ex_id: str) -> list[Path]:
    return sorted((SAMPLES / ex_id).glob("*.labels.json"))


def _run(ex_id: str, labels_path: Path):  # type: ignore[no-untyped-def]
    video = labels_path.with_name(labels_path.name.replace(".labels.json", ".mp4"))
    trace = video.with_name(video.stem + ".landmarks.jsonl.gz")
    checker = ExerciseChecker(load_exercise(ex_id).with_targets(hold_s=RENDER_HOLD_S))
    for pose in TraceSource(str(trace)):
        checker.update(pose)
    return load_labels(labels_path), checker.finish()


# Known failures, kept visible (strict: they must keep failing until fixed, then come off this list).
KNOWN_FAILURES = {
    "pir_mixed_03": "the far leg crossed (camera 40 deg toward the feet, tall thin body): MediaPipe tangles "
                    "the legs while reporting them visible (0.75-0.83), reads no ankle at the other knee: "
                    "not_crossed raised and the side read as the near leg",
    "pir_mixed_04": "camera 35 deg toward the head: the feet side by side read a cross_gap of 0.42 (the shins "
                    "foreshorten), under the starting position's 0.55, so counting never starts",
}
RENDERED = [pytest.param(ex_id, p, id=p.name.split(".")[0],
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[p.name.split(".")[0]])]
                         if p.name.split(".")[0] in KNOWN_FAILURES else [])
            for ex_id in FAMILY for p in _clips(ex_id)]


def test_there_are_rendered_clips_for_each_exercise() -> None:
    for ex_id in FAMILY:
        assert len(_clips(ex_id)) >= 3, ex_id


@pytest.mark.parametrize("ex_id, labels_path", RENDERED)
def test_rendered_clip_counts_sides_and_faults(ex_id: str, labels_path: Path) -> None:
    """Counts exact, sides right, faults as labelled; a labelled fault the coach said it could not
    judge (``unjudged``: the far leg hidden, min_visibility) is not flagged either way, and that is
    all it may do with it (the accuracy bench counts it as missed)."""
    labels, session = _run(ex_id, labels_path)
    assert len(session.reps) == labels.rep_count
    for ours, truth in zip(session.reps, labels.reps):
        assert ours.start_s < truth.end_s and truth.start_s < ours.end_s  # the same rep, in order
        if truth.side:
            assert ours.side == truth.side
        judged_truth = set(truth.faults) - set(ours.unjudged)
        assert set(ours.faults) == judged_truth, (ours.start_s, ours.faults, ours.unjudged, truth.faults)


@pytest.mark.parametrize("ex_id", FAMILY)
def test_rendered_holds_within_half_a_second(ex_id: str) -> None:
    errors = []
    for labels_path in _clips(ex_id):
        labels, session = _run(ex_id, labels_path)
        errors += [abs(ours.hold_s - truth.position_s) for ours, truth in zip(session.reps, labels.reps)]
    assert errors and statistics.median(errors) <= 0.5, errors


# -- the real clips (evaluation only, read in place) ---------------------------------------------

def _real(name: str) -> tuple[dict, Path]:
    video = REALWORLD / "videos" / name
    entry = next(e for e in json.loads((REALWORLD / "labels.json").read_text()) if e["file"].endswith(name))
    return entry, video


HAMSTRING_REAL = "hamstring__ndnam0109_fitness-content__straight_leg_hugs.mp4"
PIRIFORMIS_REAL = "piriformis__ndnam0109_fitness-content__figure_four_stretch.mp4"


def _real_session(ex_id: str, video: Path):  # type: ignore[no-untyped-def]
    from bench.traces import cached_trace  # real inference once, then the bench's cache

    checker = ExerciseChecker(load_exercise(ex_id))
    for pose in TraceSource(str(cached_trace(video))):
        checker.update(pose)
    return checker.finish()


@pytest.mark.skipif(not (REALWORLD / "videos" / HAMSTRING_REAL).exists(), reason="../shared/realworld is not here")
def test_real_straight_leg_pulls_are_counted_with_alternating_sides() -> None:
    entry, video = _real(HAMSTRING_REAL)
    session = _real_session("hamstring_stretch", video)
    assert len(session.reps) == entry["reps"] == 6
    sides = [r.side for r in session.reps]
    assert all(a != b for a, b in zip(sides, sides[1:])) and None not in sides, sides
    for rep, (start, end) in zip(session.reps, entry["rep_intervals"]):
        assert rep.start_s < end and start < rep.end_s


@pytest.mark.skipif(not (REALWORLD / "videos" / PIRIFORMIS_REAL).exists(), reason="../shared/realworld is not here")
def test_real_figure_four_holds_per_side_within_a_second() -> None:
    """Both holds found, one per side. The first within 1 s at both ends; the second ends within 1 s
    but starts 1.6 s late (a known gap, not hidden here): the near leg is crossed over the far one,
    MediaPipe sees the far knee and ankle at visibility ~0.2 and reads the supporting hip as pulled
    in only at 20.1 s, where the annotator times the hold from the crossing at 18.5 s. The crossing
    itself is left unjudged there (min_visibility), not called."""
    entry, video = _real(PIRIFORMIS_REAL)
    session = _real_session("piriformis_stretch", video)
    assert len(session.holds) == 2, session.holds
    assert session.holds[0].side != session.holds[1].side
    (start1, end1), (start2, end2) = entry["holds"]
    first, second = session.holds
    assert abs(first.start_s - start1) <= 1.0 and abs(first.end_s - end1) <= 1.0, (first, start1, end1)
    assert abs(second.end_s - end2) <= 1.0 and abs(second.start_s - start2) <= 2.0, (second, start2, end2)
    hidden = next(r for r in session.reps if r.start_s <= second.start_s <= r.end_s)
    assert "not_crossed" in hidden.unjudged and "not_crossed" not in hidden.faults


# -- a fault judged only where its landmarks are seen (min_visibility) ----------------------------

REST_KNEE, REST_ANKLE = np.array([230.0, 190.0]), np.array([130.0, 295.0])   # knees bent, feet on the floor


def _lying(i: int, fig: float, crossed: str = "left", hidden: tuple[str, ...] = (), cross: bool = True) -> PoseFrame:
    """A piriformis frame: ``fig`` 0 knees bent, feet flat .. 1 the figure four pulled in (the
    ``_figure_four`` skeleton; ``cross`` False: both knees pulled in side by side instead).
    ``hidden``: landmarks ("left_knee", ...) the model reports as not visible (0.1)."""
    support = "right" if crossed == "left" else "left"
    four = {f"{support}_knee": (300.0, 180.0), f"{support}_ankle": (190.0, 185.0),
            f"{crossed}_knee": (340.0, 200.0) if cross else (300.0, 180.0),
            f"{crossed}_ankle": (300.0, 200.0) if cross else (190.0, 185.0)}
    xy, vis = np.zeros((33, 2)), np.full(33, 0.95)
    shoulder, hip = np.array([450.0, 300.0]), np.array([300.0, 300.0])
    for side in ("left", "right"):
        knee = (1 - fig) * REST_KNEE + fig * np.array(four[f"{side}_knee"])
        ankle = (1 - fig) * REST_ANKLE + fig * np.array(four[f"{side}_ankle"])
        for joint, p in (("shoulder", shoulder), ("hip", hip), ("knee", knee), ("ankle", ankle), ("heel", ankle + [-5, 5]),
                         ("foot_index", ankle + [-15, -5]), ("elbow", shoulder + [-60, 5]), ("wrist", shoulder + [-120, 5]),
                         ("ear", shoulder + [60, -10]), ("eye", shoulder + [75, -20])):
            xy[side_landmark(side, joint)] = p + (0.0 if side == "left" else np.array([3.0, -4.0]))
    xy[0] = shoulder + [85, -15]
    for name in hidden:
        side, joint = name.split("_", 1)
        vis[side_landmark(side, joint)] = 0.1
    return PoseFrame(index=i, t=i / 30.0, width=640, height=480, xy=xy, z=np.zeros(33), visibility=vis, people=1)


def _stretch(hidden: tuple[str, ...] = (), cross: bool = True):  # type: ignore[no-untyped-def]
    """2 s resting, 1 s into the figure four, 5 s held, 1 s back, 2 s rest (``hidden`` unseen from
    half way in to half way back)."""
    figs = [0.0] * 60 + [k / 30 for k in range(1, 31)] + [1.0] * 150 + [1 - k / 30 for k in range(1, 31)] + [0.0] * 60
    checker = ExerciseChecker(load_exercise("piriformis_stretch").with_targets(hold_s=4.0))
    for i, fig in enumerate(figs):
        checker.update(_lying(i, fig, hidden=hidden if 75 <= i < 285 else (), cross=cross))
    return checker.finish(), checker


def test_a_seen_figure_four_is_judged_crossed_on_the_left() -> None:
    session, _ = _stretch()
    (rep,) = session.reps
    assert rep.side == "left" and rep.faults == [] and rep.unjudged == []


def test_knees_pulled_in_side_by_side_are_not_crossed() -> None:
    session, _ = _stretch(cross=False)
    (rep,) = session.reps
    assert rep.faults == ["not_crossed"]


def test_a_hidden_leg_leaves_the_crossing_unjudged_and_says_so() -> None:
    session, checker = _stretch(hidden=("left_knee", "left_ankle"), cross=False)
    (rep,) = session.reps
    assert "not_crossed" in rep.unjudged and "not_crossed" not in rep.faults  # not a guess either way
    said = [c for c in session.cues if c.code == "not_crossed_unseen"]
    assert len(said) == 1 and "can't see" in said[0].text


def test_min_visibility_is_validated() -> None:
    data = _data("piriformis_stretch")
    data["faults"][0]["min_visibility"] = 1.5
    with pytest.raises(CoachError, match="min_visibility"):
        parse_exercise(data, "piriformis_stretch.toml")
    data = _data("piriformis_stretch")
    data["faults"][-1]["min_visibility"] = 0.5   # hold_short: a rep figure, no landmarks to see
    with pytest.raises(CoachError, match="min_visibility"):
        parse_exercise(data, "piriformis_stretch.toml")


def test_the_unseen_message_is_plain() -> None:
    from coach.engine.judgeable import UNSEEN, unjudged_cue_code, unjudged_message

    rule = load_exercise("piriformis_stretch").fault("not_crossed")
    assert "can't see" in unjudged_message(rule, UNSEEN) and rule.label in unjudged_message(rule, UNSEEN)
    assert unjudged_cue_code(rule, UNSEEN) == "not_crossed_unseen"


def _crossed_first(i: int, cross: float, pull: float, crossed: str) -> PoseFrame:
    """The ankle crossed onto the other knee first (``cross`` 0..1, the hips still at rest: the
    supporting leg stays down), then the supporting thigh pulled in (``pull`` 0..1, into
    ``_lying``'s figure four)."""
    rest = _lying(i, 0.0, crossed=crossed)
    xy = rest.xy.copy()
    on_knee = xy[side_landmark("right" if crossed == "left" else "left", "knee")] + [5.0, 12.0]
    for joint, target in (("knee", np.array([300.0, 190.0])), ("ankle", on_knee)):
        j = side_landmark(crossed, joint)
        xy[j] = (1 - cross) * xy[j] + cross * target
    four = _lying(i, 1.0, crossed=crossed).xy
    xy = (1 - pull) * xy + pull * four
    return PoseFrame(index=i, t=i / 30.0, width=640, height=480, xy=xy, z=rest.z, visibility=rest.visibility, people=1)


@pytest.mark.parametrize("crossed", ["left", "right"])
def test_an_ankle_crossed_before_the_pull_is_the_worked_side(crossed: str) -> None:
    """Crossing leaves the hips at rest (hip_angle_max does not move): the resting values must not
    follow the crossed ankle there, or the crossed leg reads as not moved (the piriformis to_start
    posture: feet apart from the other knee; coach/engine/checker.py _at_start)."""
    steps = ([(0.0, 0.0)] * 60 + [(k / 30, 0.0) for k in range(1, 31)] + [(1.0, 0.0)] * 45
             + [(1.0, k / 30) for k in range(1, 31)] + [(1.0, 1.0)] * 150 + [(1.0, 1 - k / 30) for k in range(1, 31)]
             + [(1 - k / 30, 0.0) for k in range(1, 31)] + [(0.0, 0.0)] * 60)
    checker = ExerciseChecker(load_exercise("piriformis_stretch").with_targets(hold_s=4.0))
    for i, (cross, pull) in enumerate(steps):
        checker.update(_crossed_first(i, cross, pull, crossed))
    (rep,) = checker.finish().reps
    assert rep.side == crossed and rep.faults == []
