"""The ``coach`` command line: exercises, analyze, live, calibrate, report and history."""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import TYPE_CHECKING, NoReturn, Optional, Sequence, TextIO

from coach.cli_options import add_session_options, add_stride_option, workers
from coach.errors import CoachError
from coach.run_folder import FolderLock, default_name, out_folder, release, where_note
from coach.suggest import did_you_mean, unknown_option

if TYPE_CHECKING:
    from coach.engine.definition import Exercise


def exercise_line(ex: Exercise) -> str:
    """One line of ``coach exercises``: id, name, targets (per side where so), the camera view it needs."""
    reps = f"{ex.reps_min}" if ex.reps_min == ex.reps_max else f"{ex.reps_min}-{ex.reps_max}"
    reps += " rep" + ("" if reps == "1" else "s") + (" per side" if ex.per_side else "")
    hold = f"hold {ex.hold_target_s:g} s, " if ex.hold_target_s > 0 else ""
    view = {"side": "side-on", "front": "facing the camera", "any": "any view"}.get(ex.view, ex.view)
    presets = "".join(f"; --preset {name}: hold {p.get('hold_s', ex.hold_target_s):g} s"
                      for name, p in sorted(ex.presets.items()))
    return f"{ex.id:<22} {ex.name}  ({hold}{reps}; camera {view}{presets})"


def _cmd_exercises(args: argparse.Namespace) -> int:
    from coach.engine.definition import exercise_ids, load_exercise

    for ex_id in exercise_ids():
        print(exercise_line(load_exercise(ex_id)))
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from coach.analyze import analyze, check_found_someone, is_trace
    from coach.cli_options import session_exercise
    from coach.engine.definition import load_exercise_file
    from coach.report import summary_lines

    if args.routine and (args.exercise or args.exercise_file):
        raise CoachError("give --exercise or --routine, not both: a routine names the exercise of each step")
    missing = CoachError(f"{'trace' if is_trace(args.input) else 'video'} not found: {args.input} (check the path)")
    found = os.path.exists(args.input)
    if not found and not (args.exercise or args.exercise_file):
        raise missing  # (said first: without the file there is no trace header to read the exercise from)
    from_file = load_exercise_file(args.exercise_file) if args.exercise_file else None
    if from_file is None and not args.exercise and is_trace(args.input) and not args.routine:
        args.exercise = _recorded_exercise(args.input)
    if from_file is None and not args.exercise:
        return _recognise(args)
    exercise = session_exercise(args, from_file)  # an exercise, preset or profile problem comes first
    if not found:
        raise missing
    from coach.trace import recorded_exercise

    recorded = recorded_exercise(args.input) if is_trace(args.input) else None
    if recorded and recorded != exercise.id and not args.force:  # another movement: every rep misjudged
        raise CoachError(f"{args.input} was recorded for {recorded}, not {exercise.id}: replay it with --exercise "
                         f"{recorded} (or add --force to judge it as {exercise.id} all the same)")
    folder = out_folder(args.out, os.path.join("runs", default_name(args.input)), args.force)
    note = where_note(folder)
    if note:
        print(note)
    try:
        with FolderLock(folder.path):  # before any inference: writable, and no other run in it
            result = analyze(args.input, exercise, folder.path, model=args.model, backend=args.backend,
                             write_video=not args.no_video, progress=not args.quiet and sys.stderr.isatty(),
                             history_db=args.history_db, workers=args.workers, stride=args.stride)
    except BaseException:
        release(folder)  # a folder picked for a run that wrote nothing (an unreadable video) is not kept
        raise
    check_found_someone(result, args.input)
    from coach.history.record import record_session

    # Recorded before anything is printed: a reader that stops early (| head) must not cost the row.
    record_session(result.report, result.files["report"], "analyze", exercise, args.history_db)  # warns, never fails
    for line in summary_lines(result.report):
        print(line)
    print(f"wrote {', '.join([*result.files.values(), *result.readable.values()])}")
    if "disk_full" in result.report.get("warnings", []):
        print(f"coach: the disk is full: the report covers the {result.report['source']['frames']} frames analysed "
              f"before it filled: {result.files['report']}", file=sys.stderr)
        return 2
    if result.interrupted:
        how = "interrupted" if result.exit_status is None else f"stopped by signal {result.exit_status - 128}"
        print(f"coach: {how}; the report covers what was analysed: {result.files['report']}", file=sys.stderr)
        return result.exit_status or 130
    return 0


def _recognise(args: argparse.Namespace) -> int:
    """No --exercise: which exercise each stretch shows, recognised from the poses (coach/recognize)."""
    from coach.recognize.run import recognise, summary_lines
    from coach.routine.definition import load_routine

    routine = load_routine(args.routine) if args.routine else None
    folder = out_folder(args.out, os.path.join("runs", default_name(args.input)), args.force)
    print("no --exercise: recognising the exercises from the poses" +
          (f", as the steps of {routine.name}" if routine else "") + " (each stretch says how sure)")
    ignored = [flag for flag, used in (("--workers", args.workers > 1), ("--stride auto", args.stride != "off")) if used]
    if ignored:  # said, not silently dropped: recognition reads the whole recording in one pass
        print(f"coach: note: {' and '.join(ignored)} apply to one exercise's analysis (give --exercise); "
              "recognising the exercises infers every frame in one pass", file=sys.stderr)
    try:
        with FolderLock(folder.path):
            report = recognise(args.input, folder.path, routine, model=args.model, backend=args.backend,
                               history_db=args.history_db)  # every frame: recognition reads the whole trace
    except BaseException:
        release(folder)
        raise
    for line in summary_lines(report):
        print(line)
    what = "recognition.json" + (", report.json (the routine)" if routine else "")
    print(f"wrote {what} and a folder per exercise in {folder.path}")
    return 0


def _recorded_exercise(trace: str) -> Optional[str]:
    """A trace replayed without --exercise runs the exercise its header says it was recorded for (not
    a guess: what the recording was made with), said in one line; None when the header says none."""
    from coach.engine.definition import exercise_ids
    from coach.trace import recorded_exercise

    ex_id = recorded_exercise(trace)
    if ex_id is None:
        return None
    if ex_id not in exercise_ids():
        raise CoachError(f"{trace} was recorded for the exercise {ex_id!r}, which is not a shipped one: "
                         "give --exercise ID or --exercise-file FILE")
    print(f"exercise: {ex_id}, as recorded in the trace (--exercise to choose another)")
    return ex_id


class CoachArgumentParser(argparse.ArgumentParser):
    """argparse with the command line's one-line errors (``coach: ...``, exit 2), a near miss
    suggested for an invalid choice. Sub-parsers are made of the same class (argparse's default)."""

    def error(self, message: str) -> NoReturn:
        match = re.search(r"invalid choice: '([^']*)'( \(choose from (.*)\))", message)
        if match:  # "invalid choice: 'analyse'; did you mean analyze? (choose from ...)"
            near = did_you_mean(match.group(1), re.findall(r"'([^']*)'", match.group(3)))
            message = message[:match.start(2)] + near + message[match.start(2):]
        self.exit(2, f"coach: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = CoachArgumentParser(prog="coach", description="Pose-checking coach for back-pain exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("exercises", help="list the exercises")
    p.set_defaults(func=_cmd_exercises)

    p = sub.add_parser("analyze", help="analyse a recorded video or a landmark trace")
    p.add_argument("input", help="video file, or a landmarks.jsonl trace from an earlier run (no inference)")
    p.add_argument("--exercise", "-e", help="exercise id (see 'coach exercises'); without it (and not replaying a "
                                            "trace that records its exercise) each stretch's exercise is recognised")
    p.add_argument("--routine", help="a routine id or file: recognise its steps in the recording, in order")
    p.add_argument("--exercise-file", help="use this exercise definition file instead of the shipped one")
    add_session_options(p)
    p.add_argument("--out", "-o", help="output folder (default runs/NAME, or runs/NAME-2, -3, ... when that holds a run; "
                                       "a trace DIR/landmarks.jsonl: runs/DIR-replay)")
    p.add_argument("--force", action="store_true", help="replace the report in the --out folder if it holds one")
    p.add_argument("--model", help="a pose_landmarker_*.task file: run the MediaPipe Tasks API on it")
    p.add_argument("--backend", choices=("solution", "tasks"), default="solution",
                   help="solution: MediaPipe's bundled model, legacy graph (default); tasks: Tasks API on the same model")
    p.add_argument("--no-video", action="store_true", help="don't write the annotated video")
    p.add_argument("--workers", type=workers, default=1,
                   help="processes to infer a long video on (default 1). A video of 3 minutes or more is inferred in "
                        "overlapping 1-minute chunks joined into one report, the same report whatever --workers; "
                        "a shorter video, or a trace, is one pass")
    add_stride_option(p, default="off")  # a recording's report: every frame, reproducible
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
    from coach.routine.command import add_parsers as add_routine_parsers

    add_routine_parsers(sub)
    from coach.batch.command import add_parser as add_batch_parser

    add_batch_parser(sub)
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


def parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """``parser.parse_args``, a mistyped option named first (with the option meant, when near)."""
    unknown = unknown_option(parser, argv)
    if unknown is not None:
        leaf, message = unknown
        leaf.error(message)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parse(parser, sys.argv[1:] if argv is None else list(argv))
    if argv is None:  # the real command line, not a call from Python code or a test
        silence_native_stderr()
        sys.stdout = ClosedReaderSafe(sys.stdout)  # type: ignore[assignment]
    try:
        code = int(args.func(args))
        sys.stdout.flush()
        return code
    except CoachError as err:
        print(f"coach: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("coach: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # (output that went round the wrapper: the command could not finish)
        _discard_stdout()
        return SIGPIPE_EXIT


SIGPIPE_EXIT = 141  # what a command killed by SIGPIPE exits with (128 + 13): "the reader stopped reading"


class ClosedReaderSafe:
    """stdout for a reader that may stop reading (``coach history | head``, ``coach analyze ... | head -3``):
    once the pipe is closed, output goes nowhere and the command carries on, so the analysis is still
    recorded, the plot still written, and nothing ends in a traceback. Python ignores SIGPIPE, so a
    closed pipe shows as BrokenPipeError on a write or a flush."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()

    def _gone(self) -> None:
        self.reader_gone = True
        _discard_stdout()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _discard_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so what is still buffered for the closed pipe (and
    Python's flush at exit) goes nowhere instead of failing again. As the Python docs advise."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # no real stdout (embedded): nothing to protect


if __name__ == "__main__":
    sys.exit(main())
