"""``coach live``: the command line around the live loop.

Checks come first and fail fast with one line (no display, no camera, unknown exercise), before the
pose model is loaded. Exit status: 0 when the session ended as the person chose (q/Esc, the window
closed, the time limit, the end of a video played as a camera, the pain key); 130 on Ctrl-C (143 on
SIGTERM/SIGHUP); 2 when the camera disappeared mid-session or on an error. In every case where a
session started, the report is written first, then the session is added to the history
(``coach.history``), and the last line says where the report is. No picture is stored unless
``--save-video`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

from coach.cli_options import add_session_options, add_stride_option, seconds, session_exercise
from coach.errors import CoachError
from coach.run_folder import FolderLock, OutFolder, out_folder, release

if TYPE_CHECKING:
    from coach.engine.definition import Exercise

EXIT = {"interrupted": 130, "terminated": 143, "camera_lost": 2}


def add_parser(sub: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    p = sub.add_parser("live", help="coach in real time from a webcam (or a video file played as one)",
                       description="Coach in real time from a webcam. Keys: q/Esc quit, space pause, m mute, "
                                   "p pain (stops the set). Hands-free: sit or stand up to pause, get back into "
                                   "position to carry on; hold a hand up for 2 s to stop for pain.")
    p.add_argument("--camera", "-c", default="0",
                   help="camera index (0, 1, ...) or a video file played as if it were a camera (default 0)")
    p.add_argument("--exercise", "-e", help="exercise id (see 'coach exercises'); required")
    add_session_options(p)
    p.add_argument("--out", "-o", help="output folder (default runs/live-YYYYmmdd-HHMMSS, -2, -3, ... if taken)")
    p.add_argument("--force", action="store_true", help="replace the report in the --out folder if it holds one")
    p.add_argument("--headless", action="store_true", help="no window (machines without a display)")
    p.add_argument("--stats", action="store_true", help="show frame rate and latency on screen")
    p.add_argument("--mute", action="store_true", help="start with spoken cues muted (m toggles)")
    p.add_argument("--model", help="a pose_landmarker_*.task file: run the MediaPipe Tasks API on it")
    add_stride_option(p)
    p.add_argument("--countdown", type=seconds(), default=3.0, help="seconds of countdown before counting (default 3)")
    p.add_argument("--camera-timeout", type=seconds(above=True), default=20.0,
                   help="end the session (report written) when the camera sends no picture for this many seconds; "
                        "after 3 s without one the coach says so (default 20)")
    p.add_argument("--max-seconds", type=seconds(above=True), help="end the session after this many seconds")
    p.add_argument("--save-video", action="store_true",
                   help="also store the annotated video (OUT/annotated.mp4); by default no picture is kept")
    p.add_argument("--no-pain-rating", action="store_true",
                   help="do not ask 'How is your pain now, 0 to 10?' at the end of the session")
    p.add_argument("--no-body-controls", action="store_true",
                   help="no hands-free control (sitting up pauses, a hand held up stops for pain): keys only")
    p.set_defaults(func=run_command)
    return p


def run_command(args: argparse.Namespace) -> int:
    exercise = session_exercise(args)
    from coach.live.display import display_problem

    if not args.headless:
        problem = display_problem()
        if problem:
            raise CoachError(f"{problem}; run with --headless to coach without a window")

    # The folder first (an --out holding an earlier report is refused before the camera starts);
    # one picked for a session that never started is removed again.
    folder = out_folder(args.out, os.path.join("runs", time.strftime("live-%Y%m%d-%H%M%S")), args.force)
    try:
        with FolderLock(folder.path):  # writable, and no other run in it, before the camera starts
            return _run(args, exercise, folder)
    finally:
        release(folder)  # only a folder the coach picked, and only if the session never wrote into it


def _run(args: argparse.Namespace, exercise: "Exercise", folder: OutFolder) -> int:
    from coach.heap import settle_for_long_session
    from coach.live.capture import open_camera
    from coach.live.display import TerminalKeys
    from coach.live.session_io import SessionIO

    settle_for_long_session()  # before the capture and pose threads: their frames would creep up RSS (coach/heap.py)

    reader = open_camera(args.camera)
    try:
        from coach.live.hud import CONTROLS
        from coach.live.loop import LiveLoop, LiveOptions, StopRequests
        from coach.live.pain_rating import asker_for
        from coach.live.setup import SetupConfig
        from coach.pose.backends import backend_info, make_backend
        from coach.report import ENDED_TEXT, summary_lines
        from coach.sources import SourceInfo

        backend = make_backend(model=args.model, segmentation=exercise.needs_segmentation, stride=args.stride)
    except BaseException:
        reader.close()
        raise
    out = folder.path
    source = SourceInfo(path=reader.path, fps=reader.fps, frames=0, width=reader.width, height=reader.height,
                        kind="camera")
    options = LiveOptions(exercise=exercise, out_dir=out, show_stats=args.stats, max_seconds=args.max_seconds,
                          setup=SetupConfig(countdown_s=args.countdown), save_video=args.save_video,
                          body_controls=not args.no_body_controls, history_db=args.history_db,
                          camera_timeout_s=args.camera_timeout)
    io = SessionIO.open(reader, exercise.name, args.headless, args.mute)
    asker = None if args.no_pain_rating else asker_for(args.headless, io.display, io.keys)  # the end-of-session rating
    if io.status is not None:  # the controls, from the start (the window shows them on the picture)
        if io.terminal:
            io.status.say("Keys (type one, then Enter): p stop for pain, space pause/carry on, m mute, q quit.")
        if options.body_controls:
            io.status.say(CONTROLS[1])
    loop = None
    if isinstance(io.keys, TerminalKeys):
        io.keys.echo(False)  # typed keys would be left standing in the status line (they are confirmed instead)
    try:
        with StopRequests() as stop:
            desc = {**backend_info(backend), "live": True}
            loop = LiveLoop(options, io.grabber, backend, source, desc, io.display, io.speaker, keys=io.keys, stop=stop,
                            notice=io.notice, status=io.status, pain_rating=asker)
            io.grabber.start()
            result = loop.run()
    finally:  # the pain advice is let finish
        io.close(before_speaker=backend.close, drain_s=8.0 if loop is not None and loop.ended == "pain" else 0.0)
    from coach.history.record import record_session

    record_session(result.report, result.files["report"], "live", exercise, args.history_db)  # warns, never fails
    for line in summary_lines(result.report, live=True):
        print(line)
    video = f", video: {result.files['video']}" if "video" in result.files else ""
    page = f"page: {result.files['html']}, " if "html" in result.files else ""
    where = f"{result.files['report']} ({page}trace: {result.files['trace']}{video})"
    code = EXIT.get(result.ended, 0)
    if code:
        why = ENDED_TEXT.get(result.ended, result.ended)
        if result.ended == "camera_lost":
            why = f"{reader.description} stopped sending frames ({result.detail}; unplugged, or taken by another program?)"
        print(f"coach: {why}; the report covers the session so far: {where}", file=sys.stderr)
    else:
        print(f"session ended ({ENDED_TEXT.get(result.ended, result.ended)}); report: {where}")
    return code

