"""The cue scheduler: one cue at a time, the most important first, none repeated too soon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Cue:
    t: float
    code: str
    text: str
    priority: int


class CueScheduler:
    """``offer`` what could be said; ``update`` says what is showing now.

    An offer waits at most ``max_wait_s`` (the moment passes); a shown cue stays ``show_s``;
    the same code is not shown again within ``cooldown_s``; between cues there is ``gap_s``."""

    def __init__(self, show_s: float = 3.0, cooldown_s: float = 8.0, gap_s: float = 0.5, max_wait_s: float = 1.5) -> None:
        self.show_s, self.cooldown_s, self.gap_s, self.max_wait_s = show_s, cooldown_s, gap_s, max_wait_s
        self.current: Optional[Cue] = None
        self.given: list[Cue] = []
        self._pending: dict[str, Cue] = {}
        self._last_shown: dict[str, float] = {}
        self._free_at = 0.0

    def offer(self, t: float, code: str, text: str, priority: int = 1) -> None:
        if code not in self._pending:
            self._pending[code] = Cue(t, code, text, priority)

    def withdraw(self, codes: "set[str] | frozenset[str]") -> None:
        """Drop offers of ``codes`` not yet shown: what they were about is over (a hold that ended)."""
        self._pending = {c: cue for c, cue in self._pending.items() if c not in codes}

    def update(self, t: float) -> Optional[Cue]:
        if self.current is not None and t - self.current.t >= self.show_s:
            self.current, self._free_at = None, t + self.gap_s
        self._pending = {c: cue for c, cue in self._pending.items()
                         if t - cue.t <= self.max_wait_s and t - self._last_shown.get(c, -1e9) >= self.cooldown_s}
        if self._pending and (self.current is None and t >= self._free_at
                              or self.current is not None and max(q.priority for q in self._pending.values()) > self.current.priority):
            best = max(self._pending.values(), key=lambda q: (q.priority, -q.t))
            del self._pending[best.code]
            self.current = Cue(t, best.code, best.text, best.priority)
            self._last_shown[best.code] = t
            self.given.append(self.current)
        return self.current
