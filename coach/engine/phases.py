"""The phase machine of an out-and-back movement (bridge: rest -> rising -> top -> lowering -> rest).

Fed one smoothed value and its rate of change per frame. Hysteresis: leaving rest needs
``start_above_rest``, coming back needs ``rest_within``; the hold is recognised after ``hold_min_s``
of stillness and ends ``leave_hold`` below the hold level. A hold is *timed as time in the top
position*, as the handouts and a physiotherapist mean "hold 2 seconds": from the first moment the
value came within the hold's band of the top (``_band``: ``leave_hold``, or for a position hold
``leave_hold_fraction`` of the depth) to the last moment it was still within it, not from when it
stopped moving (which came 0.3-0.9 s after the hips were up on real bridges); the top phase itself
still runs from the stop (``PhaseChange.hold_t`` carries the hold's times). Rep starts are
back-dated to the foot of the rise, so thresholds do not shorten anything. A hold may be a position
rather than a pose (``leave_hold_fraction``, ``leave_confirm_s``): a knee hugged to the chest may
circle and the tracking may lose it for a moment without ending the hold. Values are in the definition's units; the definition's ``direction`` mirrors a measure that falls as
the person moves out (a knee pulled to the chest closes the hip angle): ``direction = "down"``.
A movement that may go out either way from rest (a trunk turned to the left or the right, read on a
signed measure: ``either_way``) is followed as its distance from the person's resting value
(``origin``), which follows the rest as the rest level does.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Optional, Sequence

from coach.engine.definition import Phases

REST, OUT, HOLD, BACK = "rest", "out", "hold", "back"
_RECENT_S = 1.5  # how far back a rise's start is looked for


# What a phase change means for reps and holds; every phase machine speaks this vocabulary, so the
# checker assembles reps the same way whatever the movement.
REP_START, HOLD_START, HOLD_END, TURNED, REP_END, REP_ABORT = (
    "rep_start", "hold_start", "hold_end", "turned", "rep_end", "rep_abort")


@dataclass(frozen=True)
class PhaseChange:
    t: float  # when the new phase began (back-dated)
    phase: str  # the machine's phase key (rest | out | hold | back here); the definition names them
    event: str = ""  # one of the events above, or "" for a change that starts or ends nothing
    # HOLD_START / HOLD_END: when the time in the position began / ended, where that differs from
    # the phase's boundary (a pose's phase begins once the body stops; its hold once it got there).
    hold_t: Optional[float] = None

    @property
    def hold_time(self) -> float:
        return self.t if self.hold_t is None else self.hold_t


class PhaseMachine:
    def __init__(self, p: Phases) -> None:
        self.p = p
        self.sign = float(p.direction)
        self.phase = REST
        self.rest_level: Optional[float] = None
        self.hold_level = 0.0
        self.peak = 0.0  # furthest out (in the movement's direction) since leaving rest
        self.reached_top = False
        self._at_rest_t = 0.0  # last time the value was within the rest band
        self._still_since: Optional[float] = None
        self._last_still_t = 0.0
        self._back_low = 0.0  # lowest value since the hold ended (to see a second push)
        self._out_t = 0.0  # when the current movement left rest
        self._left: Optional[tuple[float, float]] = None  # out of the hold, not yet for long: (since, last still)
        self._peak_t = 0.0  # when the peak was reached
        self._pull: list[tuple[float, float]] = []  # (t, value) since leaving rest, while pulling
        self._recent: deque[tuple[float, float]] = deque()  # (t, value) over the last _RECENT_S
        self._last_v = 0.0  # the last value fed, in the movement's direction
        self._last_raw = 0.0  # the last value fed, as fed
        self.ended_mid_rep = False  # set by finish(): a movement under way did not count
        self._in_band_t = 0.0  # while holding: the last time the value was within the hold's band of the top
        self.origin: Optional[float] = None  # either_way: the resting value on the measure's own scale

    def folded(self, value: float) -> float:
        """``value`` as the machine follows it, in the movement's direction: with ``either_way`` its
        distance from the resting value (``origin``), else the value itself times ``sign``."""
        if not self.p.either_way:
            return self.sign * value
        return 0.0 if self.origin is None else abs(value - self.origin)

    def _rebase(self) -> None:
        """either_way: move the origin by what the rest level moved (toward the side the value is on),
        so that rest stays at 0 on the folded scale."""
        if self.p.either_way and self.origin is not None and self.rest_level:
            side = 1.0 if self._last_raw >= self.origin else -1.0
            self.origin += side * self.rest_level
            self.rest_level = 0.0

    def reset(self, t: float, value: float) -> None:
        """Start over at rest at ``value`` (after arming); with an ``absolute_rest``, at that rest when
        ``value`` is already more than ``own_rest_within`` out from it (the person is in the position)."""
        if self.p.either_way:
            self.origin = value
        rest = self.folded(value)
        if self.p.absolute_rest is not None and rest - self.sign * self.p.absolute_rest > self.p.own_rest_within:
            rest = self.sign * self.p.absolute_rest
        self.phase, self.rest_level, self.reached_top = REST, rest, False
        self._at_rest_t, self._still_since, self._last_still_t, self._left = t, None, t, None

    def _home(self, t: float, v: float, still: bool) -> bool:
        """Back at rest: inside the rest band, or still and most of the way back (people rarely land
        exactly where they started), or settled for ``settle_s`` below the top (a new resting place)."""
        assert self.rest_level is not None
        rest = self.rest_level
        settled = self._still_since is not None and t - self._still_since >= self.p.settle_s
        return (v <= rest + self.p.rest_within or (still and v <= rest + self.p.return_fraction * (self.peak - rest))
                or settled and v < self.peak - self.p.leave_hold)

    def _begin_pull(self, t: float, v: float) -> None:
        """Out from ``v``: the peak so far, and (for a position hold) the pull's track, start here."""
        self.phase, self.reached_top, self.peak, self._peak_t, self._pull = OUT, False, v, t, [(t, v)]

    def _foot(self, t: float) -> float:
        """Where the rise now leaving rest began: walking back over the recent values while they keep
        falling (a noise-sized bump allowed), the foot of the rise. The stillness and at-rest tests
        alone start a slow smoothstep-like rise 0.3 s late (it moves slower than still_per_s at first)."""
        recent = self._recent
        tol = 0.1 * self.p.rest_within
        i = len(recent) - 1
        floor = self.rest_level + 0.3 * self.p.rest_within  # the at-rest band (as _at_rest_t)
        while i > 0 and recent[i - 1][1] <= recent[i][1] + tol and recent[i][1] > floor:
            i -= 1
        return recent[i][0] if recent else t

    def _band(self, level: float) -> float:
        """How far back from ``level`` the value may go and still be holding."""
        assert self.rest_level is not None
        return max(self.p.leave_hold, self.p.leave_hold_fraction * (level - self.rest_level))

    def _time_band(self, level: float) -> float:
        """How far back from ``level`` the value may be and still be timed as in the position
        (``time_within``; without it, the hold's band)."""
        return self._band(level) if self.p.time_within is None else self.p.time_within

    def _gone(self, t: float, v: float, level: float) -> Optional[tuple[float, float]]:
        """(when it left, the last still moment before) once the value has been out of ``level``'s band
        ``leave_confirm_s``; None while it is in, or only briefly out."""
        if v >= level - self._band(level):
            self._left = None
            return None
        if self._left is None:
            self._left = (t, self._last_still_t if self._last_still_t < t else t)
        if t - self._left[0] >= self.p.leave_confirm_s:
            left, self._left = self._left, None
            return left
        return None

    def _arrived(self) -> float:
        """When the pull got into the position: within the hold's band (``_band``) of its deepest
        point (a bridge: ``leave_hold`` of the top; a knee hug: more than half way in)."""
        band = self._time_band(self.peak)
        return next(t for t, v in self._pull if v >= self.peak - band)

    def update(self, t: float, value: float, rate: float, parts: Sequence[float] = ()) -> list[PhaseChange]:
        """One smoothed value and its rate (``parts`` of a summed measure are not needed here)."""
        if self.rest_level is None:
            self.reset(t, value)
        if self.p.either_way and self.origin is not None and value < self.origin:
            rate = -rate  # the distance from rest grows as the value falls
        self._last_raw = value
        v, rest = self.folded(value), self.rest_level
        assert rest is not None
        self._last_v = v
        still_rate = self.p.still_per_s
        if self.phase != REST:  # a shallow rep moves slowly throughout: judge stillness against its own range
            still_rate = min(still_rate, 0.6 * max(self.peak - rest, self.p.hold_above_rest))
        still = abs(rate) < still_rate
        if still:
            self._still_since = t if self._still_since is None else self._still_since
            self._last_still_t = t
        else:
            self._still_since = None
        if v <= rest + 0.3 * self.p.rest_within:  # tight band: the movement's true start, not the threshold's
            self._at_rest_t = t
        changes: list[PhaseChange] = []

        self._recent.append((t, v))
        while self._recent and self._recent[0][0] < t - _RECENT_S:
            self._recent.popleft()
        if self.phase == REST:
            if still and v < rest + self.p.rest_within:
                self.rest_level = rest + 0.05 * (v - rest)  # follow a slow drift of the resting position
            if v < rest:
                self.rest_level = v
            if v > rest + self.p.start_above_rest:
                self._begin_pull(t, v)
                # Began when last still (at rest), or when it last left the band if it never settled.
                self._out_t = min(max(self._at_rest_t, min(self._last_still_t, t)), self._foot(t))
                changes.append(PhaseChange(self._out_t, OUT, REP_START))
        elif self.phase == OUT:
            if v > self.peak:
                self.peak, self._peak_t = v, t
            self._pull.append((t, v))  # the hold's start is looked up in it (_arrived)
            high_enough = self.peak > rest + self.p.hold_above_rest
            held = self._still_since is not None and t - self._still_since >= self.p.hold_min_s
            # A position hold may never be still (a knee circling): in once it stops getting deeper
            # (while it is still, the still hold below decides, timed from the stop).
            settled_in = (self.p.leave_hold_fraction > 0 and high_enough and self._still_since is None
                          and t - self._peak_t >= self.p.hold_min_s and v >= self.peak - self._band(self.peak))
            left = self._gone(t, v, self.peak) if high_enough else None
            if left is None and high_enough and self._left is not None and self._home(t, v, still):
                left, self._left = self._left, None  # already home: it certainly turned back
            if (held or settled_in) and v > rest + self.p.hold_above_rest:
                # The phase begins once the body stops; the hold is timed from reaching the position.
                start = max(self._still_since, self._out_t) if held else self._arrived()
                self.phase, self.hold_level, self.reached_top = HOLD, (v if held else self.peak), True
                self._left, self._in_band_t = None, t
                changes.append(PhaseChange(start, HOLD, HOLD_START, hold_t=min(start, self._arrived())))
            elif left is not None and self.p.hold_required:
                # Turned back without holding, where a rep is a hold: no rep (ends as REP_ABORT).
                self.phase, self._back_low = BACK, v
                changes.append(PhaseChange(left[0], BACK))
            elif left is not None:
                # Turned back at the top without pausing: a rep with no hold.
                self.phase, self.reached_top, self._back_low = BACK, True, v
                changes.append(PhaseChange(left[0], BACK, TURNED))
            elif self._home(t, v, still) and v <= rest + self.p.hold_above_rest:
                self.phase = REST  # went out and came back without reaching the top: no rep
                changes.append(PhaseChange(t, REST, REP_ABORT))
        elif self.phase == HOLD:
            self.peak = max(self.peak, v)
            self.hold_level = max(self.hold_level, v) if still else self.hold_level
            if v >= self.peak - self._time_band(self.peak):
                self._in_band_t = t
            left = self._gone(t, v, self.hold_level)
            if left is not None:
                self.phase, self._back_low = BACK, v
                # The phase ends when the body starts to move back; the hold when it left the position.
                changes.append(PhaseChange(left[1], BACK, HOLD_END, hold_t=max(left[1], self._in_band_t)))
        elif self.phase == BACK:
            self._back_low = min(self._back_low, v)
            if self._home(t, v, still):
                self.phase = REST
                self.rest_level = min(rest, v) if v <= rest + self.p.rest_within else v  # landed higher: a new resting place
                changes.append(PhaseChange(t, REST, REP_END if self.reached_top else REP_ABORT))
            elif (self.p.hold_required and not self.reached_top and v > rest + self.p.hold_above_rest
                  and self._still_since is not None and t - self._still_since >= self.p.hold_min_s):
                # Came back from the peak but stopped well out: the peak overshot (MediaPipe's shoulder
                # line swings past a turn made quickly, then settles) and this is the hold. Timed from
                # the stop; the level it stopped at is the top.
                start = self._still_since
                self.phase, self.hold_level, self.peak, self.reached_top = HOLD, v, v, True
                self._left, self._in_band_t = None, t
                changes.append(PhaseChange(start, HOLD, HOLD_START, hold_t=start))
            elif v > self._back_low + self.p.start_above_rest:
                reached = self.reached_top  # pushed up again before reaching rest: same rep goes on
                self._begin_pull(t, v)
                self.reached_top = reached
                changes.append(PhaseChange(t, OUT))
        if self.phase == REST:
            self._rebase()
        return changes

    def restart(self, t: float, value: float) -> list[PhaseChange]:
        """End the rep under way at ``t`` and start the next one from ``value`` at once (the other leg
        took over in an alternating exercise, without a rest between)."""
        changes = []
        if self.phase == HOLD:
            end = self._left[1] if self._left is not None else min(self._last_still_t, t)
            changes.append(PhaseChange(end, BACK, HOLD_END, hold_t=max(end, min(self._in_band_t, t))))
        if self.phase != REST:
            changes.append(PhaseChange(t, REST, REP_END if self.reached_top else REP_ABORT))
        self._begin_pull(t, self.folded(value))
        self._out_t, self._left = t, None
        changes.append(PhaseChange(t, OUT, REP_START))
        return changes

    @property
    def in_position(self) -> bool:
        """Holding, and within the hold's band now: not on the way out while ``leave_confirm_s`` makes
        sure the hold has ended (a released knee is not judged as if still hugged)."""
        return self.phase == HOLD and self._left is None

    def level(self, value: float) -> float:
        """How far ``value`` is out from rest, in the measure's units (0 at rest)."""
        return self.folded(value) - (self.rest_level if self.rest_level is not None else self.folded(value))

    # What the checker asks of any phase machine (see coach/engine/two_way.py for the other kind).
    hold_keys = (HOLD,)  # the phase keys that are holds: one here, so holds need no pose name
    uses_rate = True  # update() judges stillness on the rate the checker passes in

    @property
    def key(self) -> str:
        """The phase key to name (this machine's keys are its generic phases)."""
        return self.phase

    def rep_stats(self) -> dict[str, float]:
        """Extra figures of the rep that completed last: none for an out-and-back movement."""
        return {}

    def finish(self, t: float) -> list[PhaseChange]:
        """The session ends as a person would judge it: a hold under way is a hold (timed to now);
        a rep that reached the top and came at least ``return_fraction`` of the way back counts.
        ``ended_mid_rep`` says whether a movement was still under way that did not count."""
        changes: list[PhaseChange] = []
        self.ended_mid_rep = False
        if self.phase == REST or self.rest_level is None:
            return changes
        if self.phase == HOLD:
            changes.append(PhaseChange(t, BACK, HOLD_END, hold_t=self._in_band_t))
            self.phase = BACK
        v, rest = self._last_v, self.rest_level
        if self.reached_top and v <= rest + self.p.return_fraction * (self.peak - rest):
            changes.append(PhaseChange(t, REST, REP_END))
            self.phase = REST
        else:
            self.ended_mid_rep = True
        return changes
