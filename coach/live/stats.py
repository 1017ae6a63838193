"""Frame rate and glass-to-overlay latency of the live loop, from timestamps it hands in.

Per processed frame the loop reports when the frame was captured, when inference started and
ended, and when the annotated frame was shown. Latency is shown minus captured: the time a
movement takes to reach the screen (waiting for the pipeline, inference, checker, overlay, display).
Frame rate is processed frames per second over a recent window (on screen) and over the whole run
(the summary). Pure arithmetic on the numbers given, so it is tested on synthetic timestamps.

The percentiles come from a histogram of 0.1 ms bins (the report's precision), not from every
frame's figure: what an hour-long session keeps for them stays the same size (bench/record_memory.py).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, deque
from dataclasses import dataclass
from typing import Optional, Sequence


@dataclass(frozen=True)
class FrameTiming:
    captured: float
    inference_start: float
    inference_end: float
    shown: float
    inferred: bool = True  # False: a pose carried between inferences (--stride auto), its "inference" no work

    @property
    def latency(self) -> float:
        return self.shown - self.captured

    @property
    def inference(self) -> float:
        return self.inference_end - self.inference_start

    @property
    def waited(self) -> float:
        """From capture until the pipeline picked the frame up."""
        return self.inference_start - self.captured


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), NaN for no values."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


class Histogram:
    """Durations counted in bins of ``BIN_S``: a bounded record for percentiles, however long the session.
    Bins up to ``DENSE_S`` are an array (4 bytes each, grown as needed); the rare longer ones (a
    stall) are counted by bin in a dict."""

    BIN_S = 1e-4
    DENSE_S = 2.0

    def __init__(self) -> None:
        self.count = 0
        self._dense = array("I")
        self._sparse: Counter[int] = Counter()

    def add(self, seconds: float) -> None:
        if not math.isfinite(seconds):
            return
        k = max(0, int(round(seconds / self.BIN_S)))
        self.count += 1
        if k * self.BIN_S >= self.DENSE_S:
            self._sparse[k] += 1
            return
        if k >= len(self._dense):
            self._dense.extend(array("I", [0]) * (k + 1 - len(self._dense)))
        self._dense[k] += 1

    def _bins(self) -> list[tuple[int, int]]:
        dense = [(k, c) for k, c in enumerate(self._dense) if c]
        return dense + sorted(self._sparse.items())

    def percentile(self, q: float) -> float:
        """As ``percentile`` on the durations rounded to their bins; NaN when empty."""
        if not self.count:
            return math.nan
        pos = (self.count - 1) * q / 100.0
        lo = int(math.floor(pos))
        hi = min(lo + 1, self.count - 1)
        x_lo = x_hi = math.nan
        seen = 0
        for k, c in self._bins():
            if seen <= lo < seen + c:
                x_lo = k * self.BIN_S
            if seen <= hi < seen + c:
                x_hi = k * self.BIN_S
                break
            seen += c
        return x_lo + (x_hi - x_lo) * (pos - lo)


class LoopStats:
    """Collects FrameTimings: ``recent`` for the on-screen line, ``summary`` for the report and bench."""

    def __init__(self, window_s: float = 2.0) -> None:
        self.window_s = window_s
        self.frames = 0
        self.latencies = Histogram()  # every frame's latency and inference time, for the percentiles
        self.inferences = Histogram()
        self._recent: deque[FrameTiming] = deque()
        self._first_shown: Optional[float] = None
        self._last_shown: Optional[float] = None
        self._sum_latency = self._sum_inference = 0.0
        self.inferred = 0  # frames the model ran on: the inference figures are theirs alone

    def add(self, timing: FrameTiming) -> None:
        self.frames += 1
        if self._first_shown is None:
            self._first_shown = timing.shown
        self._last_shown = timing.shown
        self._sum_latency += timing.latency
        self.latencies.add(timing.latency)
        if timing.inferred:
            self.inferred += 1
            self._sum_inference += timing.inference
            self.inferences.add(timing.inference)
        self._recent.append(timing)
        while self._recent and timing.shown - self._recent[0].shown > self.window_s:
            self._recent.popleft()

    def recent(self) -> tuple[float, float, float]:
        """(frames per second, mean latency s, mean inference s) over the last ``window_s``."""
        r = self._recent
        if not r:
            return math.nan, math.nan, math.nan
        span = r[-1].shown - r[0].shown
        fps = (len(r) - 1) / span if len(r) > 1 and span > 0 else math.nan
        inferred = [t.inference for t in r if t.inferred]
        return fps, sum(t.latency for t in r) / len(r), sum(inferred) / len(inferred) if inferred else math.nan

    @property
    def fps(self) -> float:
        """Frames per second over the run: frame intervals / time between the first and last frame shown."""
        if self.frames < 2 or self._first_shown is None or self._last_shown is None:
            return math.nan
        span = self._last_shown - self._first_shown
        return (self.frames - 1) / span if span > 0 else math.nan

    def summary(self, captured: int = 0, dropped: int = 0) -> dict:
        """Figures for report.json (milliseconds, rounded)."""
        n = self.frames
        lat = self.latencies
        ms = lambda s: round(1000.0 * s, 1) if math.isfinite(s) else None  # noqa: E731
        return {
            "frames_processed": n,
            "frames_captured": captured,
            "frames_dropped": dropped,
            "fps": round(self.fps, 2) if math.isfinite(self.fps) else None,
            "latency_ms": {"mean": ms(self._sum_latency / n) if n else None,
                           "p50": ms(lat.percentile(50)), "p95": ms(lat.percentile(95))},
            "inference_ms": {"mean": ms(self._sum_inference / self.inferred) if self.inferred else None,
                             "p50": ms(self.inferences.percentile(50))},
        }
