"""Frame rate and glass-to-overlay latency of the live loop, from timestamps it hands in.

Per processed frame the loop reports when the frame was captured, when inference started and
ended, and when the annotated frame was shown. Latency is shown minus captured: the time a
movement takes to reach the screen (waiting for the pipeline, inference, checker, overlay, display).
Frame rate is processed frames per second over a recent window (on screen) and over the whole run
(the summary). Pure arithmetic on the numbers given, so it is tested on synthetic timestamps.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from dataclasses import dataclass
from typing import Optional, Sequence


@dataclass(frozen=True)
class FrameTiming:
    captured: float
    inference_start: float
    inference_end: float
    shown: float

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


class LoopStats:
    """Collects FrameTimings: ``recent`` for the on-screen line, ``summary`` for the report and bench."""

    def __init__(self, window_s: float = 2.0) -> None:
        self.window_s = window_s
        self.frames = 0
        # Every frame's latency and inference time, for percentiles (floats: an hour is a few MB).
        # Every frame's figures, for the percentiles: 4-byte floats (a list of Python floats costs
        # 32 bytes a value: 2 MiB an hour of session on these two alone; bench/soak.py).
        self.latencies = array("f")
        self.inferences = array("f")
        self._recent: deque[FrameTiming] = deque()
        self._first_shown: Optional[float] = None
        self._last_shown: Optional[float] = None
        self._sum_latency = self._sum_inference = 0.0

    def add(self, timing: FrameTiming) -> None:
        self.frames += 1
        if self._first_shown is None:
            self._first_shown = timing.shown
        self._last_shown = timing.shown
        self._sum_latency += timing.latency
        self._sum_inference += timing.inference
        self.latencies.append(timing.latency)
        self.inferences.append(timing.inference)
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
        return fps, sum(t.latency for t in r) / len(r), sum(t.inference for t in r) / len(r)

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
                           "p50": ms(percentile(lat, 50)), "p95": ms(percentile(lat, 95))},
            "inference_ms": {"mean": ms(self._sum_inference / n) if n else None,
                             "p50": ms(percentile(self.inferences, 50))},
        }
