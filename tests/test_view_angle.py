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
