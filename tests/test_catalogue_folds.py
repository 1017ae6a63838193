"""The kneeling folds and the held cat (childs_pose, prayer_pose, horse_back_stretch): their
definitions, the general measure they brought (reach_elbow_angle: the elbow of an arm reaching
forward), and counts, holds and faults on the rendered clips in samples/<id>/ (MediaPipe's landmarks
shipped beside each clip, replayed here), against the clips' truth labels."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest


from coach.engine.checker import ExerciseChecker
from coach.engine.definition import Exercise, load_exercise
from coach.labels import ClipLabels, load_labels
from coach.measures import MEASURES, RANGES, knee_angle, reach_elbow_angle
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import refused

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FAMILY = {"childs_pose": {"hips_high", "arms_not_extended"},
          "prayer_pose": {"hips_high"},
          "horse_back_stretch": {"shallow", "head_up"}}
HOLD_TARGET = 3.0   # the clips hold 5 s (the handouts' 30 and 10 s would reuse one render anyway)


def exercise(ex_id: str) -> Exercise:
    return load_exercise(ex_id).with_targets(hold_s=HOLD_TARGET)


def clips(ex_id: str) -> list[Path]:
    return sorted((SAMPLES / ex_id).glob("*.labels.json"))


ALL_CLIPS = [(ex_id, path) for ex_id in FAMILY for path in clips(ex_id)]


def trace_of(labels_path: Path) -> Path:
    return labels_path.with_name(labels_path.name.replace(".labels.json", ".landmarks.jsonl.gz"))


def truth_of(labels_path: Path) -> dict:
    with gzip.open(labels_path.with_name(labels_path.name.replace(".labels.json", ".truth.json.gz")), "rt") as fh:
        return json.load(fh)


def run(ex: Exercise, poses: list[PoseFrame]):  # type: ignore[no-untyped-def]
    checker = ExerciseChecker(ex)
    results = [checker.update(p) for p in poses]
    return results, checker.finish()


def match(labels: ClipLabels, reps: list) -> dict[int, int]:  # type: ignore[type-arg]
    """Labelled rep index -> found rep index, by largest time overlap, one to one."""
    pairs = sorted(((min(l.end_s, r.end_s) - max(l.start_s, r.start_s), i, j)
                    for i, l in enumerate(labels.reps) for j, r in enumerate(reps)), reverse=True)
    out: dict[int, int] = {}
    for overlap, i, j in pairs:
        if overlap > 0 and i not in out and j not in out.values():
            out[i] = j
    return out


# -- definitions --------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", sorted(FAMILY))
def test_definition_loads_with_the_catalogue_faults_and_plain_instructions(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert {f.code for f in ex.faults} == FAMILY[ex_id]
    assert all(f.cue and f.label and f.scope == "hold" for f in ex.faults)
    assert "Stop if the exercise makes your pain worse" in ex.instructions
    assert ex.view == "side" and ex.side_within_deg is not None
    assert ex.phases.kind == "out_and_back"


def test_targets_are_the_handouts() -> None:
    assert load_exercise("childs_pose").hold_target_s == 30.0
    assert load_exercise("prayer_pose").hold_target_s == 30.0
    horse = load_exercise("horse_back_stretch")
    assert horse.hold_target_s == 10.0 and horse.reps_min >= 1


def test_the_folds_start_unfolded_and_the_cat_from_hands_and_knees() -> None:
    for ex_id in ("childs_pose", "prayer_pose"):
        ex = load_exercise(ex_id)
        assert ex.phases.measure == "hip_angle" and ex.phases.direction == -1
        assert any(c.measure == "hip_angle" and c.to_start and c.min is not None for c in ex.posture)
    horse, cat_cow = load_exercise("horse_back_stretch"), load_exercise("cat_cow")
    # cat-cow's back-curve measure, reused (not copied), one way up
    assert horse.phases.measure == cat_cow.phases.measure == "spine_flexion" and horse.phases.direction == 1
    assert horse.needs == cat_cow.needs == ("segmentation",)




def test_bad_definitions_are_refused() -> None:
    with refused("childs_pose", match="knee_angle") as bad:
        bad["faults"][0]["above"] = 200.0  # the knee angle is 0-180
    with refused("childs_pose", match="reach_elbow_angel") as bad:
        bad["faults"][1]["measure"] = "reach_elbow_angel"
    with refused("horse_back_stretch", match="direction") as bad:
        bad["phases"]["direction"] = "sideways"
    with refused("prayer_pose", match="scope") as bad:
        bad["faults"][0]["scope"] = "everywhere"


# -- the general measure, on made-up skeletons ---------------------------------------------------

def folded(wrist: tuple[float, float], elbow: tuple[float, float], head_right: bool = False) -> PoseFrame:
    """A folded trunk seen side-on: hip at (400, 300), shoulder 150 px toward the head (the picture's
    left, or right), the elbow and wrist at offsets from the shoulder (x toward the head, y down)."""
    sign = 1.0 if head_right else -1.0
    hip = np.array([400.0, 300.0])
    shoulder = hip + [sign * 150.0, 20.0]
    xy = np.full((33, 2), np.nan)
    for s in ("left", "right"):
        xy[side_landmark(s, "hip")] = hip
        xy[side_landmark(s, "shoulder")] = shoulder
        xy[side_landmark(s, "elbow")] = shoulder + [sign * elbow[0], elbow[1]]
        xy[side_landmark(s, "wrist")] = shoulder + [sign * wrist[0], wrist[1]]
        xy[side_landmark(s, "knee")] = hip + [sign * 60.0, 40.0]
        xy[side_landmark(s, "ankle")] = hip + [sign * -60.0, 50.0]
    return PoseFrame(index=0, t=0.0, width=800, height=480, xy=xy, z=np.zeros(33), visibility=np.full(33, 0.9),
                     people=1)


@pytest.mark.parametrize("head_right", [True, False])
def test_reach_elbow_angle_reads_an_arm_reaching_forward(head_right: bool) -> None:
    straight = folded(wrist=(150.0, 20.0), elbow=(75.0, 10.0), head_right=head_right)
    assert reach_elbow_angle(straight, "left") == pytest.approx(180.0, abs=0.5)
    bent = folded(wrist=(60.0, 20.0), elbow=(40.0, -40.0), head_right=head_right)  # hand by the head, elbow up
    assert 60.0 < reach_elbow_angle(bent, "left") < 120.0


def test_reach_elbow_angle_leaves_arms_lying_back_unjudged() -> None:
    back = folded(wrist=(-150.0, 30.0), elbow=(-75.0, 40.0))  # along the body toward the feet
    assert math.isnan(reach_elbow_angle(back, "left"))


def test_new_measure_is_registered_with_a_range() -> None:
    assert "reach_elbow_angle" in MEASURES and RANGES["reach_elbow_angle"] == (0.0, 180.0)


# -- the rendered clips ----------------------------------------------------------------------------

# Known limits, asserted as they are (a change either way shows): from the feet's side (-30 deg) the
# person mask shows none of a thin person's back curve, so a held cat with the head up moves nothing
# spine_flexion sees (it rises 0.08, under the noise of a flat back) and that rep is not counted.
KNOWN_MISSED = {"horse_faults_03": 1}
# The back's curve is judged only near side-on (horse_back_stretch's shallow: max_view_deg): beyond,
# the rep says it is unjudged instead of guessing.
OBLIQUE_UNJUDGED = {"horse_back_stretch": {"shallow"}}


@pytest.mark.parametrize("ex_id,path", ALL_CLIPS, ids=[p.name.split(".")[0] for _, p in ALL_CLIPS])
def test_rendered_clip_counts_holds_and_faults(ex_id: str, path: Path) -> None:
    labels = load_labels(path)
    name = path.name.split(".")[0]
    _, session = run(exercise(ex_id), list(TraceSource(str(trace_of(path)))))
    missed = KNOWN_MISSED.get(name, 0)
    assert len(session.reps) == len(labels.reps) - missed, [(r.start_s, r.end_s) for r in session.reps]
    pairs = match(labels, session.reps)
    assert len(pairs) == len(labels.reps) - missed
    view = json.loads(path.read_text())["view"]["azimuth_deg"]
    may_hide = OBLIQUE_UNJUDGED.get(ex_id, set()) if abs(view) >= 20 else set()
    errors = []
    for i, j in pairs.items():
        want, got = labels.reps[i], session.reps[j]
        assert set(got.faults) <= set(want.faults), (i, got.faults, want.faults)  # no false alarm
        assert set(want.faults) - set(got.faults) <= set(got.unjudged), (i, got.faults, want.faults)  # a miss is said
        assert set(got.unjudged) <= may_hide, (i, got.unjudged)
        if want.position_s is not None:
            errors.append(abs(got.hold_s - want.position_s))
    assert float(np.median(errors)) <= 0.5, errors


def test_every_rendered_fault_is_covered() -> None:
    for ex_id, codes in FAMILY.items():
        seen = {f for path in clips(ex_id) for r in load_labels(path).reps for f in r.faults}
        assert seen == codes, ex_id


def test_mediapipe_reads_the_fully_bent_knee_small_and_hips_high_sits_clear_of_it() -> None:
    """MediaPipe reads the knee bent fully (sitting on the heels) several degrees smaller than the
    renders' joint centres do: the hips_high limit is set on what MediaPipe reads, well clear of
    both its good and its hips-high readings, not on anatomy."""
    limit = next(f for f in load_exercise("childs_pose").faults if f.code == "hips_high").above
    gaps, good, high = [], [], []
    for ex_id in ("childs_pose", "prayer_pose"):
        for path in clips(ex_id):
            truth = truth_of(path)
            cs = truth["camera_side"]
            labels = load_labels(path)
            poses = {p.index: p for p in TraceSource(str(trace_of(path))) if p.xy is not None}
            for f in truth["frames"]:
                if f["phase"] != "hold" or f["frame"] not in poses:
                    continue
                mp = knee_angle(poses[f["frame"]], cs)
                rep = labels.reps[f["rep"] - 1]
                (high if "hips_high" in rep.faults else good).append(mp)
                if "hips_high" not in rep.faults:
                    gaps.append(mp - f["angles"][f"{cs}_knee_2d"])
    assert float(np.median(gaps)) < -3.0, np.median(gaps)      # read small, as found in the render check
    assert np.percentile(good, 95) < limit - 5.0 < limit + 5.0 < np.percentile(high, 5)


@pytest.mark.parametrize("ex_id,path", ALL_CLIPS, ids=[p.name.split(".")[0] for _, p in ALL_CLIPS])
def test_body_controls_stay_quiet_through_the_exercise(ex_id: str, path: Path) -> None:
    """Neither hands-free control fires: kneeling upright between folds (the trunk at ~90 deg) and the
    arms reaching forward past the head on the floor are not the controls' gestures."""
    from bench.body_controls import check

    assert check(trace_of(path))["fired"] == []
