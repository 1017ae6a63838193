"""Pose estimation: the backend-neutral PoseFrame and the backends that build it."""

from coach.pose.frame import LANDMARK_NAMES, Landmark, PoseFrame

__all__ = ["LANDMARK_NAMES", "Landmark", "PoseFrame"]
