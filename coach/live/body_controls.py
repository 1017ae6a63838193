"""Hands-free control: what the person's body asks of the coach, for someone who cannot reach the
keyboard (lying on a mat, in a spasm).

- **Pause: sitting or standing up.** The torso upright (shoulders above the hips, within
  ``upright_within_deg`` of vertical) for ``pause_after_s``, during an exercise whose starting
  posture has the torso near horizontal (lying, on hands and knees: ``lying_max_deg``, measured on
  the person when counting starts, so it holds for every exercise without naming any). Lying or
  kneeling back down into the starting posture for ``resume_after_s`` carries on.
- **Pain stop: a hand held up.** One arm raised straight (the wrist above its shoulder by at least
  ``hand_above_torso`` torso lengths, the shoulder-to-wrist line within ``arm_within_deg`` of
  vertical, the wrist well away from the knees, so that hugging a knee is not a raised hand, and
  from the hips, so that an arm resting along the body of someone upside down in the picture is
  not either) for ``hand_up_s``. A raised hand is read the same lying, kneeling, sitting or standing.

Why these signals: both are far from every exercise's own movements (a bridge lifts the hips *above*
the shoulders; knee hugs keep the hands at the knee; cat-cow keeps the hands on the floor), and both
are what a person does anyway: sit up to stop, raise a hand to be noticed. Checked with
``bench/body_controls.py`` on MediaPipe's landmarks of every sample and synthetic clip (16: bridge,
knee to chest, cat-cow, lying still, standing) and the real-world clips of the shipped exercises and
their neighbours (bridge x4, cat-cow x3, knee hugs x2, straight-leg hugs, pelvic tilt): nothing fires;
the torso stays under 34 degrees from horizontal and an arm is never held up for more than 0.5 s.
(A side-lying twist filmed from the feet, not a shipped exercise, raises an arm as part of the
movement and reads upright: an exercise like it will need a way to turn these off in its definition.)

Pure: PoseFrames and times in, ``BodySignals`` out; the live loop decides what to do with them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from coach.pose.frame import LANDMARK_NAMES, PoseFrame

_I = {name: i for i, name in enumerate(LANDMARK_NAMES)}
PAUSE, RESUME, PAIN = "pause", "resume", "pain"


@dataclass(frozen=True)
class BodyConfig:
    upright_within_deg: float = 30.0  # torso this close to vertical (shoulders above hips): sitting or standing
    lying_max_deg: float = 40.0  # a starting posture whose torso is this close to horizontal can be "sat up" from
    pause_after_s: float = 1.0  # upright this long pauses
    resume_after_s: float = 1.5  # back in the starting posture this long carries on
    hand_above_torso: float = 0.6  # wrist above its shoulder by this many torso lengths...
    arm_within_deg: float = 30.0  # ...along a line this close to vertical...
    hand_from_knee: float = 0.5  # ...this many torso lengths from either knee...
    hand_from_hips: float = 1.2  # ...and this many from the hips (an arm resting along the body of someone upside down is not raised)
    hand_up_s: float = 2.0  # held this long: the pain stop
    min_visibility: float = 0.5  # the arm's joints must be seen at least this well
    gap_s: float = 0.3  # a condition may drop out this long (a missed frame) without starting over


@dataclass(frozen=True)
class BodySignals:
    upright_s: float  # how long the torso has been upright (0 when not)
    down_s: float  # how long the torso has been back near horizontal (0 when not)
    hand_up_s: float  # how long a hand has been held up (0 when not)
    pause: bool  # upright long enough (only when the starting posture is lying or kneeling)
    resume: bool  # back down long enough
    pain: bool  # a hand held up long enough


class _Dwell:
    """How long a condition has held, forgiving drop-outs shorter than ``gap_s``."""

    def __init__(self, gap_s: float) -> None:
        self.gap_s = gap_s
        self.since: Optional[float] = None
        self.last_true: Optional[float] = None

    def __call__(self, t: float, true: bool) -> float:
        if true:
            if self.since is None or (self.last_true is not None and t - self.last_true > self.gap_s):
                self.since = t
            self.last_true = t
            return t - self.since
        if self.last_true is not None and t - self.last_true <= self.gap_s and self.since is not None:
            return self.last_true - self.since
        self.since = self.last_true = None
        return 0.0


def _mid(pose: PoseFrame, joint: str) -> Optional[np.ndarray]:
    assert pose.xy is not None
    p = (pose.xy[_I[f"left_{joint}"]] + pose.xy[_I[f"right_{joint}"]]) / 2.0
    return p if np.all(np.isfinite(p)) else None


def torso_elevation(pose: PoseFrame) -> float:
    """The mid-hip-to-mid-shoulder line's angle above the image horizontal, signed: +90 upright
    (shoulders straight above the hips), about 0 lying or on hands and knees, negative when the hips
    are above the shoulders (a bridge). NaN without a pose."""
    if pose.xy is None:
        return math.nan
    shoulder, hip = _mid(pose, "shoulder"), _mid(pose, "hip")
    if shoulder is None or hip is None:
        return math.nan
    dx, dy = shoulder[0] - hip[0], hip[1] - shoulder[1]  # dy > 0: shoulders higher in the picture
    return math.degrees(math.atan2(dy, abs(dx)))


def torso_length(pose: PoseFrame) -> float:
    if pose.xy is None:
        return math.nan
    shoulder, hip = _mid(pose, "shoulder"), _mid(pose, "hip")
    return float(np.hypot(*(shoulder - hip))) if shoulder is not None and hip is not None else math.nan


def hand_up_score(pose: PoseFrame, config: BodyConfig = BodyConfig()) -> float:
    """How clearly an arm is held up: the wrist's height above its shoulder in torso lengths, for the
    better of the two arms that also meet the line, knee and visibility conditions; -inf for none.
    The hand is up when this is at least ``config.hand_above_torso``."""
    if pose.xy is None:
        return -math.inf
    torso = torso_length(pose)
    if not math.isfinite(torso) or torso <= 1.0:
        return -math.inf
    vis = pose.visibility if pose.visibility is not None else np.ones(len(LANDMARK_NAMES))
    knees = [pose.xy[_I["left_knee"]], pose.xy[_I["right_knee"]]]
    hips = _mid(pose, "hip")
    best = -math.inf
    for side in ("left", "right"):
        s, e, w = (_I[f"{side}_{j}"] for j in ("shoulder", "elbow", "wrist"))
        if min(vis[s], vis[e], vis[w]) < config.min_visibility:
            continue
        shoulder, wrist = pose.xy[s], pose.xy[w]
        if not (np.all(np.isfinite(shoulder)) and np.all(np.isfinite(wrist))):
            continue
        up = shoulder[1] - wrist[1]  # image y grows downward
        if up <= 0:
            continue
        from_vertical = math.degrees(math.atan2(abs(wrist[0] - shoulder[0]), up))
        near_knee = min(float(np.hypot(*(wrist - k))) for k in knees if np.all(np.isfinite(k))) \
            if any(np.all(np.isfinite(k)) for k in knees) else math.inf
        from_hips = float(np.hypot(*(wrist - hips))) if hips is not None else 0.0
        if (from_vertical <= config.arm_within_deg and near_knee >= config.hand_from_knee * torso
                and from_hips >= config.hand_from_hips * torso):
            best = max(best, up / torso)
    return best


class BodyControls:
    """Feed every frame (``update``); ``start`` when counting starts, with that frame's pose."""

    def __init__(self, config: BodyConfig = BodyConfig()) -> None:
        self.config = config
        self.can_pause = False  # set by ``start``: the starting posture is lying or kneeling
        self._upright = _Dwell(config.gap_s)
        self._down = _Dwell(config.gap_s)
        self._hand = _Dwell(config.gap_s)

    def start(self, pose: PoseFrame) -> None:
        """Counting starts in the exercise's starting posture: sitting up can pause it only if that
        posture has the torso near horizontal."""
        elevation = torso_elevation(pose)
        self.can_pause = math.isfinite(elevation) and abs(elevation) <= self.config.lying_max_deg

    def update(self, t: float, pose: PoseFrame) -> BodySignals:
        c = self.config
        elevation = torso_elevation(pose)
        upright = math.isfinite(elevation) and elevation >= 90.0 - c.upright_within_deg
        down = math.isfinite(elevation) and elevation <= c.lying_max_deg
        upright_s = self._upright(t, upright)
        down_s = self._down(t, down)
        hand_s = self._hand(t, hand_up_score(pose, c) >= c.hand_above_torso)
        return BodySignals(upright_s=upright_s, down_s=down_s, hand_up_s=hand_s,
                           pause=self.can_pause and upright and upright_s >= c.pause_after_s,
                           resume=down and down_s >= c.resume_after_s,
                           pain=hand_s >= c.hand_up_s)
