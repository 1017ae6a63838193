"""What a pose looks like whoever does it and wherever the camera stands: numbers from MediaPipe's
world landmarks (metres, origin at the mid-hip, y down) that do not change when the person turns
about the vertical, moves, is taller or shorter, or works the left side instead of the right.

Per frame (``frame_features``): the pitch of each body segment against the vertical (0 = pointing
up, 90 = level, 180 = down), the joint angles, which way the chest faces (up, level, down: lying on
the back and on the front look alike in every angle but this), how upright the shoulder line is
(lying or propped on one side), and the heights of head, hands and feet above the hips in torso
lengths. Left and right are sorted (smaller first), so a one-sided exercise reads the same on either
side. Per window of frames (``window_features``): each number's mean and spread, so that a held pose
and a movement through it differ.

Gravity is taken as the camera's down: a camera tilted far up or down (a laptop on a desk) skews the
pitches by its tilt.
"""

from __future__ import annotations

import math
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


def _p(pose_world: np.ndarray, side: str, joint: str) -> np.ndarray:
    return pose_world[_I[f"{side}_{joint}"]]


def _pitch(v: np.ndarray) -> float:
    n = float(np.linalg.norm(v))
    return math.degrees(math.acos(max(-1.0, min(1.0, float(v @ UP) / n)))) if n > 1e-6 else math.nan


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    u, v = a - b, c - b
    n = float(np.linalg.norm(u) * np.linalg.norm(v))
    return math.degrees(math.acos(max(-1.0, min(1.0, float(u @ v) / n)))) if n > 1e-9 else math.nan


def _pair(values: Sequence[float]) -> list[float]:
    return sorted(values)


def frame_features(pose: PoseFrame) -> Optional[np.ndarray]:
    """The frame's numbers in NAMES' order (angles / ANGLE_SCALE, heights in torso lengths); None
    without world landmarks."""
    w = pose.world
    if w is None or not np.all(np.isfinite(w[:29])):
        return None
    j = {s: {k: _p(w, s, k) for k in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")} for s in ("left", "right")}
    mid_sh = (j["left"]["shoulder"] + j["right"]["shoulder"]) / 2
    mid_hip = (j["left"]["hip"] + j["right"]["hip"]) / 2
    spine = mid_sh - mid_hip
    torso = float(np.linalg.norm(spine))
    if torso < 0.05:
        return None
    across = j["left"]["shoulder"] - j["right"]["shoulder"]
    chest = np.cross(across, spine)  # the chest's normal (its sign checked on renders lying face up and down)
    both = ("left", "right")
    out = [_pitch(spine)]
    out += _pair([_pitch(j[s]["knee"] - j[s]["hip"]) for s in both])
    out += _pair([_pitch(j[s]["ankle"] - j[s]["knee"]) for s in both])
    out += _pair([_pitch(j[s]["elbow"] - j[s]["shoulder"]) for s in both])
    out += _pair([_pitch(j[s]["wrist"] - j[s]["elbow"]) for s in both])
    out += _pair([_angle(j[s]["hip"], j[s]["knee"], j[s]["ankle"]) for s in both])
    out += _pair([_angle(j[s]["shoulder"], j[s]["hip"], j[s]["knee"]) for s in both])
    out += _pair([_angle(j[s]["shoulder"], j[s]["elbow"], j[s]["wrist"]) for s in both])
    out += [_pitch(chest)]
    angles = np.array(out) / ANGLE_SCALE
    upright = abs(float(across @ UP)) / max(float(np.linalg.norm(across)), 1e-6)
    height = lambda p: float((p - mid_hip) @ UP) / torso  # noqa: E731
    heights = [height(w[_I["nose"]]), np.mean([height(j[s]["wrist"]) for s in both]),
               np.mean([height(j[s]["ankle"]) for s in both])]
    feats = np.concatenate([angles, [upright], heights])
    return feats if np.all(np.isfinite(feats)) else None


def window_features(frames: Sequence[np.ndarray]) -> np.ndarray:
    """Mean and spread (standard deviation) of each frame number over a window."""
    a = np.asarray(frames)
    return np.concatenate([a.mean(axis=0), a.std(axis=0)])
