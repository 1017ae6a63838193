"""Drawing the camera check on a frame: the skeleton, the line the tilt is measured on beside a level
reference, red bars on the edges the body is past, and what to change. Drawing only: everything
shown comes from ``calibration.camera``; the look (fonts, colours, panels) is the overlay's."""

from __future__ import annotations

import math
from typing import Optional

import cv2
import numpy as np

from calibration.camera import CHANGE, LABELS, OK, UNKNOWN, UPRIGHT, Verdict, level_line
from coach.overlay import (CUE_ACCENT, FAULT, GOOD, LIMBS, PANEL_ALPHA, PANEL_BG, TEXT, TEXT_DIM, Style, blend_rect,
                           draw_text, line_height, wrap_text)
from coach.overlay import UNKNOWN as GREY
from coach.pose.frame import PoseFrame, side_landmark

_BONES = tuple((side_landmark(side, a), side_landmark(side, b)) for side in ("left", "right") for a, b in LIMBS) + (
    (side_landmark("left", "shoulder"), side_landmark("right", "shoulder")),
    (side_landmark("left", "hip"), side_landmark("right", "hip")))


def _scaled(scene: np.ndarray, pose: PoseFrame) -> Optional[np.ndarray]:
    """The landmarks in the scene's pixels (it may be a resized copy of the analysed frame)."""
    if pose.xy is None or pose.width <= 0 or pose.height <= 0:
        return None
    h, w = scene.shape[:2]
    return np.clip(pose.xy * (w / pose.width, h / pose.height), -10 * max(w, h), 10 * max(w, h))


def draw_skeleton(scene: np.ndarray, pose: PoseFrame, color: tuple[int, int, int] = TEXT_DIM) -> None:
    xy = _scaled(scene, pose)
    if xy is None:
        return
    s = Style.for_image(scene)
    for a, b in _BONES:
        cv2.line(scene, tuple(int(v) for v in xy[a]), tuple(int(v) for v in xy[b]), color, s.px(3, 1), cv2.LINE_AA)


def draw_level_line(scene: np.ndarray, pose: PoseFrame, kind: Optional[str], bad: bool) -> None:
    """The measured line (red when the camera must be levelled) and a level one through its middle."""
    line = level_line(pose, kind) if kind and kind != UPRIGHT else None
    if line is None or pose.width <= 0 or pose.height <= 0:
        return
    h, w = scene.shape[:2]
    p0, p1 = (np.asarray(p) * (w / pose.width, h / pose.height) for p in line)
    s = Style.for_image(scene)
    mid, half = (p0 + p1) / 2, float(np.linalg.norm(p1 - p0)) / 2
    ref = (int(mid[0] - half), int(mid[1])), (int(mid[0] + half), int(mid[1]))
    cv2.line(scene, *ref, TEXT, s.px(1.5), cv2.LINE_AA)
    cv2.line(scene, tuple(int(v) for v in p0), tuple(int(v) for v in p1), FAULT if bad else CUE_ACCENT,
             s.px(3, 2), cv2.LINE_AA)


def draw_out_edges(scene: np.ndarray, edges: set[str]) -> None:
    """A red bar along each edge of the picture the body is past."""
    h, w = scene.shape[:2]
    t = Style.for_image(scene).px(8, 3)
    boxes = {"left": (0, 0, t, h), "right": (w - t, 0, w, h), "top": (0, 0, w, t), "bottom": (0, h - t, w, h)}
    for edge in edges:
        blend_rect(scene, *boxes[edge], FAULT, 0.85)


def draw_panel(scene: np.ndarray, lines: list[tuple[str, tuple[int, int, int]]], bottom: bool = False) -> None:
    """Wrapped lines of text in a dark box across the top (or the bottom) of the picture."""
    h, w = scene.shape[:2]
    s = Style.for_image(scene)
    scale, thick = s.small, s.thick(s.small)
    wrapped = [(part, color) for text, color in lines for part in wrap_text(text, scale, thick, w - 2 * s.pad)]
    lh = line_height(scale, thick) + s.px(3)
    box = len(wrapped) * lh + 2 * s.pad
    y = h - box if bottom else 0
    blend_rect(scene, 0, y, w, y + box, PANEL_BG, PANEL_ALPHA + 0.2)
    y += s.pad
    for text, color in wrapped:
        draw_text(scene, text, s.pad, y, scale, color)
        y += lh


def snapshot(image: np.ndarray, pose: Optional[PoseFrame], verdict: Verdict, subject: str) -> np.ndarray:
    """A copy of ``image`` with the verdict on it: what is fine, what to change (``subject``: "bridge")."""
    scene = image.copy()
    m = verdict.measurements
    if pose is not None and pose.xy is not None:
        draw_skeleton(scene, pose, GOOD if verdict.usable else TEXT_DIM)
        tilt = verdict.check("tilt").status
        if tilt != UNKNOWN:  # a line that was not judged would only mislead
            draw_level_line(scene, pose, m.posture, tilt == CHANGE)
    if verdict.check("in_frame").status == CHANGE:
        draw_out_edges(scene, set(m.out.values()))
    fine = [LABELS[c.code] for c in verdict.checks if c.status == OK]
    lines = [(f"ok: {', '.join(fine)}", GOOD)] if fine else []
    lines += [(c.text, FAULT) for c in verdict.to_change]
    draw_panel(scene, lines)
    if verdict.usable:
        draw_panel(scene, [(f"Usable for {subject}", GOOD)], bottom=True)
    else:
        draw_panel(scene, [(f"Not usable for {subject} yet: change what is in red", FAULT)], bottom=True)
    return scene


def progress(image: np.ndarray, pose: Optional[PoseFrame], remaining_s: float) -> np.ndarray:
    """The picture while measuring: the skeleton and how long the check still runs."""
    scene = image.copy()
    if pose is not None:
        draw_skeleton(scene, pose)
    secs = max(int(math.ceil(remaining_s)), 0)
    draw_panel(scene, [(f"Checking the set-up: hold the starting position ({secs} s)", CUE_ACCENT),
                       ("q or Esc: stop now", GREY)])
    return scene


def lead_in(image: np.ndarray, count: int, say: str) -> np.ndarray:
    """The picture before measuring: what to do, and the seconds left to get there."""
    scene = image.copy()
    draw_panel(scene, [(f"{say}: the check starts in {count}", CUE_ACCENT), ("q or Esc: stop now", GREY)])
    return scene
