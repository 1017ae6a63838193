"""``coach calibrate camera``'s starting-position line and its lead-in countdown: the exercise's own
starting posture (what starts counting live) judged on synthetic people seen side-on, and the
countdown on a fake camera."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pytest

from calibration.camera import CHANGE, OK, POSITION, UNKNOWN, judge, measure
from calibration.command import lead_in
from calibration.position import position_check
from coach.engine.definition import load_exercise
from test_calibrate_camera import _ALL_FOURS, _LYING, _STANDING, nobody, samples, seen

BRIDGE, K2C, CAT_COW = (load_exercise(x) for x in ("bridge", "knee_to_chest", "cat_cow"))
# Lying with the hips lifted into a bridge's top (the knees bent up, feet on the floor).
_HIPS_UP = {**_LYING, "hip": (0.0, -0.45, 0.10), "knee": (-0.40, -0.55, 0.10), "ankle": (-0.55, -0.10, 0.10),
            "heel": (-0.60, -0.04, 0.10), "foot_index": (-0.45, -0.02, 0.10)}


def poses(body: dict, n: int = 20) -> list:
    return [seen(body, t=i / 10) for i in range(n)]


def say(exercise, measure_name: str) -> str:  # type: ignore[no-untyped-def]
    return next(c.say for c in exercise.posture if c.measure == measure_name)


@pytest.mark.parametrize("exercise, body, expected", [
    (BRIDGE, _LYING, None),
    (BRIDGE, _STANDING, ("torso_tilt", "Lie down on your back")),
    (BRIDGE, _ALL_FOURS, ("hip_lift", "Lower your hips")),  # on hands and knees the hips are far off the floor
    (BRIDGE, _HIPS_UP, ("hip_lift", "Lower your hips")),
    (K2C, _LYING, None),
    (K2C, _STANDING, ("torso_tilt", "Lie down on your back")),
    (CAT_COW, _ALL_FOURS, None),
    (CAT_COW, _LYING, ("wrist_height", "Put your hands on the floor")),
    (CAT_COW, _STANDING, ("torso_tilt", "Get on your hands and knees")),
])
def test_the_starting_position_is_the_exercises_own(exercise, body, expected) -> None:  # type: ignore[no-untyped-def]
    check = position_check(poses(body), exercise)
    assert check.code == POSITION
    if expected is None:
        assert check.status == OK and exercise.name.lower() in check.text
    else:
        measure_name, words = expected
        assert check.status == CHANGE and check.text == f"{say(exercise, measure_name)}, then check again"
        assert check.text.startswith(words)


def test_the_position_line_decides_whether_the_set_up_is_usable() -> None:
    """Standing at a wall in a good light, whole, side-on: every camera line is ok, and the set-up is
    still not usable for a bridge, because the person is not lying down (a bug users met)."""
    frames = samples(lambda i: seen(_STANDING, centre=(320, 240), px_per_m=100.0))
    m = measure(frames)
    standing = judge(m, "side", position=position_check([f.pose for f in frames], BRIDGE))
    assert not standing.usable and [c.code for c in standing.to_change] == [POSITION]
    lying = samples(lambda i: seen(_LYING))
    ok = judge(measure(lying), "side", position=position_check([f.pose for f in lying], BRIDGE))
    assert ok.usable and ok.check(POSITION).status == OK
    assert position_check([nobody()] * 5, BRIDGE).status == UNKNOWN


class FakeCamera:
    """A camera that sends a grey frame per read; ``is_file`` as a video file played as a camera."""

    description = "camera 0"

    def __init__(self, is_file: bool = False) -> None:
        self.is_file, self.reads = is_file, 0

    def read(self) -> Optional[np.ndarray]:
        self.reads += 1
        return np.full((48, 64, 3), 120, np.uint8)


class Clock:
    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_the_lead_in_counts_down_aloud_and_on_screen() -> None:
    said: list[str] = []
    shown: list[int] = []
    camera = FakeCamera()
    assert lead_in(camera, 3.0, lambda image, n: shown.append(n) or True, said.append, clock=Clock(0.1))
    assert said == ["3", "2", "1"]
    assert shown[0] == 3 and shown[-1] == 1 and shown == sorted(shown, reverse=True)


def test_the_lead_in_can_be_stopped_and_is_skipped_for_a_recording() -> None:
    camera = FakeCamera()
    assert not lead_in(camera, 3.0, lambda image, n: False, lambda text: None, clock=Clock(0.1))
    assert camera.reads == 1
    recording = FakeCamera(is_file=True)
    said: list[str] = []
    assert lead_in(recording, 3.0, lambda image, n: True, said.append, clock=Clock(0.1))
    assert recording.reads == 0 and said == []
