"""Set-up guidance before live coaching: what the person is told, in what order, and the countdown."""

from __future__ import annotations

import dataclasses
import math
from typing import Optional

import numpy as np
import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise
from coach.engine.records import FrameResult
from coach.live.setup import (BODY_PARTS, COUNTDOWN, DARK, NOBODY, NOT_FACING, NOT_SIDE_ON, OUT_OF_FRAME, POSTURE, READY, TOO_FAR, TOO_NEAR,
                              SetupConfig, SetupGuide, body_extent, out_of_frame, sentences, side_on_score)
from coach.pose.frame import LANDMARK_NAMES, PoseFrame
from synth import FPS, HEIGHT, WIDTH, empty_frame, lying_frame, standing_frame

BRIGHT = 140.0
_I = {n: i for i, n in enumerate(LANDMARK_NAMES)}


def result(state: str = "active", message: str = "") -> FrameResult:
    """What the probe checker says: "active" = the starting posture is recognised."""
    return FrameResult(index=0, t=0.0, state=state, phase="rest", side="left", message=message, measures={},
                       key_measure="hip_extension", status="good", reps=0, good_reps=0, hold_s=0.0, hold_target_s=2.0,
                       holding=False, cue=None)


BODY = [_I[n] for names in BODY_PARTS.values() for n in names]


def placed(pose: PoseFrame, x0: float, x1: float, cy: float = 300.0) -> PoseFrame:
    """The skeleton scaled and moved so that its body points (head to ankles) span x0..x1 (pixels),
    centred on cy."""
    assert pose.xy is not None
    xy = pose.xy.copy()
    lo, hi = xy[BODY, 0].min(), xy[BODY, 0].max()
    scale = (x1 - x0) / (hi - lo)
    mid_y = (xy[:, 1].min() + xy[:, 1].max()) / 2
    xy[:, 0] = x0 + (xy[:, 0] - lo) * scale
    xy[:, 1] = cy + (xy[:, 1] - mid_y) * scale
    return dataclasses.replace(pose, xy=xy, z=pose.z * scale)


def with_world(pose: PoseFrame, facing_camera: bool) -> PoseFrame:
    """World landmarks (metres): shoulders and hips 0.4 m apart along the camera axis (side-on) or across it."""
    world = np.zeros((33, 3))
    axis = np.array([1.0, 0.0, 0.0]) if facing_camera else np.array([0.0, 0.0, 1.0])
    for a, b, y in (("left_shoulder", "right_shoulder", -0.5), ("left_hip", "right_hip", 0.0)):
        world[_I[a]] = np.array([0.0, y, 0.0]) + 0.2 * axis
        world[_I[b]] = np.array([0.0, y, 0.0]) - 0.2 * axis
    return dataclasses.replace(pose, world=world)


def lying(i: int = 0, t: Optional[float] = None) -> PoseFrame:
    return lying_frame(i, i / FPS if t is None else t, 135.0)


def first_step(pose: PoseFrame, res: Optional[FrameResult] = None, brightness: float = BRIGHT, view: str = "side"):
    return SetupGuide(view).update(0.0, pose, res or result(), brightness)


# -- the measurements -----------------------------------------------------------------------------------

def test_the_synthetic_lying_person_is_usable_as_it_is() -> None:
    pose = lying()
    assert out_of_frame(pose) == []
    assert 0.5 < body_extent(pose) < 0.8
    assert side_on_score(pose) > SetupConfig().min_side_on
    assert first_step(pose).code == COUNTDOWN


def test_side_on_score_from_world_landmarks() -> None:
    assert side_on_score(with_world(lying(), facing_camera=False)) == pytest.approx(1.0)
    assert side_on_score(with_world(lying(), facing_camera=True)) == pytest.approx(0.0)
    assert math.isnan(side_on_score(empty_frame(0, 0.0)))


# -- one problem at a time, the first in order ----------------------------------------------------------------

def test_too_dark_comes_first() -> None:
    step = first_step(empty_frame(0, 0.0), brightness=12.0)
    assert step.code == DARK and "dark" in step.message.lower() and not step.ready


def test_nobody_in_view() -> None:
    step = first_step(empty_frame(0, 0.0))
    assert step.code == NOBODY and "can't see you" in step.message.lower()


def test_too_far() -> None:
    step = first_step(placed(lying(), 300.0, 400.0))  # the body spans a sixth of the width
    assert step.code == TOO_FAR and "closer" in step.message.lower()


def test_too_near_while_still_inside_the_picture() -> None:
    step = first_step(placed(lying(), 2.0, WIDTH - 3.0, cy=HEIGHT / 2))
    assert step.code == TOO_NEAR and "back" in step.message.lower()


def test_cut_off_and_filling_the_picture_means_move_back() -> None:
    pose = placed(lying(), -60.0, WIDTH - 20.0)  # feet (on screen-left) beyond the left edge
    assert "feet" in out_of_frame(pose)
    step = first_step(pose)
    assert step.code == OUT_OF_FRAME
    assert step.message == "Your feet are out of the picture. Move further away from the camera."


def test_cut_off_but_small_means_move_toward_the_middle() -> None:
    pose = placed(lying(), 380.0, 700.0)  # head beyond the right edge, lots of room on the left
    step = first_step(pose)
    assert step.code == OUT_OF_FRAME and "middle" in step.message and "head" in step.message


def test_facing_the_camera_for_a_side_view_exercise() -> None:
    pose = with_world(lying(), facing_camera=True)
    step = first_step(pose)
    assert step.code == NOT_SIDE_ON and "side-on" in step.message
    # an exercise done facing the camera is happy with it, and one that takes any view too
    assert first_step(pose, view="front").code == COUNTDOWN
    assert first_step(pose, view="any").code == COUNTDOWN


def test_side_on_for_an_exercise_done_facing_the_camera() -> None:
    """A side plank's line lies in the picture only when the person faces the camera (view = "front")."""
    pose = with_world(lying(), facing_camera=False)
    step = first_step(pose, view="front")
    assert step.code == NOT_FACING and step.message == "Turn to face the camera."
    assert first_step(pose, view="any").code == COUNTDOWN


def test_starting_posture_comes_from_the_checker() -> None:
    step = first_step(lying(), res=result("setup", "Lie down on your back, side-on to the camera"))
    assert step.code == POSTURE and step.message == "Lie down on your back, side-on to the camera."
    step = first_step(lying(), res=result("unseen", "Can't see your hips - turn side-on to the camera"))
    assert step.code == POSTURE and step.message == "Can't see your hips. Turn side-on to the camera."


def test_standing_person_is_asked_to_lie_down_by_the_real_checker() -> None:
    ex = load_exercise("bridge")
    checker, guide = ExerciseChecker(ex), SetupGuide(ex.view)
    steps = []
    for i in range(30):
        pose = standing_frame(i, i / FPS)
        steps.append(guide.update(pose.t, pose, checker.update(pose), BRIGHT))
    assert steps[-1].code == POSTURE
    assert steps[-1].message == sentences(ex.posture[0].say) and "lie down" in steps[-1].message.lower()


# -- the countdown ---------------------------------------------------------------------------------------

def run(guide: SetupGuide, seconds: float, start: float = 0.0, bad: tuple[float, float] = (-1.0, -1.0)):
    """Feed good lying frames (dark ones between ``bad``) for ``seconds``; return (t, step) pairs."""
    out = []
    for k in range(int(round(seconds * FPS))):
        t = start + k / FPS
        brightness = 5.0 if bad[0] <= t < bad[1] else BRIGHT
        out.append((t, guide.update(t, lying(k, t), result(), brightness)))
    return out


def test_countdown_then_ready_after_three_seconds() -> None:
    guide = SetupGuide("side")
    steps = run(guide, 3.5)
    ticks = [s.countdown for _, s in steps if s.code == COUNTDOWN]
    assert ticks[0] == 3 and sorted(set(ticks), reverse=True) == [3, 2, 1]
    ready = [t for t, s in steps if s.ready]
    assert ready and ready[0] == pytest.approx(3.0, abs=1.5 / FPS)
    assert steps[-1][1].code == READY and guide.ready


def test_a_brief_problem_does_not_restart_the_countdown() -> None:
    guide = SetupGuide("side", SetupConfig(smooth_s=0.0))
    steps = run(guide, 3.5, bad=(1.0, 1.2))  # 0.2 s, under the 0.5 s grace
    assert all(s.code in (COUNTDOWN, READY) for _, s in steps)
    assert next(t for t, s in steps if s.ready) == pytest.approx(3.0, abs=1.5 / FPS)


def test_a_lasting_problem_cancels_the_countdown_and_it_starts_again() -> None:
    guide = SetupGuide("side", SetupConfig(smooth_s=0.0))
    steps = run(guide, 6.0, bad=(1.0, 2.0))
    codes = [s.code for _, s in steps]
    assert DARK in codes
    assert not any(s.ready for t, s in steps if t < 5.0)  # restarted once the light came back at 2 s
    assert next(t for t, s in steps if s.ready) == pytest.approx(5.0, abs=1.5 / FPS)


def test_no_countdown() -> None:
    step = SetupGuide("side", SetupConfig(countdown_s=0.0)).update(0.0, lying(), result(), BRIGHT)
    assert step.ready and step.code == READY


# -- the wording ------------------------------------------------------------------------------------------

def is_whole_sentences(text: str) -> bool:
    """Capitalised sentences, each ended, no dash-joined fragments ("Move back - feet out of ...")."""
    import re

    parts = re.split(r"(?<=[.!?]) ", text)
    return " - " not in text and all(p[:1].isupper() and p[-1:] in ".!?" for p in parts)


def test_every_set_up_message_is_whole_plain_sentences() -> None:
    steps = [first_step(empty_frame(0, 0.0), brightness=12.0), first_step(empty_frame(0, 0.0)),
             first_step(placed(lying(), 300.0, 400.0)), first_step(placed(lying(), 2.0, WIDTH - 3.0, cy=HEIGHT / 2)),
             first_step(placed(lying(), -60.0, WIDTH - 20.0)), first_step(placed(lying(), 380.0, 700.0)),
             first_step(with_world(lying(), facing_camera=True)), first_step(lying()),
             first_step(with_world(lying(), facing_camera=False), view="front"),
             first_step(lying(), res=result("setup", "Lie down on your back, side-on to the camera")),
             first_step(lying(), res=result("unseen", "Your hip is out of the picture - move so your whole body is in view"))]
    assert {s.code for s in steps} == {DARK, NOBODY, TOO_FAR, TOO_NEAR, OUT_OF_FRAME, NOT_SIDE_ON, NOT_FACING, COUNTDOWN,
                                       POSTURE}
    for step in steps:
        assert is_whole_sentences(step.message), step.message
    assert first_step(placed(lying(), 380.0, 700.0)).message == (
        "Your head is out of the picture. Move toward the middle of the picture.")
    assert sentences("Put your hands on the floor under your shoulders") == "Put your hands on the floor under your shoulders."


def test_a_desk_camera_is_judged_on_the_parts_the_exercise_needs() -> None:
    """Seated at a desk, seen from the hips up: usable for an exercise that needs the trunk only; for
    one that needs the legs, the legs are named."""
    pose = standing_frame(0, 0.0)
    xy = pose.xy.copy()
    # Scale about the hips so the shoulders (y 115) sit near the top and the hips at 70% of the height:
    # the knees and feet fall below the picture.
    xy = np.array([320.0, 330.0]) + (xy - np.array([320.0, 250.0])) * 1.6
    desk = with_world(dataclasses.replace(pose, xy=xy), facing_camera=True)
    assert set(out_of_frame(desk)) == {"knees", "feet"}
    trunk = SetupGuide("front", parts=("shoulders", "hips")).update(0.0, desk, result(), BRIGHT)
    assert trunk.code == COUNTDOWN, trunk.message
    legs = SetupGuide("front", parts=("shoulders", "hips", "knees")).update(0.0, desk, result(), BRIGHT)
    assert legs.code == OUT_OF_FRAME and legs.message.startswith("Your knees are out of the picture")
    # The same trunk small in the picture: too far, judged on the whole body estimated from the trunk.
    small = np.array([320.0, 250.0]) + (pose.xy - np.array([320.0, 250.0])) * 0.15
    far = SetupGuide("front", parts=("shoulders", "hips")).update(
        0.0, with_world(dataclasses.replace(pose, xy=small), facing_camera=True), result(), BRIGHT)
    assert far.code == TOO_FAR
