"""The overlay draws what a FrameResult says, legibly, inside the image, at any frame size."""

from __future__ import annotations

import dataclasses
import math
from typing import Optional

import cv2
import numpy as np
import pytest

from coach.engine.cues import Cue
from coach.engine.definition import load_exercise
from coach.engine.records import FrameResult
from coach.overlay import (TEXT, BORDERLINE, FAULT, GOOD, HOLD_PROGRESS, UNKNOWN, AngleAnnotator, CueAnnotator, Overlay,
                           PanelAnnotator, SkeletonAnnotator, StatusAnnotator, Style, draw_text, panel_layout,
                           text_box, wrap_text)
from coach.overlay.style import _outline
from coach.pose.frame import LANDMARK_NAMES, PoseFrame, side_landmark

W, H = 640, 480
BRIDGE = load_exercise("bridge")  # name "Pelvic tilt bridge"

# A person lying on their back in a bridge, head to the left, seen from their left side; as
# fractions of the image. The far (right) side sits higher in the image so the two never overlap.
NEAR = {
    "ear": (0.15, 0.62), "shoulder": (0.25, 0.65), "elbow": (0.33, 0.72), "wrist": (0.42, 0.74),
    "hip": (0.45, 0.55), "knee": (0.65, 0.40), "ankle": (0.72, 0.68), "heel": (0.70, 0.71),
    "foot_index": (0.78, 0.72),
}
FAR_OFFSET = (0.0, -0.12)


def make_pose(width: int = W, height: int = H, xy: bool = True) -> PoseFrame:
    if not xy:
        return PoseFrame(index=0, t=0.0, width=width, height=height, people=0)
    pts = np.zeros((len(LANDMARK_NAMES), 2))
    for side, (dx, dy) in (("left", (0.0, 0.0)), ("right", FAR_OFFSET)):
        for joint, (x, y) in NEAR.items():
            pts[side_landmark(side, joint)] = (x + dx, y + dy)
        for joint in ("eye_inner", "eye", "eye_outer"):
            pts[side_landmark(side, joint)] = pts[side_landmark(side, "ear")] + (-0.02, -0.01)
        for joint in ("pinky", "index", "thumb"):
            pts[side_landmark(side, joint)] = pts[side_landmark(side, "wrist")] + (0.02, 0.0)
    for name in ("nose", "mouth_left", "mouth_right"):
        pts[LANDMARK_NAMES.index(name)] = pts[side_landmark("left", "ear")] + (-0.03, 0.0)
    return PoseFrame(index=0, t=0.0, width=width, height=height, xy=pts * (width, height),
                     visibility=np.ones(len(LANDMARK_NAMES)), people=1)


def make_result(state: str = "active", status: str = "good", side: Optional[str] = "left", message: str = "",
                hold_s: float = 0.0, hold_target_s: float = 2.0, holding: bool = False,
                cue: Optional[str] = None, people: int = 1, key_measure: str = "hip_extension",
                measures: Optional[dict] = None, reps: int = 3, good_reps: int = 2, phase: str = "top",
                hold_faults: tuple[str, ...] = ()) -> FrameResult:
    return FrameResult(
        index=0, t=0.0, state=state, phase=phase, side=side, message=message,
        measures={"hip_extension": 178.0, "knee_angle": 92.0} if measures is None else measures,
        key_measure=key_measure, status=status, reps=reps, good_reps=good_reps, hold_s=hold_s,
        hold_target_s=hold_target_s, holding=holding, cue=Cue(0.0, "c", cue, 1) if cue else None,
        people=people, hold_faults=hold_faults)


def blank(width: int = W, height: int = H) -> np.ndarray:
    return np.zeros((height, width, 3), np.uint8)


def near(img: np.ndarray, color: tuple[int, int, int], tol: int = 12) -> np.ndarray:
    """Mask of pixels within ``tol`` of ``color`` on every channel."""
    return np.all(np.abs(img.astype(int) - np.array(color)) <= tol, axis=-1)


def segment_mid(pose: PoseFrame, side: str, a: str, b: str) -> tuple[int, int]:
    assert pose.xy is not None
    p = (pose.xy[side_landmark(side, a)] + pose.xy[side_landmark(side, b)]) / 2
    return int(round(p[0])), int(round(p[1]))


def window(img: np.ndarray, xy: tuple[int, int], r: int = 1) -> np.ndarray:
    x, y = xy
    return img[y - r:y + r + 1, x - r:x + r + 1]


# -- skeleton ------------------------------------------------------------------------------------

@pytest.mark.parametrize("status,color", [("fault", FAULT), ("good", GOOD), ("borderline", BORDERLINE),
                                          ("unknown", UNKNOWN)])
def test_skeleton_colours_the_tracked_leg_by_status(status, color):
    pose = make_pose()
    img = SkeletonAnnotator().annotate(blank(), pose, make_result(status=status))
    mid = window(img, segment_mid(pose, "left", "hip", "knee"))
    assert near(mid, color).all()
    for other in {GOOD, FAULT, BORDERLINE} - {color}:
        assert not near(img, other, tol=30).any()


def test_skeleton_far_side_is_thin_and_grey():
    pose = make_pose()
    img = SkeletonAnnotator().annotate(blank(), pose, make_result(status="fault"))
    assert not near(window(img, segment_mid(pose, "right", "hip", "knee")), FAULT, tol=60).any()
    assert img[segment_mid(pose, "right", "hip", "knee")[::-1]].max() > 60  # drawn, in grey

    def width_across(side: str) -> int:  # lit pixels along a vertical line through the thigh's middle
        x, y = segment_mid(pose, side, "hip", "knee")
        column = img[y - 30:y + 31, x].max(axis=-1) > 100
        return int(column.sum())

    assert width_across("left") >= 2 * width_across("right")


@pytest.mark.parametrize("state", ["unseen", "no_person", "setup"])
def test_skeleton_shows_no_verdict_unless_counting(state):
    pose = make_pose()
    img = SkeletonAnnotator().annotate(blank(), pose, make_result(state=state, status="fault"))
    assert not near(img, FAULT, tol=60).any() and not near(img, GOOD, tol=60).any()
    assert near(window(img, segment_mid(pose, "left", "hip", "knee")), UNKNOWN).all()


def test_skeleton_skips_without_pose_or_side():
    for pose, side in ((make_pose(xy=False), "left"), (make_pose(), None)):
        img = blank()
        out = SkeletonAnnotator().annotate(img, pose, make_result(side=side))
        assert out is img and not img.any()


def test_skeleton_lines_scale_with_the_image():
    small, large = (make_pose(360, 202), make_pose(1920, 1080))
    img_s = SkeletonAnnotator().annotate(blank(360, 202), small, make_result(status="good"))
    img_l = SkeletonAnnotator().annotate(blank(1920, 1080), large, make_result(status="good"))
    frac_s = near(img_s, GOOD).mean()
    frac_l = near(img_l, GOOD).mean()
    assert 0.5 < frac_l / frac_s < 2.0  # about the same share of the picture


def test_skeleton_follows_a_resized_scene():
    pose = make_pose(640, 480)
    img = SkeletonAnnotator().annotate(blank(320, 240), pose, make_result(status="fault"))
    x, y = segment_mid(pose, "left", "hip", "knee")
    assert near(window(img, (x // 2, y // 2), 1), FAULT).all()


# -- angle ---------------------------------------------------------------------------------------

def hip_region(img: np.ndarray, pose: PoseFrame, r: int = 90) -> np.ndarray:
    x, y = (int(v) for v in pose.xy[side_landmark("left", "hip")])
    return img[max(0, y - r):y + r, max(0, x - r):x + r]


def test_angle_drawn_near_its_joint():
    pose = make_pose()
    img = AngleAnnotator().annotate(blank(), pose, make_result(measures={"hip_extension": 178.0}))
    assert hip_region(img, pose).any()
    outside = img.copy()
    x, y = (int(v) for v in pose.xy[side_landmark("left", "hip")])
    outside[max(0, y - 90):y + 90, max(0, x - 90):x + 90] = 0
    assert not outside.any()  # everything it draws is by the hip


def test_angle_for_the_knee_is_drawn_at_the_knee():
    pose = make_pose()
    img = AngleAnnotator().annotate(blank(), pose, make_result(key_measure="knee_angle"))
    x, y = (int(v) for v in pose.xy[side_landmark("left", "knee")])
    assert img[y - 90:y + 90, x - 90:x + 90].any()


def test_angle_text_shows_the_value():
    pose = make_pose()
    a = AngleAnnotator().annotate(blank(), pose, make_result(measures={"hip_extension": 178.0}))
    b = AngleAnnotator().annotate(blank(), pose, make_result(measures={"hip_extension": 121.0}))
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("kwargs", [dict(measures={}), dict(measures={"hip_extension": math.nan}),
                                    dict(state="unseen"), dict(state="no_person"), dict(side=None)])
def test_angle_not_drawn_without_a_current_value(kwargs):
    img = AngleAnnotator().annotate(blank(), make_pose(), make_result(**kwargs))
    assert not img.any()


# -- panel ---------------------------------------------------------------------------------------

def panel_pixels(img: np.ndarray) -> np.ndarray:
    lay = panel_layout(img)
    return img[:lay.y1 + 2, :]


def test_panel_hold_bar_grows_with_hold_time():
    counts = []
    for hold_s in (0.2, 0.8, 1.6):
        result = make_result(hold_s=hold_s, holding=True)
        img = PanelAnnotator("Pelvic tilt bridge").annotate(blank(), make_pose(), result)
        counts.append(int(near(img, HOLD_PROGRESS, tol=0).sum()))
    assert 0 < counts[0] < counts[1] < counts[2]
    # The fill is proportional: 0.8 s more adds 4/3 of what 0.6 s more did.
    assert (counts[2] - counts[1]) / (counts[1] - counts[0]) == pytest.approx(4 / 3, rel=0.1)


def test_panel_hold_bar_green_when_met():
    img = PanelAnnotator("Bridge").annotate(blank(), make_pose(), make_result(hold_s=2.3, holding=True))
    assert near(img, GOOD, tol=0).sum() > 200
    assert not near(img, HOLD_PROGRESS, tol=0).any()


def test_panel_hold_bar_is_red_not_green_for_a_faulted_hold():
    """A hold long enough but in bad form does not meet its target: the bar says so, as the report will."""
    for holding in (True, False):
        result = make_result(hold_s=2.3, holding=holding, hold_faults=("hips_overextended",))
        img = PanelAnnotator("Bridge").annotate(blank(), make_pose(), result)
        lay = panel_layout(img)
        bx0, by0, bx1, by1 = lay.bar
        bar = img[by0 + 3:by1 - 3, bx0 + 3:bx1 - 3]
        assert near(bar, FAULT, tol=0).mean() > 0.9
        assert not near(bar, GOOD, tol=0).any()


def test_panel_text_is_drawn_and_depends_on_the_counts():
    a = PanelAnnotator("Bridge").annotate(blank(), make_pose(), make_result(reps=3, good_reps=2))
    b = PanelAnnotator("Bridge").annotate(blank(), make_pose(), make_result(reps=4, good_reps=2))
    assert (a.max(axis=-1) > 200).sum() > 300  # white text
    assert not np.array_equal(a, b)
    lay = panel_layout(a)
    assert not a[lay.y1 + 1:].any() and not a[:, lay.x1 + 1:].any()  # a corner panel, nothing else


@pytest.mark.parametrize("state", ["unseen", "no_person"])
def test_panel_shows_no_verdict_colour_when_unseen(state):
    img = PanelAnnotator("Bridge").annotate(blank(), make_pose(), make_result(state=state, status="fault",
                                                                              hold_s=2.5, holding=True))
    for color in (GOOD, FAULT, BORDERLINE):
        assert not near(img, color, tol=40).any()


def test_panel_stripe_shows_the_verdict_when_active():
    img = PanelAnnotator("Bridge").annotate(blank(), make_pose(), make_result(status="fault"))
    assert near(img, FAULT, tol=0).sum() > 50


def test_panel_names_the_worked_side_of_the_hold():
    plain = make_result(holding=True, hold_s=3.0)
    sided = dataclasses.replace(plain, worked_side="left")
    a = PanelAnnotator("Knee to chest").annotate(blank(), make_pose(), plain)
    b = PanelAnnotator("Knee to chest").annotate(blank(), make_pose(), sided)
    assert not np.array_equal(a, b)


def test_panel_is_semi_transparent():
    img = np.full((H, W, 3), 200, np.uint8)
    PanelAnnotator("Bridge").annotate(img, make_pose(), make_result())
    lay = panel_layout(img)
    corner = img[lay.y0 + 1, lay.x1 - 2]  # panel background, no text there
    assert 40 < corner.mean() < 180


# -- cue -----------------------------------------------------------------------------------------

def test_cue_banner_changes_only_the_bottom():
    result = make_result(cue="Lift your hips until shoulders, hips and knees line up")
    img = CueAnnotator().annotate(blank(), make_pose(), result)
    changed = np.argwhere(img.any(axis=-1))
    assert len(changed) > 0
    assert changed[:, 0].min() > H * 0.6
    assert (img[int(H * 0.8):].min(axis=-1) > 200).sum() > 300  # white text in the banner


def test_no_cue_no_banner():
    img = CueAnnotator().annotate(blank(), make_pose(), make_result(cue=None))
    assert not img.any()


def test_long_cue_wraps_inside_the_image():
    text = "Don't arch your back: lift only until shoulders, hips and knees line up " * 2
    for w, h in ((202, 360), (360, 202), (640, 480)):
        img = CueAnnotator().annotate(blank(w, h), make_pose(w, h), make_result(cue=text))
        cols = np.argwhere((img.min(axis=-1) > 200).any(axis=0))  # white text
        assert cols.min() > 0 and cols.max() < w - 1  # text stays off the edges
        assert np.argwhere(img.any(axis=-1))[:, 0].min() > h * 0.35


# -- status --------------------------------------------------------------------------------------

def centre(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    return img[int(h * 0.3):int(h * 0.6), int(w * 0.2):int(w * 0.8)]


@pytest.mark.parametrize("state", ["unseen", "no_person", "setup"])
def test_status_message_drawn_in_the_centre(state):
    msg = "Can't see your hips - turn side-on to the camera"
    img = StatusAnnotator().annotate(blank(), make_pose(), make_result(state=state, message=msg, status="unknown"))
    assert (centre(img).max(axis=-1) > 200).sum() > 300


def test_status_silent_when_active():
    img = StatusAnnotator().annotate(blank(), make_pose(), make_result(state="active", message=""))
    assert not img.any()


def test_unseen_frame_has_message_and_no_verdict_anywhere():
    msg = "Can't see your hips - turn side-on to the camera"
    img = Overlay(BRIDGE).annotate(blank(), make_pose(), make_result(
        state="unseen", status="fault", message=msg, hold_s=2.5, holding=True))
    assert (centre(img).max(axis=-1) > 200).sum() > 300
    for color in (GOOD, FAULT, BORDERLINE):
        assert not near(img, color, tol=40).any()


def test_second_person_warning():
    one = StatusAnnotator().annotate(blank(), make_pose(), make_result(people=1))
    two = StatusAnnotator().annotate(blank(), make_pose(), make_result(people=2))
    assert not one.any() and two.any()
    rows = np.argwhere(two.any(axis=-1))[:, 0]
    assert rows.min() >= panel_layout(two).y1  # below the panel, not over it


# -- composition and sizes -------------------------------------------------------------------------

SIZES = [(640, 480), (360, 202), (202, 360), (1920, 1080), (1080, 1920)]


@pytest.mark.parametrize("w,h", SIZES)
@pytest.mark.parametrize("state", ["active", "unseen", "no_person", "setup"])
def test_overlay_keeps_shape_and_dtype(w, h, state):
    img = np.full((h, w, 3), 90, np.uint8)
    result = make_result(state=state, status="fault" if state == "active" else "unknown",
                         message="" if state == "active" else "Lie down on your back, side-on to the camera",
                         cue="Lift your hips until shoulders, hips and knees line up", people=2,
                         hold_s=1.4, holding=True)
    out = Overlay(BRIDGE).annotate(img, make_pose(w, h, xy=state != "no_person"), result)
    assert out is img and out.shape == (h, w, 3) and out.dtype == np.uint8
    assert (out != 90).any()


@pytest.mark.parametrize("w,h", SIZES)
def test_overlay_without_landmarks_does_not_raise(w, h):
    out = Overlay(BRIDGE).annotate(blank(w, h), make_pose(w, h, xy=False), make_result(state="no_person", side=None,
                                     message="I can't see you - step into the camera's view", status="unknown"))
    assert out.shape == (h, w, 3)


def test_overlay_rejects_non_bgr_images():
    with pytest.raises(ValueError):
        Overlay(BRIDGE).annotate(np.zeros((H, W), np.uint8), make_pose(), make_result())


def test_custom_annotator_list():
    img = Overlay(BRIDGE, annotators=[CueAnnotator()]).annotate(blank(), make_pose(), make_result(cue="Breathe out"))
    assert img[: H // 2].sum() == 0 and img[H // 2:].any()


def test_fonts_grow_with_the_frame_but_stay_readable_when_small():
    small, large = Style.for_image(blank(360, 202)), Style.for_image(blank(1920, 1080))
    assert large.body > Style.for_image(blank()).body > small.body >= 0.35


def test_text_is_moved_and_shrunk_into_the_image():
    img = blank(200, 100)
    box = draw_text(img, "A sentence far too long for such a small image", -50, -50, 2.0, (255, 255, 255))
    x0, y0, x1, y1 = box
    assert 0 <= x0 < x1 <= 200 and 0 <= y0 < y1 <= 100
    assert img.any()
    img = blank(200, 100)
    draw_text(img, "edge", 199, 99, 0.6, (255, 255, 255), degree=True)
    lit = np.argwhere(img.any(axis=-1))
    assert lit[:, 0].max() < 100 and lit[:, 1].max() < 200 and len(lit) > 20
    assert (img[:, :150].any(axis=-1)).sum() > 0  # drawn pulled back inside, not clipped away


@pytest.mark.parametrize("text,degree", [("Reps 3 (good 2)", False), ("178", True), ("(|/) jq", False)])
@pytest.mark.parametrize("w,h,where", [(640, 480, "middle"), (202, 360, "middle"), (1920, 1080, "middle"),
                                       (640, 480, "corner")])
def test_text_outline_looks_as_if_stroked(text, degree, w, h, where):
    """draw_text applies a cached mask for the outline instead of stroking it every time: the picture
    must be what stroking it gives (up to anti-aliasing rounding), cut off at the image's edge."""
    scale, thick = 0.9 * Style.for_image(blank(w, h)).unit, 2
    background = np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8)
    x, y = (w / 2, h / 2) if where == "middle" else (w, h)
    img = background.copy()
    x0, y0, _, _ = draw_text(img, text, x, y, scale, (255, 255, 255), anchor=(1.0, 1.0), degree=degree, thick=thick)
    ref = background.copy()
    tw, th, _ = text_box(text, scale, thick)
    o = _outline(thick)
    cv2.putText(ref, text, (x0 + o, y0 + th), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 2 * o, cv2.LINE_AA)
    cv2.putText(ref, text, (x0 + o, y0 + th), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick, cv2.LINE_AA)
    if degree:
        ring = max(2, int(round(th * 0.17)))
        centre = (x0 + tw + ring + max(1, ring // 2), y0 + o + ring)
        cv2.circle(ref, centre, ring, (0, 0, 0), thick + 2 * o, cv2.LINE_AA)
        cv2.circle(ref, centre, ring, (255, 255, 255), thick, cv2.LINE_AA)
    diff = np.abs(img.astype(int) - ref.astype(int))
    assert (ref != background).any(axis=-1).sum() > 50  # there is text to compare
    assert diff.max() <= 8 and (diff > 2).mean() < 0.001


def test_wrap_text_respects_width():
    lines = wrap_text("one two three four five six seven eight nine ten", 0.6, 1, 120)
    assert len(lines) > 1 and " ".join(lines) == "one two three four five six seven eight nine ten"


def test_frame_result_is_not_modified():
    result = make_result(state="active", status="fault", cue="Lift", hold_s=1.0, holding=True)
    before = dataclasses.asdict(result)
    Overlay(BRIDGE).annotate(blank(), make_pose(), result)
    assert dataclasses.asdict(result) == before


@pytest.mark.parametrize("w,h", [(360, 202), (640, 480), (1920, 1080)])
def test_status_message_keeps_clear_of_the_panel(w, h):
    msg = "Can't see your hips - turn side-on to the camera"
    img = StatusAnnotator().annotate(blank(w, h), make_pose(w, h), make_result(state="unseen", message=msg, people=2))
    rows = np.argwhere(img.any(axis=-1))[:, 0]
    assert rows.min() >= panel_layout(img).y1 and rows.max() < h
    assert (img.min(axis=-1) > 200).sum() > 100  # the message's white text is there


def test_knee_to_chest_angle_is_drawn_at_the_pulled_legs_hip():
    """hip_angle_min reads whichever leg is pulled in: its label and arc go to that leg's hip."""
    pose = make_pose()
    assert pose.xy is not None
    xy = pose.xy.copy()
    hip = xy[side_landmark("right", "hip")]
    xy[side_landmark("right", "knee")] = hip + (xy[side_landmark("right", "shoulder")] - hip) * 0.6 + (0, -60)
    pulled = dataclasses.replace(pose, xy=xy)  # the far (right) leg's knee brought up toward the chest
    result = make_result(key_measure="hip_angle_min", measures={"hip_angle_min": 40.0})
    drawn = AngleAnnotator().annotate(blank(), pulled, result).any(axis=2)
    ys, xs = np.nonzero(drawn)
    centre = np.array([xs.mean(), ys.mean()])
    near_hip, tracked_hip = hip, xy[side_landmark("left", "hip")]
    # By the right hip, not the camera-facing left one (the hips are 58 px apart here).
    assert np.linalg.norm(centre - near_hip) < 0.5 * np.linalg.norm(centre - tracked_hip)


@pytest.mark.parametrize("text", ["Levez les hanches jusqu'à l'alignement", "Поднимите бёдра", "Hüften heben"])
def test_text_beyond_ascii_is_drawn_not_question_marks(text):
    """OpenCV's own fonts draw every non-ASCII letter as '?': cue texts in any language are drawn
    with a font that has them (and the banner wraps and fits them like any other text)."""
    def drawn(t: str) -> np.ndarray:
        img = blank()
        draw_text(img, t, 10, 10, 0.8, TEXT)
        return img

    as_question_marks = "".join(c if c.isascii() else "?" for c in text)
    img = drawn(text)
    assert (img.max(axis=-1) > 200).sum() > 200  # letters were drawn
    assert not np.array_equal(img, drawn(as_question_marks))
    w, h, d = text_box(text, 0.8, 2)
    assert w > 10 * len(text) * 0.5 and h > 10  # measured as letters, so wrapping and fitting work
    banner = CueAnnotator(max_lines=3).annotate(blank(), make_pose(), make_result(cue=text + " " + text + " " + text))
    assert (banner.max(axis=-1) > 200).sum() > 300
