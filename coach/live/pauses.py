"""The pauses of a live session, by the space key or by the body (sitting up), as the report keeps them.

Each pause: when it began on the session clock (``t_s``: the clock stands still while paused, so
that is also where counting goes on), how long it lasted (wall-clock seconds) and what started it
(``by``: ``key`` or ``body``). The total is ``live.paused_s``; the list is ``live.pauses``.
"""

from __future__ import annotations

from typing import Optional

KEY, BODY = "key", "body"


class Pauses:
    def __init__(self) -> None:
        self.total_s = 0.0
        self.records: list[dict] = []
        self.since: Optional[float] = None  # wall-clock start of the pause under way
        self.by: Optional[str] = None  # what started the pause under way

    @property
    def active(self) -> bool:
        return self.since is not None

    def begin(self, now: float, t: float, by: str) -> None:
        """Paused at wall time ``now`` (session time ``t``) by ``by``; nothing when already paused."""
        if self.since is None:
            self.since, self.by = now, by
            self.records.append({"t_s": round(t, 3), "duration_s": None, "by": by})

    def end(self, now: float) -> float:
        """Carry on at wall time ``now``; returns the new total paused time."""
        if self.since is not None:
            lasted = max(0.0, now - self.since)
            self.total_s += lasted
            self.records[-1]["duration_s"] = round(lasted, 3)
            self.since = self.by = None
        return self.total_s

    def report(self, now: float) -> tuple[float, list[dict]]:
        """(paused_s, pauses) for the report at wall time ``now``: a pause still under way counts to now."""
        if self.since is None:
            return self.total_s, [dict(r) for r in self.records]
        lasted = max(0.0, now - self.since)
        records = [dict(r) for r in self.records]
        records[-1]["duration_s"] = round(lasted, 3)
        return self.total_s + lasted, records
