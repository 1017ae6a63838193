"""PoseFrame: one frame's body landmarks, knowing nothing of the model that produced them.

Conventions: image pixels with the origin at the top-left, x right, y down. ``z`` is depth in the
same pixel scale, relative to the mid-hip, smaller = nearer the camera (MediaPipe's convention,
scaled by the image width). ``world`` is in metres, origin at the mid-hip, y down.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Optional

import numpy as np

LANDMARK_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)

Landmark = IntEnum("Landmark", {name.upper(): i for i, name in enumerate(LANDMARK_NAMES)}, start=0)


_INDEX = {name: i for i, name in enumerate(LANDMARK_NAMES)}


def side_landmark(side: str, joint: str) -> int:
    """Index of e.g. ('left', 'hip'); joint names without a side (``nose``) pass through."""
    index = _INDEX.get(joint)
    return index if index is not None else _INDEX[f"{side}_{joint}"]


@dataclass(frozen=True)
class PoseFrame:
    """The pose of the (first) person in one frame, or ``xy is None`` when nobody was found."""

    index: int
    t: float
    width: int
    height: int
    xy: Optional[np.ndarray] = None  # (33, 2) pixels
    z: Optional[np.ndarray] = None  # (33,) pixels, relative depth
    visibility: Optional[np.ndarray] = None  # (33,) 0..1
    world: Optional[np.ndarray] = None  # (33, 3) metres
    people: int = 0  # how many people the backend saw (a backend that can't tell says 1 or 0)
    mask: Optional[np.ndarray] = None  # person segmentation, float32 (h, w) 0..1, when asked for
    # The back's profile from the mask (coach.pose.back_profile): heights of the silhouette's top edge
    # above the shoulder-hip line in torso lengths, N_SAMPLES from shoulder to hip; None without a mask.
    back: Optional[np.ndarray] = None
    # The silhouette's lower edge, the same way (``back_profile.under_profile``; negative = below the line).
    under: Optional[np.ndarray] = None

    @property
    def has_pose(self) -> bool:
        return self.xy is not None

    def point(self, i: int) -> np.ndarray:
        assert self.xy is not None
        return self.xy[i]

    def in_frame(self, i: int, margin: float = 0.0) -> bool:
        """Whether landmark i lies inside the image (shrunk by ``margin`` pixels)."""
        if self.xy is None:
            return False
        x, y = self.xy[i]
        return margin <= x < self.width - margin and margin <= y < self.height - margin
