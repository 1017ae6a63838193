"""Smoothing filters for the derived measures, interchangeable and chosen by configuration.

Each filter is fed one (t, value) at a time and returns the filtered value; ``reset()`` starts over
(used after a tracking gap so a stale value does not leak into the new segment).
"""

from __future__ import annotations

import math
from typing import Optional, Protocol


class Filter(Protocol):
    def __call__(self, t: float, x: float) -> float: ...

    def reset(self) -> None: ...


class Passthrough:
    def __call__(self, t: float, x: float) -> float:
        return x

    def reset(self) -> None:
        pass


class Ema:
    """Exponential moving average with a time constant (so it behaves the same at any frame rate)."""

    def __init__(self, tau_s: float = 0.1) -> None:
        self.tau_s = tau_s
        self._t: Optional[float] = None
        self._y = 0.0

    def __call__(self, t: float, x: float) -> float:
        if self._t is None:
            self._y = x
        else:
            alpha = 1.0 - math.exp(-max(t - self._t, 1e-6) / self.tau_s)
            self._y += alpha * (x - self._y)
        self._t = t
        return self._y

    def reset(self) -> None:
        self._t = None


class OneEuro:
    """The 1-euro filter (Casiez et al. 2012): smooth when still, little lag when moving."""

    def __init__(self, min_cutoff: float = 1.5, beta: float = 0.05, d_cutoff: float = 1.0) -> None:
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.reset()

    @staticmethod
    def _alpha(dt: float, cutoff: float) -> float:
        r = 2.0 * math.pi * cutoff * dt
        return r / (r + 1.0)

    def __call__(self, t: float, x: float) -> float:
        if self._t is None:
            self._t, self._x, self._dx = t, x, 0.0
            return x
        dt = max(t - self._t, 1e-6)
        dx = (x - self._x) / dt
        self._dx += self._alpha(dt, self.d_cutoff) * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * abs(self._dx)
        self._x += self._alpha(dt, cutoff) * (x - self._x)
        self._t = t
        return self._x

    def reset(self) -> None:
        self._t: Optional[float] = None
        self._x = 0.0
        self._dx = 0.0


def make_filter(kind: str, **params: float) -> Filter:
    """``kind``: ``none``, ``ema`` (tau_s) or ``one_euro`` (min_cutoff, beta, d_cutoff)."""
    kinds = {"none": Passthrough, "ema": Ema, "one_euro": OneEuro}
    if kind not in kinds:
        raise ValueError(f"unknown filter {kind!r}; use one of {', '.join(kinds)}")
    return kinds[kind](**params)


class Velocity:
    """Rate of change over a short time window (finite difference on a small history)."""

    def __init__(self, window_s: float = 0.15) -> None:
        self.window_s = window_s
        self._hist: list[tuple[float, float]] = []

    def __call__(self, t: float, x: float) -> float:
        self._hist.append((t, x))
        while len(self._hist) > 2 and t - self._hist[1][0] >= self.window_s:
            self._hist.pop(0)
        t0, x0 = self._hist[0]
        return (x - x0) / (t - t0) if t > t0 else 0.0

    def reset(self) -> None:
        self._hist.clear()
