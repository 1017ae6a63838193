"""Drawing the coach's view of a frame: the skeleton, the key angle, a status panel, the cue.

Drawing only: every annotator renders what a ``FrameResult`` already says and decides nothing
about the exercise. Modelled on Roboflow supervision's annotators: small classes, each with one
``annotate(scene, pose, result)`` that draws in place on a BGR uint8 image and returns it, and an
``Overlay`` composing a default list of them for an exercise: what it draws beyond the common
pieces (the back's profile, the two-pole gauge) follows from the exercise's definition.

The pieces: ``style`` (colours, sizes, text that stays inside the image), ``annotator`` (the
interface and the verdict's colour), ``body`` (skeleton, key angle), ``panel`` (status panel,
message, cue banner), ``poles`` (back profile, two-pole gauge). Every name is importable from here.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from coach.engine.exercise import Exercise, TwoWayPhases
from coach.engine.records import FrameResult
from coach.fonts import warn_undrawable
from coach.overlay.annotator import Annotator, verdict
from coach.overlay.body import JOINTS, LIMBS, MEASURE_JOINTS, AngleAnnotator, SkeletonAnnotator
from coach.overlay.panel import CueAnnotator, PanelAnnotator, PanelLayout, StatusAnnotator, panel_layout, panel_lines
from coach.overlay.poles import BACK_POINTS, BackProfileAnnotator, PoleGaugeAnnotator
from coach.overlay.style import (BORDERLINE, CUE_ACCENT, FAR_SIDE, FAULT, FONT, GOOD, HOLD_IDLE, HOLD_PROGRESS, OUTLINE,
                                 PANEL_ALPHA, PANEL_BG, STATUS_COLORS, TEXT, TEXT_DIM, UNKNOWN, WARNING, Color, Point,
                                 Style, blend_rect, draw_text, fit_scale, line_height, put_text, text_box,
                                 text_thickness, wrap_text)
from coach.pose.frame import PoseFrame

__all__ = [
    "Annotator", "AngleAnnotator", "BackProfileAnnotator", "CueAnnotator", "Overlay", "PanelAnnotator", "PanelLayout",
    "PoleGaugeAnnotator", "SkeletonAnnotator", "StatusAnnotator", "default_annotators", "exercise_texts",
    "panel_layout", "panel_lines", "verdict", "JOINTS", "LIMBS", "MEASURE_JOINTS", "BACK_POINTS",
    "BORDERLINE", "CUE_ACCENT", "FAR_SIDE", "FAULT", "FONT", "GOOD", "HOLD_IDLE", "HOLD_PROGRESS", "OUTLINE",
    "PANEL_ALPHA", "PANEL_BG", "STATUS_COLORS", "TEXT", "TEXT_DIM", "UNKNOWN", "WARNING", "Color", "Point", "Style",
    "blend_rect", "draw_text", "fit_scale", "line_height", "put_text", "text_box", "text_thickness", "wrap_text",
]


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
