"""Angles and distances in the image plane.

Angle convention: degrees; a joint angle is the angle at the middle point between the two limbs,
180 = straight. A *signed* angle runs 0-360 and reads past 180 when the middle point lies on the
"up" side of the line through the outer points (up = toward the top of the image, away from the
floor for a person lying on a mat): for the hip of a bridge that is hyper-extension (arching).
"""

from __future__ import annotations

import math

import numpy as np


def joint_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Unsigned angle at b between b->a and b->c, 0-180 degrees."""
    # Scalars, not 2-element numpy arrays: numpy's per-call cost is most of the work at this size.
    ux, uy, vx, vy = a[0] - b[0], a[1] - b[1], c[0] - b[0], c[1] - b[1]
    nu, nv = math.hypot(ux, uy), math.hypot(vx, vy)
    if nu < 1e-9 or nv < 1e-9:
        return float("nan")
    cos = float(ux * vx + uy * vy) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def side_of_line(a: np.ndarray, b: np.ndarray, p: np.ndarray) -> float:
    """Signed distance of p from the line a->c, positive when p is above it in the image (smaller y),
    whichever way the line runs; divided by |a - b| so it is scale-free."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy)
    if n < 1e-9:
        return float("nan")
    # Normal pointing up in the image: of the two normals, the one with negative y.
    nx, ny = -dy / n, dx / n
    if ny > 0 or (ny == 0 and nx < 0):
        nx, ny = -nx, -ny
    return float((p[0] - a[0]) * nx + (p[1] - a[1]) * ny) / n


def signed_joint_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Joint angle at b, 0-360: past 180 when b lies above the line a-c (see module doc)."""
    angle = joint_angle(a, b, c)
    return 360.0 - angle if side_of_line(a, c, b) > 0 else angle


def tilt_from_horizontal(a: np.ndarray, b: np.ndarray) -> float:
    """Angle of the segment a-b from the image horizontal, 0-90 degrees."""
    dx, dy = abs(b[0] - a[0]), abs(b[1] - a[1])
    return math.degrees(math.atan2(dy, dx))
