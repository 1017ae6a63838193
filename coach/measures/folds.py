"""Kneeling folds and the held cat (childs_pose, prayer_pose, horse_back_stretch; the held cat reads the
person mask's spine_flexion, coach/measures/mask.py).

In child's pose the arms reach forward along the floor; "arms not extended" is the elbows bent, the
hands near the head. Tried and dropped: MediaPipe's world landmarks (a bent elbow read 127 deg there
against 140 straight on the renders, a real clip's straight arms 122-155) and the hand's distance from
the shoulder (a real clip's straight arms, angled down, came to 0.5 torso lengths, as short as the
renders' bent ones). Arms lying back along the body toward the feet are another way of doing the pose,
not this fault: seen from the side they lie along the trunk and thighs and MediaPipe bends them (a real
clip's straight arms read 134 deg), so they are not judged."""

from __future__ import annotations

import math

from coach.geometry import joint_angle
from coach.measures.base import points
from coach.measures.face_down import wrist_reach
from coach.pose.frame import PoseFrame


def reach_elbow_angle(pose: PoseFrame, side: str) -> float:
    """Shoulder-elbow-wrist angle in the picture (180 = straight) of an arm reaching forward: the wrist
    ahead of the shoulder along the trunk (``wrist_reach`` above 0). NaN for an arm lying back toward
    the hips or feet (not judged: see above)."""
    if not wrist_reach(pose, side) > 0.0:
        return math.nan
    return joint_angle(*points(pose, side, "shoulder", "elbow", "wrist"))


# Each measure: (function, the landmarks it reads, the values it can take, its unit); see coach/measures/__init__.py.
TABLE = {
    "reach_elbow_angle": (reach_elbow_angle, ("hip", "shoulder", "elbow", "wrist"), (0.0, 180.0), "deg"),
}
