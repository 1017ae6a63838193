"""The ``coach`` command line: exercises, analyze, live, calibrate, report and history."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from coach.cli_options import add_session_options
from coach.errors import CoachError


def _cmd_exercises(args: argparse.Namespace) -> int:
    from coach.engine.definition import exercise_ids, load_exercise

    for ex_id in exercise_ids():
        ex = load_exercise(ex_id)
        presets = "".join(f"; --preset {name}: hold {p.get('hold_s', ex.hold_target_s):g} s" for name, p in sorted(ex.presets.items()))
        print(f"{ex.id:<16} {ex.name}  (hold {ex.hold_target_s:g} s, {ex.reps_min}-{ex.reps_max} reps{presets})")
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from coach.analyze import analyze, check_found_someone, is_trace
    from coach.cli_options import session_exercise
    from coach.engine.definition import load_exercise_file
    from coach.report import summary_lines

    exercise = session_exercise(args, load_exercise_file(args.exercise_file) if args.exercise_file else None)
    if not os.path.exists(args.input):
        kind = "trace" if is_trace(args.input) else "video"
        raise CoachError(f"{kind} not found: {args.input} (check the path)")
    out = args.out or os.path.join("runs", os.path.splitext(os.path.basename(args.input))[0])
    result = analyze(args.input, exercise, out, model=args.model, backend=args.backend,
                     write_video=not args.no_video, progress=not args.quiet and sys.stderr.isatty())
    check_found_someone(result, args.input)
    for line in summary_lines(result.report):
        print(line)
    print(f"wrote {', '.join([*result.files.values(), *result.readable.values()])}")
    from coach.history.record import record_session

    record_session(result.report, result.files["report"], "analyze", exercise, args.history_db)  # warns, never fails
    if result.interrupted:
        print(f"coach: interrupted; the report covers what was analysed: {result.files['report']}", file=sys.stderr)
        return 130
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coach", description="Pose-checking coach for back-pain exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("exercises", help="list the exercises")
    p.set_defaults(func=_cmd_exercises)

    p = sub.add_parser("analyze", help="analyse a recorded video or a landmark trace")
    p.add_argument("input", help="video file, or a landmarks.jsonl trace from an earlier run (no inference)")
    p.add_argument("--exercise", "-e", default="bridge", help="exercise id (see 'coach exercises'); default bridge")
    p.add_argument("--exercise-file", help="use this exercise definition file instead of the shipped one")
    add_session_options(p)
    p.add_argument("--out", "-o", help="output folder (default runs/NAME)")
    p.add_argument("--model", help="a pose_landmarker_*.task file: run the MediaPipe Tasks API on it")
    p.add_argument("--backend", choices=("solution", "tasks"), default="solution",
                   help="solution: MediaPipe's bundled model, legacy graph (default); tasks: Tasks API on the same model")
    p.add_argument("--no-video", action="store_true", help="don't write the annotated video")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_analyze)

    from coach.live.command import add_parser as add_live_parser

    add_live_parser(sub)
    from calibration.command import add_parser as add_calibrate_parser

    add_calibrate_parser(sub)
    from coach.reporting.command import add_parser as add_report_parser

    add_report_parser(sub)
    from coach.history.command import add_parser as add_history_parser

    add_history_parser(sub)
    return parser


def silence_native_stderr() -> None:
    """Send file descriptor 2 to /dev/null and give Python its own copy of the real stderr.

    MediaPipe's C++ graph threads log their start-up (absl and TFLite lines) straight to fd 2, at
    moments no context manager can bracket; our own messages go through ``sys.stderr``. Set
    COACH_NATIVE_LOGS=1 to see the native logs when debugging."""
    if os.environ.get("COACH_NATIVE_LOGS"):
        return
    try:
        sys.stderr.flush()
        real = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = os.fdopen(real, "w", buffering=1, encoding=sys.stderr.encoding or "utf-8", errors="replace")
    except (OSError, ValueError, AttributeError):
        pass  # no real stderr (embedded, captured): leave it as it is


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if argv is None:  # the real command line, not a call from Python code or a test
        silence_native_stderr()
    try:
        return int(args.func(args))
    except CoachError as err:
        print(f"coach: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("coach: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
