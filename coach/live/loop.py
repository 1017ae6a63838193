"""The live loop: newest frame -> pose -> set-up guidance, then the exercise checker -> overlay,
voice and stats -> window -> keys; the session record kept up to date all along.

Three threads: capture keeps the newest frame (``capture``), inference takes it (``pose_stage``),
and this loop, on the main thread (the window must live there), does the rest of each frame while
the next one is being inferred. So the picture never lags more than the pipeline's own time, and
frames go by at the rate of inference alone.

Before counting, every frame goes to a *probe* checker that only tells the set-up guide whether the
starting posture is recognised; once the guide's countdown ends, frames go to a fresh checker from
its first frame, so nothing done while getting into position is counted.

Every way out ends in ``_finish``: the report is written from everything recorded so far (and,
with ``save_video``, the annotated video of what was shown is finished: ``session_video``).
Endings: ``quit`` (q/Esc), ``window_closed``, ``max_seconds``, ``video_ended`` (a file played as a
camera ran out), ``camera_lost``, ``pain`` (the p key, or a hand held up), ``interrupted`` (Ctrl-C),
``terminated`` (SIGTERM/SIGHUP), ``error`` (a bug: the report is written, then the exception goes on).

Hands-free control (``body_controls``): sitting or standing up pauses, lying back down carries on,
a hand held up stops for pain. While paused the pose is still inferred (not recorded, not counted)
so that the body can carry on or stop. After an ending the person chose, the pain rating is asked
once (``pain_rating``) before the final report is written.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Optional

import cv2
import numpy as np

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import Exercise
from coach.engine.records import FrameResult
from coach.live.body_controls import BodyControls, BodySignals
from coach.live.capture import CameraLost, LatestFrameGrabber
from coach.live.display import MUTE, PAIN, PAUSE, QUIT, Display, KeySource, action_for, no_keys
from coach.live.hud import CONTROLS, draw_banner, draw_controls, draw_corner, draw_countdown, stats_text
from coach.live.pain_rating import ASK_AFTER, QUESTION, Asker
from coach.live.pauses import BODY, KEY, Pauses
from coach.live.pose_stage import PoseStage
from coach.live.session import LiveSession
from coach.live.session_video import VIDEO, SessionVideo
from coach.live.setup import SetupConfig, SetupGuide, SetupStep, parts_for
from coach.live.speech import Speaker
from coach.live.stop import StopRequests
from coach.live.voice import Voice
from coach.live.status_line import Status, StatusLine, hand_up_status, status_text
from coach.live.stats import FrameTiming, LoopStats
from coach.overlay import Overlay
from coach.pose.frame import PoseFrame
from coach.sources import SourceInfo
from coach.trace import quantize

PAIN_MESSAGE = ("Stopping here. Stop any exercise that makes your pain worse and rest in a comfortable position. "
                "If the pain is severe or does not settle, talk to your doctor or physiotherapist.")
PAIN_SPOKEN = "Stopping here. If an exercise makes your pain worse, stop it, and rest."
PAUSED_MESSAGE = "Paused. Press space to carry on."
STALL_SAY_S = 3.0  # no frame from the camera this long: said (a live camera sends one every 30-70 ms)
STALL_TEXT = "The camera has stopped sending pictures. Check its cable or close other programs using it."
BODY_PAUSED_MESSAGE = "Paused because you sat up. Get back into the starting position, or press space, to carry on."
HAND_UP_MESSAGE = "Hand up: stopping for pain in {left} s. Lower your hand to carry on."

def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def make_checker(exercise: Exercise) -> ExerciseChecker:
    """The exercise's checker, as ``coach analyze`` makes it (one place to change should an exercise
    ever get a checker of its own), except that a movement already under way when counting starts
    is not counted: live, the person was asked to wait for the countdown."""
    return ExerciseChecker(exercise, count_under_way=False)


def mean_brightness(image: np.ndarray) -> float:
    """Mean luma (0-255) of a sparse grid of pixels: plenty to tell a dark room, for ~0.1 ms."""
    b, g, r = cv2.mean(image[::8, ::8])[:3]
    return 0.114 * b + 0.587 * g + 0.299 * r


@dataclass
class LiveOptions:
    exercise: Exercise
    out_dir: str
    show_stats: bool = False
    max_seconds: Optional[float] = None
    setup: SetupConfig = field(default_factory=SetupConfig)
    pain_message_s: float = 6.0  # the window keeps the pain message this long (a key closes it sooner)
    save_video: bool = False  # privacy by default: the annotated video is stored only when asked for
    body_controls: bool = True  # sitting up pauses, a hand held up stops for pain
    history_db: Optional[str] = None  # the report page compares with the previous session recorded there
    camera_timeout_s: float = 20.0  # a camera silent this long has gone: the session ends with its report
    # A routine's step (coach/routine/guided.py): the camera stays open for the next step; the step
    # ends ("done") once ``done_when(seconds counted, frame result)`` says so; keys of its own end it
    # with their reason (n: "skipped", r: "repeat").
    keep_camera: bool = False
    done_when: Optional[Callable[[float, FrameResult], bool]] = None
    step_keys: dict[str, str] = field(default_factory=dict)


@dataclass
class LiveResult:
    report: dict
    files: dict[str, str]
    ended: str
    detail: str = ""  # e.g. why the camera was lost


def setup_view(probe: FrameResult, step: SetupStep) -> FrameResult:
    """What the overlay shows during set-up: the guide's message, no verdict, nothing counted."""
    state = probe.state if probe.state in ("no_person", "unseen") else "setup"
    return dataclasses.replace(probe, state=state, phase="setup", message=step.message, cue=None, status="unknown",
                               reps=0, good_reps=0, hold_s=0.0, holding=False, active_faults=(), worked_side=None)


class LiveLoop:
    def __init__(self, options: LiveOptions, grabber: LatestFrameGrabber, backend: object, source: SourceInfo,
                 backend_desc: dict, display: Display, speaker: Speaker, keys: KeySource = no_keys,
                 stop: Optional[StopRequests] = None, notice: Callable[[str], None] = print,
                 on_frame: Optional[Callable[[FrameTiming, int, PoseFrame], None]] = None,
                 status: Optional[StatusLine] = None, pain_rating: Optional[Asker] = None) -> None:
        """``status``: the terminal's status line (headless); ``pain_rating``: who asks the end-of-session
        pain rating (None: nobody can answer, it is not asked)."""
        self.o = options
        self.status, self.pain_rating = status, pain_rating
        self.grabber, self.backend, self.display, self.speaker = grabber, backend, display, speaker
        self.keys, self.notice, self.on_frame = keys, notice, on_frame
        self.stop = stop or StopRequests()
        self.clock = grabber.clock
        self.session = LiveSession(options.out_dir, options.exercise, source, backend_desc,
                                   history_db=options.history_db)
        self.overlay = Overlay(options.exercise)
        self.probe = make_checker(options.exercise)
        self.checker = make_checker(options.exercise)
        ex = options.exercise
        self.guide = SetupGuide(ex.view, options.setup, parts_for(ex.key_joints), ex.side_within_deg)
        self.voice = Voice(speaker)
        self.stats = LoopStats()
        self.counting = False
        self.ended: Optional[str] = None
        self.detail = ""
        self.warnings: list[str] = []
        self.stage = PoseStage(grabber, backend, self.clock, watch_while_paused=options.body_controls)
        self.body = BodyControls() if options.body_controls else None
        self.wall = 0.0  # seconds since the first frame
        self.t = 0.0  # the session clock: wall time less pauses
        self.pauses = Pauses()
        self.last_image: Optional[np.ndarray] = None  # the last picture shown (the pain rating is asked over it)
        self._last_picture: Optional[float] = None  # when the camera last sent a frame (clock time)
        self._said_stall = False
        self.video: Optional[SessionVideo] = None
        if options.save_video:
            self.video = SessionVideo(os.path.join(options.out_dir, VIDEO), source.fps, _warn)

    # -- the loop ------------------------------------------------------------------------------------
    def run(self) -> LiveResult:
        # The inference thread needs the GIL briefly around each inference; with the default 5 ms
        # switch interval it waits for this loop's Python work to finish (~2 ms a frame) and
        # inference slows by as much. 1 ms lets it in promptly (measured: bench/latency.py).
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, 0.001))
        self.stage.start()
        try:
            while self.ended is None:
                self._turn()
        except BaseException:
            if self.ended is None:
                self.ended = "interrupted" if self.stop.reason == "interrupted" else "error"
            raise
        finally:
            sys.setswitchinterval(switch)
            self._stop_capture()
            try:
                if self.status is not None:
                    self.status.close()
                if self.ended is not None and self.stop.reason is None:
                    self._ask_pain_rating()
            finally:  # (a second Ctrl-C while asking must not cost the report)
                try:
                    self._close_video()  # on every way out, so that the file is playable; before the report
                finally:                 # (and report.html) is written, which happens whatever the close does
                    report = self._finish()
        files = dict(self.session.files)
        if self.video is not None and self.video.frames and not self.video.failed:
            files["video"] = self.video.path
        return LiveResult(report, files, self.ended, self.detail)

    def _close_video(self) -> None:
        if self.video is None:
            return
        try:
            self.video.close()
        except Exception as err:  # noqa: BLE001 - a broken video must not stand in the way of the report
            self.video.failed = True
            _warn(f"coach: warning: the video {self.video.path} could not be finished ({err})")

    def _stop_capture(self) -> None:
        self.stage.stop()
        if not self.o.keep_camera:
            self.grabber.stop()

    def _turn(self) -> None:
        if self.stop.reason is not None:
            self._end(self.stop.reason)
            return
        try:
            posed = self.stage.get(timeout=0.25)
        except CameraLost as lost:
            self._end("video_ended" if self.grabber.reader.is_file else "camera_lost", str(lost))
            return
        if posed is None:  # no frame yet: keep the window and the keys alive
            self._act(self.display.key() or self.keys())
            self._check_window()
            self._no_picture()
            return
        self._last_picture, self._said_stall = self.clock(), False
        self.wall = posed.wall
        if self.o.max_seconds is not None and self.wall >= self.o.max_seconds:
            self._end("max_seconds")
            return
        image = posed.frame.image
        if posed.paused:
            self._paused_frame(posed.wall, image, posed.pose)
            return
        assert posed.pose is not None
        self.t = posed.t
        pose = quantize(posed.pose)  # the checker sees what the trace keeps: a replay gives the same report
        body = self.body.update(self.wall, pose) if self.body is not None else None
        if self.counting:
            view = self.checker.update(pose)
            self.voice.coaching(self.t, view)
            trusted = view.state in ("setup", "active")
            countdown = None
        else:
            probe = self.probe.update(pose)
            step = self.guide.update(self.t, pose, probe, mean_brightness(image))
            self.voice.setup(self.t, step)
            view = setup_view(probe, step)
            trusted = probe.state in ("setup", "active")
            countdown = step.countdown
            if step.ready:
                self.counting = True
                self.session.counting_from = self.t
                if self.body is not None:
                    self.body.start(pose)
        self.session.record(pose, trusted)
        self.overlay.annotate(image, (self.checker.pose or pose) if self.counting else pose, view)
        draw_countdown(image, countdown)
        if not self.counting:  # the keys and body controls, on screen from the start until counting starts
            draw_controls(image, CONTROLS if self.body is not None else CONTROLS[:1])
        self._hand_up(image, body)
        self._corner(image)
        self.display.show(image)
        self.last_image = image
        if self.status is not None:
            self.status.update(status_text(view, self.counting, countdown, None, body.hand_up_s if body else 0.0))
        if self.video is not None:
            self.video.add(image, self.t)  # as shown; paused frames are not (the video keeps the session clock)
        key = self.display.key() or self.keys()
        timing = FrameTiming(posed.frame.t_capture, posed.inference_start, posed.inference_end, self.clock(),
                             posed.inferred)
        self.stats.add(timing)
        if self.on_frame is not None:
            self.on_frame(timing, posed.frame.index, pose)  # (the bench: which camera frames were processed)
        self._act(key, image)
        self._body_act(body, image)
        self._check_window()
        if self.ended is None and self.session.save_due(self.t, view.reps if self.counting else 0):
            self.session.save(self.checker, self._live(), tuple(self.warnings))
        if self.ended is None and self.counting and self.o.done_when is not None:
            assert self.session.counting_from is not None
            if self.o.done_when(self.t - self.session.counting_from, view):
                self._end("done")

    def _paused_frame(self, wall: float, image: np.ndarray, pose: Optional[PoseFrame]) -> None:
        """A frame while paused: shown with the pause message; its pose (when watched) is only read for
        the body's carry-on and pain signals: not recorded, not counted."""
        body = self.body.update(wall, pose) if self.body is not None and pose is not None else None
        message = BODY_PAUSED_MESSAGE if self.pauses.by == BODY else PAUSED_MESSAGE
        draw_banner(image, message)
        self._hand_up(image, body)
        self._corner(image)
        self.display.show(image)
        self.last_image = image
        if self.status is not None:
            self.status.update(hand_up_status(body.hand_up_s if body else 0.0) or Status(message, message))
        self._act(self.display.key() or self.keys(), image)
        self._body_act(body, image)
        self._check_window()

    def _hand_up(self, image: np.ndarray, body: Optional[BodySignals]) -> None:
        """While a hand is held up (and not yet long enough): how long until the pain stop."""
        if body is not None and body.hand_up_s > 0.3 and not body.pain and self.body is not None:
            left = max(1, int(round(self.body.config.hand_up_s - body.hand_up_s + 0.49)))
            draw_banner(image, HAND_UP_MESSAGE.format(left=left), at=0.22)  # above the person, who stays in view

    def _body_act(self, body: Optional[BodySignals], image: np.ndarray) -> None:
        """What the body asked for: the pain stop, a pause (sitting up while counting), carrying on."""
        if body is None or self.ended is not None:
            return
        if body.pain:
            self._pain(image, by="hand_up")
        elif body.pause and self.counting and not self.pauses.active:
            self._pause(BODY)
        elif body.resume and self.pauses.by == BODY:
            self._resume()

    def _corner(self, image: np.ndarray) -> None:
        lines = []
        if not self.speaker.available:
            lines.append("speech off")
        elif self.speaker.muted:
            lines.append("muted (m)")
        if self.o.show_stats:
            fps, latency, inference = self.stats.recent()
            lines.append(stats_text(fps, latency, inference, self.grabber.dropped))
        draw_corner(image, lines, self.overlay.top_right_free(image))

    # -- keys and endings ------------------------------------------------------------------------------
    def _act(self, key: Optional[str], image: Optional[np.ndarray] = None) -> None:
        if key and key.lower() in self.o.step_keys:
            self._end(self.o.step_keys[key.lower()])
            return
        action = action_for(key)
        if action == QUIT:
            self._end("quit")
        elif action == PAUSE:
            if self.pauses.active:
                self._resume()
            else:
                self._pause(KEY)
        elif action == MUTE:
            muted = self.speaker.toggle_mute()
            self._confirm("muted (m to unmute)" if muted else "unmuted")
        elif action == PAIN:
            self._pain(image)

    def _now(self) -> float:
        t0 = self.stage.t0
        return self.clock() - t0 if t0 is not None else 0.0

    def _pause(self, by: str) -> None:
        self.pauses.begin(self._now(), self.t, by)
        self.stage.paused = True
        self.speaker.say("Paused")
        self._confirm("paused (space to carry on)" if by == KEY else
                      "paused: you sat up (get back into the starting position, or press space, to carry on)")

    def _resume(self) -> None:
        self.stage.paused_total = self.pauses.end(self._now())
        self.stage.paused = False
        self.speaker.say("Carry on")
        self._confirm("carrying on")

    def _confirm(self, text: str) -> None:
        """A key or body control's effect, confirmed in the terminal (headless: the window shows it)."""
        if self.status is not None:
            self.status.say(text)

    def _pain(self, image: Optional[np.ndarray], by: str = "key") -> None:
        """End the set at once, calmly, and advise stopping; the report records it (and whether the p
        key or a raised hand asked for it)."""
        self.session.stopped = {"reason": "pain", "t_s": round(self.t, 3), "message": PAIN_MESSAGE, "by": by}
        self.warnings.append("pain_stop")
        self._end("pain")
        self._stop_capture()  # free the camera now: nothing more is counted
        self.speaker.say(PAIN_SPOKEN, interrupt=True)
        self.notice(PAIN_MESSAGE)
        if image is not None:  # the window keeps the message up a while (headless: returns at once)
            draw_banner(image, PAIN_MESSAGE)
            self.display.show(image)
            self.last_image = image
            self.display.wait_key(self.o.pain_message_s)

    def _ask_pain_rating(self) -> None:
        """Once, after an ending the person chose, when someone can answer: "How is your pain now?"."""
        if self.pain_rating is None or self.ended not in ASK_AFTER:
            return
        asked_at = self.t
        self.speaker.say(QUESTION, interrupt=self.ended != "pain")  # (after the pain advice, not over it)
        try:
            value = self.pain_rating.ask(self.last_image, lambda: self.stop.reason is not None)  # Ctrl-C skips it
        except Exception as err:  # noqa: BLE001 - the question must never cost the report
            _warn(f"coach: warning: the pain rating could not be asked ({err})")
            return
        if value is not None:
            self.session.pain_rating = {"value": int(value), "asked_at_s": round(asked_at, 3)}

    def _check_window(self) -> None:
        if self.ended is None and self.display.closed():
            self._end("window_closed")

    def _no_picture(self) -> None:
        """A camera that stops sending frames without failing (a stalled driver, a USB hub): said on
        screen and aloud after ``STALL_SAY_S``, the report kept current, and after the option's
        ``camera_timeout_s`` the session ends (``camera_lost``) with its report."""
        if self.grabber.reader.is_file:
            return  # a video played as a camera is read as fast as inference goes: a pause is not a stall
        now = self.clock()
        self._last_picture = self._last_picture if self._last_picture is not None else now
        waited = now - self._last_picture
        if waited >= self.o.camera_timeout_s:
            self._end("camera_lost", f"no picture for {waited:.0f} s")
        elif waited >= STALL_SAY_S and not self._said_stall:
            self._said_stall = True
            self.notice(STALL_TEXT)
            self.speaker.say(STALL_TEXT)
            if self.last_image is not None:
                picture = self.last_image.copy()
                draw_banner(picture, STALL_TEXT)
                self.display.show(picture)
            self.session.save(self.checker, self._live(), tuple(self.warnings))

    def _end(self, reason: str, detail: str = "") -> None:
        if self.ended is None:
            self.ended, self.detail = reason, detail

    def _live(self) -> dict:
        speech = ("off: " + self.speaker.off_reason) if self.speaker.off_reason else (
            "muted" if self.speaker.muted else "on")
        paused_s, pauses = self.pauses.report(self._now())
        return {"ended": self.ended, "ended_s": round(self.wall, 3) if self.ended else None,
                "paused_s": round(paused_s, 3), "pauses": pauses, "speech": speech,
                "stats": self.stats.summary(self.grabber.captured, self.grabber.dropped)}

    def _finish(self) -> dict:
        describe = getattr(self.backend, "describe", None)  # a strided backend: how many frames it inferred
        if describe is not None:
            self.session.backend.update(describe())
        warnings = list(self.warnings)
        if self.ended in ("interrupted", "terminated"):
            warnings.append("interrupted")
        if self.ended == "camera_lost":
            warnings.append("camera_lost")
        try:
            return self.session.save(self.checker, self._live(), tuple(warnings), final=True)
        finally:
            self.session.close()
