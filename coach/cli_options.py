"""The options ``coach analyze`` and ``coach live`` share, and the exercise they make of them."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Callable, Optional

from coach.errors import CoachError

if TYPE_CHECKING:  # the definitions are loaded when a command runs, not to parse its options
    from coach.engine.definition import Exercise


def seconds(low: float = 0.0, above: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds, ``low`` or more (``above``: more than ``low``).
    "nan" and "inf" parse as floats and would reach the engine and report.json: refused here."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not math.isfinite(value) or value < low or (above and value == low):
            limit = f"above {low:g}" if above else f"{low:g} or more"
            raise argparse.ArgumentTypeError(f"{text!r}: give a finite number of seconds, {limit}")
        return value

    parse.__name__ = "seconds"  # argparse names the type in its messages
    return parse


def add_stride_option(p: argparse.ArgumentParser, default: str = "auto") -> None:
    """--stride: fewer inferences while a pose is held (coach/pose/stride.py). Live coaching defaults to
    ``auto`` (CPU and battery; a live session's frames already depend on timing); ``coach analyze``
    to ``off``, so that a recording's report is exactly what a tester or a practice measures again."""
    p.add_argument("--stride", choices=("auto", "off"), default=default,
                   help=f"auto: while the body is held still, infer only some frames (at least every 0.2 s, "
                        "and at once when the picture moves) and carry the last pose between them: reps, "
                        "sides and faults come out the same, hold times within a frame or two on renders (up "
                        "to 0.3 s measured on one real clip; bench/stride.py), for much less CPU in long "
                        "holds; exercises measured on the person mask (cat-cow) are inferred every frame all "
                        f"the same; off: infer every frame (default {default})")


def workers(text: str) -> int:
    """An argparse type: a number of worker processes, 1 or more (``--workers`` of analyze and batch)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of worker processes") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 worker process or more")
    return value


def add_session_options(p: argparse.ArgumentParser) -> None:
    """--preset, --hold, --profile and --history-db."""
    p.add_argument("--preset", help="a named set of targets of the exercise (e.g. knee_to_chest: long = 30 s holds)")
    p.add_argument("--hold", type=seconds(above=True), help="hold target in seconds (overrides the exercise's and the preset's)")
    p.add_argument("--profile", help="personal thresholds recorded by 'coach calibrate baseline' (a name or a file)")
    p.add_argument("--history-db", help="record the session in this history database (default: the user data folder)")


def session_exercise(args: argparse.Namespace, exercise: Optional[Exercise] = None) -> Exercise:
    """The exercise the session runs: ``exercise`` (default: the shipped ``--exercise``, which must
    be given) with the --preset and --hold targets, then the --profile thresholds."""
    from calibration.profile import personalised
    from coach.engine.definition import load_exercise

    exercise = exercise or load_exercise(required_exercise_id(args.exercise))
    return personalised(exercise.with_targets(args.preset, args.hold), args.profile)


def required_exercise_id(ex_id: Optional[str]) -> str:
    """``ex_id``, or the one-line error a missing --exercise gets: the coach never guesses which
    exercise a recording or a session is (a knee hug judged as a bridge is all faults)."""
    from coach.engine.definition import exercise_ids

    if ex_id:
        return ex_id
    raise CoachError(f"--exercise is required: which exercise is it? One of {', '.join(exercise_ids())} "
                     "(see 'coach exercises')")
