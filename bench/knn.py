"""A second opinion that learns from renders: a k-nearest-neighbours pose classifier over normalised
landmarks (the technique of Google's pose-classification sample), fed one frame at a time.

The embedding is what a pose looks like whoever does it and wherever the camera stands side-on:
the mid-points of both sides' joints (left and right nearly coincide side-on, and MediaPipe swaps
them at times), centred on the mid-hip, scaled by the torso's length and mirrored so the head is
always on the right; then, where the frame has it, the back's profile from the person mask
(MediaPipe has no spine landmarks, and cat and cow differ mostly there), weighted up so its 9
heights count as much as the body's 16 coordinates. It does not know the person's resting level:
that is its point (an absolute opinion beside the phase machine's relative one), and its weakness.

Trained on labelled frames (``bench/classifier.py`` builds them from the rendered clips and their
truth) and measured there against the phase machine. It lives with the benches, not in the product:
it did not earn a place there. Trained on the renders it recognises 54-63 % of their frames (left
out of training) where the phase machine gets 89-94 %, and on real clips it calls nearly every
hands-and-knees frame a cat and nearly no lying frame rest: the renders' few bodies and rooms do
not teach it what real people look like, while the phase machine needs no such teaching (it
follows each person's own levels). Run ``python bench/classifier.py`` for the figures.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from coach.pose.frame import PoseFrame, side_landmark

JOINTS = ("nose", "ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")
BACK_WEIGHT = 3.0  # the back profile's heights against the body's coordinates (both in torso lengths)


def embed(pose: PoseFrame) -> Optional[np.ndarray]:
    """The pose as a vector (see the module's docstring); None without a pose or a torso."""
    if pose.xy is None:
        return None
    pts = np.array([(pose.xy[side_landmark("left", j)] + pose.xy[side_landmark("right", j)]) / 2 for j in JOINTS])
    hip, shoulder = pts[JOINTS.index("hip")], pts[JOINTS.index("shoulder")]
    torso = float(np.linalg.norm(shoulder - hip))
    if torso < 1.0:
        return None
    rel = (pts - hip) / torso
    if shoulder[0] < hip[0]:  # head on the left: mirror so it is on the right
        rel[:, 0] = -rel[:, 0]
    parts = [rel.ravel()]
    if pose.back is not None and len(pose.back) and np.all(np.isfinite(pose.back)):
        parts.append(BACK_WEIGHT * np.asarray(pose.back, dtype=float))
    return np.concatenate(parts)


@dataclass(frozen=True)
class Opinion:
    label: str
    confidence: float  # share of the k neighbours that voted for it


class KnnPoseClassifier:
    """``fit`` labelled embeddings, then ``predict`` one embedding at a time."""

    def __init__(self, k: int = 15) -> None:
        self.k = k
        self._x: Optional[np.ndarray] = None
        self._y: list[str] = []

    def fit(self, samples: Sequence[tuple[np.ndarray, str]]) -> "KnnPoseClassifier":
        if not samples:
            raise ValueError("no labelled poses to learn from")
        width = max(len(x) for x, _ in samples)
        kept = [(x, y) for x, y in samples if len(x) == width]  # all with a back profile, or all without
        self._x = np.stack([x for x, _ in kept])
        self._y = [y for _, y in kept]
        return self

    def predict(self, x: Optional[np.ndarray]) -> Optional[Opinion]:
        if x is None or self._x is None or len(x) != self._x.shape[1] or not np.all(np.isfinite(x)):
            return None
        d = np.linalg.norm(self._x - x, axis=1)
        near = np.argsort(d)[: self.k]
        votes = Counter(self._y[i] for i in near)
        label, n = votes.most_common(1)[0]
        return Opinion(label, n / len(near))

    @property
    def labels(self) -> list[str]:
        return sorted(set(self._y))


def majority(opinions: Sequence[Optional[Opinion]]) -> Optional[str]:
    """The most frequent label among ``opinions`` (None where there is none)."""
    votes = Counter(o.label for o in opinions if o is not None)
    return votes.most_common(1)[0][0] if votes else None


def smoothed(opinions: Sequence[Optional[Opinion]], half: int = 4) -> list[Optional[str]]:
    """Each frame's label as the majority of the frames within ``half`` of it (a classifier's
    single-frame flicker between neighbouring poses)."""
    return [majority(opinions[max(0, i - half): i + half + 1]) for i in range(len(opinions))]


def accuracy(pairs: Sequence[tuple[Optional[str], str]]) -> float:
    """Share of (predicted, true) pairs that agree; NaN when there are none."""
    return sum(p == t for p, t in pairs) / len(pairs) if pairs else math.nan
