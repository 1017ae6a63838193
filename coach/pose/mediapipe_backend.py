"""MediaPipe pose backends: the adapter from MediaPipe results to PoseFrame lives here and only here.

- ``SolutionBackend``: mediapipe 0.10.21's bundled BlazePose "full" model through the legacy
  ``solutions.pose`` graph (``solution_graph``), in tracking (video) mode. Offline; the default.
- ``TasksBackend``: the Tasks API PoseLandmarker in VIDEO mode on a ``.task`` file: the user's
  (e.g. the official heavy model) or one built from the wheel's own two models (see ``taskbundle``).
  It can see more than one person and return segmentation masks.

With ``segmentation=True`` both return the person mask and, computed from it right here, the back's
profile (``PoseFrame.back``, see ``back_profile``): the engine and the trace need only the profile.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from coach.errors import CoachError
from coach.pose.back_profile import with_back
from coach.pose.frame import PoseFrame

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's C++ start-up chatter
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _landmark_arrays(landmarks: Any, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    raw = np.array([(p.x, p.y, p.z, p.visibility) for p in landmarks], dtype=np.float64)
    xy = raw[:, :2] * (width, height)
    return xy, raw[:, 2] * width, raw[:, 3]


def _world_array(landmarks: Any) -> np.ndarray:
    return np.array([(p.x, p.y, p.z) for p in landmarks], dtype=np.float64)


class SolutionBackend:
    """The legacy ``mp.solutions.pose`` graph with the model bundled in the 0.10.21 wheel."""

    name = "mediapipe-solution"

    def __init__(self, model_complexity: int = 1, segmentation: bool = False,
                 min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5) -> None:
        from coach.pose.solution_graph import pose_solution  # imports mediapipe: trace replay never pays for it

        self.model = f"bundled pose_landmark_{['lite', 'full', 'heavy'][model_complexity]}"
        self.segmentation = segmentation
        # The stock Pose graph, less the segmentation branch when no mask is wanted: that branch
        # grows the native heap by every frame of a session (coach/pose/solution_graph.py).
        self._pose = pose_solution(model_complexity=model_complexity, segmentation=segmentation,
                                   min_detection_confidence=min_detection_confidence,
                                   min_tracking_confidence=min_tracking_confidence)

    def process(self, image_bgr: np.ndarray, t: float, index: int) -> PoseFrame:
        import cv2

        height, width = image_bgr.shape[:2]
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return PoseFrame(index=index, t=t, width=width, height=height, people=0)
        xy, z, vis = _landmark_arrays(result.pose_landmarks.landmark, width, height)
        world = _world_array(result.pose_world_landmarks.landmark) if result.pose_world_landmarks else None
        mask = result.segmentation_mask if self.segmentation else None
        return with_back(PoseFrame(index=index, t=t, width=width, height=height, xy=xy, z=z, visibility=vis,
                                   world=world, people=1, mask=mask))

    def close(self) -> None:
        self._pose.close()


class TasksBackend:
    """The Tasks API PoseLandmarker in VIDEO mode on a ``.task`` model bundle."""

    name = "mediapipe-tasks"

    def __init__(self, model_path: str, num_poses: int = 2, segmentation: bool = False) -> None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        if not os.path.isfile(model_path):
            raise CoachError(f"model file not found: {model_path} (pass a pose_landmarker_*.task file)")
        self.model = os.path.basename(model_path)
        self.segmentation = segmentation
        self._mp = mp
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=os.path.abspath(model_path)),
            running_mode=vision.RunningMode.VIDEO, num_poses=num_poses,
            output_segmentation_masks=segmentation)
        try:
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise CoachError(f"cannot load pose model {model_path}: {first} "
                             "(it must be a pose_landmarker .task bundle)") from None
        self._last_ms = -1

    def process(self, image_bgr: np.ndarray, t: float, index: int) -> PoseFrame:
        import cv2

        height, width = image_bgr.shape[:2]
        rgb = np.ascontiguousarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))
        ms = max(int(round(t * 1000.0)), self._last_ms + 1)  # VIDEO mode needs increasing timestamps
        self._last_ms = ms
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        result = self._landmarker.detect_for_video(image, ms)
        people = len(result.pose_landmarks)
        if people == 0:
            return PoseFrame(index=index, t=t, width=width, height=height, people=0)
        xy, z, vis = _landmark_arrays(result.pose_landmarks[0], width, height)
        world = _world_array(result.pose_world_landmarks[0]) if result.pose_world_landmarks else None
        mask = result.segmentation_masks[0].numpy_view().copy() if self.segmentation and result.segmentation_masks else None
        return with_back(PoseFrame(index=index, t=t, width=width, height=height, xy=xy, z=z, visibility=vis,
                                   world=world, people=people, mask=mask))

    def close(self) -> None:
        self._landmarker.close()
