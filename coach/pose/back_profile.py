"""The shape of the back from the person segmentation mask: MediaPipe has no spine landmarks.

Along the shoulder-hip segment, at ``N_SAMPLES`` evenly spaced points, walk from the segment
"up" (away from the floor, perpendicular to the segment) until leaving the person's silhouette.
The distances, in torso lengths, are the back's profile: in cat (back rounded up) the middle
stands higher than the ends; in cow (belly lowered) it sags below them.

This runs where the mask is (after inference) and keeps only the profile, so the landmark trace
can carry it and a replay needs no mask.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

N_SAMPLES = 9
_FRACTIONS = np.linspace(0.1, 0.9, N_SAMPLES)  # the shoulder and hip ends themselves are arm and leg
_MAX_REACH = 0.6  # torso lengths: the back is never further than this above the shoulder-hip line


def back_profile(mask: np.ndarray, shoulder: np.ndarray, hip: np.ndarray, threshold: float = 0.5) -> Optional[np.ndarray]:
    """Heights of the silhouette's top edge above the shoulder-hip line, in torso lengths (N_SAMPLES,);
    None when the torso is too small to measure."""
    d = np.asarray(hip, float) - np.asarray(shoulder, float)
    length = float(np.hypot(*d))
    if length < 8.0:
        return None
    u = d / length
    normal = np.array([-u[1], u[0]])
    if normal[1] > 0:  # point "up" in the image (y grows downward)
        normal = -normal
    steps = np.arange(0.0, _MAX_REACH * length, 1.0)  # one-pixel steps
    bases = shoulder + _FRACTIONS[:, None] * d  # (N, 2)
    pts = bases[:, None, :] + steps[None, :, None] * normal  # (N, S, 2)
    x = np.rint(pts[..., 0]).astype(int)
    y = np.rint(pts[..., 1]).astype(int)
    h, w = mask.shape[:2]
    inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
    on_body = np.zeros(x.shape, bool)
    on_body[inside] = mask[y[inside], x[inside]] >= threshold
    # Height = the last step before the first step off the body (walking up from the segment).
    off = ~on_body
    first_off = np.where(off.any(axis=1), off.argmax(axis=1), len(steps))
    return (np.maximum(first_off - 1, 0) * 1.0) / length


def curvature(profile: np.ndarray) -> float:
    """Middle of the back relative to the straight line between its ends (torso lengths):
    positive = rounded up (cat), negative = sagging (cow)."""
    n = len(profile)
    middle = profile[n // 3: n - n // 3].mean()
    return float(middle - 0.5 * (profile[0] + profile[-1]))
