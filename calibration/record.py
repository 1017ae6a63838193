"""Recording a baseline: from a video or trace file, or guided, live from a camera.

Both run the exercise checker with the definition's own thresholds over the frames (its posture
check and trust gate decide which frames count) and feed a ``BaselineRecorder``. The live one
guides the person through three steps, shown in a window (or printed with ``--headless``):

1. get into the starting position (until the checker recognises it; ``posture_timeout_s`` at most),
2. relax there for ``rest_s`` (the resting level),
3. move to the best *comfortable* position, hold it, come back, a few times, for ``move_s``.

Only frames of steps 2 and 3 go into the baseline. Ctrl-C or the window's close/q during step 3
keeps what was recorded so far; before it there is nothing to keep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

import numpy as np

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import Exercise
from coach.engine.records import FrameResult
from coach.errors import CoachError
from coach.pose.frame import PoseFrame

from calibration.baseline import Baseline, BaselineRecorder


def baseline_from_poses(exercise: Exercise, poses: Iterable[PoseFrame]) -> Baseline:
    """The baseline of a recording already turned into poses (a video's or a trace's)."""
    checker = ExerciseChecker(exercise)
    recorder = BaselineRecorder(exercise)
    for pose in poses:
        recorder.update(checker.update(pose))
    return recorder.baseline()


def poses_of_file(path: str, segmentation: bool, model: Optional[str] = None) -> Iterable[PoseFrame]:
    """The poses of a video (real inference) or of a landmark trace (replayed), as ``coach analyze``
    reads them: a video's poses at the trace's precision, so its baseline is its own trace's.
    A missing or unreadable file is a CoachError from the source."""
    from coach.analyze import is_trace
    from coach.trace import TraceSource, quantize

    if is_trace(path):
        yield from TraceSource(path)
        return
    from coach.pose.backends import make_backend
    from coach.sources import VideoSource

    source = VideoSource(path)
    backend = make_backend(model=model, segmentation=segmentation)
    try:
        for frame in source:
            yield quantize(backend.process(frame.image, frame.t, frame.index))  # type: ignore[attr-defined]
    finally:
        backend.close()  # type: ignore[attr-defined]


# -- the guided live recording ------------------------------------------------------------------
POSTURE, REST, MOVE, DONE = "posture", "rest", "move", "done"


@dataclass(frozen=True)
class GuideConfig:
    rest_s: float = 3.0
    move_s: float = 20.0
    posture_timeout_s: float = 60.0


@dataclass(frozen=True)
class GuideStep:
    step: str  # posture | rest | move | done
    message: str
    record: bool  # this frame's result goes into the baseline
    remaining_s: Optional[float] = None


class BaselineGuide:
    """What to tell the person, frame by frame (pure: time and the checker's result in)."""

    def __init__(self, exercise: Exercise, config: GuideConfig = GuideConfig()) -> None:
        self.exercise, self.config = exercise, config
        self.step = POSTURE
        self._since: Optional[float] = None
        self._start: Optional[float] = None

    def update(self, t: float, result: FrameResult) -> GuideStep:
        c = self.config
        self._start = t if self._start is None else self._start
        if self.step == POSTURE:
            if result.state == "active":
                self.step, self._since = REST, t
            elif t - self._start > c.posture_timeout_s:
                raise CoachError(f"the starting position of {self.exercise.name} was not seen in "
                                 f"{c.posture_timeout_s:g} s ({result.message or 'nobody in view'}): check the "
                                 "set-up with 'coach calibrate camera' and try again")
            else:
                return GuideStep(POSTURE, result.message or "Get into the starting position", False)
        assert self._since is not None
        elapsed = t - self._since
        if self.step == REST:
            if elapsed < c.rest_s:
                return GuideStep(REST, "Relax in the starting position", True, c.rest_s - elapsed)
            self.step, self._since, elapsed = MOVE, t, 0.0
        if self.step == MOVE and elapsed < c.move_s:
            return GuideStep(MOVE, "Go to your best comfortable position, hold it, come back. Repeat.", True,
                             c.move_s - elapsed)
        self.step = DONE
        return GuideStep(DONE, "Done - thank you", False)


def baseline_from_camera(exercise: Exercise, camera: str, config: GuideConfig, headless: bool,
                         model: Optional[str] = None, say: Callable[[str], None] = print) -> Baseline:
    """The guided recording from a camera (or a video file played as one)."""
    from coach.live.capture import CameraLost, LatestFrameGrabber, open_camera
    from coach.live.display import QUIT, Headless, Window, action_for, display_problem
    from coach.pose.backends import make_backend

    if not headless:
        problem = display_problem()
        if problem:
            raise CoachError(f"{problem} (or pass --headless)")
    reader = open_camera(camera)
    try:  # nothing left open when the model or the window cannot be had
        backend = make_backend(model=model, segmentation=exercise.needs_segmentation)
    except BaseException:
        reader.close()
        raise
    try:
        display = Headless() if headless else Window(f"coach - baseline - {exercise.name}", reader.width,
                                                     reader.height)
    except BaseException:
        reader.close()
        backend.close()  # type: ignore[attr-defined]
        raise
    grabber = LatestFrameGrabber(reader).start()
    checker, recorder, guide = ExerciseChecker(exercise), BaselineRecorder(exercise), BaselineGuide(exercise, config)
    said, t0, index = "", None, 0
    try:
        while guide.step != DONE:
            try:
                grabbed = grabber.get(timeout=0.5)
            except CameraLost:
                break  # a file played as the camera ended (or the camera went): keep what was recorded
            if grabbed is None:
                continue
            t0 = grabbed.t_capture if t0 is None else t0
            pose = backend.process(grabbed.image, grabbed.t_capture - t0, index)  # type: ignore[attr-defined]
            index += 1
            result = checker.update(pose)
            step = guide.update(pose.t, result)
            if step.record:
                recorder.update(result)
            if step.message != said:
                say(step.message)
                said = step.message
            display.show(_guide_picture(grabbed.image, step))
            if display.closed() or action_for(display.key()) == QUIT:
                break
    except KeyboardInterrupt:
        pass  # keep what was recorded
    finally:
        grabber.stop()
        display.close()
        backend.close()  # type: ignore[attr-defined]
    if guide.step == POSTURE:
        raise CoachError("the recording stopped before the starting position was seen: nothing to calibrate on")
    return recorder.baseline()


def _guide_picture(image: np.ndarray, step: GuideStep) -> np.ndarray:
    from coach.overlay import GOOD, TEXT, Style, draw_text

    scene = image.copy()
    style = Style.for_image(scene)
    text = step.message if step.remaining_s is None else f"{step.message} ({math.ceil(step.remaining_s)} s)"
    draw_text(scene, text, style.margin, style.margin, style.title, GOOD if step.record else TEXT, background=0.6)
    return scene
