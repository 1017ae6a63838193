"""Pose inference on its own thread, so that the rest of a frame's work overlaps the next inference.

The capture thread keeps the newest frame; this thread takes it, runs the pose backend and hands
(frame, pose) to the loop, which runs the checker, the overlay and the window meanwhile. A frame's
latency is the same as doing both in turn, but the loop's throughput is that of inference alone
rather than inference plus everything else (MediaPipe releases the GIL while it infers).

The loop reads the results in order through a short queue; when it falls behind, this thread waits
(the checker must see every pose that was inferred, in order). The session clock (seconds since the
first frame, pauses excluded) is stamped here, strictly increasing. While paused, frames are passed
on for the window to show, inferred only when the body controls watch them (``watch_while_paused``).
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Callable, Optional, Union

from coach.live.capture import Grabbed, LatestFrameGrabber
from coach.pose.frame import PoseFrame


@dataclass(frozen=True)
class Posed:
    frame: Grabbed
    wall: float  # seconds since the first frame
    t: float  # the session clock: wall less pauses
    pose: Optional[PoseFrame]  # None when paused and not watched (not inferred)
    inference_start: float = 0.0
    inference_end: float = 0.0
    paused: bool = False  # taken while paused: shown, and its pose (if any) only watched for the body controls
    inferred: bool = True  # False: the pose was carried from the last inference (a strided backend)


class PoseStage:
    def __init__(self, grabber: LatestFrameGrabber, backend: object, clock: Callable[[], float],
                 watch_while_paused: bool = False) -> None:
        """``watch_while_paused``: infer while paused too (the body controls must see the person sit
        back down or raise a hand); those poses carry the clock where it stopped and are not counted."""
        self.grabber, self.backend, self.clock = grabber, backend, clock
        self.watch_while_paused = watch_while_paused
        self.paused = False  # set by the loop
        self.paused_total = 0.0  # set by the loop on resume
        self.t0: Optional[float] = None
        self._queue: "queue.Queue[Union[Posed, BaseException]]" = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coach-pose", daemon=True)

    def start(self) -> "PoseStage":
        self._thread.start()
        return self

    def _run(self) -> None:
        index, last_t = 0, -1.0
        try:
            while not self._stop.is_set():
                frame = self.grabber.get(timeout=0.1)  # CameraLost ends the stage
                if frame is None:
                    continue
                if self.t0 is None:
                    self.t0 = frame.t_capture
                wall = frame.t_capture - self.t0
                if self.paused:
                    pose = None
                    if self.watch_while_paused:  # the session clock stands still (the backend takes equal times)
                        pose = self.backend.process(frame.image, max(last_t, 0.0), index)  # type: ignore[attr-defined]
                    self._put(Posed(frame, wall, last_t, pose, paused=True))
                    continue
                # A frame captured during a pause but taken after it must not step the clock back.
                t = max(wall - self.paused_total, last_t + 1e-3)
                start = self.clock()
                pose = self.backend.process(frame.image, t, index)  # type: ignore[attr-defined]
                end = self.clock()
                index, last_t = index + 1, t
                inferred = getattr(self.backend, "inferred_last", True)
                self._put(Posed(frame, wall, t, pose, start, end, inferred=inferred))
        except BaseException as err:  # CameraLost, or a backend failure: the loop re-raises it
            self._put(err)

    def _put(self, item: "Union[Posed, BaseException]") -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def get(self, timeout: float) -> Optional[Posed]:
        """The next result in order, or None after ``timeout`` s; raises CameraLost (or the backend's
        error) when the stage has ended."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=5.0)

