"""``coach history``: the recorded sessions as a table (newest last) and a trend plot (PNG)."""

from __future__ import annotations

import argparse
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from coach.errors import CoachError
from coach.history.store import SessionRow, data_dir, default_db_path, open_history
from coach.history.words import fault_name, rom_label
from coach.report import MEANINGS
from coach.suggest import did_you_mean

# Endings worth pointing out in the table; the others (quit, time limit, end of video...) are normal.
NOTABLE_ENDINGS = ("interrupted", "terminated", "pain", "camera_lost")


def add_parser(sub: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    p = sub.add_parser("history", help="list the recorded sessions and plot their trend",
                       description="Every 'coach analyze' and 'coach live' session is recorded; this lists them "
                                   "(newest last) and writes a trend plot.")
    p.add_argument("--exercise", "-e", help="only the sessions of this exercise id")
    p.add_argument("--db", help="the history database (default: history.sqlite3 in the user data folder, "
                                "or in $COACH_DATA_DIR when set)")
    p.add_argument("--plot", help="write the trend plot here (PNG; default: history.png in the data folder)")
    p.add_argument("--routine", nargs="?", const="", metavar="ID",
                   help="the routine sessions (of one routine id) and how regularly they were done")
    p.set_defaults(func=run_command)
    return p


def run_command(args: argparse.Namespace) -> int:
    db_path = Path(args.db) if args.db else default_db_path()
    if args.routine is not None:
        return _routines(db_path, args.routine or None)
    rows = _read(db_path, args.exercise)
    if not rows:
        what = f"no {args.exercise} sessions" if args.exercise else "no sessions"
        print(f"{what} recorded yet in {db_path} ('coach analyze' and 'coach live' add one each)")
        return 0
    plot = Path(args.plot) if args.plot else data_dir() / (f"history-{args.exercise}.png" if args.exercise
                                                            else "history.png")
    # The plot first: a reader that stops early (coach history | head) must not cost it.
    from coach.history.trend import plot_trend

    failed = None
    try:
        plot_trend(rows, plot, rom_directions(rows))
    except OSError as err:
        failed = CoachError(f"cannot write the trend plot {plot} ({err.strerror or err}): choose another file with --plot")
    print(f"history: {db_path} ({len(rows)} session{'s' if len(rows) != 1 else ''})")
    for line in table_lines(rows, shutil.get_terminal_size().columns):
        print(line)
    if failed is not None:
        raise failed
    print(f"trend plot: {plot}")
    return 0


def _prescriptions(ids: set[str]) -> dict:  # type: ignore[type-arg]
    """How often each shipped routine is to be done (a routine from the person's own file: unknown here)."""
    from coach.routine.definition import load_routine, routine_ids

    shipped = set(routine_ids())
    found = {rid: load_routine(rid).prescribed for rid in sorted(ids & shipped)}
    return {rid: rx for rid, rx in found.items() if rx is not None}


def _routines(db_path: Path, routine_id: Optional[str]) -> int:
    from coach.history.routines import routine_lines

    rows = []
    if db_path.exists() and db_path.stat().st_size > 0:
        with open_history(db_path) as db:
            rows = db.routines(routine_id)
    if not rows:
        from coach.routine.definition import routine_ids

        if routine_id and routine_id not in routine_ids():
            known = routine_ids()
            raise CoachError(f"unknown routine {routine_id!r}{did_you_mean(routine_id, known)} (known routines: "
                             f"{', '.join(known)}; see 'coach routines')")
        what = f"no {routine_id} routine sessions" if routine_id else "no routine sessions"
        print(f"{what} recorded yet in {db_path} ('coach routine' adds one each)")
        return 0
    print(f"history: {db_path} ({len(rows)} routine session{'s' if len(rows) != 1 else ''})")
    for line in routine_lines(rows, prescribed=_prescriptions({r.routine_id for r in rows})):
        print(line)
    return 0


def rom_directions(rows: Sequence[SessionRow]) -> dict[str, int]:
    """Per exercise, which way its range of motion gets better (+1 larger, -1 smaller): as recorded
    with its sessions; for sessions recorded before that was kept, the shipped definition's."""
    from coach.engine.definition import load_exercise

    found: dict[str, int] = {}
    for r in rows:
        if r.rom_direction in (1, -1):
            found[r.exercise_id] = int(r.rom_direction)
    for ex_id in {r.exercise_id for r in rows} - set(found):
        try:
            found[ex_id] = load_exercise(ex_id).phases.direction
        except CoachError:
            pass  # not a shipped exercise any more: the trend says nothing of which way is better
    return found


def _read(db_path: Path, exercise: Optional[str]) -> list[SessionRow]:
    """The sessions to show; an unknown --exercise is an error (a typo must not read as "none yet")."""
    from coach.engine.definition import exercise_ids

    # A file that doesn't exist is an empty history: listing must not create it.
    if not db_path.exists() or (db_path.is_file() and db_path.stat().st_size == 0):
        recorded: list[str] = []
        rows: list[SessionRow] = []
    else:
        with open_history(db_path) as db:
            recorded, rows = db.exercise_ids(), db.sessions(exercise)
    if exercise and exercise not in exercise_ids() and exercise not in recorded:
        known = sorted(set(exercise_ids()) | set(recorded))
        raise CoachError(f"unknown exercise {exercise!r}{did_you_mean(exercise, known)} (known exercises: "
                         f"{', '.join(known)}; see 'coach exercises')")
    return rows


# -- the table ------------------------------------------------------------------------------------------

# What the table's words mean: said under it, the same for every exercise (the report's meanings).
# What "good" and "holds met" mean, in the report's own words (coach.report.MEANINGS: said once).
KEY = " ".join(MEANINGS.values()) + " hold s: mean hold / target."
NOTES_MIN = 16  # the notes column (how it ended, faults, source) wraps to fit, down to this width
DROPPABLE = ("hold s", "ROM")  # dropped in this order when even then the table is too wide


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[SessionRow], str]
    right: bool = True


def _num(value: Optional[float], digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _holds_met(r: SessionRow) -> str:
    if not r.hold_target_s or r.holds is None or r.holds_met is None:
        return "-"  # nothing to meet (cat-cow's 0 s), or not recorded
    return f"{r.holds_met}/{r.holds}"


def _hold(r: SessionRow) -> str:
    if r.mean_hold_s is None:
        return "-"
    return f"{r.mean_hold_s:.1f}/{r.hold_target_s:g}" if r.hold_target_s else f"{r.mean_hold_s:.1f}"


def _rom(r: SessionRow) -> str:
    if r.rom_mean is None and r.rom_best is None:
        return "-"
    digits = 0 if (r.rom_measure or "").endswith("_deg") else 2  # whole degrees; depths to hundredths
    return f"{_num(r.rom_mean, digits)}/{_num(r.rom_best, digits)}"


def _notes(r: SessionRow) -> str:
    notes = []
    if r.setup_only:
        notes.append("set-up only")
    if r.pain_stop:
        notes.append("pain stop")
    elif r.ended in NOTABLE_ENDINGS:
        notes.append(r.ended.replace("_", " "))
    if r.pain_rating is not None:
        notes.append(f"pain {r.pain_rating:g}/10")
    notes += [f"{fault_name(r.exercise_id, code)} x{n}" for code, n in sorted(r.faults.items())]
    notes.append(Path(r.source_path).name or r.source_path or "-")  # a file name, or "camera:0"
    return ", ".join(notes)


def _counted(value: Callable[[SessionRow], str]) -> Callable[[SessionRow], str]:
    """A count of a session that never started counting (live set-up only) is no count: "-"."""
    return lambda r: "-" if r.setup_only else value(r)


COLUMNS = (
    Column("#", lambda r: str(r.id)),
    Column("date", lambda r: r.local_time().strftime("%Y-%m-%d %H:%M"), right=False),
    Column("exercise", lambda r: r.exercise_id, right=False),
    Column("reps", _counted(lambda r: str(r.reps))),
    Column("good", _counted(lambda r: str(r.good_reps))),
    Column("holds met", _counted(_holds_met)),
    Column("hold s", _counted(_hold)),
    Column("ROM", _counted(_rom)),
    Column("notes", _notes, right=False),
)


def table_lines(rows: Sequence[SessionRow], width: int = 100) -> list[str]:
    """The sessions as aligned text columns, in the order given, fitted to ``width`` characters: the
    notes (how it ended, faults, source) wrap onto lines of their own under the notes column; when
    even so the table is too wide, the hold and ROM columns are left out, said in a line. Then what
    the words mean."""
    columns = list(COLUMNS)
    cells = {c.header: [c.header] + [c.cell(r) for r in rows] for c in columns}
    widths = {h: max(len(v) for v in values) for h, values in cells.items()}
    hidden: list[str] = []

    def fixed() -> int:  # everything left of the notes, with the gaps
        return sum(widths[c.header] + 2 for c in columns if c.header != "notes")

    for header in DROPPABLE:
        if fixed() + NOTES_MIN <= width:
            break
        columns = [c for c in columns if c.header != header]
        hidden.append(header)
    notes_width = max(NOTES_MIN, min(widths["notes"], width - fixed()))
    lines = []
    for i in range(len(rows) + 1):
        notes = [_cut(line, notes_width) for line in  # (a word longer than the column: cut)
                 textwrap.wrap(cells["notes"][i], notes_width, break_long_words=False, break_on_hyphens=False)] or [""]
        parts = [p.rjust(widths[c.header]) if c.right else p.ljust(widths[c.header])
                 for p, c in ((cells[c.header][i], c) for c in columns if c.header != "notes")]
        lines.append("  ".join(parts + [notes[0]]).rstrip())
        lines += [" " * fixed() + more for more in notes[1:]]
    key = KEY if "hold s" not in hidden else KEY.replace(" hold s: mean hold / target.", "")
    measures = _rom_words(rows) if "ROM" not in hidden else ""
    lines += textwrap.wrap(key + (" " + measures if measures else ""), width)
    if hidden:
        lines += textwrap.wrap(f"({' and '.join(hidden)} left out to fit {width} columns; a wider terminal, or "
                               f"COLUMNS={width + 20} coach history, shows them)", width)
    return lines


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _rom_words(rows: Sequence[SessionRow]) -> str:
    """What each exercise's ROM column measures, in words: "ROM: range of motion per rep at its
    peak, mean/best: bridge hip extension (degrees)"."""
    measures: dict[str, str] = {}
    for r in rows:
        if r.rom_measure:
            measures[r.exercise_id] = r.rom_measure
    if not measures:
        return ""
    return ("ROM: range of motion per rep at its peak, mean/best good rep: "
            + "; ".join(f"{ex} {rom_label(m).lower()}" for ex, m in sorted(measures.items())) + ".")
