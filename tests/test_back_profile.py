"""The back's profile from a person mask, and the measures built on it, on made-up masks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.measures import CURVATURE_SWING, HEAD_SWING, MEASURES, back_curvature, spine_flexion
from coach.pose.back_profile import N_SAMPLES, back_profile, curvature, profile_points, with_back
from coach.pose.frame import PoseFrame
from synth import quadruped_frame

W, H = 640, 480
SHOULDER = np.array([250.0, 250.0])
HIP = np.array([400.0, 250.0])  # torso 150 px, horizontal
TORSO = 150.0


def mask_with_top_edge(edge_y, soft: float = 0.0, bottom: float = 300.0) -> np.ndarray:
    """A body whose top edge at column x is ``edge_y(x)`` (pixels, may be fractional), filled down to
    ``bottom``; ``soft`` > 0 blurs the edge over that many pixels, as the model's mask does."""
    ys = np.arange(H, dtype=float)[:, None]
    top = np.array([edge_y(x) for x in range(W)], dtype=float)[None, :]
    if soft > 0:
        inside = np.clip((ys - top) / soft + 0.5, 0.0, 1.0)
    else:
        inside = (ys >= top).astype(float)
    inside[(ys > bottom).repeat(W, axis=1)] = 0.0
    return inside.astype(np.float32)


def arched(bump: float, base: float = 40.0):
    """The top edge ``base`` px above the shoulder-hip line, raised by ``bump`` px in the middle (a
    sine arch between shoulder and hip; negative: sagging)."""
    def edge(x: float) -> float:
        u = (x - SHOULDER[0]) / (HIP[0] - SHOULDER[0])
        rise = bump * math.sin(math.pi * u) if 0.0 <= u <= 1.0 else 0.0
        return SHOULDER[1] - base - rise
    return edge


def test_flat_back_heights_and_no_curvature() -> None:
    profile = back_profile(mask_with_top_edge(arched(0.0)), SHOULDER, HIP)
    assert profile is not None and profile.shape == (N_SAMPLES,)
    assert profile == pytest.approx(np.full(N_SAMPLES, 40.0 / TORSO), abs=1.0 / TORSO)
    assert curvature(profile) == pytest.approx(0.0, abs=0.01)


@pytest.mark.parametrize("bump", [8.0, 15.0, -8.0, -15.0])
def test_rounded_back_is_positive_and_sagging_back_negative(bump: float) -> None:
    profile = back_profile(mask_with_top_edge(arched(bump), soft=1.5), SHOULDER, HIP)
    assert profile is not None
    c = curvature(profile)
    assert np.sign(c) == np.sign(bump)
    # the middle third of a sine arch stands ~0.9 of its height above the line between the ends
    assert abs(c) == pytest.approx(0.8 * abs(bump) / TORSO, rel=0.25)


def test_the_edge_is_found_to_a_fraction_of_a_pixel() -> None:
    heights = [back_profile(mask_with_top_edge(arched(0.0, base=40.0 + shift), soft=2.0), SHOULDER, HIP)
               for shift in (0.0, 0.25, 0.5)]
    steps = [float(np.mean(b - a)) * TORSO for a, b in zip(heights, heights[1:])]
    assert steps == pytest.approx([0.25, 0.25], abs=0.08)


def test_deep_cat_with_the_torso_above_the_shoulder_hip_line() -> None:
    # The whole torso arches above the line; under the belly (on the line itself) there is no body.
    mask = mask_with_top_edge(arched(60.0, base=10.0), bottom=248.0)
    mask[:, :240] = 0.0
    mask[:, 410:] = 0.0
    profile = back_profile(mask, SHOULDER, HIP)
    assert profile is not None
    assert profile[N_SAMPLES // 2] == pytest.approx(70.0 / TORSO, abs=2.0 / TORSO)
    assert curvature(profile) > 0.2


def test_no_body_on_a_line_reads_the_lowest_height_and_tiny_torsos_none() -> None:
    profile = back_profile(np.zeros((H, W), np.float32), SHOULDER, HIP)
    assert profile is not None and np.all(profile < -0.25)
    assert back_profile(np.ones((H, W), np.float32), SHOULDER, SHOULDER + (5.0, 0.0)) is None


def test_edge_of_the_image_is_off_the_body() -> None:
    mask = np.ones((H, W), np.float32)  # the body fills the picture: its top edge is the image's
    profile = back_profile(mask, np.array([250.0, 30.0]), np.array([400.0, 30.0]))
    assert profile is not None
    assert profile == pytest.approx(np.full(N_SAMPLES, 30.0 / TORSO), abs=1.0 / TORSO)


def _pose_with_mask(mask: np.ndarray, near: str = "left") -> PoseFrame:
    frame = quadruped_frame(0, 0.0, 0.0, camera_side="left", with_back=False)
    assert frame.xy is not None and frame.z is not None
    z = frame.z.copy() if near == "left" else -frame.z
    return PoseFrame(index=0, t=0.0, width=W, height=H, xy=frame.xy, z=z, visibility=frame.visibility,
                     people=1, mask=mask)


def test_with_back_measures_along_the_side_nearer_the_camera() -> None:
    pose = with_back(_pose_with_mask(mask_with_top_edge(arched(12.0), soft=1.5)))
    assert pose.back is not None and pose.back.shape == (N_SAMPLES,)
    assert back_curvature(pose, "left") > 0
    points = profile_points(pose)
    assert points.shape == (N_SAMPLES, 2)
    assert np.all(points[:, 1] < SHOULDER[1])  # on the back, above the shoulder-hip line


def test_with_back_scales_a_mask_of_another_size() -> None:
    full = mask_with_top_edge(arched(12.0), soft=1.5)
    half = full[::2, ::2].copy()
    a = with_back(_pose_with_mask(full)).back
    b = with_back(_pose_with_mask(half)).back
    assert a is not None and b is not None
    assert b == pytest.approx(a, abs=2.5 / TORSO)


def test_with_back_leaves_a_pose_without_mask_alone() -> None:
    pose = quadruped_frame(0, 0.0, 0.0, with_back=False)
    assert with_back(pose) is pose
    nobody = PoseFrame(index=0, t=0.0, width=W, height=H, mask=np.ones((H, W), np.float32))
    assert with_back(nobody).back is None


# -- the measures --------------------------------------------------------------------------------------

def test_back_curvature_is_nan_without_a_profile() -> None:
    assert math.isnan(back_curvature(quadruped_frame(0, 0.0, 1.0, with_back=False), "left"))
    assert math.isnan(spine_flexion(quadruped_frame(0, 0.0, 1.0, with_back=False), "left"))


@pytest.mark.parametrize("flexion", [-1.0, -0.3, 0.0, 0.5, 1.0])
@pytest.mark.parametrize("camera_side", ["left", "right"])
def test_spine_flexion_adds_the_back_and_the_head(flexion: float, camera_side: str) -> None:
    pose = quadruped_frame(0, 0.0, flexion, camera_side=camera_side)
    curve = MEASURES["back_curvature"](pose, camera_side)
    head = MEASURES["head_lift"](pose, camera_side)
    assert curve == pytest.approx(0.05 * flexion, abs=1e-9)
    assert head == pytest.approx(-0.15 * flexion, abs=1e-9)  # head down in cat
    assert MEASURES["spine_flexion"](pose, camera_side) == pytest.approx(curve / CURVATURE_SWING - head / HEAD_SWING)
    assert MEASURES["spine_flexion"](pose, camera_side) == pytest.approx(flexion, abs=1e-9)


def test_wrist_height_tells_hands_and_knees_from_lying() -> None:
    from synth import lying_frame

    assert MEASURES["wrist_height"](quadruped_frame(0, 0.0, 0.0), "left") == pytest.approx(-1.0, abs=0.01)
    assert MEASURES["wrist_height"](lying_frame(0, 0.0, 140.0), "left") > -0.75
