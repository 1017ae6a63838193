"""Writing the annotated video: H.264 MP4 through imageio-ffmpeg's bundled ffmpeg (plays in browsers
and every player); OpenCV's MPEG-4 writer when that ffmpeg is unavailable."""

from __future__ import annotations

import logging
import os
from typing import Any, Optional

import numpy as np

from coach.errors import CoachError


class VideoWriter:
    def __init__(self, path: str, fps: float, width: int, height: int) -> None:
        self.path = path
        self.frames = 0
        self._gen: Optional[Any] = None
        self._cv: Optional[Any] = None
        try:
            import imageio_ffmpeg

            self._gen = imageio_ffmpeg.write_frames(
                path, (width, height), pix_fmt_in="bgr24", fps=fps, codec="libx264", quality=None,
                macro_block_size=2, output_params=["-preset", "veryfast", "-crf", "24"], ffmpeg_log_level="error")
            self._gen.send(None)
        except (ImportError, OSError, RuntimeError):
            import cv2

            self._gen = None
            self._cv = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
            if not self._cv.isOpened():
                raise CoachError(f"cannot write the annotated video {path} (check the folder is writable)") from None

    def write(self, image_bgr: np.ndarray) -> None:
        self.frames += 1
        if self._gen is not None:
            self._gen.send(np.ascontiguousarray(image_bgr))
        elif self._cv is not None:
            self._cv.write(image_bgr)

    def close(self) -> None:
        """Finish the file; one with no frame is not a video at all, so it is removed (no invalid
        file, and no library warning about it on the terminal)."""
        quiet = logging.getLogger("imageio_ffmpeg")
        level = quiet.level
        if self.frames == 0:
            quiet.setLevel(logging.ERROR)
        try:
            if self._gen is not None:
                self._gen.close()
                self._gen = None
            if self._cv is not None:
                self._cv.release()
                self._cv = None
        finally:
            quiet.setLevel(level)
        if self.frames == 0 and os.path.exists(self.path):
            os.remove(self.path)
