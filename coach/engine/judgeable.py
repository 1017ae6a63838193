"""Whether a fault can be judged from this camera, and what the coach says when it can't.

Three things keep a fault from being judged ("can't judge" rather than a guess):
- the person is too small in the picture (``SIZE``): below ``MIN_TORSO_PX`` of torso the landmarks
  are too coarse to show form, and no form fault is judged (the hold's length still is);
- the camera's angle (``VIEW``): a rule with ``max_view_deg`` is judged only that near side-on;
- its measure unreadable throughout a hold (``UNSEEN``: coach/engine/verdict.py ``judge_hold``), or, for
  a rule with ``min_visibility`` or ``judge_while``, its landmarks hidden or its condition unmet (a
  hand holding the knee whose angle it judges) in most of the hold.
"""

from __future__ import annotations

import math
from typing import Optional

from coach.engine.definition import FaultRule
from coach.measures import torso_length_px
from coach.pose.frame import PoseFrame

# Below this torso length (mid-shoulders to mid-hips, pixels) form is not judged. Set between the
# sizes bench/placements.py measures on the synthetic clips scaled down: torso 36-39 px (320 wide)
# keeps fault precision 0.71-1.0 on 14 clips, 18-20 px (160 wide) falls to 0.22-0.83.
MIN_TORSO_PX = 30.0
SIZE_TAU_S = 1.0  # the size is smoothed over about a second
VIEW, SIZE = "view", "size"
# A hold-scope fault that could not be seen in the hold: its measure never read (a superman's face
# behind the raised arm, seen from the side), or, for a rule with min_visibility, its landmarks hidden
# in most of the hold (the far leg of a figure four).
UNSEEN = "unseen"
TOO_SMALL_CUE = "too_small"  # the cue code of "you are too small in the picture" (one for every fault)


class FormGate:
    """Follows the person's size in the picture, frame by frame; ``why`` says whether a rule can be
    judged now."""

    def __init__(self) -> None:
        self.torso_px = math.nan
        self.small_frames = 0  # frames followed while too small
        self.frames = 0

    def update(self, pose: PoseFrame, dt: float) -> None:
        size = torso_length_px(pose)
        if not math.isfinite(size):
            return
        self.frames += 1
        if not math.isfinite(self.torso_px):
            self.torso_px = size
        else:
            self.torso_px += (1.0 - math.exp(-dt / SIZE_TAU_S)) * (size - self.torso_px)
        self.small_frames += self.too_small

    @property
    def too_small(self) -> bool:
        return self.torso_px < MIN_TORSO_PX  # (NaN, nothing seen yet: not too small)

    @property
    def mostly_too_small(self) -> bool:
        """Too small for most of the session: the report's warning ``too_small``."""
        return self.frames > 0 and self.small_frames > 0.5 * self.frames

    def why(self, rule: FaultRule, view_deg: float) -> Optional[str]:
        """``SIZE`` or ``VIEW`` when ``rule`` can't be judged now (``view_deg``: the camera's angle
        from side-on, NaN when unknown, which does not block); None when it can."""
        if rule.scope in ("hold", "rest") and self.too_small:
            return SIZE
        if rule.max_view_deg is not None and math.isfinite(view_deg) and view_deg > rule.max_view_deg:
            return VIEW
        return None

    def rep_rules_unjudged(self, rules: tuple[FaultRule, ...]) -> list[str]:
        """The rep- and session-scope rules not judged on a rep that ends now: too small, the figures
        that come from the landmarks (depths, durations of movements); the hold's length still is."""
        if not self.too_small:
            return []
        return [r.code for r in rules if r.scope in ("rep", "session") and not r.judges_hold_length]


def unjudged_message(rule: FaultRule, why: str = VIEW) -> str:
    """What the coach says once about a fault it can't judge."""
    if why == SIZE:
        return ("I can't check your form: you are too small in the picture - "
                "move the camera closer, or record at a higher resolution")
    fault = rule.label or rule.code.replace("_", " ")
    if why == UNSEEN:
        return f"I can't check for {fault}: the camera can't see it well enough from here"
    return f"I can't check for {fault} from this camera angle - set the camera side-on to have it checked"


def unjudged_cue_code(rule: FaultRule, why: str) -> str:
    """The cue code said once: one for "too small" whatever the fault, one per fault for the angle."""
    return TOO_SMALL_CUE if why == SIZE else f"{rule.code}_unseen" if why == UNSEEN else f"{rule.code}_unjudged"
