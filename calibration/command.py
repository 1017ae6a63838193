"""``coach calibrate``: the command group, ``camera`` here and ``baseline`` (calibration/baseline_command.py).

``coach calibrate camera [--camera N|PATH] [--exercise ID] [--seconds S] [--headless] [--out DIR]``
watches a few seconds of a webcam (or of a video file played as one), prints one line per check
(``calibration.camera``) and shows the verdict on the picture. Exit status: 0 the set-up is usable
for the exercise (without --exercise: for a side-view exercise), 1 it is not (the lines say what to
change), 2 bad input (no such camera, a missing or unreadable video, an unknown exercise), 130 Ctrl-C.

A file is read frame by frame at about ``ANALYSIS_FPS`` of its own clock, not in real time, so a
check of a recording takes what inference takes and gives the same answer every run; a camera is
read as fast as inference goes, for ``--seconds`` of wall-clock time.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from calibration.camera import CHANGE, FrameSample, Verdict, judge, measure, suited, verdict_json
from calibration.position import position_check
from coach.engine.definition import Exercise
from coach.cli_options import seconds
from coach.errors import CoachError
from coach.live.capture import FrameReader
from coach.live.display import Display
from coach.live.setup import parts_for
from coach.pose.backends import PoseBackend
from coach.pose.frame import PoseFrame
from coach.report import write_report
from coach.run_folder import FolderLock, named_folder

ShowFrame = Callable[[np.ndarray, Optional[PoseFrame], float], bool]

ANALYSIS_FPS = 10.0  # frames a second analysed from a file: medians and shares need no more
SNAPSHOT, RESULT = "calibration.png", "calibration.json"
FINAL_WAIT_S = 60.0  # how long the window keeps the verdict up when no key is pressed


def add_parser(sub: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    """``calibrate`` and its sub-commands; add a new one with its own ``add_*_parser(group)`` call below."""
    p = sub.add_parser("calibrate", help="check the camera set-up; record your own range of motion",
                       description="Calibration: 'coach calibrate camera' checks the camera set-up; "
                                   "'coach calibrate baseline' records your range of motion into a profile.")
    # The metavar names the sub-commands in "required" errors (argparse would say the dest): keep it in step.
    group = p.add_subparsers(dest="calibrate_command", required=True, metavar="{camera,baseline}")
    add_camera_parser(group)
    from calibration.baseline_command import add_baseline_parser

    add_baseline_parser(group)
    return p


def add_camera_parser(group: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    p = group.add_parser(
        "camera", help="check that the camera sees you well enough to coach an exercise",
        description="Get into the exercise's starting position, then run this: it watches a few seconds and "
                    "says what to change (light, whole body in the picture, distance, side-on view, a level "
                    "camera). Exit 0 when the set-up is usable, 1 when it is not, 2 on bad input.")
    p.add_argument("--camera", "-c", default="0",
                   help="camera index (0, 1, ...) or a video file played as if it were a camera (default 0)")
    p.add_argument("--exercise", "-e",
                   help="judge for this exercise (see 'coach exercises'); default: a side-view exercise, "
                        "and say which exercises the set-up suits")
    p.add_argument("--seconds", "-s", type=seconds(above=True), default=4.0, help="seconds to watch (default 4)")
    p.add_argument("--countdown", type=seconds(), default=5.0,
                   help="seconds to get into the starting position before the check starts, counted down on "
                        "screen and aloud (default 5; a video file is checked at once)")
    p.add_argument("--mute", action="store_true", help="don't count down aloud")
    p.add_argument("--headless", action="store_true", help="no window (machines without a display)")
    p.add_argument("--out", "-o", help=f"write {SNAPSHOT} (the picture with the verdict) and {RESULT} here")
    p.add_argument("--force", action="store_true", help=f"replace the {RESULT} the --out folder holds, if any")
    p.add_argument("--backend", choices=("solution", "tasks"), default="solution",
                   help="solution: the live coach's default model; tasks: the Tasks API, which can also tell "
                        "when a second person is in view")
    p.add_argument("--model", help="a pose_landmarker_*.task file: run the MediaPipe Tasks API on it")
    p.set_defaults(func=run_camera)
    return p


@dataclass
class Watched:
    """What watching gave: every analysed frame, and the picture to draw the verdict on."""

    samples: list[FrameSample] = field(default_factory=list)
    image: Optional[np.ndarray] = None  # the last frame with somebody in it (else the last frame)
    pose: Optional[PoseFrame] = None


def lead_in(reader: FrameReader, seconds: float, show: Callable[[np.ndarray, int], bool],
            say: Callable[[str], None], clock: Callable[[], float] = time.monotonic) -> bool:
    """A few seconds to get into position before measuring (a camera only: a recording is already
    made), counted down on screen and aloud: "3", "2", "1". Returns False when the person stopped it."""
    if reader.is_file or seconds <= 0:
        return True
    start, said = clock(), None
    while (left := seconds - (clock() - start)) > 0:
        image = reader.read()
        if image is None:
            raise CoachError(f"{reader.description} stopped sending frames (unplugged, or taken by another program?)")
        count = int(math.ceil(left))
        if count != said:
            say(str(count))
            said = count
        if not show(image, count):
            return False
    return True


def watch(reader: FrameReader, backend: PoseBackend, seconds: float, show: ShowFrame,
          clock: Callable[[], float] = time.monotonic) -> Watched:
    """Analyse ``seconds`` of ``reader`` (a ``coach.live.capture`` FrameReader). ``show(image, pose,
    remaining_s)`` is called per analysed frame and returns False to stop early (q, window closed)."""
    from coach.live.loop import mean_brightness

    is_file, fps = reader.is_file, reader.fps
    stride = max(1, int(round(fps / ANALYSIS_FPS))) if is_file else 1
    seen = Watched()
    start = clock()
    for index in itertools.count():
        image = reader.read()
        if image is None:
            if is_file:
                break  # a short video: judge what there was
            raise CoachError(f"{reader.description} stopped sending frames "
                             "(unplugged, or taken by another program?)")
        t = index / fps if is_file else clock() - start
        if t >= seconds:
            break
        if index % stride:
            continue
        pose = backend.process(image, t, index)
        seen.samples.append(FrameSample(pose, mean_brightness(image)))
        if pose.xy is not None or seen.pose is None:
            seen.image, seen.pose = image, pose
        if not show(image, pose, seconds - t):
            break
    if not seen.samples:
        raise CoachError(f"no frames could be read from {reader.description} "
                         "(the file may be empty or corrupt; try another video or camera)")
    return seen


def report_lines(verdict: Verdict, exercise: Optional[Exercise], suits: list[str]) -> list[str]:
    """What is printed: one line per check, then the verdict (and, without an exercise, what it suits)."""
    lines = [c.line for c in verdict.checks]
    n = len(verdict.to_change)
    todo = "1 thing to change (above)" if n == 1 else f"{n} things to change (above)"
    if exercise is not None:
        name = f"{exercise.id} ({exercise.name})"
        lines.append(f"usable for {name}" if verdict.usable else f"not usable for {name}: {todo}")
    else:
        lines.append("usable for side-view exercises" if verdict.usable
                     else f"not usable for side-view exercises: {todo}")
        lines.append(f"the set-up suits: {', '.join(suits)}" if suits else "the set-up suits none of the exercises yet")
    return lines


def run_camera(args: argparse.Namespace) -> int:
    from coach.engine.definition import exercise_ids, load_exercise
    from coach.live.capture import open_camera
    from coach.live.display import Headless, Window, display_problem
    from coach.live.speech import Speaker
    from coach.pose.backends import make_backend

    exercise = load_exercise(args.exercise) if args.exercise else None
    if args.out:  # refused before watching, not after: an earlier check's result is kept unless --force
        named_folder(args.out, args.force, marker=RESULT)
        with FolderLock(args.out):  # a file in the way, a read-only folder, another run in it: said now
            pass
    if not args.headless:
        problem = display_problem()
        if problem:
            raise CoachError(f"{problem}; run with --headless to check without a window")
    reader = open_camera(args.camera)
    display: Display = Headless()
    try:
        try:
            backend = make_backend(model=args.model, backend=args.backend)
        except BaseException:
            reader.close()
            raise
        try:
            if not args.headless:
                display = Window("coach - camera check", reader.width, reader.height)
            get_ready = exercise.posture[0].say if exercise is not None and exercise.posture else \
                "Get into the exercise's starting position"
            if not reader.is_file and args.countdown > 0:
                print(f"{get_ready}: the check starts in {args.countdown:g} s", flush=True)
            speaker = Speaker(muted=args.mute) if not reader.is_file and args.countdown > 0 else None
            try:
                go_on = lead_in(reader, args.countdown, _counter(display, args.headless, get_ready),
                                speaker.say if speaker is not None else (lambda text: None))
            finally:
                if speaker is not None:
                    speaker.close()
            if not go_on:
                print("stopped before the check started", flush=True)
                return 1
            print(f"checking the set-up from {reader.description} for {args.seconds:g} s: "
                  "get into the exercise's starting position and keep still", flush=True)
            seen = watch(reader, backend, args.seconds, _shower(display, args.headless))
            counts_people = backend.name == "mediapipe-tasks"  # the default backend sees one person only
        finally:
            reader.close()
            backend.close()
        m = measure(seen.samples)
        poses = [s.pose for s in seen.samples]
        verdict = judge(m, exercise.view if exercise is not None else "side", counts_people,
                        parts_for(exercise.key_joints) if exercise is not None else None,
                        exercise.side_within_deg if exercise is not None else None,
                        position_check(poses, exercise) if exercise is not None else None)
        others = [load_exercise(ex_id) for ex_id in exercise_ids()]
        suits = [] if exercise is not None else [  # the set-up, and the position the person is in
            ex.id for ex in others
            if ex.id in suited(m, [(ex.id, ex.view, parts_for(ex.key_joints), ex.side_within_deg)], counts_people)
            and position_check(poses, ex).status != CHANGE]
        for line in report_lines(verdict, exercise, suits):
            print(line)
        from calibration.draw import snapshot

        subject = exercise.id if exercise is not None else "side-view exercises"
        picture = snapshot(seen.image, seen.pose, verdict, subject) if seen.image is not None else None
        if args.out:
            write_result(args.out, picture, verdict, exercise, suits, reader.path, len(seen.samples))
        if picture is not None and not args.headless:
            _keep_up(display, picture)
    finally:
        display.close()
    return 0 if verdict.usable else 1


def _counter(display: Display, headless: bool, say: str) -> Callable[[np.ndarray, int], bool]:
    """What ``lead_in`` calls per frame: the picture with the count drawn, in the window."""
    from calibration.draw import lead_in as draw_lead_in
    from coach.live.display import QUIT, action_for

    def show(image: np.ndarray, count: int) -> bool:
        if headless:
            return True
        display.show(draw_lead_in(image, count, say))
        return action_for(display.key()) != QUIT and not display.closed()

    return show


def _shower(display: Display, headless: bool) -> ShowFrame:
    """What ``watch`` calls per frame: the picture with the progress drawn, in the window."""
    from calibration.draw import progress
    from coach.live.display import QUIT, action_for

    def show(image: np.ndarray, pose: Optional[PoseFrame], remaining_s: float) -> bool:
        if headless:
            return True
        display.show(progress(image, pose, remaining_s))
        return action_for(display.key()) != QUIT and not display.closed()

    return show


def _keep_up(display: Display, picture: np.ndarray) -> None:
    """Show the verdict until a key is pressed or the window is closed (``FINAL_WAIT_S`` at most)."""
    display.show(picture)
    print("press any key in the window to close it", flush=True)
    deadline = time.monotonic() + FINAL_WAIT_S
    while time.monotonic() < deadline and not display.closed() and display.wait_key(0.1) is None:
        pass


def write_result(out: str, picture: Optional[np.ndarray], verdict: Verdict, exercise: Optional[Exercise],
                 suits: list[str], source: str, frames: int) -> None:
    """``calibration.png`` (the picture with the verdict) and ``calibration.json`` into ``out``."""
    import cv2

    try:
        os.makedirs(out, exist_ok=True)
    except OSError as err:
        raise CoachError(f"cannot create the output folder {out}: {err.strerror}") from None
    files = []
    if picture is not None:
        path = os.path.join(out, SNAPSHOT)
        if not cv2.imwrite(path, picture):
            raise CoachError(f"cannot write {path} (is the folder writable?)")
        files.append(path)
    data = {"schema": "coach.calibration/1", "check": "camera", "source": {"path": source, "frames_analysed": frames},
            "exercise": None if exercise is None else {"id": exercise.id, "name": exercise.name, "view": exercise.view},
            **verdict_json(verdict), "suits": suits}
    path = os.path.join(out, RESULT)
    write_report(data, path)
    files.append(path)
    print(f"wrote {', '.join(files)}")
