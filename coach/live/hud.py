"""What the live view draws on top of the exercise overlay: the countdown digit, a centred banner
(paused, the pain stop, a raised hand's countdown), the key and body controls along the bottom
while setting up, and a corner line with the speech state and, with ``--stats``, frame rate and
latency. Drawing only, with the overlay's helpers and style, so it looks the same."""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np

from coach.overlay import CUE_ACCENT, PANEL_ALPHA, PANEL_BG, TEXT, TEXT_DIM, Style, blend_rect, draw_text, line_height, wrap_text


# The controls, shown from the start (the first line without the body controls).
CONTROLS: tuple[str, ...] = (
    "Keys: space pause, m mute, p stop for pain, q quit.",
    "Hands-free: sit or stand up to pause, get back into position to carry on. "
    "Hold a hand up for 2 seconds to stop for pain.",
)


def draw_controls(scene: np.ndarray, lines: Sequence[str]) -> tuple[int, int, int, int]:
    """The controls in a dark box along the bottom of the picture; returns the box (x0, y0, x1, y1)."""
    h, w = scene.shape[:2]
    s = Style.for_image(scene)
    scale = s.small
    thick = s.thick(scale)
    wrapped = [part for line in lines for part in wrap_text(line, scale, thick, w - 2 * s.margin - 2 * s.pad)]
    lh = line_height(scale, thick)
    gap = s.px(3)
    box_h = len(wrapped) * lh + (len(wrapped) - 1) * gap + 2 * s.pad
    y0 = max(h - box_h - s.margin, 0)
    blend_rect(scene, 0, y0, w, h, PANEL_BG, 0.75)
    y = y0 + s.pad
    for line in wrapped:
        draw_text(scene, line, s.margin + s.pad, y, scale, TEXT)
        y += lh + gap
    return 0, y0, w, h


def stats_text(fps: float, latency_s: float, inference_s: float, dropped: int) -> str:
    def ms(s: float) -> str:
        return f"{1000.0 * s:.0f} ms" if math.isfinite(s) else "-"

    rate = f"{fps:.1f}" if math.isfinite(fps) else "-"
    return f"{rate} fps  latency {ms(latency_s)}  inference {ms(inference_s)}  dropped {dropped}"


def draw_corner(scene: np.ndarray, lines: Sequence[str], top: int = 0) -> None:
    """Small lines in the top-right corner (speech state, stats), from row ``top`` down (below what
    the overlay draws there: ``Overlay.top_right_free``)."""
    s = Style.for_image(scene)
    w = scene.shape[1]
    y = top + s.margin
    for text in lines:
        if text:
            y = draw_text(scene, text, w - s.margin, y, s.small, TEXT_DIM, anchor=(1.0, 0.0),
                          background=PANEL_ALPHA)[3] + s.px(4)


def draw_countdown(scene: np.ndarray, n: Optional[int]) -> None:
    """The countdown's digit, large, below the middle (the set-up message sits above it)."""
    if n is None:
        return
    h, w = scene.shape[:2]
    s = Style.for_image(scene)
    draw_text(scene, str(n), w / 2, h * 0.62, s.big * 3.0, CUE_ACCENT, anchor=(0.5, 0.0), background=PANEL_ALPHA)


def draw_banner(scene: np.ndarray, text: str, at: float = 0.5) -> None:
    """A message in a dark box across the picture, centred at ``at`` of its height (the middle by
    default: paused, stopped; higher for messages that must leave the person in view)."""
    h, w = scene.shape[:2]
    s = Style.for_image(scene)
    scale = s.big
    thick = s.thick(scale)
    lines = wrap_text(text, scale, thick, int(w * 0.85))
    lh = line_height(scale, thick)
    gap = s.px(6)
    box_h = len(lines) * lh + (len(lines) - 1) * gap + 2 * s.pad
    y0 = min(max(int(h * at - box_h / 2), 0), max(h - box_h, 0))
    blend_rect(scene, 0, y0, w, y0 + box_h, PANEL_BG, 0.8)
    y = y0 + s.pad
    for line in lines:
        draw_text(scene, line, w / 2, y, scale, TEXT, anchor=(0.5, 0.0))
        y += lh + gap
