"""``coach history``: the recorded sessions as a table (newest last) and a trend plot (PNG)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional, Sequence

from coach.errors import CoachError
from coach.history.store import SessionRow, data_dir, default_db_path, open_history
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
    p.set_defaults(func=run_command)
    return p


def run_command(args: argparse.Namespace) -> int:
    db_path = Path(args.db) if args.db else default_db_path()
    rows = _read(db_path, args.exercise)
    if not rows:
        what = f"no {args.exercise} sessions" if args.exercise else "no sessions"
        print(f"{what} recorded yet in {db_path} ('coach analyze' and 'coach live' add one each)")
        return 0
    print(f"history: {db_path} ({len(rows)} session{'s' if len(rows) != 1 else ''})")
    for line in table_lines(rows):
        print(line)
    plot = Path(args.plot) if args.plot else data_dir() / (f"history-{args.exercise}.png" if args.exercise
                                                            else "history.png")
    from coach.history.trend import plot_trend

    try:
        plot_trend(rows, plot)
    except OSError as err:
        raise CoachError(f"cannot write the trend plot {plot} ({err.strerror or err}): "
                         "choose another file with --plot") from None
    print(f"trend plot: {plot}")
    return 0


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

def _num(value: Optional[float], digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pair(a: Optional[float], b: Optional[float], digits: int = 1) -> str:
    return "-" if a is None and b is None else f"{_num(a, digits)}/{_num(b, digits)}"


def _row_cells(r: SessionRow) -> list[str]:
    how = r.kind or "-"
    if r.ended in NOTABLE_ENDINGS:
        how += f" ({r.ended})"
    faults = ", ".join(f"{code} x{n}" for code, n in sorted(r.faults.items())) or "-"
    source = Path(r.source_path).name or r.source_path or "-"  # a file name, or "camera:0"
    return [str(r.id), r.local_time().strftime("%Y-%m-%d %H:%M"), r.exercise_id, how, str(r.reps), str(r.good_reps),
            "-" if r.holds is None else f"{r.holds_met}/{r.holds}", _pair(r.mean_hold_s, r.hold_target_s),
            _num(r.total_hold_s), _pair(r.rom_mean, r.rom_best), faults, source]


HEADERS = ["#", "date", "exercise", "how", "reps", "good", "holds met", "hold mean/target s", "hold total s",
           "ROM mean/best", "faults", "source"]
RIGHT = {"#", "reps", "good", "holds met", "hold mean/target s", "hold total s", "ROM mean/best"}


def table_lines(rows: Sequence[SessionRow]) -> list[str]:
    """The sessions as aligned text columns, in the order given, then what each exercise's range of
    motion measures."""
    cells = [HEADERS] + [_row_cells(r) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADERS))]
    lines = ["  ".join(c.rjust(w) if h in RIGHT else c.ljust(w) for c, w, h in zip(row, widths, HEADERS)).rstrip()
             for row in cells]
    measures: dict[str, str] = {}
    for r in rows:
        if r.rom_measure:
            measures[r.exercise_id] = r.rom_measure
    if measures:
        lines.append("ROM (range of motion, per rep at its peak): "
                     + "; ".join(f"{ex} {m}" for ex, m in sorted(measures.items())))
    return lines
