"""What a pose looks like whoever does it and wherever the camera stands: numbers from MediaPipe's
world landmarks (metres, origin at the mid-hip, y down) that do not change when the person turns
about the vertical, moves, is taller or shorter, or works the left side instead of the right.

Per frame (``frame_features``): the pitch of each body segment against the vertical (0 = pointing
up, 90 = level, 180 = down), the joint angles, which way the chest faces (up, level, down: lying on
the back and on the front look alike in every angle but this), how upright the shoulder line is
(lying or propped on one side), and the heights of head, hands and feet above the hips in torso
lengths. Left and right are sorted (smaller first), so a one-sided exercise reads the same on either
side. Per window of frames (``window_features``): each number's mean and the log of its spread, so
that a held pose and a movement through it differ: on a log scale a cat held still (spreads at the
landmarks' noise) lies as far from one moving a little (cat-cow's head swinging) as that from a big
movement, where the raw spread of a small movement drowned among the big ones of other exercises.

Gravity is taken as the camera's down: a camera tilted far up or down (a laptop on a desk) skews the
pitches by its tilt. (Training on copies of the renders turned by +-15 degrees of tilt and roll was
tried: 89.3 % of frames right on --cv, but the real clips fell from 45 to 40.5 %: not kept.)
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from coach.pose.frame import LANDMARK_NAMES, PoseFrame

_I = {name: i for i, name in enumerate(LANDMARK_NAMES)}
UP = np.array([0.0, -1.0, 0.0])
NAMES = ("torso_pitch", "thigh_pitch_lo", "thigh_pitch_hi", "shin_pitch_lo", "shin_pitch_hi", "upper_arm_pitch_lo",
         "upper_arm_pitch_hi", "forearm_pitch_lo", "forearm_pitch_hi", "knee_lo", "knee_hi", "hip_lo", "hip_hi",
         "elbow_lo", "elbow_hi", "chest_facing", "shoulder_line_upright", "head_height", "hands_height",
         "feet_height")
# Angles are divided by this so that 180 degrees and a body length weigh about the same.
ANGLE_SCALE = 90.0


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1e-9, v / n, np.nan)


def _pitch(v: np.ndarray) -> np.ndarray:
    """Degrees between each vector (last axis) and UP."""
    return np.degrees(np.arccos(np.clip(_unit(v) @ UP, -1.0, 1.0)))


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Degrees of the angle a-b-c."""
    return np.degrees(np.arccos(np.clip((_unit(a - b) * _unit(c - b)).sum(axis=-1), -1.0, 1.0)))


def _pair(lo_hi: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    a, b = lo_hi
    return [np.minimum(a, b), np.maximum(a, b)]


def world_features(world: np.ndarray) -> np.ndarray:
    """``frame_features`` of many frames' world landmarks at once: (frames, 33, 3) -> (frames,
    len(NAMES)), a row of NaN where a frame has no usable pose."""
    w = np.asarray(world, dtype=float)
    j = {s: {k: w[:, _I[f"{s}_{k}"]] for k in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")}
         for s in ("left", "right")}
    mid_sh = (j["left"]["shoulder"] + j["right"]["shoulder"]) / 2
    mid_hip = (j["left"]["hip"] + j["right"]["hip"]) / 2
    spine = mid_sh - mid_hip
    torso = np.linalg.norm(spine, axis=-1)
    across = j["left"]["shoulder"] - j["right"]["shoulder"]
    chest = np.cross(across, spine)  # the chest's normal (its sign checked on renders lying face up and down)
    both = lambda f: (f("left"), f("right"))  # noqa: E731
    cols = [_pitch(spine)]
    cols += _pair(both(lambda s: _pitch(j[s]["knee"] - j[s]["hip"])))
    cols += _pair(both(lambda s: _pitch(j[s]["ankle"] - j[s]["knee"])))
    cols += _pair(both(lambda s: _pitch(j[s]["elbow"] - j[s]["shoulder"])))
    cols += _pair(both(lambda s: _pitch(j[s]["wrist"] - j[s]["elbow"])))
    cols += _pair(both(lambda s: _angle(j[s]["hip"], j[s]["knee"], j[s]["ankle"])))
    cols += _pair(both(lambda s: _angle(j[s]["shoulder"], j[s]["hip"], j[s]["knee"])))
    cols += _pair(both(lambda s: _angle(j[s]["shoulder"], j[s]["elbow"], j[s]["wrist"])))
    cols += [_pitch(chest)]
    angles = np.stack(cols, axis=1) / ANGLE_SCALE
    with np.errstate(invalid="ignore", divide="ignore"):
        upright = np.abs(across @ UP) / np.maximum(np.linalg.norm(across, axis=-1), 1e-6)
        height = lambda p: ((p - mid_hip) @ UP) / torso  # noqa: E731
        heights = [height(w[:, _I["nose"]]), (height(j["left"]["wrist"]) + height(j["right"]["wrist"])) / 2,
                   (height(j["left"]["ankle"]) + height(j["right"]["ankle"])) / 2]
    feats = np.column_stack([angles, upright] + heights)
    bad = ~np.all(np.isfinite(w[:, :29]), axis=(1, 2)) | ~(torso >= 0.05) | ~np.all(np.isfinite(feats), axis=1)
    feats[bad] = np.nan
    return feats


def frame_features(pose: PoseFrame) -> Optional[np.ndarray]:
    """The frame's numbers in NAMES' order (angles / ANGLE_SCALE, heights in torso lengths); None
    without world landmarks."""
    if pose.world is None:
        return None
    f = world_features(np.asarray(pose.world, dtype=float)[None])[0]
    return None if np.isnan(f).any() else f


# Added to a spread before its log: about the landmarks' noise (3 degrees, 3 % of the torso), so that
# differences in noise below it do not count. Chosen between 0.01 and 0.03 on the renders left out in
# turn (bench/recognition.py --cv): the same frames right, 0.03 nearer at the joins.
SPREAD_FLOOR = 0.03


def window_features(frames: Sequence[np.ndarray]) -> np.ndarray:
    """Mean and log spread (standard deviation plus SPREAD_FLOOR) of each frame number over a window."""
    a = np.asarray(frames)
    return np.concatenate([a.mean(axis=0), np.log(a.std(axis=0) + SPREAD_FLOOR)])

