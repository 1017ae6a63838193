"""The overlay's look: verdict colours, sizes scaled to the frame, and text and panel drawing that
stays inside the image (any language: see ``put_text``).

Sizes are given in "design pixels" for a 480-pixel frame and scaled by the frame's shorter side,
so a 202x360 phone clip and a 1920x1080 webcam look alike; fonts never shrink below a readable
minimum, and every piece of text is shrunk, wrapped or moved so that it stays inside the image.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import cv2
import numpy as np

from coach.fonts import font_for

if TYPE_CHECKING:
    from PIL import ImageFont

Color = tuple[int, int, int]  # BGR
Point = tuple[int, int]  # pixels, x right, y down

# Verdict colours (BGR). Only these four mean "how is the form"; nothing else uses them.
GOOD: Color = (80, 200, 60)
BORDERLINE: Color = (0, 180, 255)
FAULT: Color = (50, 50, 230)
UNKNOWN: Color = (150, 150, 150)
STATUS_COLORS: dict[str, Color] = {"good": GOOD, "borderline": BORDERLINE, "fault": FAULT, "unknown": UNKNOWN}

FAR_SIDE: Color = (120, 120, 120)
HOLD_PROGRESS: Color = (235, 190, 60)  # a blue, not a verdict: the hold is running but not yet long enough
HOLD_IDLE: Color = (140, 120, 80)  # the last hold's time, dimmed while not holding
TEXT: Color = (255, 255, 255)
TEXT_DIM: Color = (200, 200, 200)
WARNING: Color = (0, 220, 255)
OUTLINE: Color = (0, 0, 0)  # black: text outlines are applied as a darkening mask (``_darken``)
PANEL_BG: Color = (25, 25, 25)
CUE_ACCENT: Color = (235, 190, 60)

FONT = cv2.FONT_HERSHEY_SIMPLEX
PANEL_ALPHA = 0.6


# -- sizes ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Style:
    """Pixel sizes for one image, from design sizes for a 480-pixel frame."""

    unit: float  # image pixels per design pixel

    @classmethod
    def for_image(cls, scene: np.ndarray) -> "Style":
        h, w = scene.shape[:2]
        return cls.for_size(w, h)

    @classmethod
    def for_size(cls, w: int, h: int) -> "Style":
        # The shorter side: the height of a landscape webcam frame, the width of a portrait clip
        # (scaling a portrait frame by its height would make text wider than the image).
        return cls(unit=max(min(h, w), 1) / 480.0)

    def px(self, design: float, minimum: int = 1) -> int:
        return max(minimum, int(round(design * self.unit)))

    def font(self, design: float, minimum: float) -> float:
        # Hershey text below ~0.35 is unreadable, so small frames get relatively larger text.
        return max(minimum, design * self.unit)

    @property
    def margin(self) -> int:
        return self.px(10, 2)

    @property
    def pad(self) -> int:
        return self.px(8, 3)

    @property
    def small(self) -> float:
        return self.font(0.45, 0.33)

    @property
    def body(self) -> float:
        return self.font(0.55, 0.36)

    @property
    def title(self) -> float:
        return self.font(0.65, 0.40)

    @property
    def big(self) -> float:
        return self.font(0.85, 0.45)

    @staticmethod
    def thick(scale: float) -> int:
        return text_thickness(scale)


# -- text and shape helpers ----------------------------------------------------------------------

def text_thickness(scale: float) -> int:
    """Stroke width for text at ``scale``: thicker with size so large text doesn't look spindly."""
    return max(1, int(round(scale * 1.9)))


def text_box(text: str, scale: float, thick: int) -> tuple[int, int, int]:
    """(width, height above the baseline, depth below it) of ``text``, outline included."""
    if text.isascii():
        (w, h), base = cv2.getTextSize(text, FONT, scale, thick)
    else:
        left, top, right, bottom = _unicode_font(font_for(text), scale).getbbox(text, anchor="ls",
                                                                               stroke_width=_stroke(thick))
        w, h, base = right - left, max(-top, 0), max(bottom, 0)
    o = _outline(thick)
    return w + 2 * o, h + o, base + o


# Text beyond ASCII (cue texts and definitions in any language): OpenCV's Hershey fonts draw "????",
# so it is drawn through Pillow with DejaVu Sans, or another installed font where DejaVu lacks a
# character (coach/fonts.py), sized to match: at 30 px per unit of scale DejaVu's cap height is the
# Hershey font's 22 px.
UNICODE_PX_PER_SCALE = 30.0


@functools.lru_cache(maxsize=32)
def _unicode_font(path: str, scale: float) -> "ImageFont.FreeTypeFont":
    from PIL import ImageFont

    return ImageFont.truetype(path, max(6, int(round(UNICODE_PX_PER_SCALE * scale))))


def _stroke(thick: int) -> int:
    """Pillow's stroke (added on every side) for a Hershey stroke width: DejaVu's stems are ~2 px."""
    return max(0, (thick - 2) // 2)


def put_text(image: np.ndarray, text: str, org: Point, scale: float, color: "Color | int", thick: int) -> None:
    """``cv2.putText`` with the overlay's font (``org``: the baseline's left end), for any text."""
    if text.isascii():
        cv2.putText(image, text, org, FONT, scale, color, thick, cv2.LINE_AA)
        return
    from PIL import Image, ImageDraw

    font, sw = _unicode_font(font_for(text), scale), _stroke(thick)
    left, top, right, bottom = font.getbbox(text, anchor="ls", stroke_width=sw)
    if right <= left or bottom <= top:
        return
    glyphs = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(glyphs).text((-left, -top), text, font=font, fill=255, anchor="ls", stroke_width=sw, stroke_fill=255)
    alpha = np.asarray(glyphs, np.float32) / 255.0
    x, y = org[0] + left, org[1] + top
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + alpha.shape[1], w), min(y + alpha.shape[0], h)
    if x1 <= x0 or y1 <= y0:
        return
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x]
    region = image[y0:y1, x0:x1].astype(np.float32)
    if image.ndim == 3:
        a = a[..., None]
    value = np.asarray(color, np.float32)
    image[y0:y1, x0:x1] = np.clip(region * (1 - a) + value * a, 0, 255).astype(image.dtype)


def _outline(thick: int) -> int:
    return max(1, thick // 2 + 1)


def line_height(scale: float, thick: int) -> int:
    _, h, d = text_box("Ag", scale, thick)
    return h + d


def fit_scale(text: str, scale: float, thick: int, max_w: int, extra: int = 0) -> float:
    """The largest scale <= ``scale`` at which ``text`` (plus ``extra`` pixels) fits ``max_w``."""
    w = text_box(text, scale, thick)[0] + extra
    if w <= max_w or w <= 0:
        return scale
    return scale * max_w / w


def wrap_text(text: str, scale: float, thick: int, max_w: int) -> list[str]:
    """Greedy word wrap to ``max_w`` pixels (a single over-long word gets a line of its own)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_box(candidate, scale, thick)[0] > max_w:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return [ln for ln in lines if ln]


def draw_text(scene: np.ndarray, text: str, x: float, y: float, scale: float, color: Color,
              anchor: tuple[float, float] = (0.0, 0.0), degree: bool = False,
              thick: Optional[int] = None, background: float = 0.0) -> tuple[int, int, int, int]:
    """Outlined text whose box has its point ``anchor`` (fractions: (0, 0) top-left, (0.5, 0.5)
    centre) at (x, y). The box is shrunk to the image width and moved inside the image. With
    ``degree`` a small circle follows the text (Hershey fonts have no degree sign); with
    ``background`` > 0 a dark box of that opacity goes behind it.
    Returns the box drawn (x0, y0, x1, y1)."""
    h_img, w_img = scene.shape[:2]
    thick = thick or text_thickness(scale)
    tw, th, td = text_box(text, scale, thick)
    ring = max(2, int(round(th * 0.17))) if degree else 0
    extra = 2 * ring + max(1, ring // 2) + thick if degree else 0
    if tw + extra > w_img:
        scale = fit_scale(text, scale, thick, w_img, extra)
        thick = min(thick, text_thickness(scale))
        tw, th, td = text_box(text, scale, thick)
        ring = max(1, int(round(th * 0.17))) if degree else 0
        extra = 2 * ring + max(1, ring // 2) + thick if degree else 0
    box_w, box_h = tw + extra, th + td
    x0 = int(round(x - anchor[0] * box_w))
    y0 = int(round(y - anchor[1] * box_h))
    x0 = min(max(x0, 0), max(w_img - box_w, 0))
    y0 = min(max(y0, 0), max(h_img - box_h, 0))
    o = _outline(thick)
    if background > 0:
        blend_rect(scene, x0 - o, y0 - o, x0 + box_w + o, y0 + box_h + o, PANEL_BG, background)
    keep, dx, dy = _outline_mask(text, scale, thick, ring)
    _darken(scene, keep, x0 + dx, y0 + dy)
    put_text(scene, text, (x0 + o, y0 + th), scale, color, thick)
    if degree:
        cv2.circle(scene, (x0 + tw + ring + max(1, ring // 2), y0 + o + ring), ring, color, thick, cv2.LINE_AA)
    return x0, y0, min(x0 + box_w, w_img), min(y0 + box_h, h_img)


@functools.lru_cache(maxsize=128)  # a few KB each; texts recur (angles, counts, labels)
def _outline_mask(text: str, scale: float, thick: int, ring: int) -> tuple[np.ndarray, int, int]:
    """The dark outline around ``text`` (and its degree ring, when ``ring`` > 0) as the share of the
    image that shows through it (255 = all, BGR), and where that mask goes relative to the top-left
    of ``draw_text``'s box: (mask, dx, dy). The outline is a thick anti-aliased stroke, ~10x the
    cost of the letters, so it is drawn once per text and size and applied by ``_darken`` after."""
    tw, th, td = text_box(text, scale, thick)
    o = _outline(thick)
    width = thick + 2 * o
    pad = th + width  # glyphs such as ( / | reach above the box's cap height
    extra = 2 * ring + max(1, ring // 2) + thick if ring else 0
    coverage = np.zeros((th + td + 2 * pad, tw + extra + 2 * pad), np.uint8)
    put_text(coverage, text, (pad + o, pad + th), scale, 255, width)
    if ring:
        cv2.circle(coverage, (pad + tw + ring + max(1, ring // 2), pad + o + ring), ring, 255, width, cv2.LINE_AA)
    x, y, w, h = cv2.boundingRect(coverage)  # all 0 for blank text: an empty mask
    keep = np.dstack([255 - coverage[y:y + h, x:x + w]] * 3)
    keep.flags.writeable = False
    return keep, x - pad, y - pad


def _darken(scene: np.ndarray, keep: np.ndarray, x: int, y: int) -> None:
    """Scale the image by ``keep`` / 255 (placed with its top-left at (x, y)) where they overlap:
    what drawing the black ``OUTLINE`` would do."""
    h, w = scene.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + keep.shape[1], w), min(y + keep.shape[0], h)
    if x1 <= x0 or y1 <= y0:
        return
    roi = scene[y0:y1, x0:x1]
    roi[:] = cv2.multiply(roi, keep[y0 - y:y1 - y, x0 - x:x1 - x], scale=1.0 / 255.0)


def blend_rect(scene: np.ndarray, x0: int, y0: int, x1: int, y1: int, color: Color, alpha: float) -> None:
    """Darken/tint a rectangle in place (semi-transparent panel), clipped to the image."""
    h, w = scene.shape[:2]
    x0, x1 = max(0, min(x0, w)), max(0, min(x1, w))
    y0, y1 = max(0, min(y0, h)), max(0, min(y1, h))
    if x1 <= x0 or y1 <= y0:
        return
    roi = scene[y0:y1, x0:x1]
    roi[:] = cv2.addWeighted(roi, 1.0 - alpha, _solid(y1 - y0, x1 - x0, color), alpha, 0.0)


@functools.lru_cache(maxsize=8)
def _solid(h: int, w: int, color: Color) -> np.ndarray:
    """An image of one colour, kept: numpy fills a 3-channel colour slowly (more than the blend itself),
    and the panels come back at the same few sizes every frame."""
    image = np.empty((h, w, 3), np.uint8)
    image[:] = color
    image.flags.writeable = False
    return image
