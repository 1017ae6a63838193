"""Set-up guidance before coaching: get the person into a usable position, then count down.

Checked in this order, the first problem found is what the person is told:
light (the frame's mean brightness) -> somebody in view -> the body parts the exercise needs inside
the picture (all, or those of its ``key_joints``) -> not too far (the body's length against the
picture's, estimated from those parts), not too near (those parts against the picture) -> side-on
to the camera (``view = "side"``) or facing it (``view = "front"``) -> the exercise's starting posture (what the
exercise checker says in its set-up state). When all is well a short countdown runs; counting
starts only when it ends. A problem must last ``grace_s`` to cancel a countdown, so one bad frame
does not restart it.

Pure: numbers and PoseFrames in, a ``SetupStep`` out. The live loop measures the brightness and
runs the checker; this module only decides what to say.

Side-on comes from the world landmarks where the backend gives them: the share of the
shoulder-to-shoulder (and hip-to-hip) vector that points along the camera's axis (about 0.9 side-on,
0.05 facing the camera, 0.7 at 45 degrees on MediaPipe's output for the sample and real-world
clips). Without world landmarks it falls back to the engine's side evidence (``SideSelector``:
depth and visibility difference of the two sides; about 1.5-2 side-on, under 0.5 facing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np

from coach.engine.records import FrameResult
from coach.engine.view import side_on_score  # noqa: F401  (re-exported: calibration and tests use it from here)
from coach.pose.frame import LANDMARK_NAMES, PoseFrame

_I = {name: i for i, name in enumerate(LANDMARK_NAMES)}

# The parts that must be inside the picture, in the order they are named when several are out.
BODY_PARTS: dict[str, tuple[str, ...]] = {
    "head": ("nose", "left_ear", "right_ear"),
    "feet": ("left_ankle", "right_ankle"),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "hips": ("left_hip", "right_hip"),
    "knees": ("left_knee", "right_knee"),
}
_BODY_INDEX = tuple(_I[n] for names in BODY_PARTS.values() for n in names)
# The part each joint of a definition's ``key_joints`` belongs to: the set-up (live and calibrate)
# asks for exactly the parts whose joints the checker's trust gate needs (``parts_for``).
_JOINT_PART = {"nose": "head", "ear": "head", "eye": "head", "shoulder": "shoulders", "hip": "hips", "knee": "knees",
               "ankle": "feet", "heel": "feet", "foot_index": "feet"}

# Side-on, from the side-on score as an angle (acos(score): 0 side-on, 90 facing the camera): one
# limit for live coaching and ``coach calibrate camera``. The checkers count right up to here:
# the synthetic +-30 deg clips (MediaPipe reads them at 18-32 deg) and the real oblique clips
# (read at up to 54 deg: ndnam0109 glute and heel-floor bridges, trajnovd weighted bridges, knee hug
# turns, all counted exactly by bench/accuracy.py); live coaching has accepted this (score 0.55) since
# it was written. Beyond it the image-plane angles shrink with the turn and counting fails.
SIDE_MAX_DEG = 57.0
# An exercise done facing the camera (view = "front": a side plank's line lies in the picture) needs the
# body turned more than this from side-on; calibrate's "frontal" (calibration/camera.py) is the same.
FRONTAL_MIN_DEG = 65.0

# Codes of the steps (stable: the report and tests use them).
DARK, NOBODY, OUT_OF_FRAME, TOO_FAR, TOO_NEAR, NOT_SIDE_ON, NOT_FACING, POSTURE, COUNTDOWN, READY = (
    "too_dark", "nobody", "out_of_frame", "too_far", "too_near", "not_side_on", "not_facing", "posture", "countdown",
    "ready")


@dataclass(frozen=True)
class SetupConfig:
    countdown_s: float = 3.0
    min_brightness: float = 40.0  # mean grey level 0-255 below which the picture is too dark
    # The body's length as a share of the picture's: below min_extent, too far. MediaPipe still tracks a
    # body a quarter of the picture long (the rendered samples: 0.26-0.39); a fifth (128 px of 640) is the limit.
    min_extent: float = 0.20
    max_extent: float = 0.95  # above, too near
    min_side_on: float = math.cos(math.radians(SIDE_MAX_DEG))  # side-on score (0 facing .. 1 side-on): 0.54
    grace_s: float = 0.5  # a problem must last this long to cancel a running countdown
    smooth_s: float = 0.4  # time constant of the smoothing of brightness, extent and side-on score


@dataclass(frozen=True)
class SetupStep:
    code: str  # one of the codes above
    message: str  # what to show and say ("" never: there is always something to say until ready)
    ready: bool = False  # the countdown has finished: start counting
    countdown: Optional[int] = None  # 3, 2, 1 while counting down


def parts_for(joints: Iterable[str]) -> tuple[str, ...]:
    """The body parts (of BODY_PARTS, in its order) that hold any of ``joints`` (a definition's
    ``key_joints``): what must be inside the picture for the checker to trust a frame."""
    wanted = {_JOINT_PART[j] for j in joints if j in _JOINT_PART}
    return tuple(p for p in BODY_PARTS if p in wanted)


def out_of_frame(pose: PoseFrame, margin: float = 0.0, parts: Optional[Iterable[str]] = None) -> list[str]:
    """The body parts (of BODY_PARTS, or of ``parts``) with a landmark outside the picture."""
    if pose.xy is None:
        return []
    chosen = BODY_PARTS if parts is None else {p: BODY_PARTS[p] for p in parts}
    return [part for part, names in chosen.items()
            if any(not pose.in_frame(_I[n], margin=margin) for n in names)]


# Nominal heights (m) of each part on a standing adult: a set of parts spans this share of the body's
# length (shoulders to hips about a third). A desk camera that sees a seated person from the hips up
# judges the distance on what it needs to see, scaled to the whole body, so that the limits below
# (SetupConfig.min_extent) mean the same for every exercise.
_PART_HEIGHT_M = {"head": 1.60, "shoulders": 1.42, "hips": 0.93, "knees": 0.50, "feet": 0.08}


def body_share(parts: Optional[Iterable[str]] = None) -> float:
    """The share of a standing body's length that ``parts`` span (1.0 for every part, or none given)."""
    heights = [_PART_HEIGHT_M[p] for p in (parts or BODY_PARTS)]
    whole = max(_PART_HEIGHT_M.values()) - min(_PART_HEIGHT_M.values())
    return max(max(heights) - min(heights), 0.25) / whole  # one part alone: as if a quarter of the body


def part_extent(pose: PoseFrame, parts: Optional[Iterable[str]] = None) -> float:
    """The length of ``parts`` (all by default) as a share of the picture, along whichever of width
    and height they fill more (a person lying down fills the width, one standing the height).
    Landmarks outside the picture count where MediaPipe puts them, so a cut-off body reads as large."""
    if pose.xy is None or pose.width <= 0 or pose.height <= 0:
        return math.nan
    index = _BODY_INDEX if parts is None else [_I[n] for p in parts for n in BODY_PARTS[p]]
    pts = pose.xy[list(index)]
    w, h = np.ptp(pts[:, 0]), np.ptp(pts[:, 1])
    return float(max(w / pose.width, h / pose.height))


def body_extent(pose: PoseFrame, parts: Optional[Iterable[str]] = None) -> float:
    """The whole body's length as a share of the picture, estimated from ``parts`` (all by default:
    then measured) by their nominal share of the body (``body_share``)."""
    chosen = None if parts is None else tuple(parts)
    return part_extent(pose, chosen) / body_share(chosen)


class _Smooth:
    """Exponential smoothing over irregular frame times; forgets the past on NaN."""

    def __init__(self, tau_s: float) -> None:
        self.tau_s = tau_s
        self.value = math.nan
        self._t: Optional[float] = None

    def __call__(self, t: float, x: float) -> float:
        if not math.isfinite(x):
            self.value, self._t = math.nan, None
            return x
        if self._t is None or not math.isfinite(self.value):
            self.value = x
        else:
            alpha = 1.0 - math.exp(-max(t - self._t, 0.0) / self.tau_s) if self.tau_s > 0 else 1.0
            self.value += alpha * (x - self.value)
        self._t = t
        return self.value


def _part_phrase(parts: list[str]) -> str:
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    verb = "is" if len(parts) == 1 and parts[0] == "head" else "are"  # feet, knees, hips, shoulders: plural
    return f"your {text} {verb}"


def part_phrase(parts: list[str]) -> str:
    """The parts ``out_of_frame`` names, as the subject of a sentence: "your head is", "your knees and
    feet are" (shared with ``coach calibrate camera``)."""
    return _part_phrase(parts)


def sentences(text: str) -> str:
    """``text`` as whole, plain sentences: the definitions' and the checker's fragments joined by a
    dash ("Can't see your hips - turn side-on") become one sentence each, capitalised and ended."""
    parts = [p.strip() for p in text.split(" - ") if p.strip()]
    out = []
    for part in parts:
        part = part[0].upper() + part[1:]
        out.append(part if part[-1] in ".!?" else part + ".")
    return " ".join(out)


class SetupGuide:
    """Feed every frame until ``ready``: ``update`` says what to tell the person."""

    def __init__(self, view: str, config: SetupConfig = SetupConfig(), parts: Optional[Iterable[str]] = None,
                 side_within_deg: Optional[float] = None) -> None:
        """``parts``: the body parts that must be in the picture (``parts_for`` the exercise's key
        joints); every part by default. ``side_within_deg``: the exercise's own side-on limit (its
        definition's ``side_within_deg``), when stricter than ``config.min_side_on``."""
        self.needs_side_on = view == "side"
        self.needs_facing = view == "front"
        self.config = config
        self.min_side_on = max(config.min_side_on, math.cos(math.radians(side_within_deg))
                               if side_within_deg is not None else 0.0)
        self.parts = None if parts is None else tuple(parts)
        self._light = _Smooth(config.smooth_s)
        self._extent = _Smooth(config.smooth_s)
        self._side = _Smooth(config.smooth_s)
        self._countdown_start: Optional[float] = None
        self._problem_since: Optional[float] = None
        self.ready = False

    def problem(self, t: float, pose: PoseFrame, result: FrameResult, brightness: float) -> Optional[tuple[str, str]]:
        """The first thing that keeps the set-up from being usable, as (code, message); None if none."""
        c = self.config
        light = self._light(t, brightness)
        if math.isfinite(light) and light < c.min_brightness:
            return DARK, "It is too dark. Turn on a light."
        if pose.xy is None:
            self._extent(t, math.nan)
            self._side(t, math.nan)
            return NOBODY, "I can't see you. Step into the camera's view."
        # Too far is judged on the whole body as estimated from the parts needed; too near on those
        # parts themselves (a desk camera may cut the legs off when the exercise needs only the trunk).
        extent = self._extent(t, body_extent(pose, self.parts))
        near = extent * body_share(self.parts)
        side = self._side(t, side_on_score(pose))
        outside = out_of_frame(pose, parts=self.parts)
        if outside:
            what = _part_phrase(outside)
            what = what[0].upper() + what[1:]
            if near >= 0.9:
                return OUT_OF_FRAME, f"{what} out of the picture. Move further away from the camera."
            return OUT_OF_FRAME, f"{what} out of the picture. Move toward the middle of the picture."
        if extent < c.min_extent:
            return TOO_FAR, "You are too far away. Come closer to the camera."
        if near > c.max_extent:
            return TOO_NEAR, "You are too close. Move back a little to leave some space around you."
        if self.needs_side_on and math.isfinite(side) and side < self.min_side_on:
            return NOT_SIDE_ON, "Turn side-on to the camera."
        if self.needs_facing and math.isfinite(side) and math.degrees(math.acos(min(max(side, 0.0), 1.0))) <= FRONTAL_MIN_DEG:
            return NOT_FACING, "Turn to face the camera."
        if result.state != "active":  # the checker has not recognised the starting posture yet
            return POSTURE, sentences(result.message or "Get into the starting position")
        return None

    def update(self, t: float, pose: PoseFrame, result: FrameResult, brightness: float) -> SetupStep:
        c = self.config
        found = self.problem(t, pose, result, brightness)
        if found is not None:
            self._problem_since = t if self._problem_since is None else self._problem_since
            if self._countdown_start is None or t - self._problem_since >= c.grace_s:
                self._countdown_start = None
                return SetupStep(found[0], found[1])
        else:
            self._problem_since = None
        if self._countdown_start is None:
            self._countdown_start = t
        remaining = c.countdown_s - (t - self._countdown_start)
        if remaining <= 0:
            self.ready = True
            return SetupStep(READY, "Go!", ready=True)
        n = int(math.ceil(remaining))
        return SetupStep(COUNTDOWN, "Good. Stay like that.", countdown=n)
