"""The shape of the back from the person segmentation mask: MediaPipe has no spine landmarks.

Along the shoulder-hip segment, at ``N_SAMPLES`` evenly spaced points, look along the
perpendicular "up" (away from the floor) for the silhouette's top edge: the highest point on the
body, coming down from ``_REACH[1]`` torso lengths above the segment to ``_REACH[0]`` below it.
The heights, in torso lengths, are the back's profile: in cat (back rounded up) the middle stands
higher than the ends; in cow (belly lowered) it sags below them. Coming down from above (rather
than walking up from the segment) matters in a deep cat: the whole torso then arches above the
shoulder-hip line, and the segment itself runs through the empty space under the belly.

This runs where the mask is (after inference) and keeps only the profile, so the landmark trace
can carry it and a replay needs no mask.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np

from coach.pose.frame import PoseFrame, side_landmark

N_SAMPLES = 9
_FRACTIONS = np.linspace(0.1, 0.9, N_SAMPLES)  # the shoulder and hip ends themselves are arm and leg
_REACH = (-0.3, 0.8)  # torso lengths below / above the shoulder-hip line where the back's edge is looked for
_STEP = 0.5  # pixels between samples along each perpendicular


def back_profile(mask: np.ndarray, shoulder: np.ndarray, hip: np.ndarray, threshold: float = 0.5) -> Optional[np.ndarray]:
    """Heights of the silhouette's top edge above the shoulder-hip line, in torso lengths (N_SAMPLES,);
    None when the torso is too small to measure.

    The mask is read with bilinear interpolation in half-pixel steps, and the edge is placed where
    the mask value crosses ``threshold`` between the highest step on the body and the step above
    it: sub-pixel, so the profile does not jump in whole pixels as the back moves (on
    catcow_clean_11 this cut the frame-to-frame noise of the curvature of a still back from 0.0025
    to 0.0007 torso lengths, against a cat-to-cow swing of 0.1). A perpendicular that meets no
    body at all reads the lowest height looked at."""
    return _edge(mask, shoulder, hip, _REACH[1], _REACH[0], threshold)


# The silhouette's LOWER edge (``under_profile``): lying on the back, the outline the body makes with
# the floor below the shoulder-hip line. Looked for coming UP from ``_UNDER_REACH[0]`` torso lengths
# below the line (the lowest point on the body) to ``_UNDER_REACH[1]`` above it.
_UNDER_REACH = (-0.8, 0.3)


def under_profile(mask: np.ndarray, shoulder: np.ndarray, hip: np.ndarray, threshold: float = 0.5) -> Optional[np.ndarray]:
    """Heights of the silhouette's lower edge relative to the shoulder-hip line, in torso lengths
    (negative: below it), at the same N_SAMPLES points as ``back_profile``; None when the torso is too
    small. The mirror of ``back_profile`` (sub-pixel, bilinear): lying on the back this is where the
    body meets the floor in the picture, which comes down (away from the line) as the low back is
    pressed into the floor (a posterior pelvic tilt; see poses/pelvic_tilt.toml)."""
    return _edge(mask, shoulder, hip, _UNDER_REACH[0], _UNDER_REACH[1], threshold)


def _edge(mask: np.ndarray, shoulder: np.ndarray, hip: np.ndarray, start: float, stop: float,
          threshold: float) -> Optional[np.ndarray]:
    """Where the silhouette's edge is first met walking each of the N_SAMPLES perpendiculars from
    ``start`` toward ``stop`` (torso lengths from the shoulder-hip line, up positive): its height, in
    torso lengths, placed sub-pixel where the mask crosses ``threshold`` between the first step on the
    body and the step before it; a perpendicular that meets no body reads its last step. None when
    the torso is too small."""
    axes = torso_axes(shoulder, hip)
    if axes is None or axes[1] < 8.0:
        return None
    d, length, normal = axes
    step = _STEP if stop > start else -_STEP
    steps = np.arange(start * length, stop * length, step)
    bases = np.asarray(shoulder, float) + _FRACTIONS[:, None] * d  # (N, 2)
    pts = bases[:, None, :] + steps[None, :, None] * normal  # (N, S, 2)
    values = _bilinear(mask, pts[..., 0], pts[..., 1])
    on = values >= threshold
    rows = np.arange(N_SAMPLES)
    first_on = np.where(on.any(axis=1), on.argmax(axis=1), len(steps) - 1)
    before = np.maximum(first_on - 1, 0)
    v_on, v_off = values[rows, first_on], values[rows, before]
    frac = np.clip((v_on - threshold) / np.maximum(v_on - v_off, 1e-6), 0.0, 1.0)
    height = np.where(first_on > 0, steps[first_on] - frac * step, steps[first_on])
    return height / length


def torso_axes(shoulder: np.ndarray, hip: np.ndarray) -> Optional[tuple[np.ndarray, float, np.ndarray]]:
    """The torso's axes: the shoulder-to-hip vector, its length (the torso length, pixels) and the unit
    normal to it pointing "up" in the image (y grows downward); None when shoulder and hip coincide."""
    d = np.asarray(hip, float) - np.asarray(shoulder, float)
    length = float(np.hypot(*d))
    if length < 1e-9:
        return None
    normal = np.array([-d[1], d[0]]) / length
    if normal[1] > 0:
        normal = -normal
    return d, length, normal


def _bilinear(mask: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The mask at (x, y), interpolated; 0 (no person) outside the image."""
    h, w = mask.shape[:2]
    inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    xc, yc = np.clip(x, 0, max(w - 1.001, 0)), np.clip(y, 0, max(h - 1.001, 0))
    x0, y0 = xc.astype(int), yc.astype(int)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = xc - x0, yc - y0
    m = np.asarray(mask, np.float32)
    top = m[y0, x0] * (1 - fx) + m[y0, x1] * fx
    bottom = m[y1, x0] * (1 - fx) + m[y1, x1] * fx
    return np.where(inside, top * (1 - fy) + bottom * fy, 0.0)


def curvature(profile: np.ndarray) -> float:
    """Middle of the back relative to the straight line between its ends (torso lengths):
    positive = rounded up (cat), negative = sagging (cow)."""
    n = len(profile)
    middle = profile[n // 3: n - n // 3].mean()
    return float(middle - 0.5 * (profile[0] + profile[-1]))


def nearer_side(pose: PoseFrame) -> str:
    """The side facing the camera in this frame alone (no memory), by the evidence the engine's side
    selector accumulates: depth (``z``) and visibility of shoulders, hips, knees and ankles."""
    from coach.engine.view import SideSelector  # pure numbers, no OpenCV/MediaPipe

    return "left" if SideSelector.evidence(pose) >= 0 else "right"


def _camera_side_torso(pose: PoseFrame) -> tuple[np.ndarray, np.ndarray]:
    """The shoulder and hip of the side facing the camera (``nearer_side``), in image pixels."""
    assert pose.xy is not None
    side = nearer_side(pose)
    return pose.xy[side_landmark(side, "shoulder")], pose.xy[side_landmark(side, "hip")]


def with_back(pose: PoseFrame) -> PoseFrame:
    """``pose`` with ``back`` (and ``under``, the lower edge) set from its mask (the camera side's shoulder and hip); unchanged when it
    has no mask or no landmarks. Run right after inference, where the mask is."""
    if pose.mask is None or pose.xy is None or pose.z is None or pose.visibility is None:
        return pose
    shoulder, hip = _camera_side_torso(pose)
    mh, mw = pose.mask.shape[:2]
    scale = np.array([mw / pose.width, mh / pose.height]) if pose.width > 0 and pose.height > 0 else np.ones(2)
    profile = back_profile(pose.mask, shoulder * scale, hip * scale)
    under = under_profile(pose.mask, shoulder * scale, hip * scale)
    return dataclasses.replace(pose, back=profile, under=under)


def profile_points(pose: PoseFrame) -> np.ndarray:
    """Where ``pose.back``'s heights lie in the image (N_SAMPLES x 2 pixels; empty without a
    profile), along the same side's shoulder-hip line that ``with_back`` measured them from."""
    if pose.back is None or pose.xy is None or pose.z is None or pose.visibility is None:
        return np.zeros((0, 2))
    shoulder, hip = _camera_side_torso(pose)
    axes = torso_axes(shoulder, hip)
    if axes is None:
        return np.zeros((0, 2))
    d, length, normal = axes
    fractions = np.linspace(_FRACTIONS[0], _FRACTIONS[-1], len(pose.back))
    return shoulder + fractions[:, None] * d + (np.asarray(pose.back)[:, None] * length) * normal
