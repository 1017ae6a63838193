"""Drawing the coach's view of a frame: the skeleton, the key angle, a status panel, the cue.

Drawing only: every annotator renders what a ``FrameResult`` already says and decides nothing
about the exercise. Modelled on Roboflow supervision's annotators: small classes, each with one
``annotate(scene, pose, result)`` that draws in place on a BGR uint8 image and returns it, and an
``Overlay`` composing a default list of them for an exercise: what it draws beyond the common
pieces (the back's profile, the two-pole gauge) follows from the exercise's definition.

Sizes are given in "design pixels" for a 480-pixel frame and scaled by the frame's shorter side,
so a 202x360 phone clip and a 1920x1080 webcam look alike; fonts never shrink below a readable
minimum, and every piece of text is shrunk, wrapped or moved so that it stays inside the image.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Protocol, Sequence

import cv2
import numpy as np

from coach.engine.definition import Exercise, TwoWayPhases
from coach.engine.records import FrameResult
from coach.fonts import font_for, warn_undrawable
from coach.measures import UNITS, hip_angle
from coach.pose.frame import PoseFrame, side_landmark

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


def verdict(result: FrameResult) -> str:
    """The status to colour by: a form verdict only means something while counting; otherwise the
    message speaks and everything is grey."""
    return result.status if result.state == "active" and result.status in STATUS_COLORS else "unknown"


def _pixels(scene: np.ndarray, pose: PoseFrame) -> Optional[list[Optional[Point]]]:
    """Every landmark as integer pixels of the scene (which may have been resized after pose
    estimation), None where it is not finite. Worked out once per annotator and frame: per-point
    numpy checks cost more than the drawing."""
    if pose.xy is None:
        return None
    h, w = scene.shape[:2]
    xy = np.asarray(pose.xy, dtype=np.float64)[:, :2].copy()
    if pose.width > 0 and pose.height > 0 and (pose.width, pose.height) != (w, h):
        xy *= (w / pose.width, h / pose.height)
    # Keep wild extrapolations within int range for OpenCV (it clips lines to the image itself).
    xy = np.clip(xy, -10.0 * max(w, h), 10.0 * max(w, h))
    # np.rint rounds halves to even, as round() does.
    return [(int(x), int(y)) if math.isfinite(x) and math.isfinite(y) else None for x, y in np.rint(xy).tolist()]


def _pt(pixels: list[Optional[Point]], side: str, joint: str) -> Optional[Point]:
    return pixels[side_landmark(side, joint)]


class Annotator(Protocol):
    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray: ...


# -- annotators ----------------------------------------------------------------------------------

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
        pixels = _pixels(scene, pose)
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
        pixels = _pixels(scene, pose)
        name = result.key_measure
        value = result.measures.get(name, math.nan)
        # A frozen measure from before tracking was lost would look current: show none then.
        if (pixels is None or result.side not in ("left", "right") or result.state in ("no_person", "unseen")
                or name not in MEASURE_JOINTS or not math.isfinite(value)):
            return scene
        style = Style.for_image(scene)
        joint, limbs = MEASURE_JOINTS[name]
        side = _pulled_leg(pose, result.side) if name == "hip_angle_min" else result.side
        centre = _pt(pixels, side, joint)
        if centre is None:
            return scene
        color = STATUS_COLORS[verdict(result)]
        degrees = UNITS.get(name) == "deg"
        radius = style.px(26, 6)
        away = np.array([0.7, -0.7])  # label direction without an arc: up and to the right
        ends = [_pt(pixels, side, j) for j in limbs] if limbs and degrees else []
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


@dataclass(frozen=True)
class PanelLayout:
    """Where the panel's pieces go: fixed for an image size, so others can place things below it."""

    x0: int
    y0: int
    x1: int
    y1: int
    lines: tuple[int, ...]  # top y of the name, reps and phase lines
    hold_label_y: int
    bar: tuple[int, int, int, int]  # x0, y0, x1, y1 of the hold bar
    title_scale: float
    body_scale: float
    hold_scale: float


def panel_layout(scene: np.ndarray, texts: Sequence[str] = ()) -> PanelLayout:
    """The status panel's layout in the top-left corner; ``texts`` widen it to fit (up to the image)."""
    h, w = scene.shape[:2]
    return _panel_layout(w, h, tuple(texts))


@functools.lru_cache(maxsize=64)  # the same few sizes and texts come back frame after frame
def _panel_layout(w: int, h: int, texts: tuple[str, ...]) -> PanelLayout:
    s = Style.for_size(w, h)
    m, pad = s.margin, s.pad
    max_inner = max(w - 2 * m - 2 * pad - s.px(4), 10)
    title, body, hold = s.title, s.body, s.body
    wanted = max([s.px(170)] + [text_box(t, title, s.thick(title))[0] for t in texts[:1]]
                 + [text_box(t, body, s.thick(body))[0] for t in texts[1:]])
    inner = min(wanted, max_inner)
    if texts:
        title = fit_scale(texts[0], title, s.thick(title), inner)
        body = min([body] + [fit_scale(t, body, s.thick(body), inner) for t in texts[1:]])
        hold = body
    gap = s.px(4)
    x0, y0 = m, m
    ix = x0 + pad + s.px(4)  # room for the verdict stripe on the left edge
    y = y0 + pad
    lines = []
    for scale in (title, body, body):
        lines.append(y)
        y += line_height(scale, s.thick(scale)) + gap
    hold_label_y = y + gap
    y = hold_label_y + line_height(hold, s.thick(hold)) + gap
    bar = (ix, y, ix + inner, y + s.px(12, 4))
    return PanelLayout(x0, y0, ix + inner + pad, bar[3] + pad, tuple(lines), hold_label_y, bar, title, body, hold)


def panel_lines(exercise_name: str, result: FrameResult) -> tuple[str, str, str, str]:
    """The panel's four lines: exercise, reps, phase, hold."""
    target = result.hold_target_s
    reps = f"Reps {result.reps} (good {result.good_reps})"
    if result.side_reps is not None:  # a per-side set: where each side stands
        reps = f"Reps L {result.side_reps[0]}, R {result.side_reps[1]} (good {result.good_reps})"
    phase = f"Phase: {result.phase}"
    hold = f"Hold {result.hold_s:.1f} / {target:.1f} s" if target > 0 else f"Hold {result.hold_s:.1f} s"
    if result.worked_side:  # one-sided exercises: whose hold this is
        hold += f" ({result.worked_side})"
    if result.hold_faults and (result.holding or result.hold_s > 0):
        hold += " - fix form"  # the bar is red: this hold will not meet its target as it is
    return exercise_name, reps, phase, hold


class PanelAnnotator:
    """A semi-transparent panel, top left: exercise, reps, phase and the hold bar."""

    def __init__(self, exercise_name: str) -> None:
        self.exercise_name = exercise_name

    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray:
        s = Style.for_image(scene)
        _, reps, phase, hold = lines = panel_lines(self.exercise_name, result)
        target = result.hold_target_s
        lay = panel_layout(scene, lines)
        blend_rect(scene, lay.x0, lay.y0, lay.x1, lay.y1, PANEL_BG, PANEL_ALPHA)
        # The verdict stripe: the panel's only form colour, grey unless counting.
        cv2.rectangle(scene, (lay.x0, lay.y0), (lay.x0 + s.px(4, 2) - 1, lay.y1 - 1),
                      STATUS_COLORS[verdict(result)], -1)
        ix = lay.bar[0]
        draw_text(scene, self.exercise_name, ix, lay.lines[0], lay.title_scale, TEXT)
        draw_text(scene, reps, ix, lay.lines[1], lay.body_scale, TEXT)
        draw_text(scene, phase, ix, lay.lines[2], lay.body_scale, TEXT_DIM)
        # The hold: bright while holding, dimmed (the last hold's time) otherwise.
        # Green only for a hold that meets its target in good form (FrameResult.hold_met), as the
        # report will say; red for a hold whose form fails, whatever its length.
        seen = result.state not in ("no_person", "unseen")
        if not seen:
            fill = UNKNOWN if result.holding else HOLD_IDLE
        elif result.hold_faults:
            fill = FAULT
        elif result.hold_met:
            fill = GOOD
        else:
            fill = HOLD_PROGRESS if result.holding else HOLD_IDLE
        draw_text(scene, hold, ix, lay.hold_label_y, lay.hold_scale, TEXT if result.holding else TEXT_DIM)
        bx0, by0, bx1, by1 = lay.bar
        cv2.rectangle(scene, (bx0, by0), (bx1 - 1, by1 - 1), (60, 60, 60), -1)
        fraction = min(max(result.hold_s / target, 0.0), 1.0) if target > 0 else 0.0
        filled = int(round(fraction * (bx1 - bx0)))
        if filled > 0:
            cv2.rectangle(scene, (bx0, by0), (bx0 + filled - 1, by1 - 1), fill, -1)
        cv2.rectangle(scene, (bx0, by0), (bx1 - 1, by1 - 1), TEXT if result.holding else (110, 110, 110),
                      s.px(2 if result.holding else 1), cv2.LINE_AA)
        return scene


class CueAnnotator:
    """The current cue in a banner across the bottom, wrapped to the image width."""

    def __init__(self, max_lines: int = 3) -> None:
        self.max_lines = max_lines

    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray:
        if result.cue is None or not result.cue.text.strip():
            return scene
        h, w = scene.shape[:2]
        s = Style.for_image(scene)
        lines, scale = _wrap_to_fit(result.cue.text, s.big, s, w - 2 * s.margin - 2 * s.pad, self.max_lines)
        lh = line_height(scale, s.thick(scale))
        gap = s.px(4)
        height = len(lines) * lh + (len(lines) - 1) * gap + 2 * s.pad
        y0 = max(h - height - s.margin, 0)
        blend_rect(scene, 0, y0, w, h, PANEL_BG, 0.7)
        cv2.rectangle(scene, (0, y0), (w - 1, y0 + s.px(3, 2) - 1), CUE_ACCENT, -1)
        y = y0 + s.pad
        for line in lines:
            draw_text(scene, line, w / 2, y, scale, TEXT, anchor=(0.5, 0.0))
            y += lh + gap
        return scene


class StatusAnnotator:
    """When not counting: the message, big and central, in place of any verdict. Always: a warning
    line below the panel when more than one person is in view."""

    def __init__(self, max_lines: int = 4) -> None:
        self.max_lines = max_lines

    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray:
        h, w = scene.shape[:2]
        s = Style.for_image(scene)
        top = panel_layout(scene).y1  # the message keeps clear of the panel (and of this warning)
        if result.people > 1:
            text = f"{result.people} people in view - coaching one"
            top = draw_text(scene, text, s.margin, top + s.px(4), s.small, WARNING, background=PANEL_ALPHA)[3]
        if result.state != "active" and result.message.strip():
            lines, scale = _wrap_to_fit(result.message, s.big * 1.15, s, int(w * 0.9) - 2 * s.pad, self.max_lines)
            lh = line_height(scale, s.thick(scale))
            gap = s.px(6)
            text_h = len(lines) * lh + (len(lines) - 1) * gap
            widest = max(text_box(ln, scale, s.thick(scale))[0] for ln in lines)
            bw, bh = min(widest + 2 * s.pad, w), text_h + 2 * s.pad
            # A little above the middle (the cue banner owns the bottom), but below the panel on
            # short frames where the middle is taken by it; inside the image whatever happens.
            y0 = max(int(h * 0.45 - bh / 2), top + s.px(6))
            y0 = max(min(y0, h - bh), 0)
            x0 = (w - bw) // 2
            blend_rect(scene, x0, y0, x0 + bw, y0 + bh, PANEL_BG, 0.7)
            y = y0 + s.pad
            for line in lines:
                draw_text(scene, line, w / 2, y, scale, TEXT, anchor=(0.5, 0.0))
                y += lh + gap
        return scene


def _wrap_to_fit(text: str, scale: float, s: Style, max_w: int, max_lines: int) -> tuple[list[str], float]:
    """Wrap ``text``; shrink the font (not below the readable minimum) until it takes ``max_lines``."""
    floor = s.font(0.0, 0.4)
    while True:
        lines = wrap_text(text, scale, s.thick(scale), max_w)
        if len(lines) <= max_lines or scale <= floor:
            break
        scale = max(floor, scale * 0.9)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:- ") + "..."
    return lines, scale


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


def default_annotators(exercise: Exercise) -> list[Annotator]:
    """The default picture for ``exercise``: skeleton, key angle, panel, status message, cue banner;
    the back's profile if the exercise asks for the person mask, and the two-pole gauge if its
    phases go two ways. Decided once here from the definition, not per frame from measure names."""
    phases = exercise.phases
    return [SkeletonAnnotator(),
            *([BackProfileAnnotator()] if exercise.needs_segmentation else []),
            AngleAnnotator(), PanelAnnotator(exercise.name),
            *([PoleGaugeAnnotator.for_phases(phases)] if isinstance(phases, TwoWayPhases) else []),
            StatusAnnotator(), CueAnnotator()]


def exercise_texts(exercise: Exercise) -> list[str]:
    """Every text of a definition the overlay may draw: its name, phase names, cues and posture prompts."""
    return [exercise.name, *exercise.phases.names, *(f.cue for f in exercise.faults),
            *(p.say for p in exercise.posture)]


class Overlay:
    """The coach's picture of an exercise: ``annotators`` (by default ``default_annotators``) in order."""

    def __init__(self, exercise: Exercise, annotators: Optional[Sequence[Annotator]] = None) -> None:
        self.exercise = exercise
        self.annotators: list[Annotator] = (list(annotators) if annotators is not None
                                            else default_annotators(exercise))
        # Said before the first frame, not found as boxes in the video afterwards.
        warn_undrawable(exercise_texts(exercise), exercise.path or exercise.id)

    def top_right_free(self, scene: np.ndarray) -> int:
        """The first row of the top-right corner that no annotator draws in (0: all of it is free),
        so that the live view's corner lines (speech state, stats) go below the gauge, never on it."""
        h, w = scene.shape[:2]
        return max([a.top_right_taken(w, h) for a in self.annotators if hasattr(a, "top_right_taken")] or [0])

    def annotate(self, scene: np.ndarray, pose: PoseFrame, result: FrameResult) -> np.ndarray:
        if scene.ndim != 3 or scene.shape[2] != 3 or scene.dtype != np.uint8:
            raise ValueError(f"overlay draws on BGR uint8 images, got {scene.dtype} {scene.shape}")
        for annotator in self.annotators:
            scene = annotator.annotate(scene, pose, result)
        return scene
