"""Phase boundaries refined with hindsight, for the report of an out-and-back movement.

Live, the phase machine can only say a movement began once the smoothed value has cleared a
threshold and its rate has been judged over a window: it back-dates, but a slow start (a rise that
eases out of rest) is still dated 0.2-0.4 s late, and the top is left late. Once the set is over the
whole series is there, so each boundary between a still phase (rest, top) and a moving one is moved
to where the raw value really left, or reached, the still phase's level: within ``tol`` of it, where
``tol`` is the larger of the still phase's own noise (3 median absolute deviations) and
``TOL_FRACTION`` of the rep's excursion, and the level is the still phase's next to the boundary
(``LEVEL_WINDOW_S``: a hold that sags is reached above its median). A body eases into a movement, so
the value is within ``tol`` of the level for a while after it has begun to move (an eased rise of 1 s
stays within 3 % for its first 0.1 s): where a still phase is left, the boundary is set where a smooth
start (the level, then a parabola away from it: ``_onset``) fitted to the raw values meets the level.
A movement may pass through the level on its way (``_settled``): an unsigned angle such as the hip's
(knee to chest) opens through 180 as a straight leg starts to bend and again as it is laid down, so
it crosses its resting value, overshoots and comes back; the still phase begins where the value has
settled at the level, and a movement that first goes the other way starts with that counter-movement.
Only the report's phases and the reps' start and end move; counts, holds and faults stay as the live
checker found them.
"""

from __future__ import annotations

import bisect
import math
import statistics
from array import array
from typing import Callable, Iterator, Optional, Sequence, Union

import numpy as np

# Of the excursion from rest to top. Chosen among 0.02, 0.03 and 0.05 on the synthetic clips (bench/accuracy.py
# says so). What is left late is MediaPipe's: its landmarks barely move in the first 0.2 s of a slow rise.
TOL_FRACTION = 0.03
_MEDIAN = 5  # samples in the running median the raw values go through (single-frame spikes)
# The onset fit (``_onset``) looks this far into the still phase, and into the movement until it has
# covered this share of the excursion: an eased start is close to a parabola up to about a third of the way.
ONSET_LOOKBACK_S = 0.5
ONSET_REACH = 0.35
# A still phase begins (or ends) with a run at its level at least this long: a shorter one that the
# value leaves again is the movement passing through the level (``_settled``). Set beforehand: 6 frames,
# longer than a movement takes to cross the band, shorter than any hold.
SETTLE_S = 0.2
# The still level at a boundary: the median of the still phase's values this close to it. Chosen among
# 0.5, 0.75, 1, 1.5, 2 s and the whole phase on the synthetic clips (bench/accuracy.py TUNED_ON says so).
LEVEL_WINDOW_S = 1.0


def _smoothed(series: "Series") -> tuple[list[float], list[float]]:
    ts = [t for t, _ in series]
    vs = [v for _, v in series]
    half = _MEDIAN // 2
    return ts, [statistics.median(vs[max(0, i - half): i + half + 1]) for i in range(len(vs))]


LEAVE, ARRIVE = "leave", "arrive"


class Track:
    """(t, value) pairs kept for a whole session, compactly and exactly: the values as doubles, the
    times as whole ticks of 10 microseconds in 4 bytes (a trace's precision: live and ``analyze`` round
    every time to it, ``coach.trace.quantize``), 12 bytes a frame where a list of tuples takes over
    100 (bench/record_memory.py). A time that is not a whole tick, or beyond ~6 hours, turns the
    times into doubles, as they came. Iterates as (t, value) pairs, like the list it replaces."""

    TICKS_PER_S = 100_000  # an int over an int divides correctly rounded: ``k / TICKS_PER_S`` is round(t, 5) itself

    def __init__(self) -> None:
        self._ticks: Optional[array] = array("i")  # None once a time was not a whole tick
        self._t = array("d")  # the times, once they are not all ticks
        self.v = array("d")

    def append(self, pair: tuple[float, float]) -> None:
        t, v = pair
        if self._ticks is not None:
            k = round(t * self.TICKS_PER_S)
            if -2**31 <= k < 2**31 and k / self.TICKS_PER_S == t:
                self._ticks.append(k)
                self.v.append(v)
                return
            self._t = array("d", (k / self.TICKS_PER_S for k in self._ticks))
            self._ticks = None
        self._t.append(t)
        self.v.append(v)

    @property
    def t(self) -> Sequence[float]:
        return self._t if self._ticks is None else [k / self.TICKS_PER_S for k in self._ticks]

    def __len__(self) -> int:
        return len(self.v)

    def __iter__(self) -> Iterator[tuple[float, float]]:
        return zip(self.t, self.v)


Series = Union[Track, Sequence[tuple[float, float]]]  # (t, value) pairs in time order


def refine(segments: list[tuple[float, str]], series: "Series",
           transitions: dict[tuple[str, str], str]) -> dict[float, float]:
    """New times for the boundaries named in ``transitions`` ((phase before, phase after) -> LEAVE
    when the one before is a still phase the movement leaves, ARRIVE when the one after is a still
    phase it reaches): ``{old time: new time}``. Other boundaries (a hold handed straight to the
    other leg's pull) stay. ``segments``: (start, phase name) in order; ``series``: (t, value) with
    the value growing away from rest (the machine's sign applied)."""
    still = {pair[0] if how == LEAVE else pair[1] for pair, how in transitions.items()}
    if len(series) < 2 * _MEDIAN or len(segments) < 3:
        return {}
    ts, vs = _smoothed(series)
    t_all, raw = np.asarray(ts, dtype=float), np.asarray([v for _, v in series], dtype=float)
    ends = [s for s, _ in segments[1:]] + [ts[-1]]
    spans = [(start, end, name) for (start, name), end in zip(segments, ends)]

    def values(a: float, b: float) -> list[float]:
        return vs[bisect.bisect_left(ts, a): bisect.bisect_right(ts, b)]

    levels = {}
    for a, b, name in spans:
        inside = values(a, b)
        if name in still and len(inside) >= 3:
            level = statistics.median(inside)
            mad = statistics.median(abs(v - level) for v in inside)
            levels[a] = (level, mad)
    moved: dict[float, float] = {}
    for k in range(1, len(spans)):
        (a0, _, n0), (a1, b1, n1) = spans[k - 1], spans[k]
        how = transitions.get((n0, n1))
        if how is None:
            continue
        leaving = how == LEAVE
        still_start = a0 if leaving else a1
        if still_start not in levels:
            continue
        level, mad = levels[still_start]
        other = [lv for s, (lv, _) in levels.items() if s != still_start]
        excursion = max((abs(lv - level) for lv in other), default=0.0)
        tol = max(3 * mad, TOL_FRACTION * excursion)
        # The level the movement left or reached is the still phase's level next to the boundary, not
        # its median: a hold that sags or creeps (bridge_mixed_03's low-hips hold sinks 1 deg) was
        # reached above its median and is left below it.
        beside = values(max(a0, a1 - LEVEL_WINDOW_S), a1) if leaving else values(a1, min(a1 + LEVEL_WINDOW_S, b1))
        if len(beside) >= 3:
            level = statistics.median(beside)
        lo, hi = bisect.bisect_left(ts, a0), bisect.bisect_right(ts, b1) - 1
        i = min(max(bisect.bisect_left(ts, a1), lo), hi)

        def near(j: int) -> bool:
            return abs(vs[j] - level) <= tol

        if leaving:  # the last moment at the still level before the movement
            if near(i):
                while i < hi and near(i + 1):
                    i += 1
            else:
                while i > lo and not near(i):
                    i -= 1
            i = _settled(ts, near, i, lo, -1)
        else:  # the first moment at the still level after the movement
            if near(i):
                while i > lo and near(i - 1):
                    i -= 1
            else:
                while i < hi and not near(i):
                    i += 1
            i = _settled(ts, near, i, hi, +1)
        # Where the movement leaves a still phase, the eased start is fitted (``_onset``). Where it arrives,
        # the first settled moment within tol stays: MediaPipe's smoothing drags out the end of an eased stop,
        # and the fitted end came out late on the bridge renders (bench/accuracy.py TUNED_ON says so; fitted
        # at rest only, tried again with the settling: knee to chest 95.7 -> 96.7 %, bridge 94.9 -> 94.4 %).
        new = _onset(t_all, raw, level, i, ONSET_REACH * excursion, tol) if leaving and excursion > 0 else ts[i]
        if a0 < new < b1:
            moved[a1] = new
    return moved


def _settled(ts: Sequence[float], near: Callable[[int], bool], i: int, end: int, step: int) -> int:
    """From ``i``, a moment at the still level, the one that borders the still phase: walking toward
    it (``step`` +1 after a movement, -1 before one, as far as ``end``), a run at the level shorter
    than ``SETTLE_S`` that the value leaves again is the movement passing through the level (an
    overshoot that comes back, or a counter-movement before the real one: an unsigned hip angle
    opens through 180 as the knee starts to bend), so the next run is taken."""
    while i != end:
        k = i  # the far end of the run at the level that ``i`` begins
        while k != end and near(k + step):
            k += step
        if k == end or abs(ts[k] - ts[i]) >= SETTLE_S:
            return i
        j = k + step
        while j != end and not near(j):
            j += step
        if not near(j):
            return i
        i = j
    return i


def _onset(t: np.ndarray, raw: np.ndarray, level: float, i: int, reach: float, tol: float = 0.0) -> float:
    """Where the movement that leaves the still ``level`` at about index ``i`` really begins: the
    time ``t0`` of the least-squares fit of "``level``, then ``level + a (t - t0)^2``" to the raw
    values from ``ONSET_LOOKBACK_S`` before ``i`` to where the value is ``reach`` from the level.
    A movement that first goes the other way, more than ``tol`` (a counter-movement: an unsigned
    hip angle opening through 180 as the knee starts to bend), began with that: the fit then ends
    where it turned. Candidates lie at or before ``i``; without a movement to fit, ``t[i]`` stays."""
    far = i
    while far + 1 < len(t) and abs(raw[far] - level) < reach:
        far += 1
    way = math.copysign(1.0, raw[far] - level)
    against = [k for k in range(i, far + 1) if way * (raw[k] - level) < -tol]
    if against:  # the counter-movement's run, and its turn
        end = against[0]
        while end + 1 <= far and way * (raw[end + 1] - level) < 0:
            end += 1
        far = min(range(against[0], end + 1), key=lambda k: way * (raw[k] - level))
    back = i
    while back > 0 and t[i] - t[back - 1] <= ONSET_LOOKBACK_S:
        back -= 1
    if far - back < 4 or (far == i and not against):
        return float(t[i])
    tw, vw = t[back: far + 1], raw[back: far + 1] - level
    best, best_t = math.inf, float(t[i])
    for j in range(back, i + 1):
        d = tw - t[j]  # time into the movement from the candidate start
        x = np.where(d > 0, d * d, 0.0)
        xx = float(x @ x)
        if xx == 0.0:
            continue
        a = float(x @ vw) / xx
        sse = float(((vw - a * x) ** 2).sum())
        if sse < best:
            best, best_t = sse, float(t[j])
    return best_t
