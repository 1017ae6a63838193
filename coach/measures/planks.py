"""Planks (high_plank, forearm_plank, side_plank)."""

from __future__ import annotations

import math

import numpy as np

from coach.geometry import side_of_line, signed_joint_angle
from coach.measures.base import points
from coach.pose.frame import PoseFrame, side_landmark

# A plank is judged on the body line, shoulder-hip-ANKLE (hip_extension's line ends at the knee, which
# a plank keeps straight anyway): the hips sag below the shoulder-ankle line or pike above it. Whether
# the knees are off the floor tells a plank from the kneeling plank it starts from.

def body_line(pose: PoseFrame, side: str) -> float:
    """Shoulder-hip-ankle angle, signed: 180 = a straight line from shoulders to heels, below 180 = the
    hips below the shoulder-ankle line in the picture (sagging toward the floor: a face-down plank's
    sag, a side plank's dropped hips), above 180 = the hips above it (piked). A straight line stays
    straight in any view, so 180 reads 180 from any camera angle; a bend reads larger than it is the
    further the camera is from square to the body's bending plane."""
    return signed_joint_angle(*points(pose, side, "shoulder", "hip", "ankle"))


def knee_lift(pose: PoseFrame, side: str) -> float:
    """How far the knee sits above the wrist-ankle line (the hands and the tucked toes, both on the
    floor), in torso lengths: on the knees (kneeling plank, all fours) about 0 or a little below, in a
    plank (knees off the floor, legs straight) about +0.15 to +0.3."""
    wrist, ankle, knee = points(pose, side, "wrist", "ankle", "knee")
    hip, shoulder = points(pose, side, "hip", "shoulder")
    torso = float(np.hypot(*(shoulder - hip)))
    if torso < 1e-9:
        return math.nan
    return side_of_line(wrist, ankle, knee) * float(np.hypot(*(ankle - wrist))) / torso


def elbow_ahead(pose: PoseFrame, side: str) -> float:
    """How far the elbow sits ahead of the shoulder (toward the head, along the picture's horizontal),
    in torso lengths: elbows under the shoulders about 0, placed forward of them positive."""
    shoulder, hip, elbow = points(pose, side, "shoulder", "hip", "elbow")
    torso = float(np.hypot(*(shoulder - hip)))
    if torso < 1e-9 or shoulder[0] == hip[0]:
        return math.nan
    return float(elbow[0] - shoulder[0]) * (1.0 if shoulder[0] > hip[0] else -1.0) / torso


def support_lift(pose: PoseFrame, side: str) -> float:
    """How far the hip sits above the line from the same side's elbow to its ankle, in torso lengths.
    A side plank seen from the front: on the supporting side the elbow and the ankle are on the floor,
    so it reads about 0 lying on the side and rises as the hips lift (+0.2..+0.4); the upper side's
    elbow rests near its hip or is raised, so it moves far less: the side it grows on is the side
    worked (the forearm on the floor)."""
    elbow, ankle, hip, shoulder = points(pose, side, "elbow", "ankle", "hip", "shoulder")
    torso = float(np.hypot(*(shoulder - hip)))
    if torso < 1e-9:
        return math.nan
    return side_of_line(elbow, ankle, hip) * float(np.hypot(*(ankle - elbow))) / torso


def mid_body_line(pose: PoseFrame, side: str) -> float:
    """body_line on the body's middle: the angle at the mid-hips between the mid-shoulders and the
    mid-ankles, signed as body_line. Seen from the front (a side plank facing the camera) each side's
    own line is bent by the body's width (the upper shoulder sits further out than the upper hip: a
    straight side plank reads 163-169 on the upper side, 179-182 on the lower, on a real clip); the
    middle line is straight whichever side is up. ``side`` is not used."""
    assert pose.xy is not None
    mid = [(pose.xy[side_landmark("left", j)] + pose.xy[side_landmark("right", j)]) / 2
           for j in ("shoulder", "hip", "ankle")]
    return signed_joint_angle(*mid)


# Seen from the front (a side plank facing the camera) the supporting side is the lower one in the
# picture: its shoulder lies on the floor side of the top shoulder whatever the top arm does (along
# the body, on the hip or raised to the ceiling). Shoulders closer than this in height (torso
# lengths) do not tell which side is down.
LOWER_SHOULDER_MIN = 0.15


def shoulder_stack(pose: PoseFrame, side: str) -> float:
    """How far one shoulder sits below the other in the picture, in torso lengths (mid-shoulders to
    mid-hips), whichever is lower: lying on the side facing the camera (or in a side plank) the
    shoulders are stacked, about 0.4-1; on all fours or standing seen side-on or from the front they
    are level, about 0-0.15. ``side`` is not used."""
    assert pose.xy is not None
    sl, sr = pose.xy[side_landmark("left", "shoulder")], pose.xy[side_landmark("right", "shoulder")]
    hl, hr = pose.xy[side_landmark("left", "hip")], pose.xy[side_landmark("right", "hip")]
    torso = float(np.hypot(*((sl + sr) / 2 - (hl + hr) / 2)))
    if torso < 1e-9:
        return math.nan
    return abs(float(sl[1] - sr[1])) / torso


def lower_side_lift(pose: PoseFrame, side: str) -> float:
    """How far the mid-hips sit above the floor line of ``side``, in torso lengths, when ``side`` is
    the lower one in the picture (its shoulder below the other shoulder by LOWER_SHOULDER_MIN or
    more); 0 when it is the upper side, NaN when the shoulders are level. The floor line runs from
    this side's elbow to the mid-ankles: a side plank seen from the front has the supporting forearm
    and the feet on the floor. Lying on the side propped on the forearm the lower side reads about
    its hips' half-width, and it rises as the hips lift; the upper side stays 0 whatever its arm
    does (support_lift's upper side grew with a raised top arm), so the side it grows on is the side
    worked (a [sides] rule, from the person's own start)."""
    assert pose.xy is not None
    other = "right" if side == "left" else "left"
    shoulder, hip, elbow = points(pose, side, "shoulder", "hip", "elbow")
    shoulder2, hip2 = points(pose, other, "shoulder", "hip")
    torso = float(np.hypot(*((shoulder + shoulder2) / 2 - (hip + hip2) / 2)))
    if torso < 1e-9:
        return math.nan
    lower = float(shoulder[1] - shoulder2[1]) / torso   # image y grows downward
    if lower <= -LOWER_SHOULDER_MIN:
        return 0.0
    if lower < LOWER_SHOULDER_MIN:
        return math.nan
    ankles = (pose.xy[side_landmark("left", "ankle")] + pose.xy[side_landmark("right", "ankle")]) / 2
    mid_hip = (hip + hip2) / 2
    return side_of_line(elbow, ankles, mid_hip) * float(np.hypot(*(ankles - elbow))) / torso


# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
TABLE = {
    'body_line': (body_line, ('shoulder', 'hip', 'ankle'), (0.0, 360.0), 'deg'),
    'knee_lift': (knee_lift, ('wrist', 'ankle', 'knee', 'hip', 'shoulder'), (-5.0, 5.0), 'torso'),
    'elbow_ahead': (elbow_ahead, ('shoulder', 'hip', 'elbow'), (-5.0, 5.0), 'torso'),
    'support_lift': (support_lift, ('elbow', 'ankle', 'hip', 'shoulder'), (-5.0, 5.0), 'torso'),
    'mid_body_line': (mid_body_line, ('shoulder', 'hip', 'ankle'), (0.0, 360.0), 'deg'),
    'shoulder_stack': (shoulder_stack, ('shoulder', 'hip'), (0.0, 5.0), 'torso'),
    'lower_side_lift': (lower_side_lift, ('shoulder', 'hip', 'elbow', 'ankle'), (-5.0, 5.0), 'torso'),
}
