"""A fault judged only while another measure is within limits (``[faults.judge_while]``).

hamstring_stretch's knee_bent is not judged while a hand is at the raised knee (hand_to_knee): the
pose model puts the knee on the grasp and reads a nearly straight leg as bent (the real
straight_leg_hugs). Checked on made-up skeletons, on the rendered clips (their hands hold the thigh:
still judged) with the wrists moved onto the knee, and on the real clip where present.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise, parse_exercise
from coach.errors import CoachError
from coach.measures import MEASURES, RANGES, hand_to_knee
from coach.pose.frame import PoseFrame, side_landmark
from coach.trace import TraceSource
from rendered import definition_data as _data

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "hamstring_stretch"
REALWORLD = ROOT.parent / "shared" / "realworld"
HAMSTRING_REAL = REALWORLD / "videos" / "hamstring__ndnam0109_fitness-content__straight_leg_hugs.mp4"


def _pose(wrist: tuple[float, float]) -> PoseFrame:
    """Lying, torso 150 px (shoulders x 450, hips x 300), the right leg raised: knee (300, 150)."""
    xy = np.zeros((33, 2))
    for side in ("left", "right"):
        xy[side_landmark(side, "shoulder")] = (450.0, 300.0)
        xy[side_landmark(side, "hip")] = (300.0, 300.0)
        xy[side_landmark(side, "wrist")] = wrist if side == "right" else (500.0, 300.0)
    xy[side_landmark("right", "knee")] = (300.0, 150.0)
    xy[side_landmark("left", "knee")] = (150.0, 300.0)
    return PoseFrame(index=0, t=0.0, width=640, height=480, xy=xy, z=np.zeros(33), visibility=np.ones(33), people=1)


def test_hand_to_knee_is_the_nearer_wrist_in_torso_lengths() -> None:
    assert "hand_to_knee" in MEASURES and "hand_to_knee" in RANGES
    assert hand_to_knee(_pose((300.0, 180.0)), "right") == pytest.approx(0.2)   # a hand at the knee
    assert hand_to_knee(_pose((300.0, 240.0)), "right") == pytest.approx(0.6)   # on the thigh
    assert hand_to_knee(_pose((300.0, 180.0)), "left") == pytest.approx(np.hypot(150, 120) / 150)  # the other knee: far


@pytest.mark.parametrize("change, words", [
    ({"measure": "hand_to_knees", "above": 0.4}, "unknown measure"),
    ({"measure": "hand_to_knee"}, "judge_while needs"),
    ({"measure": "hand_to_knee", "above": 20.0}, "above"),                     # beyond what it can read
    ({"measure": "hand_to_knee", "above": 0.4, "belw": 0.1}, "belw"),         # a misspelt limit
])
def test_bad_judge_while_is_refused(change: dict, words: str) -> None:
    data = _data("hamstring_stretch")
    knee = next(f for f in data["faults"] if f["code"] == "knee_bent")
    knee["judge_while"] = change
    with pytest.raises(CoachError, match=words):
        parse_exercise(data, "hamstring_stretch.toml")


def test_judge_while_is_for_faults_judged_frame_by_frame() -> None:
    data = _data("hamstring_stretch")
    short = next(f for f in data["faults"] if f["code"] == "hold_short")
    short["judge_while"] = {"measure": "hand_to_knee", "above": 0.4}
    with pytest.raises(CoachError, match="judge_while"):
        parse_exercise(data, "hamstring_stretch.toml")


def _replay(name: str, hands_on: str = ""):  # type: ignore[no-untyped-def]
    """A rendered clip's trace through the checker; ``hands_on``: both wrists moved onto that knee."""
    checker = ExerciseChecker(load_exercise("hamstring_stretch").with_targets(hold_s=4.0))
    for pose in TraceSource(str(SAMPLES / f"{name}.landmarks.jsonl.gz")):
        if hands_on and pose.xy is not None:
            pose.xy[side_landmark("left", "wrist")] = pose.xy[side_landmark(hands_on, "knee")] + (4.0, 0.0)
            pose.xy[side_landmark("right", "wrist")] = pose.xy[side_landmark(hands_on, "knee")] - (4.0, 0.0)
        checker.update(pose)
    return checker.finish()


def test_a_bent_knee_held_by_the_thigh_is_still_flagged() -> None:
    session = _replay("ham_faults_02")  # rep 1: the right knee bent 36-48 deg, the hands on the thigh
    assert "knee_bent" in session.reps[0].faults and "knee_bent" not in session.reps[0].unjudged


def test_a_knee_held_by_the_hands_is_not_judged_and_the_coach_says_so() -> None:
    session = _replay("ham_faults_02", hands_on="right")
    rep = session.reps[0]
    assert "knee_bent" in rep.unjudged and "knee_bent" not in rep.faults  # neither flagged nor cleared
    said = [c for c in session.cues if c.code == "knee_bent_unseen"]
    assert len(said) == 1 and "can't see" in said[0].text
    # the other leg's knee (seen throughout, no hand at it) does not make the raised one judgeable,
    # and the other faults are judged as before
    assert "other_leg_lifted" in session.reps[1].faults


@pytest.mark.skipif(not HAMSTRING_REAL.exists(), reason="../shared/realworld is not here")
def test_real_straight_leg_hugs_knees_held_by_the_hands_are_not_flagged() -> None:
    from bench.traces import cached_trace  # real inference once, then the bench's cache

    entry = next(e for e in json.loads((REALWORLD / "labels.json").read_text()) if e["file"].endswith(HAMSTRING_REAL.name))
    assert entry["faults"] == []  # the annotator saw none
    checker = ExerciseChecker(load_exercise("hamstring_stretch"))
    for pose in TraceSource(str(cached_trace(HAMSTRING_REAL))):
        checker.update(pose)
    session = checker.finish()
    assert len(session.reps) == 6
    assert not any("knee_bent" in r.faults for r in session.reps)  # was flagged on 5 of 6
    assert all("knee_bent" in r.unjudged for r in session.reps)
