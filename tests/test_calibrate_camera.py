"""``coach calibrate camera``: the set-up checks on synthetic poses seen through a simple camera model,
then end to end with real MediaPipe on a side-on sample, on copies of it made worse with OpenCV (turned,
cut off, darkened), on a real clip filmed at an angle, and on bad input."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import cv2
import numpy as np
import pytest

from calibration.camera import (CHANGE, FRONTAL, HANDS_AND_KNEES, LYING, OBLIQUE, OK, SIDE, UNKNOWN, UPRIGHT, FrameSample,
                                Verdict, judge, measure, named_view, posture, suited, tilt_angle, view_angle)
from calibration.command import report_lines, watch
from calibration.draw import snapshot
from coach.errors import CoachError
from coach.engine.definition import load_exercise
from coach.live.setup import SIDE_MAX_DEG, parts_for
from coach.pose.frame import LANDMARK_NAMES, PoseFrame
from e2e_runs import ROOT
from test_cli_errors import assert_clean_failure, coach
from test_live_cli import close_window, env_without
from x11_close import stop, virtual_display

W, H = 640, 480
BRIGHT = 150.0
_I = {n: i for i, n in enumerate(LANDMARK_NAMES)}

# -- synthetic people seen through a camera ------------------------------------------------------------
# Bodies in metres: x along the body (head toward +x), y down (floor at y = 0), z from the person's right
# (-) to left (+). A side-on camera looks along z, so the left-right axis points along its axis.

_LYING = {"nose": (0.80, -0.18, 0.0), "eye": (0.78, -0.20, 0.04), "ear": (0.72, -0.12, 0.08),
          "mouth": (0.78, -0.14, 0.03), "shoulder": (0.50, -0.10, 0.18), "elbow": (0.25, -0.06, 0.22),
          "wrist": (0.02, -0.05, 0.22), "hand": (-0.05, -0.04, 0.22), "hip": (0.0, -0.10, 0.10),
          "knee": (-0.45, -0.10, 0.10), "ankle": (-0.90, -0.10, 0.10), "heel": (-0.95, -0.04, 0.10),
          "foot_index": (-0.98, -0.16, 0.10)}
_ALL_FOURS = {"nose": (0.78, -0.58, 0.0), "eye": (0.76, -0.62, 0.04), "ear": (0.70, -0.62, 0.08),
              "mouth": (0.76, -0.56, 0.03), "shoulder": (0.50, -0.62, 0.18), "elbow": (0.50, -0.32, 0.18),
              "wrist": (0.50, -0.02, 0.18), "hand": (0.56, -0.01, 0.18), "hip": (0.0, -0.62, 0.10),
              "knee": (0.0, -0.02, 0.10), "ankle": (-0.45, -0.06, 0.10), "heel": (-0.50, -0.08, 0.10),
              "foot_index": (-0.52, -0.01, 0.10)}
_STANDING = {name: (y, -x - 0.9, z) for name, (x, y, z) in _LYING.items()}  # stood up, head at the top


def _body(points: dict[str, tuple[float, float, float]]) -> np.ndarray:
    """The 33 landmarks (metres) of a body given by its joints (``hand`` stands for the finger points)."""
    out = np.zeros((33, 3))
    for i, name in enumerate(LANDMARK_NAMES):
        side, _, joint = name.partition("_")
        if side not in ("left", "right"):
            side, joint = "", name
        joint = {"eye_inner": "eye", "eye_outer": "eye", "pinky": "hand", "index": "hand", "thumb": "hand"}.get(joint, joint)
        if name.startswith("mouth_"):
            side, joint = name.split("_")[1], "mouth"
        x, y, z = points[joint]
        out[i] = (x, y, z if side == "left" else -z) if side else (x, y, z)
    return out


def seen(body: dict = _LYING, view_deg: float = 0.0, roll_deg: float = 0.0, px_per_m: float = 110.0,
         centre: tuple[float, float] = (W / 2, H * 0.6), t: float = 0.0, people: int = 1) -> PoseFrame:
    """The pose as a camera sees it: turned ``view_deg`` about the vertical from side-on (90 = the person
    faces it), orthographic, the picture turned ``roll_deg`` clockwise (a camera rolled anticlockwise)."""
    p = _body(body)
    a = math.radians(view_deg)
    # Turn the body about the vertical: side-on, its left-right axis (z) points along the camera's axis.
    turn = np.array([[math.cos(a), 0.0, math.sin(a)], [0.0, 1.0, 0.0], [-math.sin(a), 0.0, math.cos(a)]])
    cam = p @ turn.T
    r = math.radians(roll_deg)  # clockwise on screen (y down): x' = x cos - y sin, y' = x sin + y cos
    roll = np.array([[math.cos(r), -math.sin(r), 0.0], [math.sin(r), math.cos(r), 0.0], [0.0, 0.0, 1.0]])
    cam = cam @ roll.T
    mid_hip = (cam[_I["left_hip"]] + cam[_I["right_hip"]]) / 2
    world = cam - mid_hip
    xy = np.array(centre) + px_per_m * (cam[:, :2] - mid_hip[:2])
    return PoseFrame(index=0, t=t, width=W, height=H, xy=xy, z=px_per_m * world[:, 2], visibility=np.full(33, 0.9),
                     world=world, people=people)


def nobody(t: float = 0.0) -> PoseFrame:
    return PoseFrame(index=0, t=t, width=W, height=H, people=0)


def samples(make: Callable[[int], PoseFrame], n: int = 20, brightness: float = BRIGHT) -> list[FrameSample]:
    return [FrameSample(make(i), brightness) for i in range(n)]


def verdict_of(frames: list[FrameSample], needs: str = "side", counts_people: bool = False) -> Verdict:
    return judge(measure(frames), needs, counts_people)


# -- the checks ----------------------------------------------------------------------------------------

def test_a_good_side_on_set_up_is_usable_and_every_check_says_ok() -> None:
    v = verdict_of(samples(lambda i: seen()))
    assert v.usable
    assert {c.code: c.status for c in v.checks} == {"light": OK, "person": OK, "people": UNKNOWN, "in_frame": OK,
                                                   "distance": OK, "view": OK, "tilt": OK}
    m = v.measurements
    assert m.view == SIDE and m.view_deg < 1.0 and m.posture == LYING and abs(m.tilt_deg) < 1.0
    assert 0.2 < m.extent < 0.95


def test_facing_the_camera_is_frontal_and_not_usable_for_a_side_view_exercise() -> None:
    frames = samples(lambda i: seen(_STANDING, view_deg=88.0, centre=(W / 2, H / 2), px_per_m=100.0))
    v = verdict_of(frames)
    assert v.measurements.view == FRONTAL and not v.usable
    view = v.check("view")
    assert view.status == CHANGE and view.text == "Turn the camera so you are side-on: it sees you from the front (about 90 degrees)"
    assert [c.code for c in v.to_change] == ["view"]
    assert verdict_of(frames, needs="front").usable and verdict_of(frames, needs="any").usable


def test_lying_seen_from_the_feet_is_frontal_and_its_floor_line_is_not_judged() -> None:
    v = verdict_of(samples(lambda i: seen(view_deg=88.0)))
    assert v.measurements.view == FRONTAL and v.check("view").status == CHANGE
    assert v.check("tilt").status == UNKNOWN  # a floor line seen end-on says nothing about the camera


def test_an_oblique_camera_says_its_angle_and_suits_only_any_view_exercises() -> None:
    frames = samples(lambda i: seen(view_deg=61.0, px_per_m=160.0))  # near enough that the turned body fills the picture
    v = verdict_of(frames)
    assert v.measurements.view == OBLIQUE and not v.usable
    assert v.check("view").text == "Turn the camera so you are side-on: it sees you at about 60 degrees"
    assert verdict_of(frames, needs="any").usable
    assert not verdict_of(frames, needs="front").usable
    assert suited(measure(frames), [("bridge", "side", None, None), ("stretch", "any", None, None),
                                    ("squat", "front", None, None)]) == ["stretch"]
    # 45 degrees: what the checkers count (real oblique clips, up to 54) is side-on enough
    assert verdict_of(samples(lambda i: seen(view_deg=45.0))).usable


def test_view_thresholds() -> None:
    assert view_angle(1.0) == 0.0 and view_angle(0.0) == 90.0 and math.isnan(view_angle(math.nan))
    assert abs(view_angle(math.cos(math.radians(30))) - 30.0) < 1e-9
    assert [named_view(d) for d in (0, 30, 56.9, 57.1, 60, 64.9, 65.1, 90)] == [
        SIDE, SIDE, SIDE, OBLIQUE, OBLIQUE, OBLIQUE, FRONTAL, FRONTAL]
    assert named_view(SIDE_MAX_DEG - 0.1) == SIDE and named_view(SIDE_MAX_DEG + 0.1) == OBLIQUE  # live's own limit
    # 30 degrees off side-on (the synthetic clips' oblique cameras, which the engine handles) is still side-on.
    assert verdict_of(samples(lambda i: seen(view_deg=30.0))).usable


@pytest.mark.parametrize("roll", [34.0, -31.0])
def test_a_rolled_camera_is_reported_with_the_angle_and_which_way_to_turn(roll: float) -> None:
    v = verdict_of(samples(lambda i: seen(roll_deg=roll)))
    assert abs(v.measurements.tilt_deg - roll) < 0.5
    tilt = v.check("tilt")
    assert tilt.status == CHANGE and not v.usable
    assert tilt.text.startswith("Level the camera: the line from your shoulders to your ankles is")
    assert f"{abs(roll):.0f} degrees off level" in tilt.text
    assert ("anticlockwise" if roll < 0 else " clockwise") in tilt.text


def test_a_small_roll_is_within_the_tolerance() -> None:
    v = verdict_of(samples(lambda i: seen(roll_deg=6.0)))
    assert v.usable and v.check("tilt").status == OK and "6 degrees off level" in v.check("tilt").text
    # a phone leaning 20 degrees: the checkers level it (bench/placements.py counts such clips)
    v = verdict_of(samples(lambda i: seen(roll_deg=20.0)))
    assert v.usable and v.check("tilt").status == OK and "20 degrees off level" in v.check("tilt").text


def test_on_hands_and_knees_the_tilt_is_measured_on_the_hands_and_knees() -> None:
    level = seen(_ALL_FOURS)
    assert posture(level) == HANDS_AND_KNEES and abs(tilt_angle(level)) < 1e-6
    # The shoulder-to-ankle line of the same pose slopes (the shoulders are high): not what is measured.
    assert abs(tilt_angle(level, LYING)) > 20
    v = verdict_of(samples(lambda i: seen(_ALL_FOURS, roll_deg=-32.0)))
    assert v.measurements.posture == HANDS_AND_KNEES
    assert v.check("tilt").status == CHANGE and "the line from your hands to your knees is 32 degrees" in v.check("tilt").text


def test_upright_people_are_not_judged_for_tilt() -> None:
    pose = seen(_STANDING, roll_deg=20.0, centre=(W / 2, H / 2), px_per_m=100.0)
    assert posture(pose) == UPRIGHT and abs(tilt_angle(pose) - 20.0) < 0.5  # measured on the torso, vs vertical
    v = verdict_of(samples(lambda i: seen(_STANDING, roll_deg=20.0, centre=(W / 2, H / 2), px_per_m=100.0)))
    assert v.check("tilt").status == UNKNOWN and "starting position" in v.check("tilt").text


def test_a_body_cut_off_names_the_parts_out_and_the_edge() -> None:
    # Head on the right; the body shifted left until knees and feet are past the left edge.
    v = verdict_of(samples(lambda i: seen(centre=(40.0, H * 0.6))))
    assert v.measurements.out == {"knees": "left", "feet": "left"}
    check = v.check("in_frame")
    assert check.status == CHANGE and not v.usable
    assert check.text.startswith("Your knees and feet are out of the picture (left edge): move the camera further away")
    assert "turn the camera a little to the left" in check.text
    assert v.check("tilt").status == UNKNOWN  # its line ends are guesses outside the picture


def test_parts_out_in_a_few_frames_only_are_not_reported() -> None:
    v = verdict_of(samples(lambda i: seen(centre=(40.0, H * 0.6)) if i < 3 else seen()))  # 3 frames of 20
    assert v.measurements.out == {} and v.usable


def test_too_dark() -> None:
    v = verdict_of(samples(lambda i: seen(), brightness=22.0))
    light = v.check("light")
    assert light.status == CHANGE and light.text.startswith("Too dark (brightness 22 of 255)") and not v.usable
    assert [c.code for c in v.to_change] == ["light"]


def test_brightness_is_the_median_so_a_few_dark_frames_do_not_count() -> None:
    frames = [FrameSample(seen(), 10.0 if i < 5 else BRIGHT) for i in range(20)]
    assert verdict_of(frames).check("light").status == OK


def test_nobody_in_view_leaves_the_body_checks_unjudged() -> None:
    v = verdict_of(samples(nobody))
    assert not v.usable and [c.code for c in v.to_change] == ["person"]
    assert v.check("person").text.startswith("I can't see anybody")
    assert all(v.check(code).status == UNKNOWN for code in ("in_frame", "distance", "view", "tilt"))


def test_somebody_in_most_frames_is_enough() -> None:
    v = verdict_of(samples(lambda i: nobody() if i % 4 == 0 else seen()))  # 75% of the frames
    assert v.usable and v.check("person").text == "seen in 75% of the frames"


def test_far_away_and_seldom_found_says_come_closer() -> None:
    v = verdict_of(samples(lambda i: seen(px_per_m=40.0) if i % 4 == 0 else nobody()))
    assert v.check("person").status == CHANGE and "move the camera closer" in v.check("person").text


def test_distance() -> None:
    far = verdict_of(samples(lambda i: seen(px_per_m=50.0)))
    assert far.check("distance").status == CHANGE and far.check("distance").text.startswith("Too far: you fill 13%")
    near = verdict_of(samples(lambda i: seen(px_per_m=365.0, centre=(339.0, H * 0.6))))  # 97% wide, all inside
    assert near.check("distance").status == CHANGE and near.check("distance").text.startswith("Too near")


def test_a_second_person_is_reported_when_the_backend_can_count() -> None:
    frames = samples(lambda i: seen(people=2 if i % 2 else 1))
    v = verdict_of(frames, counts_people=True)
    assert v.check("people").status == CHANGE and "More than one person" in v.check("people").text and not v.usable
    assert verdict_of(frames, counts_people=False).check("people").status == UNKNOWN
    assert verdict_of(samples(lambda i: seen(people=2 if i == 0 else 1)), counts_people=True).usable


def test_one_odd_frame_does_not_change_the_verdict() -> None:
    v = verdict_of(samples(lambda i: seen(view_deg=88.0, roll_deg=30.0) if i == 7 else seen()))
    assert v.usable and v.measurements.view == SIDE


def test_without_an_exercise_the_lines_say_what_the_set_up_suits() -> None:
    m = measure(samples(lambda i: seen()))
    ids = ["bridge", "cat_cow", "knee_to_chest"]
    exercises = [load_exercise(ex_id) for ex_id in ids]
    suits = suited(m, [(ex.id, ex.view, parts_for(ex.key_joints), ex.side_within_deg) for ex in exercises])
    lines = report_lines(judge(m), None, suits)
    assert len(lines) == 7 + 2
    assert lines[-2:] == ["usable for side-view exercises", "the set-up suits: bridge, cat_cow, knee_to_chest"]
    bad = judge(measure(samples(lambda i: seen(view_deg=61.0, px_per_m=160.0))), "side")
    lines = report_lines(bad, load_exercise("bridge"), [])
    assert lines[-1] == "not usable for bridge (Pelvic tilt bridge): 1 thing to change (above)"
    assert lines[5].split()[:2] == ["view", CHANGE]


def test_the_snapshot_marks_the_edge_the_body_is_past_and_leaves_the_input_alone() -> None:
    image = np.full((H, W, 3), 128, np.uint8)
    cut = [FrameSample(seen(centre=(40.0, H * 0.6)), BRIGHT) for _ in range(5)]
    picture = snapshot(image, cut[0].pose, judge(measure(cut)), "bridge")
    assert picture.shape == image.shape and (image == 128).all()
    left, right = picture[H // 2, 2].astype(int), picture[H // 2, W - 3].astype(int)
    assert left[2] > 180 and left[0] < 100  # a red bar (BGR) down the left edge
    assert (right == 128).all()
    good = [FrameSample(seen(), BRIGHT) for _ in range(5)]
    picture = snapshot(image, good[0].pose, judge(measure(good)), "bridge")
    assert (picture[H // 2, 2] == 128).all()


# -- watching a source (fake reader and backend) ------------------------------------------------------

class FakeReader:
    description, path, width, height, paced = "camera 9", "camera:9", W, H, False

    def __init__(self, frames: int, is_file: bool, fps: float = 30.0) -> None:
        self.left, self.is_file, self.fps = frames, is_file, fps

    def read(self) -> Optional[np.ndarray]:
        self.left -= 1
        return np.full((H, W, 3), 120, np.uint8) if self.left >= 0 else None

    def close(self) -> None:
        pass


class FakeBackend:
    name, model = "fake", "fake"

    def __init__(self) -> None:
        self.times: list[float] = []

    def process(self, image: np.ndarray, t: float, index: int) -> PoseFrame:
        self.times.append(t)
        return seen(t=t)

    def close(self) -> None:
        pass


def test_a_file_is_watched_on_its_own_clock_at_about_ten_frames_a_second() -> None:
    backend = FakeBackend()
    got = watch(FakeReader(300, is_file=True), backend, 3.0, lambda *a: True)
    assert len(got.samples) == 30 and backend.times[:3] == pytest.approx([0.0, 0.1, 0.2])
    assert max(backend.times) < 3.0 and got.samples[0].brightness == pytest.approx(120.0, abs=1.0)
    short = watch(FakeReader(45, is_file=True), FakeBackend(), 3.0, lambda *a: True)  # a 1.5 s video
    assert len(short.samples) == 15


def test_a_camera_is_watched_for_seconds_of_its_clock_and_can_be_stopped_early() -> None:
    ticks = iter(np.arange(0.0, 100.0, 0.25))
    got = watch(FakeReader(1000, is_file=False), FakeBackend(), 2.0, lambda *a: True, clock=lambda: float(next(ticks)))
    assert len(got.samples) == 7  # t = 0.25 .. 1.75: every frame read (a camera gives the newest)
    calls = []
    stopped = watch(FakeReader(1000, is_file=False), FakeBackend(), 100.0, lambda *a: calls.append(a) or len(calls) < 3)
    assert len(stopped.samples) == 3  # q pressed at the third frame


def test_a_camera_that_stops_sending_is_bad_input() -> None:
    with pytest.raises(CoachError, match="camera 9 stopped sending frames"):
        watch(FakeReader(3, is_file=False), FakeBackend(), 10.0, lambda *a: True)
    with pytest.raises(CoachError, match="no frames could be read"):
        watch(FakeReader(0, is_file=True), FakeBackend(), 10.0, lambda *a: True)


# -- end to end, real MediaPipe ------------------------------------------------------------------------

SAMPLE = ROOT / "samples" / "bridge_clean_01.mp4"  # side-on (azimuth 0), head on screen-right
REALWORLD = ROOT.parent / "shared" / "realworld" / "videos"
OBLIQUE_CLIP = REALWORLD / "kneetochest__ndnam0109_fitness-content__knee_hug_turns.mp4"  # labelled oblique
TIMEOUT = 180  # waiting for the window's verdict


def calibrate(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return coach("calibrate", "camera", *args, cwd=cwd)


def lines_of(proc: subprocess.CompletedProcess) -> dict[str, str]:
    """The printed check lines by their label."""
    out = {}
    for line in proc.stdout.splitlines():
        for label in ("light", "person", "people", "in frame", "distance", "view", "tilt", "position"):
            if line.startswith(label + " "):
                out[label] = line[len(label):].strip()
    return out


def variant(src: Path, dst: Path, change: Callable[[np.ndarray], np.ndarray], seconds: float = 3.0,
            start_s: float = 0.0, width: Optional[int] = None) -> Path:
    """A few seconds of ``src`` changed frame by frame (and scaled to ``width``), written to ``dst``."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    cap.set(cv2.CAP_PROP_POS_MSEC, start_s * 1000.0)
    writer = None
    for _ in range(int(seconds * fps)):
        ok, image = cap.read()
        if not ok:
            break
        if width:
            image = cv2.resize(image, (width, int(round(image.shape[0] * width / image.shape[1]))))
        image = np.ascontiguousarray(change(image))
        if writer is None:
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (image.shape[1], image.shape[0]))
        writer.write(image)
    cap.release()
    assert writer is not None
    writer.release()
    return dst


def turned(image: np.ndarray, degrees: float) -> np.ndarray:
    """Turned ``degrees`` anticlockwise on screen (what a camera rolled clockwise sees)."""
    h, w = image.shape[:2]
    return cv2.warpAffine(image, cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0), (w, h))


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2 (bad input), one ``coach: `` line naming ``words`` (as given, case included), no traceback."""
    line = assert_clean_failure(proc, *words)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    for w in words:
        assert w in line, line


def test_side_on_sample_is_usable_for_bridge_and_the_snapshot_is_written(tmp_path: Path) -> None:
    out = tmp_path / "check"
    proc = calibrate("--camera", str(SAMPLE), "--exercise", "bridge", "--headless", "--seconds", "3",
                     "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = lines_of(proc)
    assert set(got) == {"light", "person", "people", "in frame", "distance", "view", "tilt", "position"}
    assert all(got[k].startswith("ok ") for k in ("light", "person", "in frame", "distance", "view", "tilt",
                                                  "position")), got
    assert "side-on" in got["view"]
    assert "usable for bridge (Pelvic tilt bridge)" in proc.stdout.splitlines()
    picture = cv2.imread(str(out / "calibration.png"))
    assert picture is not None and picture.shape == (480, 640, 3)
    data = json.loads((out / "calibration.json").read_text())
    assert data["schema"] == "coach.calibration/1" and data["usable"] is True and data["exercise"]["id"] == "bridge"
    m = data["measured"]
    assert m["view"] == "side" and m["posture"] == "lying" and abs(m["tilt_deg"]) < 5 and m["found"] == 1.0
    assert 25 <= m["frames"] <= 35  # 3 s of a 30 fps file at about 10 frames a second


def test_lying_on_the_back_is_not_usable_for_cat_cow(tmp_path: Path) -> None:
    """The camera is fine, the person is not in cat-cow's starting position: the position line says
    what to do, in the words the live set-up uses."""
    proc = calibrate("--camera", str(SAMPLE), "--exercise", "cat_cow", "--headless", "--seconds", "3", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    got = lines_of(proc)
    assert got["position"] == "change  Put your hands on the floor under your shoulders, then check again"
    assert proc.stdout.splitlines()[-1] == "not usable for cat_cow (Cat-cow): 1 thing to change (above)"


def test_rolled_camera_gives_exit_1_and_says_to_level_it(tmp_path: Path) -> None:
    clip = variant(SAMPLE, tmp_path / "rolled.mp4", lambda im: turned(im, 35.0))
    proc = calibrate("--camera", str(clip), "--exercise", "bridge", "--headless", "--seconds", "3", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    tilt = lines_of(proc)["tilt"]
    assert tilt.startswith("change  Level the camera:"), tilt
    degrees = int(tilt.split(" degrees off level")[0].split()[-1])
    assert 32 <= degrees <= 38, tilt
    assert "anticlockwise" in tilt  # the picture turned anticlockwise: the camera was turned clockwise
    assert proc.stdout.splitlines()[-1] == "not usable for bridge (Pelvic tilt bridge): 1 thing to change (above)"


def test_body_cut_off_gives_exit_1_naming_what_is_out(tmp_path: Path) -> None:
    clip = variant(SAMPLE, tmp_path / "cut.mp4", lambda im: im[:, 300:])  # the feet side (screen-left) cut off
    proc = calibrate("--camera", str(clip), "--headless", "--seconds", "3", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    in_frame = lines_of(proc)["in frame"]
    assert in_frame.startswith("change") and "feet" in in_frame and "out of the picture (left edge)" in in_frame
    assert "head" not in in_frame and "shoulders" not in in_frame
    # the feet only show bridge's starting position (their fault is then not judged), so a bridge
    # can still be coached; the person lies with the knees up, which is not cat-cow's starting
    # position (hands and knees) nor, as MediaPipe reads the cut-off legs (hip 92-106 deg), knee
    # to chest's (both legs down), nor a face-down exercise's; the other exercises that start lying on
    # the back with the knees bent (pelvic tilt, the knee drops) suit it too
    last = proc.stdout.splitlines()[-1]
    assert last.startswith("the set-up suits: "), last
    suits = set(last[len("the set-up suits: "):].split(", "))
    assert {"bridge", "pelvic_tilt", "side_knee_drop"} <= suits
    assert not suits & {"cat_cow", "knee_to_chest", "back_extension", "locust", "superman", "high_plank"}


def test_dark_room_gives_exit_1_too_dark(tmp_path: Path) -> None:
    clip = variant(SAMPLE, tmp_path / "dark.mp4", lambda im: (im * 0.15).astype(np.uint8), seconds=2.0)
    proc = calibrate("--camera", str(clip), "--exercise", "bridge", "--headless", "--seconds", "2", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert lines_of(proc)["light"].startswith("change  Too dark")


@pytest.mark.skipif(not OBLIQUE_CLIP.exists(), reason="../shared/realworld is not here")
def test_real_clip_filmed_at_an_angle_the_checker_counts_is_accepted(tmp_path: Path) -> None:
    """A real knee-hug clip filmed from near the feet: bench/accuracy.py counts it exactly, so the
    set-up check must not refuse it (it did, at 35 deg, while live coaching took it)."""
    clip = variant(OBLIQUE_CLIP, tmp_path / "oblique.mp4", lambda im: im, width=540)  # a copy in tmp only
    out = tmp_path / "check"
    proc = calibrate("--camera", str(clip), "--exercise", "knee_to_chest", "--headless", "--seconds", "3",
                     "--out", str(out), cwd=tmp_path)
    view = lines_of(proc)["view"]
    assert view.startswith("ok      the camera sees you side-on (about "), proc.stdout + proc.stderr
    # In-sample: this clip is one of the oblique ones the limit was checked on (coach/live/setup.py),
    # so it checks the command end to end, not that the limit generalises.
    assert 35 <= int(view.split("about ")[1].split()[0]) < SIDE_MAX_DEG
    assert json.loads((out / "calibration.json").read_text())["measured"]["view"] == "side"


def test_missing_video_is_exit_2_with_one_line(tmp_path: Path) -> None:
    proc = calibrate("--camera", str(tmp_path / "nope.mp4"), "--headless", cwd=tmp_path)
    assert_one_line_error(proc, "nope.mp4")


def test_corrupt_video_is_exit_2_with_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8).tobytes())
    proc = calibrate("--camera", str(junk), "--headless", cwd=tmp_path)
    assert_one_line_error(proc, "junk.mp4")


def test_missing_camera_is_exit_2_listing_the_cameras(tmp_path: Path) -> None:
    proc = calibrate("--camera", "7", "--headless", cwd=tmp_path)
    assert_one_line_error(proc, "camera 7", "cameras that can be opened:")


def test_unknown_exercise_is_exit_2(tmp_path: Path) -> None:
    proc = calibrate("--camera", str(SAMPLE), "--exercise", "nope", "--headless", cwd=tmp_path)
    assert_one_line_error(proc, "unknown exercise 'nope'", "bridge")


@pytest.mark.skipif(shutil.which("Xvfb") is None or not sys.platform.startswith("linux"),
                    reason="the window test needs a virtual X server (apt-get install xvfb)")
def test_window_shows_the_verdict_until_it_is_closed(tmp_path: Path) -> None:
    proc = None
    with virtual_display() as display:
        try:
            proc = subprocess.Popen([sys.executable, "-m", "coach", "calibrate", "camera", "--camera", str(SAMPLE),
                                     "--exercise", "bridge", "--seconds", "2"], cwd=str(tmp_path),
                                    env=env_without("WAYLAND_DISPLAY", DISPLAY=display),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
            assert proc.stdout is not None
            lines = []
            deadline = time.time() + TIMEOUT
            while time.time() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line.rstrip("\n"))
                if line.startswith("press any key"):
                    break
            assert lines and lines[-1] == "press any key in the window to close it", lines
            assert proc.poll() is None  # the verdict stays up
            if not close_window(display, "coach - camera check"):
                pytest.skip("libX11 is not there to close the window with")
            proc.wait(timeout=30)
            assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
            assert "usable for bridge (Pelvic tilt bridge)" in lines
        finally:
            stop(proc)


def test_a_desk_camera_that_sees_only_the_trunk_suits_an_exercise_that_needs_only_the_trunk() -> None:
    # Standing (as a person seated upright at a desk is, above the hips), facing the camera, close: the
    # knees and feet are below the picture, the shoulders and hips fill about half its height.
    def desk(i: int) -> PoseFrame:
        return seen(_STANDING, view_deg=90.0, px_per_m=450.0, centre=(W / 2, H * 0.85))
    m = measure(samples(desk))
    assert set(m.out) == {"knees", "feet"}
    trunk = ("shoulders", "hips")
    whole = judge(m, "front")
    assert whole.check("in_frame").status == CHANGE and whole.check("distance").status == CHANGE  # "too near"
    v = judge(m, "front", parts=trunk)
    assert v.check("in_frame").status == OK and v.check("distance").status == OK, v.checks
    assert "your shoulders and hips are" in v.check("distance").text
    # The same trunk far away: too far for any exercise (the whole body estimated from the trunk is small).
    far = judge(measure(samples(lambda i: seen(_STANDING, view_deg=90.0, px_per_m=40.0, centre=(W / 2, H / 2)))),
                "front", parts=trunk)
    assert far.check("distance").status == CHANGE and far.check("distance").text.startswith("Too far")
