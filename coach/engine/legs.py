"""A leg hidden behind the other: MediaPipe puts both legs on the one it can see.

Lying on the back with one knee hugged to the chest, turned or seen from the feet, MediaPipe often
loses the hugged leg and draws it on top of the leg on the floor: its knee and ankle land on the
other leg's, and the hugged hip reads as straight for a second or more (seen on a real clip,
realworld knee_hug_turns, where it happened twice in one hold). A person can't do that: a knee
hugged to the chest one moment is not lying on the other leg a fifth of a second later.

So when both legs coincide within ``snap_s`` of one leg being pulled well in (its hip at least
``deep_by`` degrees more bent than the other's), that leg is taken as hidden: its landmarks are
carried from its last pulled frame, moved with its hip, until it shows up apart from the other leg
again for ``apart_s`` (or pulled in again), or for at most ``max_carry_s``. A leg lowered at a
person's pace passes through the angles in between and is never carried: the synthetic releases
(about 0.5 s) leave the last frame 90 deg more bent than the other leg 0.37 s before the legs
meet, where the real snaps take under 0.1 s. A leg dropped faster than that would be carried for
up to ``max_carry_s`` (the real hidden spells lasted 1.5 s), and the rep timed that much long.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Optional

import numpy as np

from coach.engine.definition import SIDES
from coach.engine.sides import other_side
from coach.geometry import joint_angle
from coach.pose.frame import PoseFrame, side_landmark

LEG_JOINTS = ("knee", "ankle", "heel", "foot_index")


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return math.hypot(float(a[0] - b[0]), float(a[1] - b[1]))


def _mid(xy: np.ndarray, joint: str) -> np.ndarray:
    return (xy[side_landmark("left", joint)] + xy[side_landmark("right", joint)]) / 2


class HiddenLegGuard:
    """Fed every frame (in order); returns the frame with a hidden leg's landmarks carried."""

    def __init__(self, deep_by: float = 90.0, snap_s: float = 0.2, apart_s: float = 0.2, max_carry_s: float = 2.0,
                 ankles_within: float = 0.3, knees_within: float = 0.6) -> None:
        self.deep_by, self.snap_s, self.apart_s, self.max_carry_s = deep_by, snap_s, apart_s, max_carry_s
        self.ankles_within, self.knees_within = ankles_within, knees_within  # torso lengths: legs coincide
        self.hidden: Optional[str] = None  # the side being carried now
        self._pulled: dict[str, tuple[float, PoseFrame]] = {}  # each side's last well-pulled frame
        self._hidden_since = 0.0
        self._apart_since: Optional[float] = None

    def update(self, pose: PoseFrame) -> PoseFrame:
        if pose.xy is None:
            return pose
        xy = pose.xy
        torso = _distance(_mid(xy, "shoulder"), _mid(xy, "hip"))
        if torso < 1.0:
            return pose
        merged = all(_distance(xy[side_landmark("left", j)], xy[side_landmark("right", j)]) < k * torso
                     for j, k in (("ankle", self.ankles_within), ("knee", self.knees_within)))
        hip = {s: joint_angle(*(xy[side_landmark(s, j)] for j in ("shoulder", "hip", "knee"))) for s in SIDES}
        pulled = {s: hip[s] <= hip[other_side(s)] - self.deep_by for s in SIDES}  # NaN compares False
        t = pose.t
        if self.hidden is not None:
            self._follow(t, merged, pulled[self.hidden])
        if self.hidden is None:
            for s in SIDES:
                if pulled[s]:
                    self._pulled[s] = (t, pose)
            if merged:
                self.hidden = next((s for s in SIDES if s in self._pulled and t - self._pulled[s][0] <= self.snap_s), None)
                self._hidden_since, self._apart_since = t, None
        return pose if self.hidden is None else self._carried(pose, self._pulled[self.hidden][1], self.hidden)

    def _follow(self, t: float, merged: bool, pulled: bool) -> None:
        """Whether the hidden leg is still hidden: not once it is seen pulled in again, seen apart from
        the other leg for ``apart_s``, or carried ``max_carry_s``."""
        if merged:
            self._apart_since = None
        elif self._apart_since is None:
            self._apart_since = t
        if (pulled and not merged or t - self._hidden_since > self.max_carry_s
                or self._apart_since is not None and t - self._apart_since >= self.apart_s):
            self.hidden = None

    @staticmethod
    def _carried(pose: PoseFrame, seen: PoseFrame, side: str) -> PoseFrame:
        """``pose`` with ``side``'s leg as it was in ``seen``, moved with that side's hip."""
        hip = side_landmark(side, "hip")
        idx = [side_landmark(side, j) for j in LEG_JOINTS]
        assert pose.xy is not None and seen.xy is not None
        xy = pose.xy.copy()
        xy[idx] = seen.xy[idx] - seen.xy[hip] + pose.xy[hip]
        world = pose.world
        if world is not None and seen.world is not None:
            world = world.copy()
            world[idx] = seen.world[idx] - seen.world[hip] + pose.world[hip]
        return dataclasses.replace(pose, xy=xy, world=world)



class LegSwapGuard:
    """The two legs' labels exchanged by the pose model: undone.

    Seen from the side, MediaPipe sometimes swaps which leg it calls left and which right while the
    person holds still (a rendered half-kneeling hip flexor stretch: both knees and ankles exchanged
    places within 0.1 s in the middle of the hold, and back 5 s later). Where the worked side cannot
    change within a rep (``[sides] alternating = false``: a held one-sided position), legs that
    exchange places this fast are taken as relabelled, and the labels are swapped back from then on,
    until they exchange again. A real change of legs passes through rest at a person's pace and
    never lands each leg on the other's place within ``within_s``. What it cannot undo: labels that
    are swapped from the first frame on (there is nothing to compare with).

    Each frame's legs (knee, ankle, heel, foot index) are compared with the legs ``within_s`` earlier
    (as judged): exchanged when the crossed pairing is within ``near`` torso lengths and the straight
    one at least ``apart`` off (the legs far enough apart to tell), each the median over the eight
    joints (one jittery joint does not decide: the knee nearest the hands moved 0.5 torso lengths as
    the labels swapped in that render)."""

    def __init__(self, within_s: float = 0.25, near: float = 0.25, apart: float = 0.5) -> None:
        self.within_s, self.near, self.apart = within_s, near, apart
        self.swapped = False
        self._history: list[tuple[float, np.ndarray]] = []  # (t, the legs as judged: [side, joint, xy])

    def update(self, pose: PoseFrame) -> PoseFrame:
        if pose.xy is None:
            return pose
        torso = _distance(_mid(pose.xy, "shoulder"), _mid(pose.xy, "hip"))
        if torso < 1.0:
            return pose
        legs = self._legs(pose.xy)
        if self.swapped:
            legs = legs[::-1]
        t = pose.t
        self._history = [(ht, h) for ht, h in self._history if t - ht <= self.within_s]
        if self._history:
            before = self._history[0][1]
            straight = float(np.median(np.hypot(*(legs - before).reshape(-1, 2).T))) / torso
            crossed = float(np.median(np.hypot(*(legs[::-1] - before).reshape(-1, 2).T))) / torso
            if crossed <= self.near and straight >= self.apart:
                self.swapped = not self.swapped
                legs = legs[::-1]
                self._history = []
        self._history.append((t, legs))
        return self._relabelled(pose) if self.swapped else pose

    @staticmethod
    def _legs(xy: np.ndarray) -> np.ndarray:
        return np.array([[xy[side_landmark(s, j)] for j in LEG_JOINTS] for s in SIDES], dtype=float)

    @staticmethod
    def _relabelled(pose: PoseFrame) -> PoseFrame:
        """``pose`` with the two legs' labels (and everything the model gave per landmark) exchanged."""
        a = [side_landmark("left", j) for j in LEG_JOINTS]
        b = [side_landmark("right", j) for j in LEG_JOINTS]

        def swap(arr: Optional[np.ndarray]) -> Optional[np.ndarray]:
            if arr is None:
                return None
            out = arr.copy()
            out[a], out[b] = arr[b], arr[a]
            return out

        return dataclasses.replace(pose, xy=swap(pose.xy), z=swap(pose.z), visibility=swap(pose.visibility),
                                   world=swap(pose.world))
