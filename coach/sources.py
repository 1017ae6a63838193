"""Frame sources: video files through OpenCV, read one frame at a time (a live camera is read by
coach/live/capture.py; ``probe_cameras`` lists the cameras that open).

Timestamps come from the container (CAP_PROP_POS_MSEC), not index / fps, because phone videos
often have a variable frame rate. Where the container gives none (or it goes backwards), the
nominal frame period is used from the last good timestamp on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterator, Optional

import cv2
import numpy as np

from coach.errors import CoachError


@dataclass
class SourceInfo:
    """What the report says about the source; ``frames`` and ``duration_s`` are final after reading."""

    path: str
    fps: float
    frames: int
    width: int
    height: int
    duration_s: float = 0.0
    kind: str = "video"  # video | camera | trace
    # The container's display rotation, applied to every frame (a phone held upright records its
    # frames sideways and says so): width and height are those of the upright picture.
    rotation_deg: int = 0
    announced_frames: int = 0  # what the container says it holds (a file cut short holds fewer)

    def to_json(self) -> dict:
        out = {
            "path": self.path,
            "fps": round(self.fps, 3),
            "frames": self.frames,
            "duration_s": round(self.duration_s, 3),
            "width": self.width,
            "height": self.height,
        }
        if self.rotation_deg:
            out["rotation_deg"] = self.rotation_deg
        return out


@dataclass
class VideoFrame:
    index: int
    t: float  # seconds from the start of the source
    image: np.ndarray = field(repr=False)  # BGR uint8


class _Timestamps:
    """Turns container timestamps into a strictly increasing clock."""

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps if fps and fps > 0 else 1.0 / 30.0
        self.last: Optional[float] = None

    def next(self, container_ms: float) -> float:
        t = container_ms / 1000.0
        if self.last is not None and not t > self.last:
            t = self.last + self.period
        elif self.last is None and t < 0:
            t = 0.0
        self.last = t
        return t


class VideoSource:
    """A video file, decoded lazily. Raises CoachError with a usable message when it can't be read."""

    kind = "video"

    def __init__(self, path: str) -> None:
        if not os.path.exists(path):
            raise CoachError(f"video not found: {path} (check the path)")
        if os.path.isdir(path):
            raise CoachError(f"{path} is a folder, not a video file")
        self.path = path
        self._cap = cv2.VideoCapture(path)
        if not self._cap.isOpened():
            raise CoachError(f"cannot read {path} as a video (is it a video file? try re-encoding it as MP4)")
        # OpenCV 4.11 no longer turns frames by the container's rotation unless asked: a phone video
        # would be analysed lying on its side (opencv/opencv#26795). Width and height follow.
        self._cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        rotation = int(round(self._cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0)) % 360
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        frames = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if width <= 0 or height <= 0:
            self._cap.release()
            raise CoachError(f"cannot read {path} as a video: it has no picture (is it a video file?)")
        self.info = SourceInfo(path=path, fps=fps if 0 < fps < 1000 else 30.0, frames=max(frames, 0),
                               width=width, height=height, kind="video", rotation_deg=rotation,
                               announced_frames=max(frames, 0))
        self._first = 0

    def start_at(self, first: int) -> None:
        """Decode from frame ``first`` on (a chunk of a long video, coach/chunks.py): the container
        seeks (OpenCV decodes on from the keyframe before it) and indices count on from ``first``.
        Whether it landed on that very frame is for the caller to check, on the frames' timestamps."""
        if first > 0:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, first)
        self._first = first

    def __iter__(self) -> Iterator[VideoFrame]:
        clock = _Timestamps(self.info.fps)
        index = self._first
        try:
            while True:
                ok, image = self._cap.read()
                if not ok or image is None:
                    break
                t = clock.next(self._cap.get(cv2.CAP_PROP_POS_MSEC))
                yield VideoFrame(index, t, image)
                index += 1
        finally:
            self._finish(index, clock.last)
        if index == 0:  # (a chunk started past the end of the video is just empty)
            raise CoachError(f"{self.path} has no frames that can be decoded (the file may be empty or corrupt)")

    def _finish(self, count: int, last_t: Optional[float]) -> None:
        self.info.frames = count
        self.info.duration_s = (last_t + 1.0 / self.info.fps) if last_t is not None else 0.0
        self.close()

    def close(self) -> None:
        self._cap.release()


def probe_cameras(max_index: int = 6) -> list[int]:
    """Indices of the cameras that open and give a frame."""
    found = []
    for i in range(max_index):
        cap = cv2.VideoCapture(i)
        try:
            if cap.isOpened() and cap.read()[0]:
                found.append(i)
        finally:
            cap.release()
    return found

