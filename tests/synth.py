"""Synthetic test material: smoothstep measure profiles and side-view skeletons as PoseFrames.

Nothing here knows the engine's answers: the profiles are the "truth" a test compares with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

import numpy as np

from coach.engine.definition import Exercise
from coach.pose.frame import LANDMARK_NAMES, PoseFrame
from coach.sources import SourceInfo
from coach.trace import TraceWriter

FPS = 30.0
WIDTH, HEIGHT = 640, 480


def smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def smoothstep_rate(x: np.ndarray) -> np.ndarray:
    """d smoothstep / dx."""
    inside = (x >= 0.0) & (x <= 1.0)
    return np.where(inside, 6.0 * x * (1.0 - x), 0.0)


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    a: float
    b: float

    @property
    def moving(self) -> bool:
        return self.a != self.b


class Profile:
    """A piecewise smoothstep value over time, sampled at ``fps``: ``Profile().hold(1.5, 130).move(1.0, 180)...``.

    Frame i is at t = i / fps. The segments are kept so tests can read when each movement
    began and ended (the truth)."""

    def __init__(self, start: float, fps: float = FPS) -> None:
        self.fps = fps
        self.segments: list[Segment] = []
        self._t = 0.0
        self._v = start

    def hold(self, duration_s: float) -> "Profile":
        return self.move(duration_s, self._v)

    def move(self, duration_s: float, to: float) -> "Profile":
        self.segments.append(Segment(self._t, self._t + duration_s, self._v, to))
        self._t += duration_s
        self._v = to
        return self

    @property
    def duration_s(self) -> float:
        return self._t

    @property
    def times(self) -> np.ndarray:
        n = int(math.floor(self._t * self.fps + 1e-9))
        return np.arange(n) / self.fps

    def value_at(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        out = np.full(t.shape, self.segments[0].a if self.segments else self._v, dtype=float)
        for s in self.segments:
            inside = (t >= s.start_s) & (t < s.end_s)
            x = (t[inside] - s.start_s) / (s.end_s - s.start_s)
            out[inside] = s.a + (s.b - s.a) * smoothstep(x)
        out[t >= self._t] = self._v
        return out

    def rate_at(self, t: np.ndarray) -> np.ndarray:
        """The analytic derivative of the profile (units per second)."""
        t = np.asarray(t, dtype=float)
        out = np.zeros(t.shape, dtype=float)
        for s in self.segments:
            inside = (t >= s.start_s) & (t < s.end_s)
            d = s.end_s - s.start_s
            x = (t[inside] - s.start_s) / d
            out[inside] = (s.b - s.a) * smoothstep_rate(x) / d
        return out

    def values(self) -> np.ndarray:
        return self.value_at(self.times)

    def rates(self) -> np.ndarray:
        return self.rate_at(self.times)


def smoothstep_inverse(y: float) -> float:
    """The x in [0, 1] with smoothstep(x) == y (bisection; smoothstep rises monotonically there)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mid * mid * (3 - 2 * mid) < y else (lo, mid)
    return (lo + hi) / 2


def bridge_profile(rest: float, reps: Sequence[tuple[float, float]], lead_s: float = 2.0, rise_s: float = 1.0,
                   lower_s: float = 1.0, between_s: float = 1.5, tail_s: float = 1.5,
                   band: float = 5.0) -> tuple[Profile, list[dict]]:
    """``reps``: (top value, hold seconds) each. Returns the profile and each rep's truth:
    start_s (rise begins), hold_start_s, hold_end_s (the still top), end_s (back at rest), and
    position_start_s / position_end_s: when the value came within ``band`` of the top and left it
    again (the time in the top position)."""
    p = Profile(rest).hold(lead_s)
    truth = []
    for i, (top, hold) in enumerate(reps):
        start = p.duration_s
        p.move(rise_s, top)
        hold_start = p.duration_s
        if hold > 0:
            p.hold(hold)
        hold_end = p.duration_s
        p.move(lower_s, rest)
        into = smoothstep_inverse(max(0.0, 1 - band / abs(top - rest))) if top != rest else 0.0
        truth.append({"start_s": start, "hold_start_s": hold_start, "hold_end_s": hold_end, "end_s": p.duration_s,
                      "hold_s": hold, "top": top, "position_start_s": start + into * rise_s,
                      "position_end_s": hold_end + (1 - into) * lower_s})
        p.hold(between_s if i + 1 < len(reps) else tail_s)
    return p, truth


# -- skeletons ---------------------------------------------------------------------------------------

_IDX = {name: i for i, name in enumerate(LANDMARK_NAMES)}

# A person lying on the back, seen from the left side: head on screen-right, feet on screen-left.
# Shoulder and knee stay put; the hip moves so that the shoulder-hip-knee angle is as scripted.
_LYING = {
    "shoulder": (480.0, 380.0),
    "knee": (260.0, 300.0),
    "ankle": (190.0, 395.0),
    "heel": (180.0, 400.0),
    "foot_index": (150.0, 402.0),
    "elbow": (420.0, 392.0),
    "wrist": (360.0, 398.0),
    "pinky": (345.0, 400.0),
    "index": (342.0, 399.0),
    "thumb": (348.0, 396.0),
    "eye_inner": (548.0, 358.0),
    "eye": (545.0, 357.0),
    "eye_outer": (541.0, 358.0),
    "ear": (535.0, 365.0),
    "mouth": (552.0, 372.0),
}
_NOSE_LYING = (556.0, 360.0)
_FAR_OFFSET = np.array([4.0, -5.0])  # the far side shows a little higher in the image
_NEAR_Z, _FAR_Z = -60.0, 60.0  # smaller z = nearer the camera


def hip_for_angle(shoulder: np.ndarray, knee: np.ndarray, angle_deg: float) -> np.ndarray:
    """The hip position that makes the signed shoulder-hip-knee angle ``angle_deg`` (180 = on the line,
    less = below it (toward the floor, larger y), more = above it), on the perpendicular bisector of
    shoulder-knee."""
    mid = (shoulder + knee) / 2.0
    d = knee - shoulder
    half = float(np.hypot(*d)) / 2.0
    normal = np.array([-d[1], d[0]]) / (2.0 * half)
    if normal[1] < 0:  # the normal pointing down in the image (toward the floor)
        normal = -normal
    offset = half / math.tan(math.radians(angle_deg) / 2.0)
    return mid + offset * normal


def _frame_from_sides(index: int, t: float, near: dict[str, np.ndarray], camera_side: str, nose: np.ndarray,
                      width: int, height: int, visibility: float, people: int,
                      hidden: Iterable[str] = (), mirror: bool = False) -> PoseFrame:
    far_side = "right" if camera_side == "left" else "left"
    xy = np.zeros((33, 2))
    z = np.zeros(33)
    vis = np.full(33, visibility)
    for joint, p in near.items():
        for side, off, depth in ((camera_side, np.zeros(2), _NEAR_Z), (far_side, _FAR_OFFSET, _FAR_Z)):
            if joint == "mouth":
                i = _IDX[f"mouth_{side}"]
            else:
                i = _IDX[f"{side}_{joint}"]
            xy[i] = p + off
            z[i] = depth
    xy[_IDX["nose"]] = nose
    z[_IDX["nose"]] = _NEAR_Z
    if mirror:
        xy[:, 0] = width - xy[:, 0]
    for name in hidden:  # e.g. "hip": the camera-side hip is hidden (low visibility)
        vis[_IDX[f"{camera_side}_{name}"]] = 0.05
    return PoseFrame(index=index, t=t, width=width, height=height, xy=xy, z=z, visibility=vis,
                     world=None, people=people)


def lying_frame(index: int, t: float, hip_angle: float, camera_side: str = "left", people: int = 1,
                hidden: Iterable[str] = (), ankle: Optional[tuple[float, float]] = None,
                visibility: float = 0.9) -> PoseFrame:
    """A side view of a person lying on the back whose camera-side hip angle is ``hip_angle``
    (signed, 180 = straight). ``camera_side`` left: head on screen-right; right: mirrored."""
    near = {k: np.array(v) for k, v in _LYING.items()}
    if ankle is not None:
        near["ankle"] = np.array(ankle)
    near["hip"] = hip_for_angle(near["shoulder"], near["knee"], hip_angle)
    return _frame_from_sides(index, t, near, camera_side, np.array(_NOSE_LYING), WIDTH, HEIGHT, visibility,
                             people, hidden, mirror=camera_side == "right")


def standing_frame(index: int, t: float, hip_flexion_deg: float = 0.0, camera_side: str = "left",
                   people: int = 1) -> PoseFrame:
    """A person standing upright (torso vertical), seen from the side; ``hip_flexion_deg`` swings the
    thigh forward (a hip-angle change that must not count as a bridge rep)."""
    hip = np.array([320.0, 250.0])
    phi = math.radians(hip_flexion_deg)
    knee = hip + 105.0 * np.array([math.sin(phi), math.cos(phi)])
    near = {
        "shoulder": np.array([320.0, 115.0]), "hip": hip, "knee": knee, "ankle": knee + np.array([0.0, 100.0]),
        "heel": knee + np.array([-8.0, 110.0]), "foot_index": knee + np.array([20.0, 112.0]),
        "elbow": np.array([322.0, 185.0]), "wrist": np.array([324.0, 245.0]), "pinky": np.array([324.0, 258.0]),
        "index": np.array([325.0, 260.0]), "thumb": np.array([327.0, 255.0]),
        "eye_inner": np.array([333.0, 72.0]), "eye": np.array([330.0, 72.0]), "eye_outer": np.array([327.0, 72.0]),
        "ear": np.array([315.0, 78.0]), "mouth": np.array([334.0, 92.0]),
    }
    return _frame_from_sides(index, t, near, camera_side, np.array([338.0, 80.0]), WIDTH, HEIGHT, 0.9, people)


def empty_frame(index: int, t: float) -> PoseFrame:
    """Nobody found this frame."""
    return PoseFrame(index=index, t=t, width=WIDTH, height=HEIGHT, people=0)


# -- cat-cow -----------------------------------------------------------------------------------------

def catcow_profile(cycles: Sequence[float], neutral: float = 0.0, lead_s: float = 1.5, to_s: float = 0.7,
                   hold_s: float = 0.4, between_s: float = 0.3, tail_s: float = 1.5, first: str = "cat",
                   cow: Optional[Sequence[float]] = None) -> tuple[Profile, list[dict]]:
    """A cat-cow value (spine_flexion-like: + = cat, - = cow, from ``neutral``): per cycle, from
    neutral out to the first pole (``cycles[i]`` deep, or ``cow[i]`` for the cow), held
    ``hold_s``, through neutral to the other pole (taking 2 * ``to_s``), held, back to neutral,
    then ``between_s`` at neutral (0: straight into the next cycle). Returns the profile and each
    cycle's truth: start_s, end_s, holds {"cat": (start, end), "cow": (start, end)}, depth."""
    p = Profile(neutral).hold(lead_s)
    truth = []
    for i, depth in enumerate(cycles):
        cow_depth = depth if cow is None else cow[i]
        levels = {"cat": neutral + depth, "cow": neutral - cow_depth}
        order = ("cat", "cow") if first == "cat" else ("cow", "cat")
        start = p.duration_s
        holds = {}
        p.move(to_s, levels[order[0]])
        holds[order[0]] = (p.duration_s, p.duration_s + hold_s)
        p.hold(hold_s)
        p.move(2 * to_s, levels[order[1]])
        holds[order[1]] = (p.duration_s, p.duration_s + hold_s)
        p.hold(hold_s)
        p.move(to_s, neutral)
        truth.append({"start_s": start, "end_s": p.duration_s, "holds": holds,
                      "depth": {"cat": depth, "cow": cow_depth}})
        rest = between_s if i + 1 < len(cycles) else tail_s
        if rest > 0:
            p.hold(rest)
    return p, truth


# A person on hands and knees seen from their left side, head on screen-left. Torso 150 px long,
# hands and knees an arm's / thigh's length (150 px) below the shoulders and hips.
_QUADRUPED = {
    "shoulder": (250.0, 250.0), "hip": (400.0, 250.0), "elbow": (250.0, 325.0), "wrist": (250.0, 400.0),
    "pinky": (242.0, 402.0), "index": (240.0, 401.0), "thumb": (244.0, 399.0),
    "knee": (400.0, 400.0), "ankle": (520.0, 402.0), "heel": (525.0, 398.0), "foot_index": (545.0, 404.0),
    "eye_inner": (205.0, 262.0), "eye": (207.0, 261.0), "eye_outer": (209.0, 262.0), "mouth": (203.0, 272.0),
}
_TORSO = 150.0


def quadruped_frame(index: int, t: float, flexion: float, camera_side: str = "left", neutral_curve: float = 0.0,
                    with_back: bool = True, visibility: float = 0.9) -> PoseFrame:
    """Hands and knees with a back whose ``spine_flexion`` (coach/measures/mask.py) is ``flexion``
    (+1 full cat, -1 full cow): half from the back's curvature (``pose.back``, its middle third
    raised by 0.05 * flexion torso lengths) and half from the ear (0.15 * flexion torso lengths
    below the shoulder-hip line). ``camera_side`` right: mirrored."""
    near = {k: np.array(v) for k, v in _QUADRUPED.items()}
    shoulder_y = near["shoulder"][1]
    near["ear"] = np.array([215.0, shoulder_y + 0.15 * flexion * _TORSO])
    nose = np.array([200.0, shoulder_y + 0.15 * flexion * _TORSO + 10.0])
    frame = _frame_from_sides(index, t, near, camera_side, nose, WIDTH, HEIGHT, visibility, 1,
                              mirror=camera_side == "right")
    if not with_back:
        return frame
    from coach.pose.back_profile import N_SAMPLES

    back = np.full(N_SAMPLES, 0.2)
    third = N_SAMPLES // 3
    back[third:N_SAMPLES - third] += 0.05 * flexion + neutral_curve
    return PoseFrame(index=frame.index, t=frame.t, width=frame.width, height=frame.height, xy=frame.xy, z=frame.z,
                     visibility=frame.visibility, people=frame.people, back=back)


def write_trace(path: str, prof: "Profile", frame: Callable[[int, float, float], PoseFrame],
                source: str = "synthetic.mp4", exercise: Optional[Exercise] = None) -> int:
    """A landmark trace of ``prof`` played through ``frame(index, t, value)`` (e.g. ``lying_frame``),
    as if ``source`` had been analysed at FPS (for ``exercise``, recorded in the header when given);
    returns its frame count."""
    n = len(prof.times)
    writer = TraceWriter(str(path), SourceInfo(source, FPS, n, WIDTH, HEIGHT, n / FPS), {"name": "synthetic", "model": "none"},
                         exercise)
    for i, (t, v) in enumerate(zip(prof.times, prof.values())):
        writer.write(frame(i, float(t), float(v)))
    writer.close()
    return n
