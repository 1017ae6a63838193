"""Pictures of the moments faults happened (drawing only): a frame of a video, or, when no video was
kept (live sessions store none unless asked, for privacy), the skeleton drawn from the trace."""

from __future__ import annotations

import base64
from typing import Optional

import cv2
import numpy as np

from coach.overlay import JOINTS, LIMBS
from coach.pose.frame import PoseFrame, side_landmark

THUMB_W, THUMB_H = 480, 360  # shown about half that size: sharp on high-density screens and in print
JPEG_QUALITY = 80
BACKGROUND = (246, 246, 246)  # BGR
NEAR = (40, 60, 200)  # the camera-facing side, which the coach judges: the report's fault red
FAR = (170, 170, 170)
HEAD = (90, 90, 90)


class VideoFrames:
    """Frames of a video by position (0 = first), for a handful of seeks; closes with ``close()``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._cap = cv2.VideoCapture(path)
        self.frames = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT)) if self._cap.isOpened() else 0
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)) if self._cap.isOpened() else 0
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) if self._cap.isOpened() else 0
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0) if self._cap.isOpened() else 0.0

    @property
    def ok(self) -> bool:
        return self.frames > 0

    def frame(self, position: int) -> Optional[np.ndarray]:
        if not self.ok or not 0 <= position < self.frames:
            return None
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, position)
        ok, image = self._cap.read()
        return image if ok else None

    def close(self) -> None:
        self._cap.release()


def video_thumbnail(image: np.ndarray, width: int = THUMB_W) -> bytes:
    """The frame scaled to ``width``, as JPEG (a photo is many times smaller so than as PNG)."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    assert ok
    return data.tobytes()


def skeleton_thumbnail(pose: PoseFrame, side: Optional[str], width: int = THUMB_W, height: int = THUMB_H) -> bytes:
    """The pose's skeleton, framed on the person, as PNG: the judged (camera-facing) side thick and
    red, the other side thin and grey. No camera picture is involved."""
    assert pose.xy is not None
    canvas = np.full((height, width, 3), BACKGROUND, np.uint8)
    xy = np.asarray(pose.xy, dtype=np.float64)
    finite = np.isfinite(xy).all(axis=1)
    if not finite.any():
        return _png(canvas)
    lo, hi = xy[finite].min(axis=0), xy[finite].max(axis=0)
    margin = 24
    scale = min((width - 2 * margin) / max(hi[0] - lo[0], 1.0), (height - 2 * margin) / max(hi[1] - lo[1], 1.0))
    centre = (lo + hi) / 2.0
    pts = (xy - centre) * scale + (width / 2.0, height / 2.0)
    near = side if side in ("left", "right") else "left"
    far = "right" if near == "left" else "left"
    for which, color, thick in ((far, FAR, 2), (near, NEAR, 4)):  # far first: the near side on top
        for a, b in LIMBS:
            pa, pb = pts[side_landmark(which, a)], pts[side_landmark(which, b)]
            if np.isfinite(pa).all() and np.isfinite(pb).all():
                cv2.line(canvas, _p(pa), _p(pb), color, thick, cv2.LINE_AA)
        for j in JOINTS:
            p = pts[side_landmark(which, j)]
            if np.isfinite(p).all():
                cv2.circle(canvas, _p(p), thick + 1, color, -1, cv2.LINE_AA)
    nose = pts[side_landmark(near, "nose")]
    if np.isfinite(nose).all():
        cv2.circle(canvas, _p(nose), 9, HEAD, 2, cv2.LINE_AA)
    return _png(canvas)


def data_uri(data: bytes, mime: str) -> str:
    """An image inlined into the page, so the report needs no other file."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _p(point: np.ndarray) -> tuple[int, int]:
    return int(round(point[0])), int(round(point[1]))


def _png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()
