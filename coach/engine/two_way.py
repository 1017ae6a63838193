"""The phase machine of a movement between two opposite poles through neutral (cat-cow).

    neutral -> moving -> plus (held near the plus pole) -> moving -> minus -> moving -> neutral

The measure rises toward the ``plus`` pole (cat) and falls toward the ``minus`` pole (cow); levels
are relative to the person's own neutral, which the machine takes when counting starts and then
follows while the person rests there. A *cycle* (a rep) starts when the value leaves neutral and
is complete once both poles have been visited and the person is back at neutral, or passes through
neutral on the way to the cycle's first pole again (no pause between cycles). Either pole may come
first. Going back out to the same pole after resting at neutral starts the cycle over.

Hysteresis: leaving neutral needs ``start_beyond``, coming back ``neutral_within`` (and stillness);
a pole counts once the excursion reached ``pole_beyond``. Held still near that extreme for
``hold_min_s`` is a hold at the pole; it ends once the value has come ``leave_pole`` back from the
hold's level. A pole passed without a pause still counts as visited, its hold being the moment
between arriving and leaving (nothing when it never stopped). Still for ``settle_s`` short of both
poles is a new neutral (people rarely come back exactly to where they started), and so is a brief
pause near neutral between two cycles.

How it reads the values (spine_flexion from a person mask and a landmark is noisy and spiky):

- a centred running median over ``_MEDIAN`` samples takes out single-frame spikes, leaving ramps
  and steps where they are;
- the rate is the slope over +-``_HALF_WINDOW_S`` around a sample, so everything is judged a
  few frames behind the newest value (0.13 s at 30 fps) and back-dated;
- a measure that is a sum of parts (spine_flexion: the back's curve plus the head's drop) can pass
  them (``parts``): how fast it moves is then the sum of how fast each part moves, in the
  direction the sum moves. Parts moving against each other cancel in the sum, which then looks
  still while the body is not (at -30 deg the mask's curve peaks half way into a shallow cat and
  falls back while the head is still going down): still is when no part moves;
- *still* means slower than ``still_per_s``, or than ``still_fraction`` of the fastest rate of the
  movement that led there (forgotten over ``_PEAK_MEMORY_S``): a quick cycle's brief pause at a
  pole counts as a pause, and a slow shallow movement after it is still seen to move;
- every phase change is back-dated to when its movement really started or ended (``_bounds``):
  the last sample before, and the first after, the movement's fastest moment where it moved
  slower than ``_EDGE_FRACTION`` of that rate; relative to the movement itself, so a slow shallow
  movement is timed as well as a quick deep one, and the thresholds above decide only *that*
  something happened, not *when*. Cycles joined without a pause end and start where the value
  crossed neutral.

The events are those of ``coach.engine.phases`` (REP_START, HOLD_START, HOLD_END, REP_END,
REP_ABORT), so the checker assembles reps and holds as for any other movement; ``finish()`` counts
a cycle that reached both poles when the session stops before the way back to neutral.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Optional, Sequence, Union

from coach.engine.definition import Phases, TwoWayPhases
from coach.engine.phases import (HOLD, HOLD_END, HOLD_START, OUT, REP_ABORT, REP_END, REP_START, REST, PhaseChange,
                                 PhaseMachine)

PLUS, MINUS = "plus", "minus"  # the machine's keys of the two poles (the definition names them)
_POLE_KEY = {1: PLUS, -1: MINUS}
_HALF_WINDOW_S = 0.05  # half-width of the centred rate (+-2 frames at 30 fps)
_HISTORY_S = 3.0
_EDGE_FRACTION = 0.15  # a movement starts / ends where it is slower than this share of its fastest rate
_PEAK_MEMORY_S = 0.4  # how long a still spell remembers the rate of the movement before it
_MEDIAN = 5  # samples in the running median the values go through first


class TwoWayMachine:
    sign = 1.0  # the checker reads these of any machine
    hold_keys = (PLUS, MINUS)
    uses_rate = False  # stillness is judged on the machine's own history: the checker need not compute a rate

    def __init__(self, p: TwoWayPhases) -> None:
        self.p = p
        self.key = REST  # rest | out | plus | minus
        self.neutral: Optional[float] = None
        self.peak = math.nan  # out-and-back's "furthest out" has no meaning here
        self._raw: deque[tuple[float, float, tuple[float, ...]]] = deque()  # the last values fed (t, value, parts)
        self._hist: deque[tuple[float, float, tuple[float, ...]]] = deque()  # the same after the running median
        self._flags: deque[tuple[float, float, bool, float]] = deque()  # (t, value, still, rate) of judged samples
        self._reset_cycle(open_=False)
        self._side = 0  # which side of neutral the current excursion is on (+1, -1; 0 at neutral)
        self._extreme = 0.0  # furthest out (from neutral) in the current excursion
        self._extreme_t = 0.0
        self._held = False  # the current excursion's pole has been held (or passed and counted)
        self._hold_level = 0.0
        self._still_since: Optional[float] = None
        self._return_t: Optional[float] = None  # a moment of the way back from this excursion's pole
        self._since = -math.inf  # when the current rest or hold began
        self._move_peak = 0.0  # fastest rate of the current (or, while still, the last) movement
        self._judged_t: Optional[float] = None
        self._was_still = True
        self._last_stats: dict[str, float] = {}
        self.ended_mid_rep = False  # set by finish()
        self._in_band_t = 0.0  # at a pole: the last time the value was within leave_pole of its extreme

    # -- the checker's view ------------------------------------------------------------------------
    @property
    def phase(self) -> str:
        """The generic phase (rest | out | hold) the checker times holds and judges faults by."""
        return HOLD if self.key in (PLUS, MINUS) else self.key

    @property
    def in_position(self) -> bool:
        """At a pole now (a pole's hold ends as soon as the value leaves it)."""
        return self.phase == HOLD

    def folded(self, value: float) -> float:
        """``value`` on the machine's own scale (as fed: the checker asks any machine)."""
        return self.sign * value

    def level(self, value: float) -> float:
        """How far ``value`` is from neutral (0 at neutral; + toward the plus pole)."""
        return value - (self.neutral if self.neutral is not None else value)

    def rep_stats(self) -> dict[str, float]:
        """The figures of the cycle that completed last: the depth reached at each pole (how far
        from neutral, in the measure's units, >= 0)."""
        return dict(self._last_stats)

    # -- feeding -----------------------------------------------------------------------------------
    def reset(self, t: float, value: float) -> None:
        """Start over at neutral (after arming): the person's own, ``value``, when it lies within
        ``own_neutral_within`` of the measure's absolute neutral; otherwise they start in (or on the
        way to) a pole, and the absolute neutral is taken, so that pole counts."""
        p = self.p
        own = abs(value - p.absolute_neutral) <= p.own_neutral_within
        self.neutral, self.key = (value if own else p.absolute_neutral), REST
        self._raw.clear()
        self._hist.clear()
        self._flags.clear()
        self._reset_cycle(open_=False)
        self._side, self._extreme, self._held = 0, 0.0, False
        self._still_since, self._return_t, self._since = None, None, t
        self._move_peak, self._was_still, self._judged_t = 0.0, True, None

    def _reset_cycle(self, open_: bool) -> None:
        self._open = open_
        self._visited: dict[int, float] = {}  # pole sign -> depth reached in this cycle
        self._first: Optional[int] = None

    def update(self, t: float, value: float, rate: float = 0.0, parts: Sequence[float] = ()) -> list[PhaseChange]:
        """One (smoothed) value; ``rate`` is not used: stillness is judged on a centred rate of the
        machine's own history, one frame behind. ``parts``: the value's parts when it is their sum
        (judged still only when none of them moves), or nothing."""
        if self.neutral is None:
            self.reset(t, value)
        if not math.isfinite(value) or (self._raw and t <= self._raw[-1][0]):
            return []
        # A centred running median first: it takes out single-frame spikes (the mask's edge
        # jumps at times) and leaves ramps and steps where they are.
        self._raw.append((t, value, tuple(parts)))
        if len(self._raw) > _MEDIAN:
            self._raw.popleft()
        if len(self._raw) < _MEDIAN:
            return []
        t, value = self._raw[_MEDIAN // 2][0], sorted(v for _, v, _ in self._raw)[_MEDIAN // 2]
        n_parts = {len(p) for _, _, p in self._raw}
        medians = (tuple(sorted(p[k] for _, _, p in self._raw)[_MEDIAN // 2] for k in range(n_parts.pop()))
                   if len(n_parts) == 1 else ())
        self._hist.append((t, value, medians))
        while len(self._hist) > 3 and self._hist[0][0] < t - _HISTORY_S:
            self._hist.popleft()
        sample = self._centred()
        if sample is None:
            return []
        te, ve, slope = sample
        still = self._judge_still(te, abs(slope))
        self._flags.append((te, ve, still, slope))
        while len(self._flags) > 3 and self._flags[0][0] < te - _HISTORY_S:
            self._flags.popleft()
        if still:
            self._still_since = te if self._still_since is None else self._still_since
        else:
            self._still_since = None
        return self._step(te, ve, still)

    def _judge_still(self, t: float, speed: float) -> bool:
        """Still: slower than ``still_per_s``, or than ``still_fraction`` of the fastest rate of the
        movement that led here. Relative to the movement, a quick cycle's brief pause at a pole
        counts as a pause (not broken by a little drift) and the end of a quick movement is found as
        precisely as that of a slow one. The movement's rate is forgotten over ``_PEAK_MEMORY_S``
        of stillness, so a slow movement after a quick one is not taken for stillness."""
        dt = t - self._judged_t if self._judged_t is not None else 0.0
        self._judged_t = t
        if self._was_still:
            self._move_peak *= math.exp(-max(dt, 0.0) / _PEAK_MEMORY_S)
        limit = max(self.p.still_per_s, self.p.still_fraction * self._move_peak)
        still = speed < limit
        if not still:
            if self._was_still:  # a new movement begins
                self._move_peak = 0.0
            self._move_peak = max(self._move_peak, speed)
        self._was_still = still
        return still

    def finish(self, t: float) -> list[PhaseChange]:
        """The session ends: a cycle that has visited both poles counts (the recording stopped
        before the way back to neutral), a pole reached but not yet left included; a hold under way
        ends now. ``ended_mid_rep`` says whether a cycle under way did not count."""
        changes: list[PhaseChange] = []
        end = self._hist[-1][0] if self._hist else t
        last = self.key  # the changes keep the last phase's name to the end (no new phase opens)
        if self.key in (PLUS, MINUS):
            changes.append(PhaseChange(end, last, HOLD_END))
            self.key = OUT
        elif self.key == OUT and self._side != 0 and not self._held and self._extreme >= self.p.pole_beyond:
            self._visit(self._side, self._extreme)  # got there as the recording stopped
        self.ended_mid_rep = False
        if self._open and len(self._visited) == 2:
            self._complete()
            changes.append(PhaseChange(end, last, REP_END))
            self._reset_cycle(open_=False)
        elif self._open and self._visited:
            self.ended_mid_rep = True
        return changes

    # -- the machine -------------------------------------------------------------------------------
    def _centred(self) -> Optional[tuple[float, float, float]]:
        """(t, value, rate) of the newest sample that has a sample ``_HALF_WINDOW_S`` after it; with
        parts, the rate's size is the sum of the parts' speeds (its sign still the value's)."""
        h = self._hist
        e = len(h) - 2
        while e > 0 and h[e][0] > h[-1][0] - _HALF_WINDOW_S + 1e-9:
            e -= 1
        if e < 1:
            return None
        te = h[e][0]
        a = e
        while a > 0 and h[a][0] > te - _HALF_WINDOW_S + 1e-9:
            a -= 1
        b = e
        while b < len(h) - 1 and h[b][0] < te + _HALF_WINDOW_S - 1e-9:
            b += 1
        dt = h[b][0] - h[a][0]
        if dt <= 0:
            return te, h[e][1], 0.0
        slope = (h[b][1] - h[a][1]) / dt
        pa, pb = h[a][2], h[b][2]
        if pa and len(pa) == len(pb):
            return te, h[e][1], math.copysign(sum(abs(y - x) for x, y in zip(pa, pb)) / dt, slope)
        return te, h[e][1], slope

    def _step(self, t: float, value: float, still: bool) -> list[PhaseChange]:
        p = self.p
        assert self.neutral is not None
        v = value - self.neutral
        a, s = abs(v), (1 if v > 0 else -1)
        changes: list[PhaseChange] = []

        if self.key == REST:
            if still and a < p.neutral_within:
                self.neutral += 0.02 * v  # follow a slow drift of the resting position
            if a > p.start_beyond:
                start = self._bounds(t, since=self._since)[0]
                self._begin_excursion(s, a, t)
                self.key = OUT
                if not self._open:
                    self._reset_cycle(open_=True)
                    changes.append(PhaseChange(start, OUT, REP_START))
                elif s in self._visited and -s not in self._visited:
                    # Out to the same pole again after resting at neutral: that cycle never finished.
                    changes.append(PhaseChange(start, OUT, REP_ABORT))
                    self._reset_cycle(open_=True)
                    changes.append(PhaseChange(start, OUT, REP_START))
                else:
                    changes.append(PhaseChange(start, OUT))
            return changes

        if self.key == OUT:
            if self._side != 0 and s != self._side and a > p.start_beyond:
                return self._cross(s, a, t)
            if s == self._side and a > self._extreme:
                self._extreme, self._extreme_t = a, t
            held_long = self._still_since is not None and t - self._still_since >= p.hold_min_s
            near_pole = self._extreme >= p.pole_beyond and a >= self._extreme - p.leave_pole
            if s == self._side and not self._held and near_pole and held_long:
                assert self._still_since is not None
                self._held, self._hold_level = True, a
                self._visit(s, a)
                self.key = _POLE_KEY[s]
                self._since = self._arrival(self._still_since)
                self._in_band_t = t
                # The pose's phase begins once the body stops; its hold is timed in the position.
                changes.append(PhaseChange(self._since, self.key, HOLD_START, hold_t=self._in_position_since(s)))
            elif s == self._side and not self._held and self._extreme >= p.pole_beyond and a < self._extreme - p.leave_pole:
                # Turned at the pole without a pause: the pole was visited; its hold is the moment
                # between arriving and leaving again (nothing when it never stopped).
                self._held, self._return_t = True, t
                self._visit(s, self._extreme)
                t0, t1 = self._arrival(self._extreme_t), self._bounds(t)[0]
                if t1 < t0:
                    t0 = t1 = self._extreme_t
                h0, h1 = self._in_position_since(s), self._last_in_position(s)
                changes.append(PhaseChange(t0, _POLE_KEY[s], HOLD_START, hold_t=min(h0, h1)))
                changes.append(PhaseChange(t1, OUT, HOLD_END, hold_t=h1))
            elif a < p.neutral_within and still:
                changes += self._arrive(self._arrival(self._still_since if self._still_since is not None else t))
            elif (self._still_since is not None and t - self._still_since >= p.settle_s and a < p.pole_beyond
                  and (self._held or a < p.start_beyond)):
                # Settled short of the poles after this excursion's pole: a new neutral.
                self.neutral = value
                changes += self._arrive(self._arrival(self._still_since))
            return changes

        # At a pole (plus or minus).
        if s == self._side and a > self._extreme:
            self._extreme, self._extreme_t = a, t
            self._visit(s, a)
        if still and s == self._side:
            self._hold_level = max(self._hold_level, a)
        if s == self._side and a >= self._extreme - p.leave_pole:
            self._in_band_t = t
        if s != self._side or a < self._hold_level - p.leave_pole:
            self.key, self._return_t = OUT, t
            changes.append(PhaseChange(self._bounds(t, since=self._since)[0], OUT, HOLD_END,
                                       hold_t=min(self._in_band_t, t)))  # the last moment in position
        return changes

    def _cross(self, s: int, a: float, t: float) -> list[PhaseChange]:
        """Through neutral into an excursion on the other side. Where the value paused on the way
        (a brief neutral between cycles) the cycle ends when the pause began and the next starts
        when it ended; with no pause, both at the moment it crossed neutral."""
        changes: list[PhaseChange] = []
        crossed = self._crossing_time()
        end_t = self._bounds(self._return_t)[1] if self._return_t is not None else None
        start_t = self._bounds(t)[0]
        pause = end_t is not None and end_t < start_t and start_t > crossed - 1.0
        if pause:
            assert end_t is not None and self.neutral is not None
            level = self._value_at(end_t, start_t)
            pause = abs(level - self.neutral) < self.p.pole_beyond  # a pause near neutral, not on the way
            if pause:
                self.neutral = level  # the neutral it paused at
        if not pause:
            end_t = start_t = crossed
        paused = REST if pause else OUT  # a pause shows as neutral
        if self._open and len(self._visited) == 2 and s == self._first:
            self._complete()
            changes.append(PhaseChange(end_t, paused, REP_END))
            self._reset_cycle(open_=True)
            changes.append(PhaseChange(start_t, OUT, REP_START))
        elif self._open and len(self._visited) == 1 and s in self._visited:
            changes.append(PhaseChange(end_t, paused, REP_ABORT))  # e.g. cat, back past neutral, cat again
            self._reset_cycle(open_=True)
            changes.append(PhaseChange(start_t, OUT, REP_START))
        elif pause:
            changes += [PhaseChange(end_t, REST), PhaseChange(start_t, OUT)]
        self._begin_excursion(s, a, t)
        return changes

    def _begin_excursion(self, side: int, a: float, t: float) -> None:
        self._side, self._extreme, self._extreme_t, self._held = side, a, t, False
        self._return_t = None

    def _visit(self, side: int, depth: float) -> None:
        if self._first is None:
            self._first = side
        self._visited[side] = max(self._visited.get(side, 0.0), depth)

    def _arrive(self, t: float) -> list[PhaseChange]:
        """Back at neutral (since ``t``): a complete cycle ends; half a cycle waits for its other pole."""
        self.key, self._side, self._since = REST, 0, t
        if len(self._visited) == 2:
            self._complete()
            self._reset_cycle(open_=False)
            return [PhaseChange(t, REST, REP_END)]
        if not self._visited:
            self._reset_cycle(open_=False)
            return [PhaseChange(t, REST, REP_ABORT)]
        return [PhaseChange(t, REST)]

    def _complete(self) -> None:
        p = self.p
        self._last_stats = {f"{p.plus}_depth": self._visited.get(1, 0.0), f"{p.minus}_depth": self._visited.get(-1, 0.0)}

    # -- when things happened (looking back over the history) ----------------------------------------
    def _bounds(self, t_ref: float, since: float = -math.inf) -> tuple[float, float]:
        """When the movement going on at ``t_ref`` started and ended. The movement is the run of
        samples judged moving around ``t_ref``; its start is the last sample before its fastest
        moment, and its end the first after it, moving slower than ``still_fraction`` of that
        fastest rate (and than half ``still_per_s``), in the same direction: relative to the
        movement itself, so a slow, shallow movement is timed as precisely as a quick, deep one.
        It does not start before ``since``; one still under way ends at the newest sample; with no
        movement at ``t_ref``: (t_ref, t_ref)."""
        f = self._flags
        n = len(f)
        if n == 0:
            return t_ref, t_ref
        i = min(range(n), key=lambda k: abs(f[k][0] - t_ref))
        if f[i][2]:
            return f[i][0], f[i][0]
        lo = hi = i
        while lo > 0 and not f[lo - 1][2] and f[lo - 1][0] >= since:
            lo -= 1
        while hi < n - 1 and not f[hi + 1][2]:
            hi += 1
        k = max(range(lo, hi + 1), key=lambda j: abs(f[j][3]))
        limit = max(_EDGE_FRACTION * abs(f[k][3]), 0.5 * self.p.still_per_s)
        up = f[k][3] > 0

        def moving(j: int) -> bool:
            return abs(f[j][3]) >= limit and (f[j][3] > 0) == up

        a = k
        while a > 0 and moving(a - 1) and f[a - 1][0] >= since:
            a -= 1
        b = k
        while b < n - 1 and moving(b + 1):
            b += 1
        return max(f[max(a - 1, 0)][0], min(since, f[a][0])), f[min(b + 1, n - 1)][0]

    def _in_position_since(self, side: int) -> float:
        """When the current excursion came within ``leave_pole`` of its extreme: where the time in
        the pole's position starts (what "hold it" means), however long the body took to settle."""
        assert self.neutral is not None
        since = self._extreme_t
        for t, v, _, _ in reversed(self._flags):
            d = v - self.neutral
            if t > self._extreme_t:
                continue
            if d * side <= 0 or abs(d) < self._extreme - self.p.leave_pole:
                break
            since = t
        return since

    def _last_in_position(self, side: int) -> float:
        """The last moment the value was within ``leave_pole`` of the excursion's extreme."""
        assert self.neutral is not None
        for t, v, _, _ in reversed(self._flags):
            d = v - self.neutral
            if d * side > 0 and abs(d) >= self._extreme - self.p.leave_pole:
                return t
        return self._extreme_t

    def _arrival(self, still_since: float) -> float:
        """When the movement that came to rest by ``still_since`` really ended."""
        f = self._flags
        before = [t for t, _, still, _ in f if t < still_since and not still]
        if not before:
            return still_since
        return min(self._bounds(before[-1])[1], still_since)

    def _value_at(self, t0: float, t1: float) -> float:
        """The median value between ``t0`` and ``t1``."""
        values = sorted(v for t, v, _, _ in self._flags if t0 <= t <= t1) or [self._flags[-1][1]]
        return values[len(values) // 2]

    def _crossing_time(self) -> float:
        """When the value last crossed neutral (interpolated between the two samples around it)."""
        assert self.neutral is not None
        f = self._flags
        for i in range(len(f) - 1, 0, -1):
            t0, v0 = f[i - 1][0], f[i - 1][1]
            t1, v1 = f[i][0], f[i][1]
            d0, d1 = v0 - self.neutral, v1 - self.neutral
            if (d0 > 0) != (d1 > 0):
                return t0 + (t1 - t0) * (abs(d0) / (abs(d0) + abs(d1))) if d0 != d1 else t0
        return f[-1][0]


Machine = Union[PhaseMachine, TwoWayMachine]


def make_machine(phases: Union[Phases, TwoWayPhases]) -> Machine:
    """The phase machine for a definition's ``[phases]`` kind."""
    if isinstance(phases, TwoWayPhases):
        return TwoWayMachine(phases)
    return PhaseMachine(phases)
