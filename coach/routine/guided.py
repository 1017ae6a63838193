"""A routine guided live: each step announced, set up, coached by ``coach live``'s own loop, rested,
and saved as it ends.

One camera for the whole routine (a ``LatestFrameGrabber`` that each step's loop leaves open); one
pose backend per step (its own segmentation need, its own clock from 0). Between steps and sets the
camera picture stays on screen with what comes next and the rest's countdown. Keys, besides
``coach live``'s (space pause, m mute, p pain, q quit): n skips the step (or the rest), r starts the
step again. A pain stop or quit ends the routine; every finished step is already in the routine
report (``coach.routine.report``), rewritten after each.

A step whose exercise has no definition yet is "not coached yet": its time runs on a timer, with
the prescription on screen; n skips it. Between steps (and on a timer-only step) the body controls
still watch for a hand held up, the pain stop, on a pose backend of their own run about ten times a
second (sitting up needs no pause there: the timers are what is running). At the end (completed, or stopped as the person chose, as
``coach live`` does) the routine asks once "How is your pain now, 0 to 10?" (``pain_rating``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from coach.engine.definition import SIDES, Exercise
from coach.engine.records import FrameResult
from coach.live.body_controls import BodyControls
from coach.live.capture import CameraLost, LatestFrameGrabber
from coach.live.display import PAIN, QUIT, Display, KeySource, action_for, no_keys
from coach.live.hud import draw_banner
from coach.live.setup import SetupConfig
from coach.live.loop import HAND_UP_MESSAGE, PAIN_MESSAGE, PAIN_SPOKEN, LiveLoop, LiveOptions
from coach.live.pain_rating import ASK_AFTER, QUESTION, Asker
from coach.live.speech import Speaker
from coach.live.stop import StopRequests
from coach.routine.definition import Routine, Step, step_exercise
from coach.sources import SourceInfo

ANNOUNCE_S = 3.0  # the next step's name and prescription on screen before its set-up starts
WATCH_EVERY_S = 0.1  # between steps, a pose this often for the raised hand (within BodyConfig.gap_s)
SKIP, REPEAT = "n", "r"
STEP_KEYS = {SKIP: "skipped", REPEAT: "repeat"}
# How a step's loop ended -> the step's status; endings not here end the routine too.
STEP_STATUS = {"done": "done", "skipped": "skipped", "repeat": "repeated", "max_seconds": "timed_out"}
VIEW_WORDS = {"side": "side-on to the camera", "front": "facing the camera", "any": "in view of the camera"}


def done_when(step: Step, exercise: Exercise) -> Callable[[float, FrameResult], bool]:
    """When a set of ``step`` is done: its time counted, or its reps (per side where per side)."""
    if step.seconds is not None:
        seconds = step.seconds
        return lambda counted_s, result: counted_s >= seconds

    def done(counted_s: float, result: FrameResult) -> bool:
        if step.sides and result.side_reps is not None:
            got = dict(zip(SIDES, result.side_reps))
            return all(got.get(side, 0) >= exercise.reps_min for side in step.sides)
        return result.reps >= exercise.reps_min
    return done


@dataclass
class StepRun:
    """One set of one step, as it went."""

    step: int  # 1-based, in the routine
    set: int  # 1-based
    exercise: str
    name: str
    side: str
    prescribed: str  # the step's prescription in words
    status: str  # done | skipped | repeated | timed_out | not_coached | stopped
    ended: str = ""  # how its loop ended (the live report's "ended")
    folder: Optional[str] = None  # the step's own coach.report/1 folder (coached steps)
    report: Optional[dict] = None
    seconds: float = 0.0  # not-coached steps: how long the timer ran


@dataclass
class RoutineRun:
    routine: Routine
    out_dir: str
    started_at: str
    runs: list[StepRun] = field(default_factory=list)
    ended: Optional[str] = None  # completed | quit | pain | video_ended | camera_lost | interrupted | ...
    stopped_at: Optional[int] = None  # the step being done when the routine stopped early
    first_step: int = 1  # the step this session started at (``--from-step``)
    pain_rating: Optional[dict] = None  # {"value": 0-10, "asked_at_s": seconds into the routine}, when given


@dataclass
class RoutineOptions:
    announce_s: float = ANNOUNCE_S
    countdown_s: float = 3.0
    body_controls: bool = True
    history_db: Optional[str] = None
    camera_timeout_s: float = 20.0
    step_limit_s: Optional[float] = None  # each set's own time limit (default: from its prescription)
    first_step: int = 1  # carry on a routine stopped half way: start at this step (1-based)


class GuidedRoutine:
    def __init__(self, routine: Routine, out_dir: str, grabber: LatestFrameGrabber,
                 make_backend: Callable[[Optional[Exercise]], object], backend_desc: Callable[[object], dict],
                 source: SourceInfo, display: Display, speaker: Speaker, keys: KeySource = no_keys,
                 stop: Optional[StopRequests] = None, notice: Callable[[str], None] = print,
                 make_status: Callable[[], Optional[object]] = lambda: None,
                 options: RoutineOptions = RoutineOptions(),
                 on_step: Callable[[RoutineRun], None] = lambda run: None,
                 started_at: str = "", pain_rating: Optional[Asker] = None) -> None:
        """``make_backend``: a pose backend for an exercise (closed after its step; for None, the one
        that watches for a raised hand between steps, or None to watch with keys only); ``on_step``:
        called after every set (the routine report is written there); ``make_status``: a fresh
        terminal status line per step (headless), or None; ``pain_rating``: who asks the rating at
        the end (None: nobody can answer, it is not asked)."""
        self.routine, self.out_dir, self.grabber = routine, out_dir, grabber
        self.make_backend, self.backend_desc, self.source = make_backend, backend_desc, source
        self.display, self.speaker, self.keys, self.notice = display, speaker, keys, notice
        self.stop = stop or StopRequests()
        self.make_status, self.o, self.on_step = make_status, options, on_step
        self.run_state = RoutineRun(routine, out_dir, started_at, first_step=options.first_step)
        self._view: Optional[str] = None
        self.pain_rating = pain_rating
        self._started = time.monotonic()
        self._last_image = None  # the last picture shown: the pain rating is asked over it
        self._body = BodyControls() if options.body_controls else None  # between steps: the raised hand
        self._watcher: Optional[object] = None  # its pose backend, made at the first interlude
        self._watched_at, self._hand_s = -1.0, 0.0  # when the last pose was taken, and its hand-up time

    # -- the routine ---------------------------------------------------------------------------------
    def run(self) -> RoutineRun:
        state = self.run_state
        steps = self.routine.steps
        try:
            for i, step in enumerate(steps, start=1):
                if i < self.o.first_step:  # carried on from a routine stopped there earlier
                    continue
                ending = self._step(i, step)
                if ending is not None:
                    state.ended, state.stopped_at = ending, i
                    break
                if i < len(steps) and step.rest_after_s > 0:
                    ending = self._interlude(step.rest_after_s, "Rest", f"Next: {steps[i].name}", skippable=True)
                    if ending is not None:
                        state.ended, state.stopped_at = ending, i + 1
                        break
            else:
                state.ended = "completed"
                self._say("Routine complete. Well done.")
            self._ask_pain_rating()
        except BaseException:
            state.ended = state.ended or ("interrupted" if self.stop.reason == "interrupted" else "error")
            raise
        finally:
            if self._watcher is not None:
                self._watcher.close()  # type: ignore[attr-defined]
            self.on_step(state)
        return state

    def _ask_pain_rating(self) -> None:
        """Once, at the end of a routine completed or stopped as the person chose, when someone can answer."""
        state = self.run_state
        if self.pain_rating is None or (state.ended not in ASK_AFTER and state.ended != "completed"):
            return
        asked_at = time.monotonic() - self._started
        self.speaker.say(QUESTION, interrupt=state.ended != "pain")  # (after the pain advice, not over it)
        try:
            value = self.pain_rating.ask(self._last_image, lambda: self.stop.reason is not None)  # Ctrl-C skips it
        except Exception as err:  # noqa: BLE001 - the question must never cost the report
            self.notice(f"coach: warning: the pain rating could not be asked ({err})")
            return
        if value is not None:
            state.pain_rating = {"value": int(value), "asked_at_s": round(asked_at, 3)}

    def _step(self, i: int, step: Step) -> Optional[str]:
        """Every set of step ``i``; the ending that stops the routine, or None to go on."""
        n = len(self.routine.steps)
        exercise = step_exercise(step)
        view = exercise.view if exercise is not None else None
        turn = f" This one is done {VIEW_WORDS.get(view, 'in view')}." if view and view != self._view else ""
        self._view = view or self._view
        coached = "" if exercise is not None else " Not coached yet: do it on your own while the timer runs."
        ending = self._interlude(self.o.announce_s, f"Step {i} of {n}: {step.name}", f"{step.target_text()}.{turn}{coached}",
                                 say=f"Next: {step.name}. {step.target_text()}.{turn}", skippable=False)
        if ending is not None:
            return ending
        set_no = 1
        while set_no <= step.sets:
            if exercise is None:
                run = self._timer_only(i, set_no, step)
            else:
                run = self._coached(i, set_no, step, exercise)
            self.run_state.runs.append(run)
            self.on_step(self.run_state)
            if run.status == "stopped":
                return run.ended
            if run.status == "repeated":
                continue  # the same set again
            if run.status == "skipped":
                return None  # the whole step
            if set_no < step.sets and step.rest_between_sets_s > 0:
                ending = self._interlude(step.rest_between_sets_s, "Rest", f"Next: set {set_no + 1} of {step.sets}",
                                         skippable=True)
                if ending is not None:
                    return ending
            set_no += 1
        return None

    def _folder(self, i: int, set_no: int, step: Step) -> str:
        name = f"{i:02d}-{step.exercise}" + (f"-set{set_no}" if step.sets > 1 else "")
        path, k = os.path.join(self.out_dir, name), 2
        while os.path.exists(path):  # a repeated set keeps the earlier attempt beside it
            path, k = os.path.join(self.out_dir, f"{name}-{k}"), k + 1
        return path

    def _coached(self, i: int, set_no: int, step: Step, exercise: Exercise) -> StepRun:
        folder = self._folder(i, set_no, step)
        limit = self.o.step_limit_s or max(120.0, 3.0 * step.work_s() + 60.0)
        options = LiveOptions(exercise=exercise, out_dir=folder, max_seconds=limit,
                              setup=SetupConfig(countdown_s=self.o.countdown_s),
                              body_controls=self.o.body_controls, history_db=self.o.history_db,
                              camera_timeout_s=self.o.camera_timeout_s, keep_camera=True,
                              done_when=done_when(step, exercise), step_keys=dict(STEP_KEYS))
        backend = self.make_backend(exercise)
        try:
            loop = LiveLoop(options, self.grabber, backend, self.source, self.backend_desc(backend), self.display,
                            self.speaker, keys=self.keys, stop=self.stop, notice=self.notice,
                            status=self.make_status())  # type: ignore[arg-type]
            result = loop.run()
            self._last_image = loop.last_image if loop.last_image is not None else self._last_image
        finally:
            backend.close()  # type: ignore[attr-defined]
        status = STEP_STATUS.get(result.ended, "stopped")
        if result.ended == "done":
            self._say("Done.")
        return StepRun(i, set_no, step.exercise, step.name, step.side, step.target_text(), status, result.ended,
                       folder, result.report)

    def _timer_only(self, i: int, set_no: int, step: Step) -> StepRun:
        seconds = step.work_s() / step.sets
        ending, ran = self._interlude(seconds, f"{step.name}: not coached yet",
                                      f"Do it on your own: {step.target_text()}. Press n when you are done.",
                                      skippable=True, timed=True)
        status = "not_coached" if ending is None else "stopped"
        return StepRun(i, set_no, step.exercise, step.name, step.side, step.target_text(), status,
                       ending or "timer", seconds=round(ran, 1))

    # -- between steps ---------------------------------------------------------------------------------
    def _hand_up_s(self, grabbed: Optional[object]) -> float:
        """How long a hand has been held up (the body controls' pain stop), from a pose taken every
        ``WATCH_EVERY_S``; 0 without body controls or a backend to watch with."""
        if self._body is None or grabbed is None:
            return 0.0
        now = time.monotonic() - self._started
        if now - self._watched_at < WATCH_EVERY_S:
            return self._hand_s
        if self._watcher is None:
            self._watcher = self.make_backend(None)
            if self._watcher is None:  # nothing to watch with: keys only between steps
                self._body = None
                return 0.0
        self._watched_at = now
        pose = self._watcher.process(grabbed.image, now, grabbed.index)  # type: ignore[attr-defined]
        self._hand_s = self._body.update(now, pose).hand_up_s
        return self._hand_s

    def _say(self, text: str) -> None:
        self.speaker.say(text)
        self.notice(text)

    def _interlude(self, seconds: float, title: str, detail: str, say: Optional[str] = None,
                   skippable: bool = True, timed: bool = False):  # type: ignore[no-untyped-def]
        """The camera picture with ``title`` (and the seconds left) and ``detail`` for ``seconds``; n
        cuts it short where ``skippable``. Returns the ending that stops the routine (quit, pain, the
        camera gone, Ctrl-C) or None; with ``timed``, (that, the seconds it ran)."""
        self._say(say or f"{title}. {detail}")
        clock = self.grabber.clock
        start = clock()
        ending: Optional[str] = None
        while clock() - start < seconds:
            if self.stop.reason is not None:
                ending = self.stop.reason
                break
            try:
                grabbed = self.grabber.get(timeout=0.1)
            except CameraLost:
                ending = "video_ended" if self.grabber.reader.is_file else "camera_lost"
                break
            key = self.display.key() or self.keys()
            if key and key.lower() == SKIP and skippable:
                break
            action = action_for(key)
            if action == QUIT:
                ending = "quit"
                break
            if action == PAIN:
                self.speaker.say(PAIN_SPOKEN, interrupt=True)
                self.notice(PAIN_MESSAGE)
                ending = "pain"
                break
            if self.display.closed():
                ending = "window_closed"
                break
            hand_up_s = self._hand_up_s(grabbed)
            if self._body is not None and hand_up_s >= self._body.config.hand_up_s:
                self.speaker.say(PAIN_SPOKEN, interrupt=True)
                self.notice(PAIN_MESSAGE)
                ending = "pain"
                break
            if grabbed is not None:
                image = grabbed.image.copy()
                if hand_up_s > 0.3 and self._body is not None:  # how long until the pain stop, as live shows it
                    left = max(1, int(round(self._body.config.hand_up_s - hand_up_s + 0.49)))
                    draw_banner(image, HAND_UP_MESSAGE.format(left=left), at=0.22)
                left = max(0, int(round(seconds - (clock() - start) + 0.49)))
                draw_banner(image, f"{title} ({left} s)" if seconds > ANNOUNCE_S else title, at=0.1)
                draw_banner(image, detail)
                self.display.show(image)
                self._last_image = image
        ran = clock() - start
        return (ending, ran) if timed else ending
