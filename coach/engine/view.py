"""Which side of the body faces the camera, and whether the key joints can be trusted this frame.

MediaPipe's visibility can read 0.99 for a hidden joint, so the side is chosen on depth (``z``:
the near side is smaller) together with visibility, accumulated over time and sticky, and trust
also asks that the joints are inside the image and did not jump.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from coach.pose.frame import PoseFrame, side_landmark

_SIDE_JOINTS = ("shoulder", "hip", "knee", "ankle")


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
        left = [side_landmark("left", j) for j in _SIDE_JOINTS]
        right = [side_landmark("right", j) for j in _SIDE_JOINTS]
        torso = max(1.0, float(np.linalg.norm(pose.xy[left[0]] - pose.xy[left[1]]) + np.linalg.norm(pose.xy[right[0]] - pose.xy[right[1]])) / 2)
        depth = float(pose.z[right].mean() - pose.z[left].mean()) / torso
        vis = float(pose.visibility[left].mean() - pose.visibility[right].mean())
        return float(np.clip(depth, -1.5, 1.5) + 2.0 * vis)

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
    ``max_jump`` torso lengths since the previous frame (a tracking glitch)."""

    def __init__(self, joints: tuple[str, ...], min_visibility: float = 0.5, max_jump: float = 0.35) -> None:
        self.joints, self.min_visibility, self.max_jump = joints, min_visibility, max_jump
        self._prev: Optional[np.ndarray] = None
        self.reason = ""

    def check(self, pose: PoseFrame, side: Optional[str]) -> bool:
        if pose.xy is None or side is None:
            self._prev, self.reason = None, "nobody in view"
            return False
        assert pose.visibility is not None
        idx = [side_landmark(side, j) for j in self.joints]
        pts = pose.xy[idx]
        prev, self._prev = self._prev, pts
        for i, name in zip(idx, self.joints):
            if not pose.in_frame(i, margin=-2.0):
                self.reason = f"{name}_out_of_frame"
                return False
            if pose.visibility[i] < self.min_visibility:
                self.reason = f"{name}_hidden"
                return False
        torso = float(np.linalg.norm(pose.xy[side_landmark(side, "shoulder")] - pose.xy[side_landmark(side, "hip")]))
        if prev is not None and torso > 1 and float(np.max(np.linalg.norm(pts - prev, axis=1))) > self.max_jump * torso:
            self.reason = "jump"
            return False
        self.reason = ""
        return True
