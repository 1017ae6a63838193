"""The generic exercise checker: one PoseFrame in, one FrameResult out; the session record at the end.

Per frame: choose the camera-facing side -> gate on trustworthy joints -> compute and smooth the
definition's measures -> check the starting posture (counting starts only once it is held) -> run
the phase machine -> reps, holds, faults -> offer cues to the scheduler.
"""

from __future__ import annotations

import math
import statistics
from typing import Optional

from coach.engine.cues import CueScheduler
from coach.engine.definition import Exercise, FaultRule
from coach.engine.hold import HoldTimer
from coach.engine.phases import BACK, HOLD, OUT, REST, PhaseMachine
from coach.engine.records import FrameResult, HoldRecord, PhaseSegment, RepRecord, SessionRecord
from coach.engine.view import SideSelector, TrustGate
from coach.measures import MEASURES
from coach.pose.frame import PoseFrame
from coach.signal import Velocity, make_filter

UNSEEN_TEXT = {
    "nobody in view": "I can't see you - step into the camera's view",
    "jump": "Hold on - tracking lost your position",
}
SECOND_PERSON_TEXT = "More than one person in view - coaching the first one found; ask others to step out"


def unseen_message(reason: str) -> str:
    """The message shown instead of a verdict when the key joints can't be trusted."""
    if reason in UNSEEN_TEXT:
        return UNSEEN_TEXT[reason]
    joint = reason.split("_")[0]
    if reason.endswith("out_of_frame"):
        return f"Your {joint} is out of the picture - move so your whole body is in view"
    return f"Can't see your {joint}s - turn side-on to the camera"


class ExerciseChecker:
    def __init__(self, exercise: Exercise, cues: Optional[CueScheduler] = None) -> None:
        self.ex = exercise
        self.cues = cues or CueScheduler()
        self.sides = SideSelector()
        self.trust = TrustGate(exercise.key_joints)
        self.machine = PhaseMachine(exercise.phases)
        self.timer = HoldTimer(exercise.hold_target_s)
        names = {exercise.phases.measure} | {c.measure for c in exercise.posture} | {
            f.measure for f in exercise.faults if f.measure in MEASURES}
        signal = dict(exercise.signal)
        kind = signal.pop("filter", "none")
        self._rate = Velocity(signal.pop("rate_window_s", 0.25))
        self._filters = {m: make_filter(kind, **signal) for m in sorted(names)}
        self.measures: dict[str, float] = {}
        self.armed = False
        self._posture_ok_since: Optional[float] = None
        self._posture_bad_since: Optional[float] = None
        self._violated_since: dict[str, float] = {}
        self._hold_values: dict[str, list[float]] = {}  # by measure, over the current hold
        self._top_values: dict[str, float] = {}  # by measure, at the furthest point of the current rep
        self._top_measures = {exercise.phases.measure} | {f.measure for f in exercise.faults if f.scope == "hold"}
        self._hold_start = 0.0
        self._rest_faults: set[str] = set()
        self.reps: list[RepRecord] = []
        self.holds: list[HoldRecord] = []
        self._rep: Optional[RepRecord] = None
        self._segments: list[tuple[float, str]] = []
        self._frames = self._with_pose = self._trusted = 0
        self._people_max = 0
        self._setup_faults: list[dict] = []
        self._last_t = 0.0
        self._frame_dt = 1.0 / 30.0

    # -- per frame -------------------------------------------------------------------------------
    def update(self, pose: PoseFrame) -> FrameResult:
        t = pose.t
        self._frames += 1
        if t > self._last_t:
            self._frame_dt = t - self._last_t
        self._last_t = t
        if pose.has_pose:
            self._with_pose += 1
            self._people_max = max(self._people_max, pose.people)
        side = self.sides.update(pose)
        trusted = self.trust.check(pose, side)
        if not trusted:
            return self._unseen(pose, side)
        self._trusted += 1
        if pose.people > 1:
            self.cues.offer(t, "second_person", SECOND_PERSON_TEXT, priority=4)
        assert side is not None
        for name, filt in self._filters.items():
            raw = MEASURES[name](pose, side)
            if math.isfinite(raw):
                self.measures[name] = filt(t, raw)
        key = self.measures.get(self.ex.phases.measure, math.nan)
        rate = self._rate(t, key)
        message = self._check_posture(t, key)
        if self.armed:
            for change in self.machine.update(t, key, rate):
                self._on_phase(change.t, change.phase, change.completed_cycle, t)
            self._check_faults(t)
        self.timer.update(t, counting=self.machine.phase == HOLD and not self._hold_paused())
        return self._result(pose, side, message)

    def _unseen(self, pose: PoseFrame, side: Optional[str]) -> FrameResult:
        """Tracking can't be trusted: freeze the phases, pause the hold, forget smoothing history."""
        self.timer.update(pose.t, counting=False)
        for f in self._filters.values():
            f.reset()
        self._rate.reset()
        state = "no_person" if not pose.has_pose else "unseen"
        return self._result(pose, side, unseen_message(self.trust.reason), state=state)

    def _check_posture(self, t: float, key: float) -> str:
        """Arms the counter once the starting posture has been held ``arm_s``; disarms after it has been
        lost for ``disarm_s`` at rest. Returns what to tell the person ("" when all is well)."""
        failing = next((c for c in self.ex.posture if not _in_range(self.measures.get(c.measure, math.nan), c.min, c.max)), None)
        if failing is None:
            self._posture_bad_since = None
            self._posture_ok_since = t if self._posture_ok_since is None else self._posture_ok_since
            if not self.armed and t - self._posture_ok_since >= self.ex.phases.arm_s:
                self.armed = True
                self.machine.reset(t, key)
                self._open_segment(self._posture_ok_since, self.ex.phases.rest)
            return ""
        self._posture_ok_since = None
        if not self.armed:
            self._open_segment(t, "setup")
            return failing.say
        self._posture_bad_since = t if self._posture_bad_since is None else self._posture_bad_since
        if t - self._posture_bad_since >= self.ex.phases.disarm_s:
            # Out of position (sat up, stood up): stop counting; a rep under way is dropped.
            self.armed, self._rep = False, None
            self.timer.stop(t, t)
            self._open_segment(self._posture_bad_since, "setup")
            return failing.say
        return ""

    # -- phases, reps and holds --------------------------------------------------------------------
    def _phase_name(self, generic: str) -> str:
        p = self.ex.phases
        return {REST: p.rest, OUT: p.out, HOLD: p.hold, BACK: p.back}[generic]

    def _open_segment(self, t: float, name: str) -> None:
        if not self._segments and t > 0:
            self._segments.append((0.0, "setup"))  # phases tile the clip from its start
        if self._segments and self._segments[-1][1] == name:
            return
        if self._segments and t < self._segments[-1][0]:
            t = self._segments[-1][0]
        self._segments.append((t, name))

    def _on_phase(self, t: float, phase: str, completed: bool, now: float) -> None:
        self._open_segment(t, self._phase_name(phase))
        side = None  # the bridge works both legs together; per-side exercises set it
        if phase == OUT and self._rep is None:
            self._rep = RepRecord(index=len(self.reps) + 1, start_s=t, side=side, faults=sorted(self._rest_faults))
            self._top_values = {}
        elif phase == HOLD:
            self.timer.start(t, now)
            self._hold_start = t
            self._hold_values = {}
        elif phase == BACK and self._rep is not None:
            if self.timer.running:
                self._end_hold(t, now)
            else:  # turned back at the top without a pause: judge the position at the peak
                self._judge_top({m: [v] for m, v in self._top_values.items()})
        elif phase == REST:
            if self._rep is not None and completed and self._posture_bad_since is None:  # not while out of position
                self._finish_rep(t)
            self._rep = None

    def _judge_top(self, values: dict[str, list[float]]) -> list[str]:
        """Apply the hold-scope fault rules to the position held at the top (median of each measure)."""
        assert self._rep is not None
        faults = []
        for measure, series in values.items():
            if series:
                self._rep.peak[f"{measure}_{_unit(measure)}"] = round(statistics.median(series), 1)
        for rule in self.ex.faults:
            series = values.get(rule.measure)
            if rule.scope == "hold" and series and rule.violated(statistics.median(series)):
                faults.append(rule.code)
                if rule.code not in self._rep.faults:
                    self._rep.faults.append(rule.code)
                    self.cues.offer(self._last_t, rule.code, rule.cue, rule.priority)
        return faults

    def _end_hold(self, t: float, now: float) -> None:
        assert self._rep is not None
        held = self.timer.stop(t, now)
        faults = self._judge_top(self._hold_values)
        rep = self._rep
        rep.hold_s += held
        rep.top_s += max(0.0, t - self._hold_start)
        self.holds.append(HoldRecord(start_s=self._hold_start, end_s=t, duration_s=held,
                                     target_s=self.ex.hold_target_s, side=rep.side, rep=rep.index, faults=faults))

    def _finish_rep(self, t: float) -> None:
        rep = self._rep
        assert rep is not None
        rep.end_s = t
        stats = {"hold_s": rep.hold_s, "top_s": rep.top_s, "duration_s": rep.end_s - rep.start_s}
        for rule in self.ex.faults:
            if rule.scope == "rep" and rule.violated(stats[rule.measure]) and rule.code not in rep.faults:
                rep.faults.append(rule.code)
                self.cues.offer(t, rule.code, rule.cue, rule.priority)
        self.reps.append(rep)

    # -- faults ----------------------------------------------------------------------------------
    def _check_faults(self, t: float) -> None:
        phase = self.machine.phase
        if phase == OUT and self.machine.peak == self.machine.sign * self.measures[self.ex.phases.measure]:
            self._top_values = {m: self.measures[m] for m in self._top_measures if m in self.measures}
        for rule in self.ex.faults:
            if rule.scope == "rep":
                continue
            value = self.measures.get(rule.measure, math.nan)
            in_scope = (rule.scope == "hold" and phase == HOLD) or (rule.scope == "rest" and phase == REST)
            if rule.scope == "hold" and phase == HOLD and math.isfinite(value):
                self._hold_values.setdefault(rule.measure, []).append(value)
            if in_scope and math.isfinite(value) and rule.violated(value):
                since = self._violated_since.setdefault(rule.code, t)
                if t - since >= rule.for_s:
                    self._raise(rule, t)
            else:
                self._violated_since.pop(rule.code, None)
                if rule.scope == "rest" and phase == REST:
                    self._rest_faults.discard(rule.code)

    def _raise(self, rule: FaultRule, t: float) -> None:
        self.cues.offer(t, rule.code, rule.cue, rule.priority)
        if rule.scope == "rest" and rule.code not in self._rest_faults:
            self._rest_faults.add(rule.code)
            self._setup_faults.append({"t_s": round(t, 3), "code": rule.code})

    def _active_faults(self) -> tuple[str, ...]:
        return tuple(code for code, since in self._violated_since.items()
                     if self._last_t - since >= self.ex.fault(code).for_s)

    def _hold_paused(self) -> bool:
        return any(self.ex.fault(code).pauses_hold for code in self._active_faults())

    # -- output ----------------------------------------------------------------------------------
    def _status(self, active: tuple[str, ...]) -> str:
        if active:
            return "fault"
        margin = 3.0  # within this of a limit: borderline (amber)
        phase = self.machine.phase
        for rule in self.ex.faults:
            in_scope = (rule.scope == "hold" and phase == HOLD) or (rule.scope == "rest" and phase == REST)
            value = self.measures.get(rule.measure, math.nan)
            if in_scope and math.isfinite(value) and (
                    rule.below is not None and value < rule.below + margin or rule.above is not None and value > rule.above - margin):
                return "borderline"
        return "good"

    def _result(self, pose: PoseFrame, side: Optional[str], message: str, state: str = "") -> FrameResult:
        cue = self.cues.update(pose.t)
        active = self._active_faults() if not state else ()
        if not state:
            state = "active" if self.armed else "setup"
        phase = self._phase_name(self.machine.phase) if self.armed else "setup"
        good = sum(1 for r in self.reps if r.good)
        return FrameResult(
            index=pose.index, t=pose.t, state=state, phase=phase, side=side, message=message,
            measures=dict(self.measures), key_measure=self.ex.phases.measure,
            status="unknown" if state in ("no_person", "unseen") else self._status(active),
            reps=len(self.reps), good_reps=good, hold_s=self.timer.elapsed, hold_target_s=self.ex.hold_target_s,
            holding=self.timer.running, cue=cue, active_faults=active, people=pose.people)

    def finish(self) -> SessionRecord:
        """Close the session: an unfinished rep is not counted (the cycle never completed)."""
        end = self._last_t + self._frame_dt
        if not self._segments:
            self._open_segment(0.0, "setup")
        segments = [PhaseSegment(round(s, 3), round(self._segments[i + 1][0] if i + 1 < len(self._segments) else end, 3), name)
                    for i, (s, name) in enumerate(self._segments)]
        warnings = []
        if self._people_max > 1:
            warnings.append("second_person")
        if self._frames and self._with_pose / self._frames < 0.5:
            warnings.append("low_tracking")
        if self._with_pose and self._trusted / self._with_pose < 0.5:
            warnings.append("key_joints_unseen")
        if self._trusted and not self.armed and not self.reps:
            warnings.append("never_in_position")
        return SessionRecord(reps=list(self.reps), holds=list(self.holds), phases=segments, cues=list(self.cues.given),
                             frames=self._frames, frames_with_pose=self._with_pose, frames_trusted=self._trusted,
                             warnings=warnings, setup_faults=list(self._setup_faults))


def _in_range(value: float, lo: Optional[float], hi: Optional[float]) -> bool:
    return math.isfinite(value) and (lo is None or value >= lo) and (hi is None or value <= hi)


def _unit(measure: str) -> str:
    from coach.measures import UNITS

    return UNITS.get(measure, "")
