"""Levelling a rolled camera: a phone leaning on something turns the picture by 10-20 degrees, which
every measure taken against the picture's horizontal (torso tilt, how far a leg rises) reads as the
body's own. Joint angles do not change with the roll; those measures do.

When counting starts the person is in the starting position, where the definition's ``level_line``
(two joints that lie on the floor) is level in a level camera; its angle in the picture is the
camera's roll (or, seen obliquely, perspective's slope of the floor), and every later frame is
turned back by it before it is measured. Only the measures
see the levelled frame: what is drawn and the picture's edges (the trust gate) stay as filmed.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Optional, Sequence

import numpy as np

from coach.pose.frame import PoseFrame, side_landmark

MAX_ROLL_DEG = 30.0  # more than this is not a leaning camera but a body that is not in position
# Only this near side-on does a level floor line look level: further round, perspective slopes it in
# the picture by itself, so coach calibrate camera cannot tell a rolled camera there and does not
# judge the tilt. (The checker levels by the floor line all the same: what its measures need is the
# floor as their horizontal, whatever slopes it.)
LEVEL_VIEW_MAX_DEG = 35.0


def roll_of(pose: PoseFrame, line: Sequence[str]) -> Optional[float]:
    """The camera's roll in degrees (> 0: the scene turned clockwise in the picture) from the angle
    of ``line``'s two joints (mid-points of both sides) against the horizontal; None when it cannot
    be told (a joint outside the picture) or is beyond ``MAX_ROLL_DEG``."""
    if pose.xy is None or len(line) != 2:
        return None
    if not all(pose.in_frame(side_landmark(side, j)) for j in line for side in ("left", "right")):
        return None  # a guessed point past the edge would make up a roll
    a, b = ((pose.xy[side_landmark("left", j)] + pose.xy[side_landmark("right", j)]) / 2 for j in line)
    v = b - a
    if v[0] < 0:  # either end may be on the left: measure left to right
        v = -v
    if float(np.hypot(*v)) < 1.0:
        return None
    roll = math.degrees(math.atan2(float(v[1]), float(v[0])))
    return roll if abs(roll) <= MAX_ROLL_DEG else None


def levelled(pose: PoseFrame, roll_deg: float) -> PoseFrame:
    """``pose`` with its image points turned back by ``roll_deg`` about the picture's centre."""
    if pose.xy is None or roll_deg == 0.0:
        return pose
    a = math.radians(-roll_deg)
    c, s = math.cos(a), math.sin(a)
    centre = np.array([pose.width / 2.0, pose.height / 2.0])
    d = pose.xy - centre
    xy = np.stack([c * d[:, 0] - s * d[:, 1], s * d[:, 0] + c * d[:, 1]], axis=1) + centre
    return replace(pose, xy=xy)
