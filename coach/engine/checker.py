"""The generic exercise checker: one PoseFrame in, one FrameResult out; the session record at the end.

Per frame: choose the camera-facing side -> gate on trustworthy joints -> read the definition's
measures (levelled, edge-gated, smoothed per channel: coach/engine/channels.py) -> check the
starting posture (counting starts only once it is held) -> run the phase machine -> reps, holds,
faults -> offer cues to the scheduler. At the end, the report's phases are refined with hindsight
(coach/engine/hindsight.py).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Callable, Optional

from coach.engine.channels import Channel, ChannelReader
from coach.engine.cues import CueScheduler
from coach.engine.definition import SIDES, Exercise, FaultRule, PostureCondition
from coach.engine.hindsight import ARRIVE, LEAVE, Track, refine
from coach.engine.hold import HoldTimer
from coach.engine.judgeable import UNSEEN, VIEW, FormGate, unjudged_cue_code, unjudged_message
from coach.engine.legs import HiddenLegGuard, LegSwapGuard
from coach.engine.phases import (BACK, HOLD, HOLD_END, HOLD_START, OUT, REP_ABORT, REP_END, REP_START, REST, TURNED,
                                 PhaseChange, PhaseMachine)
from coach.engine.records import FrameResult, HoldRecord, PhaseSegment, RepRecord, SessionRecord
from coach.engine.rep_rules import rejudge_session, violated
from coach.engine.set_progress import SWITCH_CODE, SWITCH_PRIORITY, SetProgress, reps_by_side
from coach.engine.sides import other_side, rest_side, rule_channels, rule_value, worked_side
from coach.engine.two_way import make_machine
from coach.engine.verdict import Verdict, judge_hold, round_figure
from coach.engine.view import SideSelector, TrustGate
from coach.measures import UNITS
from coach.pose.frame import PoseFrame
from coach.signal import Velocity

RuleValues = dict[str, tuple[float, ...]]  # each fault rule's values by code, one per way it shows

UNSEEN_TEXT = {
    "nobody in view": "I can't see you - step into the camera's view",
    "jump": "Hold on - tracking lost your position",
}
HOLD_JUDGE_EVERY_S = 0.2  # a running hold's verdict is renewed this often (a median over the hold so far)
PREROLL_S = 20.0  # the longest stretch before the starting position that is replayed (_replay_preroll)
SWITCH_S = 0.3  # the other leg pulled in this long: alternating sides moved on (as long as a fault must last)
SECOND_PERSON_TEXT = "More than one person in view - coaching the first one found; ask others to step out"
# How near a fault's limit a value is "borderline" (the skeleton turns amber), in the measure's unit:
# 3 degrees, or 0.03 of a torso length (or of a ratio). A share of a body length moves a few
# hundredths where an angle moves degrees: a margin of 3 there would be amber on every held frame.
BORDERLINE_MARGIN = {"deg": 3.0}
BORDERLINE_MARGIN_OTHER = 0.03


def unseen_message(reason: str) -> str:
    """The message shown instead of a verdict when the key joints can't be trusted."""
    if reason in UNSEEN_TEXT:
        return UNSEEN_TEXT[reason]
    joint = reason.split("_")[0]
    if reason.endswith("out_of_frame"):
        return f"Your {joint} is out of the picture - move so your whole body is in view"
    return f"Can't see your {joint}s - turn side-on to the camera"


@dataclass(frozen=True)
class Moment:
    """One frame as the checker read it, kept to be replayed (``ExerciseChecker._replay_preroll``)."""

    t: float
    key: float  # the key measure, smoothed
    raw: float  # ... and raw
    rate: float
    parts: tuple[float, ...]
    values: dict[Channel, float]
    seen: dict[Channel, float]  # less the channels whose joints were out of the picture


class ExerciseChecker:
    def __init__(self, exercise: Exercise, cues: Optional[CueScheduler] = None, count_under_way: bool = True) -> None:
        """``count_under_way``: a movement already under way when the starting position is first
        reached is counted once it ends (a recording that starts mid-rep: ``_replay_preroll``)."""
        self.ex = exercise
        self.count_under_way = count_under_way
        self.cues = cues or CueScheduler()
        self.sides = SideSelector()
        self.trust = TrustGate(exercise.key_joints)
        # One leg worked at a time: a leg MediaPipe hides behind the other is carried (coach/engine/legs.py).
        self.legs: Optional[HiddenLegGuard] = HiddenLegGuard() if exercise.sides is not None else None
        # A held one-sided position: legs that exchange places at once were relabelled by the model.
        self.swaps: Optional[LegSwapGuard] = (LegSwapGuard() if exercise.sides is not None
                                              and not exercise.sides.alternating else None)
        self.pose: Optional[PoseFrame] = None  # the last frame as judged: a hidden leg carried
        self.machine = make_machine(exercise.phases)  # out-and-back (PhaseMachine) or two-way (cat-cow)
        self.timer = HoldTimer(exercise.hold_target_s)
        self.progress = SetProgress(exercise)  # per-side sets: when to say "switch sides"
        self._key: Channel = (exercise.phases.measure, "tracked")
        channels = {self._key} | {(c.measure, "tracked") for c in exercise.posture}
        for rule in exercise.faults:
            channels.update(rule_channels(rule))
        if exercise.sides is not None:
            channels.update((exercise.sides.measure, s) for s in SIDES)
        window = exercise.signal.get("rate_window_s", 0.25)
        # Only a machine that reads the rate gets one (a two-way machine judges stillness itself).
        self._rate: Optional[Velocity] = Velocity(window) if self.machine.uses_rate else None
        self.channels = ChannelReader(exercise, channels, self._key)
        self.values = self.channels.values  # smoothed, this frame (the reader updates it in place)
        self._said_unjudged: set[str] = set()
        self.gate = FormGate()  # whether a fault can be judged now: the person's size, the camera's angle
        self._rest: dict[Channel, float] = {}  # the person's resting value of each channel
        self.armed = False
        self._posture_ok_since: Optional[float] = None
        self._posture_bad_since: Optional[float] = None
        # Frames lying (or kneeling) as the exercise needs, but not yet in its starting position (a
        # bridge's hips still up): replayed once it is, so a movement under way counts (_replay_preroll).
        self._preroll: list[Moment] = []
        self._violated_since: dict[str, float] = {}
        self._rest_faults: set[str] = set()
        self._setup_faults: list[dict] = []
        # The rep under way: its hold's series per channel, its values at the furthest point, its side.
        self._rep: Optional[RepRecord] = None
        self._hold_series: dict[Channel, list[tuple[float, float]]] = {}  # (t, value) while holding
        self._top_values: dict[Channel, float] = {}
        self._hold_start = 0.0
        self._hold_key = HOLD
        self._worked: Optional[str] = None
        self._lead: Optional[str] = None  # the one leg this rep pulls in (alternating sides: see _follow_lead)
        self._lead_t = 0.0  # the last time it was still the more pulled-in one
        self._switch_since: Optional[float] = None  # since when the other leg has been
        self._best: Optional[tuple[float, Verdict]] = None  # the rep's longest hold so far, and its verdict
        self._hold_faults: tuple[str, ...] = ()  # the current (else the last) hold's faults, as the report judges them
        self._hold_judged_t = -math.inf
        self.reps: list[RepRecord] = []
        self.holds: list[HoldRecord] = []
        self._segments: list[tuple[float, str]] = []
        # The raw key measure while counting, for refining an out-and-back report's phases at the end.
        self._series: Optional[Track] = Track() if isinstance(self.machine, PhaseMachine) else None
        self._frames = self._with_pose = self._trusted = 0
        self._people_max = 0
        self._last_t = 0.0
        self._frame_dt = 1.0 / 30.0

    @property
    def measures(self) -> dict[str, float]:
        """The tracked side's smoothed measures, by name (what the overlay shows)."""
        return {m: v for (m, which), v in self.values.items() if which == "tracked"}

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
        if self.swaps is not None:
            pose = self.swaps.update(pose)
        if self.legs is not None:
            pose = self.legs.update(pose)
        self.pose = pose  # the frame as judged (what the overlay should draw)
        side = self.sides.update(pose)
        if not self.trust.check(pose, side):
            return self._unseen(pose, side)
        assert side is not None
        self._trusted += 1
        self.gate.update(pose, self._frame_dt)
        if pose.people > 1:
            self.cues.offer(t, "second_person", SECOND_PERSON_TEXT, priority=4)
        measured = self.channels.read(pose, side, t, follow_roll=not self.armed)
        if self.armed and self._series is not None and math.isfinite(self.channels.raw_key):
            self._series.append((t, self.machine.folded(self.channels.raw_key)))  # for the report's phases
        key = self.values.get(self._key, math.nan)
        rate = self._rate(t, key) if self._rate is not None else 0.0
        message = self._check_posture(t, key, pose, lambda: Moment(
            t, key, self.channels.raw_key, rate, tuple(self.channels.parts(measured, side)), dict(self.values),
            dict(self.channels.seen())))
        live: Optional[RuleValues] = None  # this frame's fault rule values, once computed
        if self.armed:
            parts = self.channels.parts(measured, side)  # unmeasured: judged on the sum alone
            for change in self.machine.update(t, key, rate, parts):
                self._on_phase(change, now=t)
            self._follow_rep(t)
            self._follow_hold_verdict(t)
            self._follow_lead(t, key)
            live = self._check_faults(t)
        self.timer.update(t, counting=self.machine.phase == HOLD and not self._hold_paused())
        return self._result(pose, side, message, live=live)

    def _unseen(self, pose: PoseFrame, side: Optional[str]) -> FrameResult:
        """Tracking can't be trusted: freeze the phases, pause the hold, forget smoothing history."""
        self.timer.update(pose.t, counting=False)
        self.channels.reset()
        if self._rate is not None:
            self._rate.reset()
        state = "no_person" if not pose.has_pose else "unseen"
        return self._result(pose, side, unseen_message(self.trust.reason), state=state)

    def _at_start(self) -> bool:
        """In the starting position: every ``to_start`` posture condition met (one unmeasured or outside
        the picture does not object). The resting values follow the person only there: at rest for the
        phase machine but out of the starting position (an ankle already crossed onto the other knee
        before the pull), the worked side is still read against the resting position."""
        return self._failing_posture([c for c in self.ex.posture if c.to_start], unmeasured_fails=False) is None

    def _failing_posture(self, conditions: list[PostureCondition],
                         unmeasured_fails: bool = True) -> Optional[PostureCondition]:
        """The first of ``conditions`` not met now; one whose joints are outside the picture is not
        judged, and one that could not be measured fails only if ``unmeasured_fails``."""
        for c in conditions:
            if c.measure in self.channels.posture_off_edge:
                continue
            v = self.values.get((c.measure, "tracked"), math.nan)
            if (unmeasured_fails or math.isfinite(v)) and not _in_range(v, c.min, c.max):
                return c
        return None

    def _check_posture(self, t: float, key: float, pose: PoseFrame, moment: Callable[[], "Moment"]) -> str:
        """Arms the counter once the starting posture has been held ``arm_s``; disarms after it has been
        lost for ``disarm_s``. Returns what to tell the person ("" when all is well). A condition whose
        joints are outside the picture is not judged (a hand at the edge only shows the posture); one
        marked ``to_start`` (hips down) is judged only until counting starts, so the rest level is
        learned in the real starting position and never at the top of a movement."""
        failing = self._failing_posture([c for c in self.ex.posture if not (self.armed and c.to_start)])
        if failing is None:
            self._posture_bad_since = None
            self._posture_ok_since = t if self._posture_ok_since is None else self._posture_ok_since
            if not self.armed and t - self._posture_ok_since >= self.ex.phases.arm_s:
                self.armed = True  # the camera's roll is kept from now on (ChannelReader.read)
                self._rest = dict(self.values)
                self._replay_preroll(t, key)
                self._open_segment(self._posture_ok_since, self.ex.phases.rest)
            return ""
        self._posture_ok_since = None
        if not self.armed:
            self._open_segment(t, "setup")
            if self.count_under_way and failing.to_start and t - (self._preroll[0].t if self._preroll else t) < PREROLL_S:
                self._preroll.append(moment())  # in the exercise's posture, on the way to its starting position
            else:
                self._preroll = []
            return failing.say
        self._posture_bad_since = t if self._posture_bad_since is None else self._posture_bad_since
        if t - self._posture_bad_since >= self.ex.phases.disarm_s:
            # Out of position (sat up, stood up): stop counting; a rep under way is dropped, and so
            # is one that "ended" as the person left the position (sitting up reads as lowering).
            self.armed, self._rep = False, None
            self._retract_since(self._posture_bad_since)
            self.timer.stop(t, t)
            self._open_segment(self._posture_bad_since, "setup")
            return failing.say
        return ""

    def _replay_preroll(self, t: float, key: float) -> None:
        """Counting starts at rest (``key``). Replay the frames since the person took the exercise's
        posture but was not yet in its starting position, against this rest level: a recording that
        begins with the hips already up, then holds and comes down, holds a rep a person would count
        (real clips start mid-movement). The rest level itself is never learned from them."""
        frames, self._preroll = (self._preroll if self.count_under_way else []), []
        self.machine.reset(frames[0].t if frames else t, key)
        for m in frames:
            if self._series is not None and math.isfinite(m.raw):
                self._series.append((m.t, self.machine.folded(m.raw)))
            for change in self.machine.update(m.t, m.key, m.rate, m.parts):
                self._on_phase(change, now=m.t)
            self._follow_rep(m.t, m.values, m.seen)
            self.timer.update(m.t, counting=self.machine.phase == HOLD)

    # -- phases, reps and holds --------------------------------------------------------------------
    def _phase_name(self, key: str) -> str:
        return self.ex.phases.name(key)  # the machine's phase key -> the definition's name

    def _open_segment(self, t: float, name: str) -> None:
        if not self._segments and t > 0:
            self._segments.append((0.0, "setup"))  # phases tile the clip from its start
        if self._segments and self._segments[-1][1] == name:
            return
        if self._segments and t < self._segments[-1][0]:
            t = self._segments[-1][0]
        if len(self._segments) > 1 and t - self._segments[-1][0] < 1e-3:
            self._segments.pop()  # the phase before lasted no time (e.g. a touch of neutral between cycles)
            if self._segments[-1][1] == name:
                return
        self._segments.append((t, name))

    def _on_phase(self, change: PhaseChange, now: float) -> None:
        t, event = change.t, change.event
        self._open_segment(t, self._phase_name(change.phase))
        if event == REP_START and self._rep is None:
            self._rep = RepRecord(index=len(self.reps) + 1, start_s=t, faults=sorted(self._rest_faults))
            self._top_values, self._worked, self._best, self._lead = {}, None, None, None
            self.timer.reset()  # the new rep (the other leg) is timed from nothing, under its own side
            self._hold_faults = ()
        elif self._rep is None:
            return
        elif event == HOLD_START:  # timed from when the position was reached (hold_time)
            self.timer.start(change.hold_time, now)
            self._hold_start, self._hold_series = change.hold_time, {}
            self._hold_key = change.phase  # which hold (two-way machines have two: cat and cow)
            self._hold_faults, self._hold_judged_t = (), -math.inf
        elif event == HOLD_END:
            self._end_hold(max(change.hold_time, self._hold_start), now)
            # A form cue still waiting to be said is about a position the person has left.
            self.cues.withdraw({r.code for r in self.ex.faults if r.scope == "hold"})
        elif event == TURNED:  # turned back at the top without a pause: judge the position at the peak
            self._keep_if_best(0.0, self._judge_top({ch: [v] for ch, v in self._top_values.items()}))
        elif event == REP_END:  # taken back if the person turns out to have left the position (_check_posture)
            self._finish_rep(t)
        if event in (REP_END, REP_ABORT):
            self._rep = None

    def _unjudgeable(self, rule: FaultRule) -> Optional[str]:
        """Why ``rule`` can't be judged now (coach/engine/judgeable.py), else None."""
        return self.gate.why(rule, self.channels.view_now() if rule.max_view_deg is not None else math.nan)

    def _refine_phases(self) -> None:
        """With the whole set seen, move the report's phase boundaries (and the reps' start and end)
        to where the movement really left or reached rest and the top (coach/engine/hindsight.py)."""
        if not self._series:
            return
        rest, out, hold, back = (self.ex.phases.name(k) for k in (REST, OUT, HOLD, BACK))
        moved = refine(self._segments, self._series, {(rest, out): LEAVE, (out, hold): ARRIVE, (hold, back): LEAVE,
                                                      (back, rest): ARRIVE})
        if not moved:
            return
        times = [moved.get(t, t) for t, _ in self._segments]
        if any(b <= a for a, b in zip(times, times[1:])):  # boundaries must stay in order: keep the live ones
            return
        self._segments = [(t, name) for t, (_, name) in zip(times, self._segments)]
        for rep in self.reps:
            rep.start_s = next((new for old, new in moved.items() if abs(old - rep.start_s) < 1e-6), rep.start_s)
            rep.end_s = next((new for old, new in moved.items() if abs(old - rep.end_s) < 1e-6), rep.end_s)

    def _retract_since(self, t: float) -> None:
        """Take back the reps that ended at or after ``t``, and their holds."""
        gone = {r.index for r in self.reps if r.end_s >= t}
        if gone:
            self.reps = [r for r in self.reps if r.index not in gone]
            self.holds = [h for h in self.holds if h.rep not in gone]

    def _follow_rep(self, t: float, values: Optional[dict[Channel, float]] = None,
                    seen: Optional[dict[Channel, float]] = None) -> None:
        """While a rep is under way: keep its values at the furthest point, its hold series, and
        which side it works. ``values``/``seen``: a replayed frame's (default: this frame's)."""
        if self._rep is None:
            return
        values = self.values if values is None else values
        seen = self.channels.seen() if seen is None else seen
        phase = self.machine.phase
        if phase == OUT and self.machine.peak == self.machine.folded(values[self._key]):
            self._top_values = {ch: v for ch, v in values.items() if ch in seen or ch == self._key}
        if phase == HOLD:
            for ch, v in seen.items():
                self._hold_series.setdefault(ch, []).append((t, v))
        if self.ex.sides is not None and phase in (OUT, HOLD):
            self._worked = self._worked_now(values) or self._worked

    def _follow_lead(self, t: float, key: float) -> None:
        """Alternating sides with no rest between (one knee lowered as the other comes in): once the
        other leg is clearly the one pulled in, the rep ends where the legs crossed and the next begins."""
        if (self.ex.sides is None or not self.ex.sides.alternating or self._rep is None
                or not isinstance(self.machine, PhaseMachine)):
            return
        if self.ex.sides.by == "rest":  # the side was set up at rest: it does not change out of it
            return
        beyond = self.ex.sides.worked_beyond
        moved = self._moved(self.values)
        if not all(math.isfinite(v) for v in moved.values()):
            return
        lead = self._lead
        if lead is None:
            self._lead = next((s for s in SIDES if moved[s] >= beyond and moved[s] > moved[other_side(s)] + beyond), None)
            self._lead_t = t
            return
        other = other_side(lead)
        if moved[lead] >= moved[other]:
            self._lead_t = t
        if not (moved[other] >= beyond and moved[other] > moved[lead] + beyond):
            self._switch_since = None
            return
        # For SWITCH_S: a burst of frames with the legs swapped by the tracker is not a switch.
        self._switch_since = t if self._switch_since is None else self._switch_since
        if t - self._switch_since >= SWITCH_S:
            for change in self.machine.restart(self._lead_t, key):
                self._on_phase(change, now=t)
            self._lead, self._lead_t, self._switch_since = other, t, None

    def _moved(self, values: dict[Channel, float]) -> dict[str, float]:
        """How far each leg's side measure has moved from its rest, in the movement's direction."""
        assert self.ex.sides is not None
        m, sign = self.ex.sides.measure, self.machine.sign
        from_rest = self.ex.sides.from_rest  # else on the measure's own scale, where 0 is neither side

        def rest(s: str) -> float:
            return self._rest.get((m, s), math.nan) if from_rest else 0.0
        return {s: sign * (values.get((m, s), math.nan) - rest(s)) for s in SIDES}

    def _worked_now(self, values: dict[Channel, float]) -> Optional[str]:
        assert self.ex.sides is not None
        if self.ex.sides.by == "rest":  # read on the resting values, learned at rest before this rep
            m = self.ex.sides.measure
            return rest_side({s: self._rest.get((m, s), math.nan) for s in SIDES}, self.ex.sides.worked_beyond)
        moved = self._moved(values)
        return worked_side({s: v for s, v in moved.items() if math.isfinite(v)}, self.ex.sides.worked_beyond)

    def _judge_top(self, series: dict[Channel, list[float]], say_faults: bool = True) -> Verdict:
        """Judge a position held at the top, and say once per fault that the camera's angle keeps it
        from being judged. ``say_faults``: also say its faults now (a top turned at without a pause;
        a hold's faults were said while it lasted, by the live checks, and saying them again as
        the person lets go would be about what they are no longer doing)."""
        verdict = self._verdict(series)
        self._worked = verdict.side
        for code in verdict.unjudged:
            rule = self.ex.fault(code)
            why = self._unjudgeable(rule) or (UNSEEN if code in verdict.unseen else VIEW)
            said = unjudged_cue_code(rule, why)
            if said not in self._said_unjudged:  # said once: it will not change until the camera moves
                self._said_unjudged.add(said)
                self.cues.offer(self._last_t, said, unjudged_message(rule, why), priority=0)
        for code in verdict.faults if say_faults else ():
            rule = self.ex.fault(code)
            self.cues.offer(self._last_t, code, self.ex.cue_text(rule), rule.priority)
        return verdict

    def _verdict(self, series: dict[Channel, list[float]]) -> Verdict:
        """What a position held at the top shows (coach/engine/verdict.py). Says nothing: it also
        judges a hold while it runs (``_follow_hold_verdict``), and must then agree with the final verdict."""
        return judge_hold(self.ex, series, self._key, self._rest, self._worked, self._worked_now, self._unjudgeable)

    def _follow_hold_verdict(self, t: float) -> None:
        """While holding, judge the hold so far as its end will (a few times a second): the hold bar
        shows the same verdict the report will give, not a green bar on a faulted hold."""
        if self.machine.phase != HOLD or self._rep is None or t - self._hold_judged_t < HOLD_JUDGE_EVERY_S:
            return
        self._hold_judged_t = t
        series = {ch: [v for _, v in pts] for ch, pts in self._hold_series.items() if pts}
        self._hold_faults = tuple(self._verdict(series).faults) if series else ()

    def _keep_if_best(self, held_s: float, verdict: Verdict) -> None:
        """A rep is judged on its longest hold: a pause part-way (then a deeper pull) does not count
        against it, though its cue was given at the time."""
        if self._best is None or held_s > self._best[0]:
            self._best = (held_s, verdict)

    def _end_hold(self, t: float, now: float) -> None:
        rep = self._rep
        assert rep is not None
        held = self.timer.stop(t, now)
        # Judged on the hold as timed: not the frames after its (back-dated) end, which may already
        # be the release, or the other leg coming in.
        series = {ch: [v for ts, v in pts if ts <= t] or [pts[0][1]] for ch, pts in self._hold_series.items() if pts}
        verdict = self._judge_top(series, say_faults=False)
        self._hold_faults = tuple(verdict.faults)
        self._keep_if_best(held, verdict)
        rep.hold_s += held
        rep.top_s += max(0.0, t - self._hold_start)
        pose = self._phase_name(self._hold_key) if len(self.machine.hold_keys) > 1 else None  # cat | cow
        if pose is not None:
            rep.pose_hold_s[pose] = rep.pose_hold_s.get(pose, 0.0) + held
        self.holds.append(HoldRecord(start_s=self._hold_start, end_s=t, duration_s=held, target_s=self.ex.hold_target_s,
                                     side=verdict.side, rep=rep.index, faults=list(verdict.faults), pose=pose))

    def _finish_rep(self, t: float) -> None:
        rep = self._rep
        assert rep is not None
        rep.end_s = t
        if self._best is not None:
            verdict = self._best[1]
            rep.side, rep.peak = verdict.side, dict(verdict.peak)
            rep.faults += [f for f in verdict.faults if f not in rep.faults]
            rep.unjudged = list(verdict.unjudged)
        target = self.ex.hold_target_s
        stats = {"hold_s": rep.hold_s, "hold_share": rep.hold_s / target if target > 0 else math.nan,
                 "top_s": rep.top_s, "duration_s": rep.end_s - rep.start_s}
        extra = self.machine.rep_stats()  # two-way machines: the depth reached at each pole (cat_depth, ...)
        rep.peak.update({k: round_figure(v) for k, v in extra.items()})
        stats.update(extra)
        stats.update({f"{pose}_hold_s": held for pose, held in rep.pose_hold_s.items()})
        rep.stats = stats
        # scope "rep" on the rep's own figures; "session" against the best rep so far (see rep_rules)
        rep.unjudged += [c for c in self.gate.rep_rules_unjudged(self.ex.faults) if c not in rep.unjudged]
        for rule in violated(self.ex.faults, stats, [r.stats for r in self.reps]):
            if rule.code in rep.unjudged:
                continue
            if rule.code not in rep.faults:
                rep.faults.append(rule.code)
                self.cues.offer(t, rule.code, self.ex.cue_text(rule), rule.priority)
        self.reps.append(rep)
        switch_to = self.progress.after_rep([r.side for r in self.reps])
        if switch_to is not None:
            self.cues.offer(t, SWITCH_CODE, self.ex.switch_text(switch_to), SWITCH_PRIORITY)

    # -- faults ----------------------------------------------------------------------------------
    def _rule_values(self) -> RuleValues:
        """Each fault rule's values now, one per way it shows (``FaultRule.ways``), by code: NaN
        unless it is judged live in the current phase (scope "hold" while in the held position, not on
        the way out of it; "rest" at rest)."""
        phase = self.machine.phase
        values, seen = {}, self.channels.seen()
        for rule in self.ex.faults:
            in_scope = (rule.scope == "hold" and self.machine.in_position) or (rule.scope == "rest" and phase == REST)
            in_scope = in_scope and not self._unjudgeable(rule)
            values[rule.code] = tuple(rule_value(way, seen, self._worked, self._rest) if in_scope else math.nan
                                      for way in rule.ways)
        return values

    def _check_faults(self, t: float) -> RuleValues:
        """Live checks: a rule violated for ``for_s`` raises its cue; rest-scope faults are remembered
        for the next rep. The resting values follow the person while at rest. Returns the rule values
        judged (``_rule_values``), for the frame's status."""
        phase = self.machine.phase
        if phase == REST and self._at_start():
            for ch, v in self.values.items():
                self._rest[ch] = v if ch not in self._rest else self._rest[ch] + 0.1 * (v - self._rest[ch])
        live = self._rule_values()
        for rule in self.ex.faults:
            if rule.scope == "rep":
                continue
            if any(way.violated(v) for way, v in zip(rule.ways, live[rule.code])):  # NaN never violates
                since = self._violated_since.setdefault(rule.code, t)
                if t - since >= rule.for_s:
                    self._raise(rule, t)
            else:
                self._violated_since.pop(rule.code, None)
                if rule.scope == "rest" and phase == REST:
                    self._rest_faults.discard(rule.code)
        return live

    def _raise(self, rule: FaultRule, t: float) -> None:
        self.cues.offer(t, rule.code, self.ex.cue_text(rule), rule.priority)
        if rule.scope == "rest" and rule.code not in self._rest_faults:
            self._rest_faults.add(rule.code)
            self._setup_faults.append({"t_s": round(t, 3), "code": rule.code})

    def _active_faults(self) -> tuple[str, ...]:
        return tuple(code for code, since in self._violated_since.items()
                     if self._last_t - since >= self.ex.fault(code).for_s)

    def _hold_paused(self) -> bool:
        return any(self.ex.fault(code).pauses_hold for code in self._active_faults())

    # -- output ----------------------------------------------------------------------------------
    def _status(self, active: tuple[str, ...], live: Optional[RuleValues] = None) -> str:
        """``live``: this frame's rule values if ``_check_faults`` computed them (else computed here)."""
        if active:
            return "fault"
        values = live if live is not None else self._rule_values()
        for rule in self.ex.faults:
            for way, value in zip(rule.ways, values[rule.code]):
                margin = BORDERLINE_MARGIN.get(UNITS.get(way.measure, "deg"), BORDERLINE_MARGIN_OTHER)
                if math.isfinite(value) and (way.below is not None and value < way.below + margin
                                             or way.above is not None and value > way.above - margin):
                    return "borderline"
        return "good"

    def _result(self, pose: PoseFrame, side: Optional[str], message: str, state: str = "",
                live: Optional[RuleValues] = None) -> FrameResult:
        cue = self.cues.update(pose.t)
        active = self._active_faults() if not state else ()
        if not state:
            state = "active" if self.armed else "setup"
        phase = self._phase_name(self.machine.key) if self.armed else "setup"
        good = sum(1 for r in self.reps if r.good)
        return FrameResult(
            index=pose.index, t=pose.t, state=state, phase=phase, side=side, message=message,
            measures=self.measures, key_measure=self.ex.phases.measure,
            status="unknown" if state in ("no_person", "unseen") else self._status(active, live),
            reps=len(self.reps), good_reps=good, hold_s=self.timer.elapsed, hold_target_s=self.ex.hold_target_s,
            holding=self.timer.running, cue=cue, active_faults=active, people=pose.people, hold_faults=self._hold_faults,
            # The leg this rep pulls, once one leads: as the legs cross, the hold still shown is its.
            worked_side=(self._lead or self._worked) if self._rep is not None else None,
            key_level=self.machine.level(self.values.get(self._key, math.nan)) if self.armed else math.nan,
            side_reps=tuple(reps_by_side([r.side for r in self.reps]).values()) if self.ex.per_side else None)

    def snapshot(self) -> SessionRecord:
        """The session as ``finish`` would close it now, this checker carrying on unchanged (closing may
        change state: a two-way machine's last cycle, session-scope faults). The copy leaves out the
        whole-session track, whose hindsight refinement is for the final report: a save at minute 60
        of a live session then costs what it cost at minute 1 (bench/soak.py)."""
        memo: dict[int, object] = {id(self.ex): self.ex}
        if self._series is not None:
            memo[id(self._series)] = None
        return copy.deepcopy(self, memo).finish()

    def finish(self) -> SessionRecord:
        """Close the session as a person would judge it (the machine's ``finish``): a rep that reached
        the top and came most of the way back counts, a hold under way is reported, and a movement
        still under way that does not count is said (warning ``ended_mid_rep``). A brief loss of the
        starting posture in the last frames does not take the last rep back."""
        mid_rep = False
        if self.armed:
            for change in self.machine.finish(self._last_t):
                self._on_phase(change, now=self._last_t)
            mid_rep = self.machine.ended_mid_rep
        rejudge_session(self.ex.faults, self.reps)  # scope "session": against the whole session's best rep
        self._refine_phases()
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
        if mid_rep:
            warnings.append("ended_mid_rep")
        if self.gate.mostly_too_small:
            warnings.append("too_small")
        return SessionRecord(reps=list(self.reps), holds=list(self.holds), phases=segments, cues=list(self.cues.given),
                             frames=self._frames, frames_with_pose=self._with_pose, frames_trusted=self._trusted,
                             warnings=warnings, setup_faults=list(self._setup_faults))


def _in_range(value: float, lo: Optional[float], hi: Optional[float]) -> bool:
    return math.isfinite(value) and (lo is None or value >= lo) and (hi is None or value <= hi)
