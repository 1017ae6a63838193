"""The status panel (exercise, reps, phase, the hold bar), the message shown while not counting, and
the cue banner."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np

from coach.engine.records import FrameResult
from coach.overlay.annotator import verdict
from coach.overlay.style import (CUE_ACCENT, FAULT, GOOD, HOLD_IDLE, HOLD_PROGRESS, PANEL_ALPHA, PANEL_BG, STATUS_COLORS,
                                 TEXT, TEXT_DIM, UNKNOWN, WARNING, Style, blend_rect, draw_text, fit_scale, line_height,
                                 text_box, wrap_text)
from coach.pose.frame import PoseFrame


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
