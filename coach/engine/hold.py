"""The hold timer: counts time at the hold position while the person holds it well and is seen."""

from __future__ import annotations

from typing import Optional


class HoldTimer:
    def __init__(self, target_s: float) -> None:
        self.target_s = target_s
        self.elapsed = 0.0
        self.running = False
        self._last_t: Optional[float] = None
        self._history: list[tuple[float, float]] = []  # (t, elapsed) during this hold, to undo past t_end

    def start(self, t_start: float, now: float) -> None:
        """The hold began at ``t_start`` (back-dated); time up to ``now`` counts."""
        self.running, self.elapsed, self._last_t = True, max(0.0, now - t_start), now
        self._history = [(t_start, 0.0), (now, self.elapsed)]

    def update(self, t: float, counting: bool) -> float:
        """Advance to ``t``; the time since the last update counts only if ``counting``
        (form holds and the joints are trustworthy)."""
        if self.running and self._last_t is not None and counting:
            self.elapsed += max(0.0, t - self._last_t)
        self._last_t = t
        if self.running:
            self._history.append((t, self.elapsed))
        return self.elapsed

    def stop(self, t_end: float, now: float) -> float:
        """The hold ended at ``t_end`` (back-dated); what was counted after it is taken back. Between
        two updates the count is interpolated (a hold that began and ended since the last update,
        e.g. a short pause at a turning point found late, keeps its length)."""
        if self.running:
            before = [(t, e) for t, e in self._history if t <= t_end]
            after = [(t, e) for t, e in self._history if t > t_end]
            if not before:
                self.elapsed = 0.0
            elif not after or before[-1][0] == t_end:
                self.elapsed = before[-1][1]
            else:
                (t0, e0), (t1, e1) = before[-1], after[0]
                self.elapsed = e0 + (e1 - e0) * (t_end - t0) / (t1 - t0)
        self.running, self._history = False, []
        return self.elapsed

    def reset(self) -> None:
        """A new rep began: its hold starts from nothing (the last one's time is not shown under it)."""
        self.running, self.elapsed, self._history = False, 0.0, []

    @property
    def met(self) -> bool:
        return self.elapsed >= self.target_s
