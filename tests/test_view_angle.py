"""The camera's angle from side-on (coach.engine.view.view_deg / side_on_score) is read from the shoulder
line: MediaPipe's hip line, with the hips bent, reads a side-on person 13-33 deg round (see
side_on_score's docstring), which the seated renders showed as 18-26 deg where the camera was side-on."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import numpy as np
import pytest

from coach.engine.view import side_on_score, view_deg
from coach.pose.frame import PoseFrame
from coach.trace import TraceSource
from rendered import trace_of

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def posed(shoulder_yaw: float, hip_yaw: float) -> PoseFrame:
    """World landmarks (x right, y down, z away from the camera): the shoulder line and the hip line
    turned ``*_yaw`` deg from square to the camera about the vertical (90 = side-on)."""
    world = np.zeros((33, 3))
    for (a, b), yaw, y, half in (((11, 12), shoulder_yaw, -0.5, 0.18), ((23, 24), hip_yaw, 0.0, 0.1)):
        d = half * np.array([math.cos(math.radians(yaw)), 0.0, math.sin(math.radians(yaw))])
        world[a], world[b] = np.array([0.0, y, 0.0]) + d, np.array([0.0, y, 0.0]) - d
    xy = np.full((33, 2), 100.0)
    return PoseFrame(index=0, t=0.0, width=640, height=480, xy=xy, z=np.zeros(33), visibility=np.ones(33),
                     world=world, people=1)


def test_a_side_on_person_reads_side_on_whatever_the_hip_line_says() -> None:
    # MediaPipe's bent hips: the hip line 30 deg off where the shoulders are side-on
    assert view_deg(posed(90.0, 60.0)) == pytest.approx(0.0, abs=1e-6)
    assert view_deg(posed(90.0 - 35.0, 60.0)) == pytest.approx(35.0, abs=1e-6)
    assert side_on_score(posed(0.0, 0.0)) == pytest.approx(0.0, abs=1e-9)  # facing the camera


def test_the_hip_line_stands_in_where_the_shoulders_give_none() -> None:
    pose = posed(90.0, 60.0)
    pose.world[11] = pose.world[12]
    assert view_deg(pose) == pytest.approx(30.0, abs=1e-6)


@pytest.mark.parametrize("ex_id, name", [("seated_hamstring_stretch", "shs_mixed_01"),
                                         ("seated_forward_bend", "fb_mixed_01")])
def test_side_on_seated_renders_read_near_side_on(ex_id: str, name: str) -> None:
    """Rendered side-on (azimuth 0); both lines averaged read them 26 and 18 deg round."""
    labels = SAMPLES / ex_id / f"{name}.labels.json"
    assert json.loads(labels.read_text())["view"]["azimuth_deg"] == 0
    views = [view_deg(p) for p in TraceSource(str(trace_of(labels))) if p.world is not None]
    assert statistics.median(views) < 17.0




def _ready_in_starting_position(ex_id: str, name: str, hold_s: float = 8.0) -> bool:
    """Whether the live set-up check, with the exercise's own side_within_deg, gets through its
    countdown for a person who stays in a render's starting position (its frames before the first
    labelled rep, played back and forth for ``hold_s``), the person otherwise placed as it wants."""
    from coach.engine.definition import load_exercise
    from coach.live.setup import SetupGuide, parts_for
    from test_live_setup import BRIGHT, result

    ex = load_exercise(ex_id)
    labels = SAMPLES / ex_id / f"{name}.labels.json"
    first_rep = json.loads(labels.read_text())["reps"][0]["start_s"]
    still = [p for p in TraceSource(str(trace_of(labels))) if p.t < first_rep and p.world is not None]
    dt = still[1].t - still[0].t
    guide = SetupGuide(ex.view, parts=parts_for(ex.key_joints), side_within_deg=ex.side_within_deg)
    loop = still + still[::-1]
    for k in range(int(hold_s / dt)):
        if guide.update(k * dt, loop[k % len(loop)], result(), BRIGHT).ready:
            return True
    return False


@pytest.mark.parametrize("ex_id, name", [("seated_forward_bend", "fb_faults_03"),  # +35 deg, read 44 sitting up
                                         ("chair_squat", "csq_faults_04")])         # 40 deg behind, read 44 standing
def test_a_placement_the_checker_gets_right_is_not_refused(ex_id: str, name: str) -> None:
    """side_within_deg is compared with the view as read, which runs above the camera's true angle:
    these renders are counted, timed and judged right (bench/accuracy.py --only samples), so the set-up
    check lets the person stay there (the forward bend's limit was the true 35 deg, and refused it)."""
    assert _ready_in_starting_position(ex_id, name)


def test_a_placement_the_checker_gets_wrong_is_refused() -> None:
    """shs_front_05, 40 deg toward the front (read 42 sitting up): the near knee reads bent and the side
    is lost."""
    assert not _ready_in_starting_position("seated_hamstring_stretch", "shs_front_05")
