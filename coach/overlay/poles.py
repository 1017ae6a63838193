"""Annotators the definition asks for: the back's profile (exercises measured on the person mask) and
the gauge between two poles (two-way phases such as cat-cow)."""

from __future__ import annotations

import math

import cv2
import numpy as np

from coach.engine.exercise import TwoWayPhases
from coach.engine.records import FrameResult
from coach.overlay.style import (HOLD_PROGRESS, OUTLINE, PANEL_ALPHA, PANEL_BG, TEXT, TEXT_DIM, Color, Style, blend_rect,
                                 draw_text, line_height)
from coach.pose.frame import PoseFrame

BACK_POINTS: Color = (235, 190, 60)  # the same blue as the hold in progress: information, not a verdict


class BackProfileAnnotator:
    """The back's profile from the person mask (``pose.back``), as small dots along the top edge
    of the back. Added for exercises that ask for the person mask (``Exercise.needs_segmentation``:
    the curve of the back is their measure); without a profile it draws nothing."""

    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray:
        if pose.back is None or pose.xy is None or result.state in ("no_person", "unseen"):
            return scene
        from coach.pose.back_profile import profile_points

        h, w = scene.shape[:2]
        scale = np.array([w / pose.width, h / pose.height]) if pose.width > 0 and pose.height > 0 else np.ones(2)
        s = Style.for_image(scene)
        for x, y in (profile_points(pose) * scale).tolist():
            if math.isfinite(x) and math.isfinite(y):
                p = (int(round(x)), int(round(y)))
                cv2.circle(scene, p, s.px(2.5, 2) + 1, OUTLINE, -1, cv2.LINE_AA)
                cv2.circle(scene, p, s.px(2.5, 2), BACK_POINTS, -1, cv2.LINE_AA)
        return scene


class PoleGaugeAnnotator:
    """Top right, for a movement between two poles (two-way phases, e.g. cat-cow): where the key
    measure is between them, on a gauge from ``minus`` (left) to ``plus`` (right) through neutral
    (the middle tick), with the current phase above it. The value is the key measure relative to
    the person's neutral (``FrameResult.key_level``; about +-1 at a full pose); shown once counting."""

    def __init__(self, minus: str, plus: str, title: str = "Back", full_scale: float = 1.5) -> None:
        self.minus, self.plus, self.title, self.full_scale = minus, plus, title, full_scale

    @classmethod
    def for_phases(cls, phases: TwoWayPhases) -> "PoleGaugeAnnotator":
        """The gauge labelled with the definition's pole names (cat-cow: cow on the left, cat on the right)."""
        return cls(minus=phases.minus, plus=phases.plus)

    def box(self, w: int, h: int) -> tuple[int, int, int, int]:
        """Where the gauge goes in a w x h picture (x0, y0, x1, y1): the top-right corner."""
        s = Style.for_size(w, h)
        m, pad = s.margin, s.pad
        bw = min(s.px(170), w - 2 * m - 2 * pad)
        lh = line_height(s.body, s.thick(s.body))
        sh = line_height(s.small, s.thick(s.small))
        x1 = w - m
        return x1 - bw - 2 * pad, m, x1, m + pad + lh + s.px(4) + s.px(10, 4) + s.px(3) + sh + pad

    def top_right_taken(self, w: int, h: int) -> int:
        """How far down the top-right corner this annotator may draw (others keep below it)."""
        return self.box(w, h)[3]

    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray:
        level = result.key_level
        if not math.isfinite(level) or result.state != "active":
            return scene
        h, w = scene.shape[:2]
        s = Style.for_image(scene)
        pad = s.pad
        title = f"{self.title}: {result.phase}"
        scale = s.body
        lh = line_height(scale, s.thick(scale))
        small = s.small
        bar_h = s.px(10, 4)
        x0, y0, x1, y1 = self.box(w, h)
        blend_rect(scene, x0, y0, x1, y1, PANEL_BG, PANEL_ALPHA)
        draw_text(scene, title, x0 + pad, y0 + pad, scale, TEXT)
        bx0, bx1 = x0 + pad, x1 - pad
        by0 = y0 + pad + lh + s.px(4)
        by1 = by0 + bar_h
        cv2.rectangle(scene, (bx0, by0), (bx1 - 1, by1 - 1), (60, 60, 60), -1)

        def x_of(v: float) -> int:
            v = min(max(v, -self.full_scale), self.full_scale)
            return int(round(bx0 + (v + self.full_scale) / (2 * self.full_scale) * (bx1 - 1 - bx0)))

        mid = x_of(0.0)
        here = x_of(level)
        if here != mid:
            cv2.rectangle(scene, (min(mid, here), by0), (max(mid, here), by1 - 1), HOLD_PROGRESS, -1)
        for tick in (-1.0, 1.0):
            cv2.line(scene, (x_of(tick), by0), (x_of(tick), by1 - 1), TEXT_DIM, 1)
        cv2.line(scene, (mid, by0 - s.px(2)), (mid, by1 + s.px(2) - 1), TEXT, s.px(1.5))
        cv2.circle(scene, (here, (by0 + by1) // 2), max(bar_h // 2 + s.px(1), 3), TEXT, -1, cv2.LINE_AA)
        draw_text(scene, self.minus, bx0, by1 + s.px(3), small, TEXT_DIM)
        draw_text(scene, self.plus, bx1, by1 + s.px(3), small, TEXT_DIM, anchor=(1.0, 0.0))
        return scene
