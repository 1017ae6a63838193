"""Which side of the body faces the camera, and whether the key joints can be trusted this frame.

MediaPipe's visibility can read 0.99 for a hidden joint, so the side is chosen on depth (``z``:
the near side is smaller) together with visibility, accumulated over time and sticky, and trust
also asks that the joints are inside the image and did not jump.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np

from coach.pose.frame import PoseFrame, side_landmark

_SIDE_JOINTS = ("shoulder", "hip", "knee", "ankle")
_LEFT = tuple(side_landmark("left", j) for j in _SIDE_JOINTS)
_RIGHT = tuple(side_landmark("right", j) for j in _SIDE_JOINTS)

# Per frame, on a handful of points: plain floats (from ``tolist()``), as numpy costs more in calls
# than it saves. Both helpers give the very floats numpy gave before, so no decision moves.


def _distance(p: Sequence[float], q: Sequence[float]) -> float:
    """|p - q|, as np.linalg.norm computes it (math.hypot can differ in the last bit)."""
    dx, dy = p[0] - q[0], p[1] - q[1]
    return math.sqrt(dx * dx + dy * dy)


def _mean(values: Sequence[float], idx: Sequence[int]) -> float:
    """Mean of ``values[idx]``, summed left to right as numpy does for so few values."""
    total = 0.0
    for i in idx:
        total += values[i]
    return total / len(idx)


class SideSelector:
    """Sticky choice of the camera-facing side: evidence is smoothed over ~``tau_s`` seconds and
    the side switches only when it clearly points the other way."""

    def __init__(self, tau_s: float = 1.0, switch_margin: float = 0.15) -> None:
        self.tau_s, self.switch_margin = tau_s, switch_margin
        self.side: Optional[str] = None
        self._score = 0.0
        self._t: Optional[float] = None

    @staticmethod
    def evidence(pose: PoseFrame) -> float:
        """> 0: the left side is nearer the camera. Depth difference in torso lengths, plus visibility."""
        assert pose.xy is not None and pose.z is not None and pose.visibility is not None
        xy, z, visibility = pose.xy.tolist(), pose.z.tolist(), pose.visibility.tolist()
        torso = max(1.0, (_distance(xy[_LEFT[0]], xy[_LEFT[1]]) + _distance(xy[_RIGHT[0]], xy[_RIGHT[1]])) / 2)
        depth = (_mean(z, _RIGHT) - _mean(z, _LEFT)) / torso
        vis = _mean(visibility, _LEFT) - _mean(visibility, _RIGHT)
        return min(max(depth, -1.5), 1.5) + 2.0 * vis

    def update(self, pose: PoseFrame) -> Optional[str]:
        if pose.xy is None:
            return self.side
        e = self.evidence(pose)
        alpha = 1.0 if self._t is None else 1.0 - math.exp(-max(pose.t - self._t, 1e-3) / self.tau_s)
        self._t = pose.t
        self._score += alpha * (e - self._score)
        if self.side is None:
            self.side = "left" if self._score >= 0 else "right"
        elif self.side == "left" and self._score < -self.switch_margin:
            self.side = "right"
        elif self.side == "right" and self._score > self.switch_margin:
            self.side = "left"
        return self.side


class TrustGate:
    """Whether the key joints of the tracked side are usable this frame.

    Untrusted when a key joint is below ``min_visibility``, outside the image, or jumped more than
    ``max_jump`` torso lengths since the previous frame (a tracking glitch). The tracked side turning
    over (``SideSelector``: a person facing the camera who turns the trunk) is not a jump: the other
    side's joints are elsewhere by nature."""

    def __init__(self, joints: tuple[str, ...], min_visibility: float = 0.5, max_jump: float = 0.35) -> None:
        self.joints, self.min_visibility, self.max_jump = joints, min_visibility, max_jump
        self._prev: Optional[list[list[float]]] = None  # the key joints' points last frame
        self._side: Optional[str] = None  # the side they were of
        self.reason = ""

    def check(self, pose: PoseFrame, side: Optional[str]) -> bool:
        if pose.xy is None or side is None:
            self._prev, self.reason = None, "nobody in view"
            return False
        if side != self._side:
            self._prev, self._side = None, side
        assert pose.visibility is not None
        idx = [side_landmark(side, j) for j in self.joints]
        xy = pose.xy.tolist()
        pts = [xy[i] for i in idx]
        prev, self._prev = self._prev, pts
        for i, name in zip(idx, self.joints):
            if not pose.in_frame(i, margin=-2.0):
                self.reason = f"{name}_out_of_frame"
                return False
            if pose.visibility[i] < self.min_visibility:
                self.reason = f"{name}_hidden"
                return False
        torso = _distance(xy[side_landmark(side, "shoulder")], xy[side_landmark(side, "hip")])
        if prev is not None and torso > 1 and max(map(_distance, pts, prev)) > self.max_jump * torso:
            self.reason = "jump"
            return False
        self.reason = ""
        return True


def side_on_score(pose: PoseFrame) -> float:
    """0 (facing the camera, or back to it) .. 1 (side-on); NaN without a pose. From the world
    landmarks: the share of the shoulder-to-shoulder vector that points along the camera's axis (the
    hip-to-hip one only where the shoulders give none); without them, the side evidence (depth and
    visibility of the two sides).

    Not the hip line: with the hips bent (sitting, lying with the knees up, kneeling) MediaPipe's hip
    line reads 13-33 deg off side-on where the shoulder line reads 3-16 (the side-on renders in
    samples/: seated_hamstring_stretch shs_mixed_01 26 deg with both lines averaged, 16 from the
    shoulders); with the hips straight (planks, the dog) the two agree within 2 deg. Over the 39
    side-on renders the shoulders alone read 7 deg off on average against 11 for the two averaged;
    over the 55 renders 30-40 deg round they read 2 deg lower (27 against 29)."""
    if pose.xy is None:
        return math.nan
    if pose.world is not None:
        for a, b in ((11, 12), (23, 24)):  # shoulders, else hips (left, right)
            v = pose.world[a] - pose.world[b]
            norm = float(np.linalg.norm(v))
            if norm > 1e-6:
                return abs(float(v[2])) / norm
    if pose.z is None or pose.visibility is None:
        return math.nan
    return min(abs(SideSelector.evidence(pose)) / 1.5, 1.0)


def view_deg(pose: PoseFrame) -> float:
    """Degrees from side-on (0 side-on .. 90 facing the camera) from the world landmarks; NaN without
    them (the side evidence's fallback reads too coarsely to gate a fault on)."""
    if pose.world is None:
        return math.nan
    score = side_on_score(pose)
    return math.degrees(math.acos(min(max(score, 0.0), 1.0))) if math.isfinite(score) else math.nan
