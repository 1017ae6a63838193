"""The bare MediaPipe loop that bench/speed.py and bench/latency.py measure coach against.

``cv2.VideoCapture.read()`` -> BGR->RGB -> ``mp.solutions.pose.Pose.process`` (model_complexity=1,
video/tracking mode with smoothed landmarks, a fresh graph: the model and mode of coach's MediaPipe
backend), nothing else. The timed inference of a frame is the conversion and ``process``, as the
backend does them (image marked read-only, so MediaPipe takes it without a copy); the decode of
every frame is timed apart.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Iterable, Optional


@dataclass
class BareRun:
    decode: float = 0.0  # seconds reading (decoding) frames, every frame of the video
    inference: list[float] = field(default_factory=list)  # seconds per processed frame, in order


def bare_pose_loop(video: str, indices: Optional[Iterable[int]] = None) -> BareRun:
    """Run the bare loop over ``video``: every frame is decoded, and those numbered in ``indices``
    (all when None) go through pose inference, in the video's order."""
    import cv2
    import mediapipe as mp

    wanted = None if indices is None else set(indices)
    run = BareRun()
    cap = cv2.VideoCapture(video)
    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True)
    try:
        for i in itertools.count():
            t0 = time.perf_counter()
            ok, image = cap.read()
            t1 = time.perf_counter()
            run.decode += t1 - t0
            if not ok:
                break
            if wanted is None or i in wanted:
                rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
                rgb.flags.writeable = False
                pose.process(rgb)
                run.inference.append(time.perf_counter() - t1)
    finally:
        pose.close()
        cap.release()
    return run
