"""What the engine hands out: per-frame results for the overlay, and the session record for reports."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

from coach.engine.cues import Cue


@dataclass(slots=True)  # slots: an hour-long session keeps hundreds (bench/record_memory.py)
class RepRecord:
    index: int
    start_s: float
    end_s: float = 0.0
    hold_s: float = 0.0  # the hold timer: time held, paused while unseen or a pausing fault is active
    top_s: float = 0.0  # time in the hold phase, however it was held
    side: Optional[str] = None
    faults: list[str] = field(default_factory=list)
    peak: dict[str, float] = field(default_factory=dict)
    # Exercises with two hold poses (cat-cow): the hold time of each, by pose name ({"cat": .., "cow": ..}).
    pose_hold_s: dict[str, float] = field(default_factory=dict)
    # The figures the rep- and session-scope fault rules judged (duration_s, hold_s, cat_depth, ...).
    stats: dict[str, float] = field(default_factory=dict)
    # Faults the camera's angle kept from being judged (``FaultRule.max_view_deg``): neither flagged nor cleared.
    unjudged: list[str] = field(default_factory=list)

    @property
    def good(self) -> bool:
        return not self.faults


@dataclass(slots=True)
class HoldRecord:
    start_s: float
    end_s: float
    duration_s: float
    target_s: float
    side: Optional[str]
    rep: int
    faults: list[str] = field(default_factory=list)
    pose: Optional[str] = None  # which hold pose, when the exercise has two (cat-cow: "cat" | "cow")

    @property
    def met_target(self) -> bool:
        """Long enough and in good form throughout; a hold with no target (cat-cow's poles) has none to meet."""
        return 0 < self.target_s <= self.duration_s and not self.faults


@dataclass(frozen=True)
class PhaseSegment:
    start_s: float
    end_s: float
    phase: str


@dataclass
class FrameResult:
    """Everything the overlay and the live loop need to show one frame; nothing here is decided later."""

    index: int
    t: float
    state: str  # no_person | setup | unseen | active
    phase: str  # the definition's phase name ("setup" before counting starts)
    side: Optional[str]
    message: str  # what to tell the person when not active ("" when active)
    measures: dict[str, float]  # smoothed, by measure name
    key_measure: str
    status: str  # good | borderline | fault | unknown: colours the skeleton
    reps: int
    good_reps: int
    hold_s: float
    hold_target_s: float
    holding: bool
    cue: Optional[Cue]
    active_faults: tuple[str, ...] = ()
    people: int = 1
    worked_side: Optional[str] = None  # left | right | both while a one-sided exercise's rep is under way
    # The key measure relative to the person's resting (neutral) level, as the phase machine sees it;
    # NaN until counting starts. Cat-cow: about +1 in a full cat, -1 in a full cow.
    key_level: float = math.nan
    # The faults of the hold under way as its end will judge them (else of the last hold): a hold
    # meets its target only in good form, on screen as in the report.
    hold_faults: tuple[str, ...] = ()
    # Per-side exercises: reps done on the (left, right) side so far; None for the others.
    side_reps: Optional[tuple[int, ...]] = None

    @property
    def hold_met(self) -> bool:
        return 0 < self.hold_target_s <= self.hold_s and not self.hold_faults


@dataclass
class SessionRecord:
    reps: list[RepRecord]
    holds: list[HoldRecord]
    phases: list[PhaseSegment]
    cues: list[Cue]
    frames: int
    frames_with_pose: int
    frames_trusted: int
    warnings: list[str]
    setup_faults: list[dict]
