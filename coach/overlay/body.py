"""Annotators on the body: the skeleton coloured by the verdict, and the key angle at its joint."""

from __future__ import annotations

import math
from typing import Optional

import cv2
import numpy as np

from coach.engine.records import FrameResult
from coach.measures import UNITS, hip_angle
from coach.overlay.annotator import pixels_of, pt, verdict
from coach.overlay.style import FAR_SIDE, OUTLINE, STATUS_COLORS, TEXT, Color, Point, Style, draw_text
from coach.pose.frame import PoseFrame, side_landmark

LIMBS: tuple[tuple[str, str], ...] = (
    ("ear", "shoulder"), ("shoulder", "elbow"), ("elbow", "wrist"), ("shoulder", "hip"), ("hip", "knee"),
    ("knee", "ankle"), ("ankle", "heel"), ("heel", "foot_index"), ("ankle", "foot_index"),
)
JOINTS: tuple[str, ...] = ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")
_LIMB_INDEX = {side: tuple((side_landmark(side, a), side_landmark(side, b)) for a, b in LIMBS) for side in ("left", "right")}
_JOINT_INDEX = {side: tuple(side_landmark(side, j) for j in JOINTS) for side in ("left", "right")}


class SkeletonAnnotator:
    """The tracked side's limbs, thick and coloured by the verdict; the far side thin and grey."""

    def __init__(self, colors: Optional[dict[str, Color]] = None) -> None:
        self.colors = dict(STATUS_COLORS, **(colors or {}))

    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray:
        pixels = pixels_of(scene, pose)
        if pixels is None or result.side not in ("left", "right"):
            return scene
        style = Style.for_image(scene)
        near = result.side
        far = "right" if near == "left" else "left"
        color = self.colors[verdict(result)]
        # Far side first so the tracked side is drawn over it.
        limbs, joints = self._visible(pixels, far)
        self._limbs(scene, limbs, FAR_SIDE, style.px(2))
        for p in joints:
            cv2.circle(scene, p, style.px(2.5, 2), FAR_SIDE, -1, cv2.LINE_AA)
        limbs, joints = self._visible(pixels, near)
        width = style.px(6, 2)
        # A dark edge under the coloured limb keeps it visible on light clothing and floors.
        self._limbs(scene, limbs, OUTLINE, width + 2 * style.px(1.2))
        self._limbs(scene, limbs, color, width)
        radius = style.px(5.5, 2)
        for p in joints:
            cv2.circle(scene, p, radius + style.px(1.5), OUTLINE, -1, cv2.LINE_AA)
            cv2.circle(scene, p, radius, TEXT, -1, cv2.LINE_AA)
            cv2.circle(scene, p, max(1, radius // 2), color, -1, cv2.LINE_AA)
        return scene

    @staticmethod
    def _visible(pixels: list[Optional[Point]], side: str) -> tuple[list[tuple[Point, Point]], list[Point]]:
        """The side's limbs (as pairs of end points) and joints whose points are known."""
        limbs = [(pixels[a], pixels[b]) for a, b in _LIMB_INDEX[side]]
        joints = [pixels[i] for i in _JOINT_INDEX[side]]
        return [(a, b) for a, b in limbs if a is not None and b is not None], [p for p in joints if p is not None]

    @staticmethod
    def _limbs(scene: np.ndarray, limbs: list[tuple[Point, Point]], color: Color, width: int) -> None:
        for pa, pb in limbs:
            cv2.line(scene, pa, pb, color, width, cv2.LINE_AA)


# The joint each measure is drawn at, and (for joint angles) the limbs whose angle it is.
MEASURE_JOINTS: dict[str, tuple[str, Optional[tuple[str, str]]]] = {
    "hip_extension": ("hip", ("shoulder", "knee")),
    "hip_angle": ("hip", ("shoulder", "knee")),
    "knee_angle": ("knee", ("hip", "ankle")),
    "line_deviation": ("hip", None),
    "torso_tilt": ("shoulder", None),
    "hip_angle_min": ("hip", ("shoulder", "knee")),  # drawn on the leg it reads (_pulled_leg)
}


def _pulled_leg(pose: PoseFrame, tracked: str) -> str:
    """The leg hip_angle_min reads: the one pulled further in (the camera-facing one on a tie)."""
    angles = {s: hip_angle(pose, s) for s in ("left", "right")}
    other = "right" if tracked == "left" else "left"
    return other if angles[other] < angles[tracked] else tracked


class AngleAnnotator:
    """The key measure's value next to its joint, with an arc spanning the angle."""

    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray:
        pixels = pixels_of(scene, pose)
        name = result.key_measure
        value = result.measures.get(name, math.nan)
        # A frozen measure from before tracking was lost would look current: show none then.
        if (pixels is None or result.side not in ("left", "right") or result.state in ("no_person", "unseen")
                or name not in MEASURE_JOINTS or not math.isfinite(value)):
            return scene
        style = Style.for_image(scene)
        joint, limbs = MEASURE_JOINTS[name]
        side = _pulled_leg(pose, result.side) if name == "hip_angle_min" else result.side
        centre = pt(pixels, side, joint)
        if centre is None:
            return scene
        color = STATUS_COLORS[verdict(result)]
        degrees = UNITS.get(name) == "deg"
        radius = style.px(26, 6)
        away = np.array([0.7, -0.7])  # label direction without an arc: up and to the right
        ends = [pt(pixels, side, j) for j in limbs] if limbs and degrees else []
        if ends and None not in ends:
            (x1, y1), (x2, y2) = ends  # type: ignore[misc]
            a1 = math.degrees(math.atan2(y1 - centre[1], x1 - centre[0]))
            a2 = math.degrees(math.atan2(y2 - centre[1], x2 - centre[0]))
            shortest = min(math.hypot(x1 - centre[0], y1 - centre[1]), math.hypot(x2 - centre[0], y2 - centre[1]))
            radius = int(max(3, min(radius, 0.45 * shortest)))
            # Sweep ``value`` degrees from the first limb in whichever direction lands on the second,
            # so a signed angle past 180 (an arched bridge) is drawn on the outside of the joint.
            sweep = min((+1, -1), key=lambda d: abs((a1 + d * value - a2 + 180.0) % 360.0 - 180.0))
            start, end = a1, a1 + sweep * value
            width = style.px(2.5)
            for c, wd in ((OUTLINE, width + 2 * style.px(1)), (color, width)):
                cv2.ellipse(scene, centre, (radius, radius), 0.0, min(start, end), max(start, end), c, wd, cv2.LINE_AA)
            mid = math.radians(a1 + sweep * value / 2.0)
            bisector = np.array([math.cos(mid), math.sin(mid)])
            # The label goes along the bisector, inside or outside the angle, whichever is higher in
            # the image: for exercises on the floor that is the empty space above the body.
            away = bisector if bisector[1] <= 0 else -bisector
        text = f"{value:.0f}" if degrees else f"{value:+.2f}"
        gap = radius + style.px(6)
        # Anchor the label by the point of its box edge facing the joint, so it never covers the joint:
        # (1, 0) (label to the right) anchors the box's left-middle, (0, -1) (above) its bottom-centre.
        square = away / max(abs(away[0]), abs(away[1]), 1e-9)
        anchor = (0.5 - 0.5 * float(square[0]), 0.5 - 0.5 * float(square[1]))
        draw_text(scene, text, centre[0] + away[0] * gap, centre[1] + away[1] * gap, style.title, TEXT,
                  anchor=anchor, degree=degrees)
        return scene
