"""Where the person is in the set: reps done per side, and when to tell them to switch sides.

Asked after each finished rep, with the worked sides of the set's reps so far (so a rep taken back
is not counted). For a per-side exercise (``targets.per_side``) the definition's reps_min is per side:
once the side just worked has that many and the other side fewer, the coach says to switch, once per
side (not again for extra reps on the same side)."""

from __future__ import annotations

from typing import Optional, Sequence

from coach.engine.definition import SIDES, Exercise
from coach.engine.sides import other_side

SWITCH_CODE = "switch_sides"
SWITCH_PRIORITY = 3  # above form cues: a rep-end fault cue offered at the same moment must not push it out


def reps_by_side(sides: Sequence[Optional[str]]) -> dict[str, int]:
    """Reps per side ('both' and unknown sides count toward neither)."""
    return {side: sum(1 for s in sides if s == side) for side in SIDES}


class SetProgress:
    def __init__(self, exercise: Exercise) -> None:
        self.per_side = exercise.per_side
        self.reps_min = exercise.reps_min
        self._switched_from: set[str] = set()

    def after_rep(self, sides: Sequence[Optional[str]]) -> Optional[str]:
        """The side to switch to now that the last of ``sides`` (the set's reps, in order) ended, or None."""
        if not self.per_side or self.reps_min <= 0 or not sides or sides[-1] not in SIDES:
            return None
        side = sides[-1]
        if side in self._switched_from:
            return None
        done, other = reps_by_side(sides), other_side(side)
        if done[side] >= self.reps_min and done[other] < self.reps_min:
            self._switched_from.add(side)
            return other
        return None
