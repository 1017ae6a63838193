"""Fewer inferences while a pose is held: infer every frame while the body moves, fewer while it is still.

The handouts' holds last up to 30 s during which the landmarks barely change, yet inference (nearly
all of a frame's cost) runs on every frame. ``StridedBackend`` wraps a pose backend with the same
``process(image, t, index) -> PoseFrame`` and asks a ``StridePolicy`` per frame whether to infer it
or to *fill* it: the last inferred pose carried to this frame's ``t`` and ``index`` (never
interpolated: live cannot look ahead, and ``coach analyze`` should see what ``coach live`` sees).

The policy infers every frame until the body has been still for ``settle_s``, then only when:

- ``max_gap_s`` has passed since the last inference (a movement that the picture test below
  missed is still caught within that gap, by the landmark test);
- the picture changed inside the body's box since the last inference (``picture_change``: mean
  grey-level difference of a small grey copy of the box): a movement is caught on the frame it
  starts, not up to ``max_gap_s`` later, and counts as one (every frame again until still);
- the session clock did not advance (live, while paused: the body controls watch every frame).

Still means the body's landmarks moved slower than ``still_speed`` torso lengths per second over
the last ``window_s`` (the 75th percentile of the 13 main landmarks seen in both frames: one
jittering hidden joint does not count as movement). Any sign of movement at an inference (a
faster speed, the person lost or found, a different number of people, the main landmarks'
visibility dropping) sends it back to every frame until still for ``settle_s`` again.

Chosen on the shipped renders' MediaPipe traces (samples/*/NAME.landmarks.jsonl.gz, hold
exercises): in the labelled holds the 75th-percentile speed over 0.5 s has a median of
0.003-0.04 torso lengths/s and is below 0.1 on 86-100 % of frames (a few faulty holds wobble
more), while the movements between them have a median of 0.07-0.5. The picture test's 2 grey
levels: a held pose measures 0.06 (median) to 0.3 (90th percentile) on a render and 0.2-1.5 on
real clips (compression noise, breathing), a movement's first frames more.

What changes, and what does not: during a hold the filled frames carry a pose in the position,
so the position band and the hold timer see the same; a movement's first frame is inferred (the
picture test), so its timing is the same. But skipping frames changes the sequence MediaPipe's
tracker sees (its region of interest and its smoothing follow the landmarks before), so the
frames inferred afterwards differ from an every-frame run's by about the landmarks' own jitter,
and an engine judging a borderline clip near its thresholds may move a hold's edge by a frame or
a few. bench/stride.py measures it against the same jitter from an invisible change (every
pixel's lowest bit flipped, every frame inferred).
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from dataclasses import dataclass
from typing import Optional

import numpy as np

from coach.pose.frame import PoseFrame

# nose, shoulders, elbows, wrists, hips, knees, ankles
MAIN_LANDMARKS = (0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
_SEEN = 0.5  # a landmark is compared when at least this visible in both frames
_PICTURE_WIDTH = 48  # the body's box is compared at this many pixels across (noise averages out)
_BOX_MARGIN = 0.15  # of the landmarks' box, each side: a limb leaving the box is in it


@dataclass(frozen=True)
class StrideConfig:
    """When to skip inference. ``enabled=False``: infer every frame (``--stride off``)."""

    enabled: bool = True
    still_speed: float = 0.1  # torso lengths per second: slower is still (see the module's notes)
    window_s: float = 0.5  # the speed is taken over this long
    settle_s: float = 0.5  # still this long before any frame is filled
    # Never more than this between two inferences. Shorter than the rate window of the definitions
    # ([signal] rate_window_s = 0.25 s in all of them): a window then always spans an inferred
    # change, so a slow movement never reads as a rate of exactly 0 (with 0.3 s, a bridge's slow
    # sink at the end of its hold read as still and the hold came out 0.66 s longer).
    max_gap_s: float = 0.2
    picture_change: float = 2.0  # mean grey levels (0-255) in the body's box that call for an inference
    visibility_drop: float = 0.15  # the main landmarks' mean visibility falling this much is movement


OFF = StrideConfig(enabled=False)
AUTO = StrideConfig()


def stride_config(name: str, needs_segmentation: bool = False) -> StrideConfig:
    """``--stride``: ``auto`` (fewer inferences while still) or ``off`` (every frame).

    An exercise measured on the person mask (``needs_segmentation``: the back's curve) is inferred
    every frame all the same: its key measure moves while the landmarks stay put (in cat-cow the
    spine arches between still shoulders and hips), so the stillness test cannot see it move, and
    the mask's profile is measured only where a frame is inferred. Measured: strided, the cat and
    cow pole holds of catcow_shallow_13 came out up to 0.4 s longer (the noise floor: 0.07 s)."""
    if name not in ("auto", "off"):
        raise ValueError(f"unknown stride {name!r}; use auto or off")
    return AUTO if name == "auto" and not needs_segmentation else OFF


def torso_px(pose: PoseFrame) -> float:
    """Mid-shoulders to mid-hips in pixels (NaN without a pose)."""
    if pose.xy is None:
        return math.nan
    xy = pose.xy
    return float(np.hypot(*((xy[11] + xy[12]) / 2 - (xy[23] + xy[24]) / 2)))


def body_speed(a: PoseFrame, b: PoseFrame) -> float:
    """How fast the body moved from ``a`` to ``b``: the 75th percentile of the main landmarks'
    speeds, in torso lengths per second; inf when it cannot be told (no pose, no time between,
    fewer than four landmarks seen in both)."""
    dt = b.t - a.t
    if a.xy is None or b.xy is None or a.visibility is None or b.visibility is None or dt <= 0:
        return math.inf
    idx = [i for i in MAIN_LANDMARKS if a.visibility[i] >= _SEEN and b.visibility[i] >= _SEEN]
    size = torso_px(b)
    if len(idx) < 4 or not size > 1.0:
        return math.inf
    moved = np.hypot(*(b.xy[idx] - a.xy[idx]).T) / size
    return float(np.percentile(moved, 75)) / dt


def _main_visibility(pose: PoseFrame) -> float:
    return float(np.mean(pose.visibility[list(MAIN_LANDMARKS)])) if pose.visibility is not None else 0.0


def body_box(pose: PoseFrame) -> Optional[tuple[int, int, int, int]]:
    """The main landmarks' box with a margin, clipped to the picture: (x0, y0, x1, y1) pixels."""
    if pose.xy is None:
        return None
    pts = pose.xy[list(MAIN_LANDMARKS)]
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    mx, my = _BOX_MARGIN * (x1 - x0) + 8, _BOX_MARGIN * (y1 - y0) + 8
    box = (int(max(x0 - mx, 0)), int(max(y0 - my, 0)), int(min(x1 + mx, pose.width)), int(min(y1 + my, pose.height)))
    return box if box[2] - box[0] >= 4 and box[3] - box[1] >= 4 else None


def small_grey(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The box of ``image`` (BGR) as a small grey picture, ``_PICTURE_WIDTH`` across."""
    import cv2

    x0, y0, x1, y1 = box
    crop = image[y0:y1, x0:x1]
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    height = max(4, round(_PICTURE_WIDTH * (y1 - y0) / max(x1 - x0, 1)))
    return cv2.resize(grey, (_PICTURE_WIDTH, height), interpolation=cv2.INTER_AREA).astype(np.float32)


class StridePolicy:
    """Decides per frame whether to infer (``wants``) and learns from each inferred pose (``inferred``)."""

    def __init__(self, config: StrideConfig = AUTO) -> None:
        self.c = config
        self._recent: deque[PoseFrame] = deque()  # inferred poses over the last window_s
        self._last: Optional[PoseFrame] = None
        self._still_since: Optional[float] = None
        self._box: Optional[tuple[int, int, int, int]] = None
        self._reference: Optional[np.ndarray] = None  # the box's small grey picture at the last inference
        self._last_t = -math.inf  # the last frame seen (inferred or filled)

    @property
    def still(self) -> bool:
        return self._still_since is not None

    def wants(self, t: float, image: Optional[np.ndarray] = None) -> bool:
        """Whether the frame at ``t`` must be inferred."""
        advanced, self._last_t = t > self._last_t, max(t, self._last_t)
        last = self._last
        if not self.c.enabled or last is None or not advanced or self._still_since is None:
            return True
        if t - self._still_since < self.c.settle_s or t - last.t >= self.c.max_gap_s - 1e-6:
            return True
        if image is not None and self._picture_changed(image):
            self._still_since = None  # a movement starts: every frame until still again
            return True
        return False

    def _picture_changed(self, image: np.ndarray) -> bool:
        if self._box is None or self._reference is None:
            return True
        now = small_grey(image, self._box)
        return now.shape != self._reference.shape or float(np.mean(np.abs(now - self._reference))) >= self.c.picture_change

    def inferred(self, pose: PoseFrame, image: Optional[np.ndarray] = None) -> None:
        """An inferred pose: is the body still?"""
        last = self._last
        self._last, self._last_t = pose, max(self._last_t, pose.t)
        moved = (last is None or pose.xy is None or last.xy is None or pose.people != last.people
                 or _main_visibility(last) - _main_visibility(pose) >= self.c.visibility_drop)
        if not moved:
            while len(self._recent) > 1 and self._recent[1].t <= pose.t - self.c.window_s + 1e-6:
                self._recent.popleft()  # keep the newest pose at least window_s old as the first
            moved = body_speed(self._recent[0], pose) >= self.c.still_speed
        if moved:
            self._still_since = None
            self._recent.clear()
        elif self._still_since is None:
            self._still_since = pose.t
        self._recent.append(pose)
        self._box = body_box(pose)
        self._reference = small_grey(image, self._box) if image is not None and self._box is not None else None


def filled(pose: PoseFrame, t: float, index: int) -> PoseFrame:
    """``pose`` carried to another frame: the same body, this frame's time and number (no mask)."""
    return dataclasses.replace(pose, t=t, index=index, mask=None)


class StridedBackend:
    """A pose backend that infers only the frames its ``StridePolicy`` asks for and fills the rest.

    ``frames`` and ``inferences`` count what went through; ``describe()`` says it for the report."""

    def __init__(self, backend: object, config: StrideConfig = AUTO) -> None:
        self.backend = backend
        self.config = config
        self.policy = StridePolicy(config)
        self.name = backend.name  # type: ignore[attr-defined]
        self.model = backend.model  # type: ignore[attr-defined]
        self.frames = 0
        self.inferences = 0
        self.inferred_last = False  # whether the last frame given was inferred (live timing figures)
        self._last: Optional[PoseFrame] = None

    def process(self, image_bgr: np.ndarray, t: float, index: int) -> PoseFrame:
        self.frames += 1
        if self._last is not None and not self.policy.wants(t, image_bgr):
            self.inferred_last = False
            return filled(self._last, t, index)
        pose = self.backend.process(image_bgr, t, index)  # type: ignore[attr-defined]
        self.inferences += 1
        self.inferred_last = True
        self.policy.inferred(pose, image_bgr)
        self._last = pose
        return pose

    @property
    def mode(self) -> str:
        """``auto`` or ``off``, as applied (``stride_config``)."""
        return "auto" if self.config.enabled else "off"

    def describe(self) -> dict:
        """For the report's ``backend``: the stride applied and how many frames were inferred."""
        return {"stride": self.mode, "frames_inferred": self.inferences}

    def close(self) -> None:
        self.backend.close()  # type: ignore[attr-defined]
