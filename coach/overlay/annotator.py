"""What every annotator shares: the interface, the colour a frame's verdict takes, and the landmarks
in the scene's pixels."""

from __future__ import annotations

import math
from typing import Optional, Protocol

import numpy as np

from coach.engine.records import FrameResult
from coach.overlay.style import STATUS_COLORS, Point
from coach.pose.frame import PoseFrame, side_landmark


class Annotator(Protocol):
    """Draws one piece of the picture in place on a BGR uint8 image and returns it."""

    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray: ...


def verdict(result: FrameResult) -> str:
    """The status to colour by: a form verdict only means something while counting; otherwise the
    message speaks and everything is grey."""
    return result.status if result.state == "active" and result.status in STATUS_COLORS else "unknown"


def pixels_of(scene: np.ndarray, pose: PoseFrame) -> Optional[list[Optional[Point]]]:
    """Every landmark as integer pixels of the scene (which may have been resized after pose
    estimation), None where it is not finite. Worked out once per annotator and frame: per-point
    numpy checks cost more than the drawing."""
    if pose.xy is None:
        return None
    h, w = scene.shape[:2]
    xy = np.asarray(pose.xy, dtype=np.float64)[:, :2].copy()
    if pose.width > 0 and pose.height > 0 and (pose.width, pose.height) != (w, h):
        xy *= (w / pose.width, h / pose.height)
    # Keep wild extrapolations within int range for OpenCV (it clips lines to the image itself).
    xy = np.clip(xy, -10.0 * max(w, h), 10.0 * max(w, h))
    # np.rint rounds halves to even, as round() does.
    return [(int(x), int(y)) if math.isfinite(x) and math.isfinite(y) else None for x, y in np.rint(xy).tolist()]


def pt(pixels: list[Optional[Point]], side: str, joint: str) -> Optional[Point]:
    return pixels[side_landmark(side, joint)]
