"""The annotated video of a live session (``coach live --save-video``; nothing is stored without it).

The loop shows frames at the rate of inference, which may be below the camera's. The video is
written at the camera's frame rate in real time: each shown frame is held until the next one, as it
was on screen. Frames are placed by the session clock (pauses excluded, as in report.json), so a
time in the report is the same moment in the video.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from coach.errors import CoachError
from coach.video_out import VideoWriter

VIDEO = "annotated.mp4"


class SessionVideo:
    def __init__(self, path: str, fps: float, notice: Callable[[str], None]) -> None:
        self.path, self.fps, self.notice = path, fps, notice
        self.frames = 0  # video frames written so far
        self.failed = False
        self._writer: Optional[VideoWriter] = None
        self._last: Optional[np.ndarray] = None  # the frame on screen, written once the next one's time is known

    def add(self, image: np.ndarray, t: float) -> None:
        """The frame shown at session time ``t`` (the overlay drawn on it)."""
        if self.failed:
            return
        if self._writer is None:
            h, w = image.shape[:2]  # the frames' real size (a camera may not give what it announced)
            try:
                self._writer = VideoWriter(self.path, self.fps, w, h)
            except CoachError as err:  # the session matters more than its video: carry on without it
                self.failed = True
                self.notice(f"coach: warning: {err}; the session goes on without a video")
                return
        slot = int(round(t * self.fps))  # the video frame where this one starts
        if self._last is not None:
            # The previous frame fills the slots up to this one's; two frames in one slot: the newer wins.
            try:
                for _ in range(slot - self.frames):
                    self._write(self._last)
            except Exception as err:  # noqa: BLE001 - e.g. the disk filled up: keep coaching, drop the video
                self._give_up(err)
                return
        self._last = image

    def _give_up(self, err: Exception) -> None:
        self.failed, self._last = True, None
        self.notice(f"coach: warning: writing the video {self.path} failed ({err}); the session goes on without it")
        writer, self._writer = self._writer, None
        try:
            if writer is not None:
                writer.close()
        except Exception:  # noqa: BLE001 - already failed; the warning said so
            pass

    def _write(self, image: np.ndarray) -> None:
        assert self._writer is not None
        self._writer.write(image)
        self.frames += 1

    def close(self) -> None:
        """Write the last frame and finish the file (a playable MP4). Safe to call again."""
        if self._writer is None:
            return
        try:
            if self._last is not None:
                self._write(self._last)
        finally:
            self._last = None
            writer, self._writer = self._writer, None
            writer.close()
