"""Frames from a camera, always the newest: a capture thread that never lets delay build up.

A camera keeps producing frames whether or not the pipeline keeps up. The capture thread reads
them as they come and keeps only the latest; the loop takes whatever is newest when it is ready,
so a slow frame costs dropped frames, never a growing delay.

A video file "played as a camera" goes through the same thread: frames are released at the file's
frame rate on the capture thread's clock, so a pipeline slower than the file drops frames exactly
as it would with a real camera. Every frame is timestamped with ``time.monotonic()`` when captured:
latency is measured from there. (For a real camera that instant is a little after the exposure:
the driver's own buffering is not seen, so measured latency is a lower bound.)

The end of a file, or a camera that stops giving frames, reaches the loop as ``CameraLost``.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Protocol

import cv2
import numpy as np

from coach.errors import CoachError
from coach.sources import probe_cameras


@dataclass(frozen=True)
class Grabbed:
    index: int  # capture sequence number: a gap between two frames the loop took = frames dropped
    t_capture: float  # time.monotonic() when the frame was captured
    image: np.ndarray = field(repr=False)  # BGR uint8


class CameraLost(Exception):
    """The camera stopped giving frames (unplugged, taken by another program, or the file ended)."""


class FrameReader(Protocol):
    description: str  # "camera 0", "video clip.mp4": for messages
    path: str  # what the report's source.path says
    is_file: bool  # a video file played as a camera (its end is the normal end of the session)
    fps: float
    width: int
    height: int
    paced: bool  # the capture thread must release frames at ``fps`` (a file); a device paces itself

    def read(self) -> Optional[np.ndarray]: ...

    def close(self) -> None: ...


class DeviceReader:
    """A webcam through OpenCV. A few failed reads in a row are tolerated (some drivers hiccup at
    start-up); ``max_failures`` in a row means the camera is gone."""

    is_file = False
    paced = False

    def __init__(self, device: "int | str", width: int = 640, height: int = 480, max_failures: int = 30) -> None:
        self.description = f"camera {device}"
        self.path = f"camera:{device}"
        self.max_failures = max_failures
        self._cap = _quietly(lambda: cv2.VideoCapture(device))
        if not self._cap.isOpened() or not self._cap.read()[0]:
            self._cap.release()
            raise CoachError(camera_error(device))
        # 640x480 is what every webcam gives at full frame rate (MediaPipe works on 256 px anyway).
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # no driver queue of stale frames, where supported
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 0 < fps < 1000 else 30.0
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def read(self) -> Optional[np.ndarray]:
        for _ in range(self.max_failures):
            ok, image = self._cap.read()
            if ok and image is not None:
                return image
            time.sleep(0.02)
        return None

    def close(self) -> None:
        self._cap.release()


class FileReader:
    """A video file played as if it were a camera."""

    is_file = True
    paced = True

    def __init__(self, path: str) -> None:
        if os.path.isdir(path):
            raise CoachError(f"{path} is a folder; --camera takes a camera index (0, 1, ...) or a video file")
        self.description = f"video {path}"
        self.path = path
        self._cap = cv2.VideoCapture(path)
        if not self._cap.isOpened():
            raise CoachError(f"cannot read {path} as a video (--camera takes a camera index or a video file)")
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 0 < fps < 1000 else 30.0
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if self.width <= 0 or self.height <= 0:
            self._cap.release()
            raise CoachError(f"cannot read {path} as a video: it has no picture")

    def read(self) -> Optional[np.ndarray]:
        ok, image = self._cap.read()
        return image if ok and image is not None else None

    def close(self) -> None:
        self._cap.release()


def camera_error(device: "int | str") -> str:
    found = list_cameras()
    listed = ", ".join(str(i) for i in found) if found else "none"
    return (f"cannot open camera {device} (no such camera, or another program is using it); "
            f"cameras that can be opened: {listed} (or pass a video file with --camera PATH)")


def list_cameras() -> list[int]:
    """The camera indices that open and give a frame (OpenCV's complaints about the others silenced)."""
    return _quietly(probe_cameras)


def _quietly(fn: Callable):  # type: ignore[no-untyped-def]
    """Run ``fn`` with OpenCV's own logging off: probing absent cameras makes it warn about each."""
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging is None:
        return fn()
    level = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        return fn()
    finally:
        logging.setLogLevel(level)


def open_camera(spec: str) -> FrameReader:
    """``--camera``: a device index ("0"), a device path (/dev/video2), or a video file played as a camera."""
    spec = spec.strip()
    if spec.isdigit():
        return DeviceReader(int(spec))
    if spec.startswith("/dev/"):
        if not os.path.exists(spec):
            raise CoachError(camera_error(spec))
        return DeviceReader(spec)
    if not os.path.exists(spec):
        raise CoachError(f"camera not found: {spec} is neither a camera index (0, 1, ...) nor an existing video file")
    return FileReader(spec)


class LatestFrameGrabber:
    """Reads ``reader`` on its own thread and keeps only the newest frame.

    ``get`` hands out each frame at most once: the newest not yet taken. ``captured`` counts every
    frame read, ``dropped`` those replaced by a newer one before the loop took them."""

    def __init__(self, reader: FrameReader, clock: Callable[[], float] = time.monotonic) -> None:
        self.reader = reader
        self.clock = clock
        self.captured = 0
        self.dropped = 0
        self.lost: Optional[str] = None  # why the stream ended, once it has
        self._slot: Optional[Grabbed] = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coach-capture", daemon=True)

    def start(self) -> "LatestFrameGrabber":
        self._thread.start()
        return self

    def _run(self) -> None:
        period = 1.0 / self.reader.fps
        start: Optional[float] = None
        index = 0
        reason = "it stopped sending frames"
        try:
            while not self._stop.is_set():
                image = self.reader.read()
                if image is None:
                    reason = "the video ended" if self.reader.is_file else "it stopped sending frames"
                    break
                if self.reader.paced:
                    # Release frame i at start + i / fps, as a camera would expose it.
                    now = self.clock()
                    start = now if start is None else start
                    wait = start + index * period - now
                    if wait > 0 and self._stop.wait(wait):
                        break
                frame = Grabbed(index, self.clock(), image)
                with self._cond:
                    if self._slot is not None:
                        self.dropped += 1
                    self._slot = frame
                    self.captured += 1
                    self._cond.notify_all()
                index += 1
        except Exception as err:  # a driver error must end the session cleanly, not kill the thread silently
            reason = f"reading it failed ({type(err).__name__}: {err})"
        finally:
            with self._cond:
                self.lost = reason
                self._cond.notify_all()

    def get(self, timeout: float) -> Optional[Grabbed]:
        """The newest frame not taken yet, waiting up to ``timeout`` s for one (None if none came).
        Raises CameraLost once the stream has ended and no frame is left."""
        with self._cond:
            if self._slot is None and self.lost is None:
                self._cond.wait(timeout)
            frame, self._slot = self._slot, None
            if frame is None and self.lost is not None:
                raise CameraLost(self.lost)
            return frame

    def stop(self) -> None:
        """Stop capturing and release the camera (again: harmless)."""
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=2.0)
        self.reader.close()
