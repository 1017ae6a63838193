"""Hands-free controls on synthetic landmark sequences: sitting up pauses (and lying back down
carries on), a hand held up 2 s is the pain stop, and neither fires on the exercises' own poses."""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import pytest

from coach.live.body_controls import BodyConfig, BodyControls, hand_up_score, torso_elevation
from coach.pose.frame import LANDMARK_NAMES, PoseFrame
from synth import FPS, lying_frame, quadruped_frame, standing_frame

_I = {n: i for i, n in enumerate(LANDMARK_NAMES)}


def arm(pose: PoseFrame, side: str, elbow: tuple[float, float], wrist: tuple[float, float]) -> PoseFrame:
    """``pose`` with one arm moved: elbow and wrist (and the hand's points) at the given pixels."""
    assert pose.xy is not None
    xy = pose.xy.copy()
    xy[_I[f"{side}_elbow"]] = elbow
    for j in ("wrist", "pinky", "index", "thumb"):
        xy[_I[f"{side}_{j}"]] = wrist
    return dataclasses.replace(pose, xy=xy)


def hand_up(i: int, t: float, side: str = "left") -> PoseFrame:
    """Lying on the back (shoulder at (480, 380)), one arm straight up to the ceiling."""
    return arm(lying_frame(i, t, 135.0), side, (482.0, 300.0), (484.0, 215.0))


def knee_hug(i: int, t: float) -> PoseFrame:
    """Lying, hands around the (camera-side) knee pulled in: the wrist at the knee, above the shoulder."""
    pose = lying_frame(i, t, 100.0)
    assert pose.xy is not None
    knee = pose.xy[_I["left_knee"]]
    return arm(arm(pose, "left", (430.0, 300.0), tuple(knee + (8.0, -10.0))), "right", (430.0, 300.0),
               tuple(knee + (12.0, -14.0)))


def run(controls: BodyControls, frames: Callable[[int, float], PoseFrame], seconds: float, start: float = 0.0):
    out = []
    for k in range(int(round(seconds * FPS))):
        t = start + k / FPS
        out.append((t, controls.update(t, frames(k, t))))
    return out


def first(steps, what: str):  # type: ignore[no-untyped-def]
    return next((t for t, s in steps if getattr(s, what)), None)


def started_lying() -> BodyControls:
    controls = BodyControls()
    controls.start(lying_frame(0, 0.0, 135.0))
    return controls


def test_torso_elevation_is_signed() -> None:
    assert abs(torso_elevation(lying_frame(0, 0.0, 135.0))) < 25
    assert torso_elevation(standing_frame(0, 0.0)) > 80
    assert torso_elevation(lying_frame(0, 0.0, 200.0)) < 0  # a bridge's hips are above its shoulders
    assert np.isnan(torso_elevation(PoseFrame(index=0, t=0.0, width=640, height=480)))


def test_a_hand_held_up_two_seconds_is_the_pain_stop() -> None:
    steps = run(started_lying(), hand_up, 3.0)
    assert first(steps, "pain") == pytest.approx(2.0, abs=1.5 / FPS)
    assert not any(s.pause for _, s in steps)  # lying with a hand up is no pause
    steps = run(BodyControls(), lambda i, t: hand_up(i, t, side="right"), 2.5)  # the far arm, before counting
    assert first(steps, "pain") == pytest.approx(2.0, abs=1.5 / FPS)


def test_a_hand_raised_briefly_does_nothing() -> None:
    steps = run(started_lying(), lambda i, t: hand_up(i, t) if t < 1.2 else lying_frame(i, t, 135.0), 4.0)
    assert not any(s.pain for _, s in steps)


def test_one_missed_frame_does_not_restart_the_hand_timer() -> None:
    def frames(i: int, t: float) -> PoseFrame:
        return PoseFrame(index=i, t=t, width=640, height=480) if i == 30 else hand_up(i, t)

    assert first(run(started_lying(), frames, 3.0), "pain") == pytest.approx(2.0, abs=1.5 / FPS)


def test_hugging_a_knee_is_not_a_raised_hand() -> None:
    pose = knee_hug(0, 0.0)
    assert pose.xy is not None and pose.xy[_I["left_wrist"], 1] < pose.xy[_I["left_shoulder"], 1]  # above the shoulder
    assert hand_up_score(pose) < BodyConfig().hand_above_torso
    assert not any(s.pain or s.pause for _, s in run(started_lying(), knee_hug, 12.0))  # a 10 s hug


@pytest.mark.parametrize("make", [lambda i, t: lying_frame(i, t, 135.0 + 45.0 * np.sin(t)),  # bridges
                                  lambda i, t: lying_frame(i, t, 215.0),  # over-extended bridge
                                  lambda i, t: quadruped_frame(i, t, 0.8 * np.sin(t))])  # cat-cow
def test_the_exercises_own_poses_trigger_nothing(make: Callable[[int, float], PoseFrame]) -> None:
    controls = BodyControls()
    controls.start(make(0, 0.0))
    assert controls.can_pause
    assert not any(s.pain or s.pause for _, s in run(controls, make, 8.0))


def test_sitting_up_pauses_and_lying_back_down_carries_on() -> None:
    controls = started_lying()
    steps = run(controls, lambda i, t: lying_frame(i, t, 135.0), 1.0)
    steps += run(controls, standing_frame, 2.0, start=1.0)
    assert first(steps, "pause") == pytest.approx(2.0, abs=1.5 / FPS)  # upright for 1 s
    steps = run(controls, lambda i, t: lying_frame(i, t, 135.0), 2.0, start=3.0)
    assert first(steps, "resume") == pytest.approx(4.5, abs=1.5 / FPS)  # back down for 1.5 s


def test_no_pause_posture_for_an_exercise_started_upright() -> None:
    controls = BodyControls()
    controls.start(standing_frame(0, 0.0))
    assert not controls.can_pause
    assert not any(s.pause for _, s in run(controls, standing_frame, 3.0))
    assert first(run(controls, lambda i, t: arm(standing_frame(i, t), "left", (322.0, 60.0), (324.0, 0.0)), 2.5),
                 "pain") is not None  # a raised hand still stops


def test_an_arm_along_the_body_of_someone_upside_down_is_not_a_raised_hand() -> None:
    # A camera on its side: the person's head at the bottom of the picture, arms along the body
    # toward the hips, which are now above the shoulders.
    standing = standing_frame(0, 0.0)
    assert standing.xy is not None
    flipped = dataclasses.replace(standing, xy=standing.xy * (1.0, -1.0) + (0.0, 480.0))
    assert flipped.xy is not None and flipped.xy[_I["left_wrist"], 1] < flipped.xy[_I["left_shoulder"], 1]
    assert hand_up_score(flipped) < BodyConfig().hand_above_torso
    assert not any(s.pain for _, s in run(BodyControls(), lambda i, t: flipped, 3.0))


# -- on real MediaPipe output ---------------------------------------------------------------------------------

from bench.body_controls import check  # noqa: E402
from e2e_runs import SAMPLES, SampleRuns  # noqa: E402


@pytest.mark.parametrize("name", SAMPLES)
def test_no_control_fires_during_the_sample_exercises(sample_runs: SampleRuns, name: str) -> None:
    """Each sample's landmark trace (the session's real analysis of it): the controls run as live
    and fire nothing; the torso stays far from upright and no arm is ever held up."""
    run = sample_runs.analysis(name)
    assert run.returncode == 0, run.describe()
    r = check(run.trace_path)
    assert r["frames"] > 100 and r["can_pause"]
    assert r["fired"] == []
    assert r["max_elevation_deg"] < 90.0 - BodyConfig().upright_within_deg - 20.0  # 20 degrees of margin at least
    assert r["longest_upright_s"] == 0.0 and r["longest_hand_up_s"] == 0.0
