"""``coach report DIR [--open]``: write report.html and reps.csv again from DIR/report.json and the
landmark trace, without inference (after a definition's wording changed, or a report of an older
version). Bad input is a CoachError naming the problem and what to do."""

from __future__ import annotations

import argparse
import os
import pathlib
import webbrowser

from coach.errors import CoachError
from coach.run_folder import FolderLock


def add_parser(sub: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    p = sub.add_parser("report", help="write report.html and reps.csv again from a session folder (no inference)",
                       description="Re-render report.html (and reps.csv) from DIR/report.json and the landmark trace "
                                   "beside it, without inference.")
    p.add_argument("dir", metavar="DIR", help="the output folder of 'coach analyze' or 'coach live'")
    p.add_argument("--open", action="store_true", help="open report.html in the web browser afterwards")
    p.add_argument("--exercise-file", help="the exercise definition the session used, when it was not a shipped one")
    p.add_argument("--history-db", metavar="PATH", help="the history database holding the previous session to compare "
                                                       "with (default: the user's, as 'coach history')")
    p.set_defaults(func=run_command)
    return p


def run_command(args: argparse.Namespace) -> int:
    from coach.reporting.load import load_report, report_folder

    folder = report_folder(args.dir)
    if not os.path.isdir(folder):
        load_report(folder)  # says, in one line, what is missing
    with FolderLock(folder):  # not while a run still writes into it; a read-only folder said in one line
        return _rewrite(args, folder, load_report(folder))


def _rewrite(args: argparse.Namespace, folder: str, report: dict) -> int:
    exercise = None
    if args.exercise_file:
        from coach.engine.definition import load_exercise_file

        exercise = load_exercise_file(args.exercise_file)
        if exercise.id != report["exercise"]["id"]:
            raise CoachError(f"{args.exercise_file} defines {exercise.id!r} but the report is of "
                             f"{report['exercise']['id']!r} (give the definition the session used)")
    from coach.report import with_report_targets
    from coach.reporting.build import write_human_report

    if exercise is not None:
        exercise = with_report_targets(exercise, report)
    written = write_human_report(folder, report, exercise, history_db=getattr(args, "history_db", None))
    for note in written.notes:
        print(f"note: {note}")
    print(f"wrote {written.files['html']}, {written.files['csv']}")
    if args.open:
        url = pathlib.Path(os.path.abspath(written.files["html"])).as_uri()
        if not webbrowser.open(url):
            print(f"coach: no web browser could be started; open {url} yourself")
    return 0
