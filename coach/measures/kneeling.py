"""The kneeling per-side stretches (pigeon_pose, hip_flexor_stretch): which leg is in front, and the
lines of the back thigh, the front shin and the trunk, all read along the way the person faces.

Seen from the side the two legs are near and far, not left and right in the picture; what tells them
apart is which one is in front along the body. The way the person faces is read from the head and
the trunk together (``facing``): upright, the nose ahead of the ears tells it (the trunk points up,
and leaning back it would point the wrong way); folded forward with the head hanging (a real pigeon
clip: the nose level with the ears), the shoulders ahead of the hips tell it.

Every measure here is in the picture: the camera's roll adds to the line angles one for one (the
set-up check keeps it under 10 deg), and an oblique camera shortens the forward offsets by the
cosine of its angle (0.82 at 35 deg)."""

from __future__ import annotations

import math

import numpy as np

from coach.geometry import joint_angle
from coach.measures.base import points, torso_px
from coach.pose.frame import Landmark, PoseFrame, side_landmark

SIDES = ("left", "right")


def _mid(pose: PoseFrame, joint: str) -> np.ndarray:
    assert pose.xy is not None
    return (pose.xy[side_landmark("left", joint)] + pose.xy[side_landmark("right", joint)]) / 2


def facing(pose: PoseFrame) -> float:
    """+1 when the person faces the picture's +x (right), -1 when -x, NaN when it can't be told (seen
    from the front or the back). Two cues, in torso lengths: the nose's lead over the ears (0.13-0.25
    with the head level or tipped back; about 0 with the head hanging down, as in a pigeon folded
    forward: the real Goondoc clip -0.02..+0.01) counted five times, plus the shoulders' lead over
    the hips (0 upright, up to 1 with the trunk level, and negative leaning back: an arched back
    leans 0.2-0.4 back, which the nose outweighs; a render's arch read nose -0.13, trunk +0.39)."""
    if pose.xy is None:
        return math.nan
    torso = torso_px(pose)
    nose = float(pose.xy[Landmark.NOSE][0] - _mid(pose, "ear")[0])
    trunk = float(_mid(pose, "shoulder")[0] - _mid(pose, "hip")[0])
    score = (5.0 * nose + trunk) / torso
    if not math.isfinite(score) or abs(score) < 0.1:
        return math.nan
    return 1.0 if score > 0 else -1.0


def knee_ahead(pose: PoseFrame, side: str) -> float:
    """How far ``side``'s knee is ahead of its hip along the way the person faces, in torso lengths:
    0 with the thigh vertical (kneeling upright, on hands and knees, standing); about +0.5..+1 for a
    leg stepped or folded forward (the front leg of a lunge or a pigeon), negative for a leg
    stretched back."""
    f, torso = facing(pose), torso_px(pose)
    hip, knee = points(pose, side, "hip", "knee")
    return f * float(knee[0] - hip[0]) / torso


def knee_lead(pose: PoseFrame, side: str) -> float:
    """How far ``side``'s knee is ahead of the other knee (each from its own hip, along the facing), in
    torso lengths: + for the front leg, - for the back one, about 0 with the knees side by side. The
    side of a lunge or a pigeon, read from both legs: when the pose model misdraws a folded front leg
    hidden behind the body (a render's far front leg in a pigeon with the hips high read -0.04 ahead
    of its hip), the back leg stretched out behind still tells it (+0.74)."""
    other = "right" if side == "left" else "left"
    return knee_ahead(pose, side) - knee_ahead(pose, other)


def _tilt_back(top: np.ndarray, bottom: np.ndarray, f: float) -> float:
    """Angle of the segment from ``top`` down to ``bottom`` against the picture's downward vertical,
    degrees, positive when ``bottom`` lies behind ``top`` (along the facing ``f``): -180..180."""
    d = bottom - top
    return math.degrees(math.atan2(-f * float(d[0]), float(d[1])))


def rear_thigh_tilt(pose: PoseFrame, side: str) -> float:
    """How far the back leg's thigh (the leg whose knee is further back; ``side`` is not used) is
    tilted back from vertical, degrees, the knee behind the hip; 0 when neither knee is behind its
    hip. Kneeling upright or on hands and knees about 0; the hips pressed forward over a kneeling
    back leg 15-40 (the hip flexor stretch); the back leg stretched out behind with the hips low
    60-85 (the pigeon). Both thighs pointing forward (sitting back on the heels: a real clip's set-up
    read -40) is 0 too, not a negative that would make rising to kneel look like the stretch."""
    f = facing(pose)
    if not math.isfinite(f):
        return math.nan
    hip, knee = points(pose, _front_rear(pose)[1], "hip", "knee")
    return max(0.0, _tilt_back(hip, knee, f))


def _front_rear(pose: PoseFrame) -> tuple[str, str]:
    """The (front, back) legs by where their knees are along the facing, whatever their labels: the
    pose model may swap the legs' left/right labels for a while (MediaPipe did, on a lunge seen from
    the side), but not where it draws them."""
    front = max(SIDES, key=lambda s: knee_ahead(pose, s))
    return front, ("right" if front == "left" else "left")


def shin_lean(pose: PoseFrame, side: str) -> float:
    """The front leg's shin (the leg whose knee is further forward; ``side`` is not used) against the
    vertical, degrees, positive with the knee ahead of the ankle: a front foot planted with the knee
    over it reads about 0; a knee pushed forward past the toes leans it forward 25 deg and more (the
    toes are about 0.4 shin lengths ahead of the ankle)."""
    f = facing(pose)
    if not math.isfinite(f):
        return math.nan
    knee, ankle = points(pose, _front_rear(pose)[0], "knee", "ankle")
    return _tilt_back(knee, ankle, f)


def rear_knee_angle(pose: PoseFrame, side: str) -> float:
    """The back leg's knee angle (hip-knee-ankle, 180 = straight; the leg whose knee is further back,
    ``side`` is not used)."""
    if not math.isfinite(facing(pose)):
        return math.nan
    return joint_angle(*points(pose, _front_rear(pose)[1], "hip", "knee", "ankle"))


def trunk_lean_mid(pose: PoseFrame, side: str) -> float:
    """The trunk (mid-hips to mid-shoulders; ``side`` is not used) against the vertical, degrees: 0
    upright, positive leaning forward (the way the person faces), negative leaning back (shoulders
    behind the hips). Both sides' midpoints, not one side's line: seen obliquely the shoulder and
    hip lines project apart and one side's line tilts by itself (a render from 35 deg behind read
    -12 on one side and +17 on the other for an upright trunk; their middle, +2)."""
    f = facing(pose)
    if not math.isfinite(f):
        return math.nan
    return _tilt_back(_mid(pose, "shoulder"), _mid(pose, "hip"), f)


def hip_height(pose: PoseFrame, side: str) -> float:
    """How high the hips are off the floor, in torso lengths: the hip's distance above the floor line
    from the wrist (the hands on the floor) to the back leg's lowest point (its knee, or its ankle
    when the knee is off the floor): the hip and the wrist on ``side``, the back leg whichever it
    is. In the pigeon with the hips lowered about 0.2-0.3 (the hip joint sits a
    hand's height above the floor); hips held up 0.5 and more."""
    f = facing(pose)
    if not math.isfinite(f):
        return math.nan
    knee, ankle = points(pose, _front_rear(pose)[1], "knee", "ankle")
    low = knee if knee[1] >= ankle[1] else ankle  # picture y grows downward
    hip, wrist = points(pose, side, "hip", "wrist")
    d = low - wrist
    n = float(np.hypot(*d))
    if n < 1e-9:
        return math.nan
    nx, ny = -d[1] / n, d[0] / n  # a normal of the floor line; the one pointing up in the picture
    if ny > 0:
        nx, ny = -nx, -ny
    return float((hip[0] - wrist[0]) * nx + (hip[1] - wrist[1]) * ny) / torso_px(pose)


# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
# (facing reads the nose and both ears as well; the trust gate's key joints do not include them.)
TABLE = {
    "knee_ahead": (knee_ahead, ("hip", "knee"), (-5.0, 5.0), "torso"),
    "knee_lead": (knee_lead, ("hip", "knee"), (-5.0, 5.0), "torso"),
    "rear_thigh_tilt": (rear_thigh_tilt, ("hip", "knee"), (0.0, 180.0), "deg"),
    "shin_lean": (shin_lean, ("knee", "ankle"), (-180.0, 180.0), "deg"),
    "rear_knee_angle": (rear_knee_angle, ("hip", "knee", "ankle"), (0.0, 180.0), "deg"),
    "trunk_lean_mid": (trunk_lean_mid, ("hip", "shoulder"), (-180.0, 180.0), "deg"),
    "hip_height": (hip_height, ("hip", "wrist", "knee", "ankle"), (-5.0, 5.0), "torso"),
}
