"""``coach routines`` (the shipped routines, with their length) and ``coach routine NAME|FILE`` (one
guided live, step by step; ``--check`` only shows the plan).

As ``coach live``: checks first, one line each (the routine file, the display, the camera, the
output folder); then the session. Exit status: 0 when the routine ended as the person chose or was
completed (q/Esc, the window closed, the end of a video played as a camera, a pain stop); 130 on
Ctrl-C, 143 on SIGTERM/SIGHUP, 2 when the camera was lost or on an error. The routine report is
written after every set, so whatever ends it, every finished step is kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING, Optional

from coach.cli_options import add_stride_option, seconds
from coach.errors import CoachError
from coach.routine.definition import Routine, load_routine, routine_ids
from coach.run_folder import FolderLock, OutFolder, out_folder, release

if TYPE_CHECKING:
    from coach.engine.definition import Exercise

EXIT = {"interrupted": 130, "terminated": 143, "camera_lost": 2, "error": 2}


def add_parsers(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("routines", help="list the routines of the handouts (and how long each takes)")
    p.add_argument("--steps", action="store_true", help="show each routine's steps")
    p.set_defaults(func=_cmd_routines)

    p = sub.add_parser("routine", help="be taken through a whole routine, live, step by step",
                       description="Guided routine: each step announced, set up, coached and rested. Keys: n skip "
                                   "the step (or the rest), r do the step again, space pause, m mute, p pain (ends "
                                   "the routine), q quit.")
    p.add_argument("routine", help="a routine id (see 'coach routines') or a routine .toml file of your own")
    p.add_argument("--camera", "-c", default="0",
                   help="camera index (0, 1, ...) or a video file played as if it were a camera (default 0)")
    p.add_argument("--out", "-o", help="output folder (default runs/routine-ID-YYYYmmdd-HHMMSS)")
    p.add_argument("--force", action="store_true", help="replace the report in the --out folder if it holds one")
    p.add_argument("--headless", action="store_true", help="no window (machines without a display)")
    p.add_argument("--mute", action="store_true", help="start with spoken cues muted (m toggles)")
    p.add_argument("--model", help="a pose_landmarker_*.task file: run the MediaPipe Tasks API on it")
    add_stride_option(p)
    p.add_argument("--countdown", type=seconds(), default=3.0, help="seconds of countdown before each step (default 3)")
    p.add_argument("--announce", type=seconds(), default=3.0,
                   help="seconds the next step is shown before its set-up starts (default 3)")
    p.add_argument("--camera-timeout", type=seconds(above=True), default=20.0,
                   help="end the routine (report written) when the camera sends no picture for this long (default 20)")
    p.add_argument("--step-limit", type=seconds(above=True),
                   help="end a step that has not reached its target after this many seconds (default: from its targets)")
    p.add_argument("--from-step", type=int, default=1, metavar="N",
                   help="start at step N (carry on a routine stopped half way; the report of that session says where)")
    p.add_argument("--no-body-controls", action="store_true", help="keys only (no hands-free pause and pain stop)")
    p.add_argument("--no-pain-rating", action="store_true",
                   help="don't ask \"How is your pain now, 0 to 10?\" at the end of the routine")
    p.add_argument("--history-db", help="record the routine in this history database (default: the user data folder)")
    p.add_argument("--check", action="store_true", help="show the routine's plan and check its file; no camera")
    p.set_defaults(func=_cmd_routine)


def plan_lines(routine: Routine, steps: bool = True) -> list[str]:
    """The routine in words: its length, its steps and which are coached."""
    minutes = routine.duration_s() / 60.0
    said = f"; the handout says {routine.minutes:g}" if routine.minutes else ""
    often = f", {routine.frequency}" if routine.frequency else ""
    lines = [f"{routine.id:<22} {routine.name}  ({len(routine.steps)} steps, about {minutes:.0f} min{said}{often})"]
    uncoached = routine.uncoached()
    if steps:
        for i, step in enumerate(routine.steps, start=1):
            mark = "" if step.coached else "  [not coached yet: timer only]"
            lines.append(f"  {i}. {step.name}: {step.target_text()}{mark}")
    elif uncoached:
        lines.append(f"  not coached yet (timer only): {', '.join(s.name for s in uncoached)}")
    return lines


def _cmd_routines(args: argparse.Namespace) -> int:
    for rid in routine_ids():
        for line in plan_lines(load_routine(rid), steps=args.steps):
            print(line)
    return 0


def _cmd_routine(args: argparse.Namespace) -> int:
    routine = load_routine(args.routine)
    if not 1 <= args.from_step <= len(routine.steps):
        raise CoachError(f"--from-step must be a step of {routine.id}: 1 to {len(routine.steps)}, got {args.from_step}")
    if args.check:
        for line in plan_lines(routine):
            print(line)
        return 0
    if not args.headless:
        from coach.live.display import display_problem

        problem = display_problem()
        if problem:
            raise CoachError(f"{problem}; run with --headless to be guided without a window")
    default = os.path.join("runs", time.strftime(f"routine-{routine.id}-%Y%m%d-%H%M%S"))
    folder = out_folder(args.out, default, args.force)
    try:
        with FolderLock(folder.path):
            return _run(args, routine, folder)
    finally:
        release(folder)


def _run(args: argparse.Namespace, routine: Routine, folder: OutFolder) -> int:
    from coach.heap import settle_for_long_session
    from coach.history.record import utc_now
    from coach.live.capture import open_camera
    from coach.live.pain_rating import asker_for
    from coach.live.session_io import SessionIO
    from coach.live.status_line import StatusLine
    from coach.live.stop import StopRequests
    from coach.pose.backends import backend_info, make_backend
    from coach.pose.stride import StridedBackend
    from coach.routine.guided import GuidedRoutine, RoutineOptions
    from coach.routine.record import record_routine
    from coach.routine.report import ROUTINE_ENDED_TEXT, write_routine_report
    from coach.sources import SourceInfo

    settle_for_long_session()
    reader = open_camera(args.camera)
    source = SourceInfo(path=reader.path, fps=reader.fps, frames=0, width=reader.width, height=reader.height,
                        kind="camera")
    io = SessionIO.open(reader, routine.name, args.headless, args.mute)
    if io.status is not None and io.terminal:
        io.status.say("Keys (type one, then Enter): n skip step, r repeat step, p stop for pain, space pause, q quit.")
    files: dict[str, str] = {}

    def saved(state) -> None:  # type: ignore[no-untyped-def]  (after every set, and at the end)
        files.update(write_routine_report(state))

    options = RoutineOptions(announce_s=args.announce, countdown_s=args.countdown, body_controls=not args.no_body_controls,
                             history_db=args.history_db, camera_timeout_s=args.camera_timeout,
                             step_limit_s=args.step_limit, first_step=args.from_step)
    def backend_for(ex: Optional[Exercise]) -> StridedBackend:
        """A step's backend (strided as --stride says); None: the watcher between steps, which already
        infers only now and then, so every frame it is given."""
        return make_backend(model=args.model, segmentation=ex is not None and ex.needs_segmentation,
                            stride=args.stride if ex is not None else "off")

    guided = None
    try:
        with StopRequests() as stop:
            guided = GuidedRoutine(
                routine, folder.path, io.grabber,
                backend_for,
                lambda backend: {**backend_info(backend), "live": True, "routine": routine.id},
                source, io.display, io.speaker, keys=io.keys, stop=stop, notice=io.notice,
                make_status=(lambda: StatusLine()) if args.headless else (lambda: None), options=options,
                on_step=saved, started_at=utc_now(),
                pain_rating=None if args.no_pain_rating else asker_for(args.headless, io.display, io.keys))
            io.grabber.start()
            state = guided.run()
    finally:
        io.close()
    record_routine(state, files.get("report", ""), args.history_db)  # warns, never fails
    done = [r for r in state.runs if r.status == "done"]
    print(f"{routine.name}: {len({r.step for r in done})} of {len(routine.steps)} steps done "
          f"({ROUTINE_ENDED_TEXT.get(state.ended or '', state.ended)}"
          + (f" at step {state.stopped_at}" if state.stopped_at else "") + ")")
    where = f"{files.get('report')} (page: {files.get('html')})"
    code = EXIT.get(state.ended or "", 0)
    carry_on = (f"; to carry on later: coach routine {args.routine} --from-step {state.stopped_at}"
                if state.stopped_at else "")
    if code:
        print(f"coach: the routine ended early ({ROUTINE_ENDED_TEXT.get(state.ended or '', state.ended)}); "
              f"every finished step is in {where}{carry_on}", file=sys.stderr)
    else:
        print(f"routine report: {where}{carry_on}")
    return code
