"""The history database: one SQLite file, one row per coached session.

The schema's version is kept in ``PRAGMA user_version``; ``MIGRATIONS[n]`` takes a database from
version n-1 to n. Opening a database brings it up to ``SCHEMA_VERSION`` in place, in one transaction,
so a failed migration leaves the file exactly as it was and no recorded session is ever dropped.
A database written by a newer coach is refused rather than guessed at; a file that is not a coach
history (damaged, or another program's) is refused and left untouched.

Where it lives: ``$COACH_DATA_DIR/history.sqlite3`` when the variable is set (tests, portable
installs), else the platform's user data folder (``platformdirs.user_data_dir("coach")``).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional, Sequence, Union

from coach.errors import CoachError

DATA_ENV = "COACH_DATA_DIR"
DB_NAME = "history.sqlite3"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # recorded_at: UTC, so that text order is time order
BUSY_TIMEOUT_S = 10.0  # two runs finishing together: the second waits for the first's write

# Each step is a list of single statements, executed one by one inside the migration's transaction
# (sqlite3's executescript would commit half-way). Never edit a released step: add a new one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            recorded_at TEXT NOT NULL,
            exercise_id TEXT NOT NULL,
            source_path TEXT,
            reps INTEGER NOT NULL,
            good_reps INTEGER NOT NULL,
            total_hold_s REAL NOT NULL,
            report_path TEXT
        )""",
    ),
    2: (
        "ALTER TABLE sessions ADD COLUMN kind TEXT",  # analyze | live
        "ALTER TABLE sessions ADD COLUMN ended TEXT",  # how a live session ended; interrupted analyses
        "ALTER TABLE sessions ADD COLUMN holds INTEGER",
        "ALTER TABLE sessions ADD COLUMN holds_met INTEGER",
        "ALTER TABLE sessions ADD COLUMN mean_hold_s REAL",
        "ALTER TABLE sessions ADD COLUMN hold_target_s REAL",
        "ALTER TABLE sessions ADD COLUMN rom_measure TEXT",
        "ALTER TABLE sessions ADD COLUMN rom_mean REAL",
        "ALTER TABLE sessions ADD COLUMN rom_best REAL",
        """CREATE TABLE faults (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (session_id, code)
        )""",
        "CREATE INDEX sessions_by_exercise ON sessions (exercise_id, recorded_at)",
    ),
    3: (
        "ALTER TABLE sessions ADD COLUMN pain_stop INTEGER",  # 1: ended on the pain key (report "stopped")
        "ALTER TABLE sessions ADD COLUMN pain_rating REAL",  # 0-10, when the person gave one (report "pain_rating")
        "ALTER TABLE sessions ADD COLUMN setup_only INTEGER",  # 1: a live set-up that never finished
        "ALTER TABLE sessions ADD COLUMN rom_direction INTEGER",  # +1: a larger rom is further; -1: smaller
        # Version 2 kept a live session's ending: a pain stop is known for the rows that have one.
        "UPDATE sessions SET pain_stop = (ended = 'pain') WHERE ended IS NOT NULL",
    ),
    4: (  # routines (coach routine): one row a routine session; its steps are sessions pointing at it
        """CREATE TABLE routine_sessions (
            id INTEGER PRIMARY KEY,
            recorded_at TEXT NOT NULL,
            routine_id TEXT NOT NULL,
            name TEXT,
            report_path TEXT,
            ended TEXT,
            steps INTEGER NOT NULL,
            completed INTEGER NOT NULL,
            skipped INTEGER,
            pain_stop INTEGER
        )""",
        "CREATE INDEX routine_sessions_by_routine ON routine_sessions (routine_id, recorded_at)",
        "ALTER TABLE sessions ADD COLUMN routine_session_id INTEGER REFERENCES routine_sessions (id)",
    ),
    5: (  # the 0-10 pain rating asked at the end of a routine (routine report "pain_rating")
        "ALTER TABLE routine_sessions ADD COLUMN pain_rating REAL",
    ),
}
SCHEMA_VERSION = max(MIGRATIONS)

_COLUMNS = ("recorded_at", "exercise_id", "source_path", "reps", "good_reps", "total_hold_s", "report_path",
            "kind", "ended", "holds", "holds_met", "mean_hold_s", "hold_target_s", "rom_measure", "rom_mean",
            "rom_best", "pain_stop", "pain_rating", "setup_only", "rom_direction", "routine_session_id")
_FLAGS = ("pain_stop", "setup_only")  # stored as 0/1, read back as bool (or None: not known)


def data_dir() -> Path:
    """The folder for coach's own data (history, default plot): $COACH_DATA_DIR or the platform's."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("coach"))


def default_db_path() -> Path:
    return data_dir() / DB_NAME


@dataclass
class SessionRow:
    """One session as the history keeps it. Fields added by later schema versions are None in rows
    recorded before them (unknown, not zero)."""

    recorded_at: str  # UTC, ISO 8601 ("2024-05-01T09:30:00Z"): sorts as text, shown in local time
    exercise_id: str
    source_path: str
    reps: int
    good_reps: int
    total_hold_s: float
    report_path: str
    kind: Optional[str] = None  # "analyze" | "live"
    ended: Optional[str] = None  # live: report.live.ended; analyze: "complete" | "interrupted"
    holds: Optional[int] = None
    holds_met: Optional[int] = None  # None also when the exercise has no hold target (nothing to meet)
    mean_hold_s: Optional[float] = None
    hold_target_s: Optional[float] = None
    rom_measure: Optional[str] = None  # what rom_mean/rom_best measure, e.g. "hip_extension_deg"
    rom_mean: Optional[float] = None
    rom_best: Optional[float] = None
    faults: dict[str, int] = field(default_factory=dict)  # fault code -> reps it was seen in
    id: Optional[int] = None
    pain_stop: Optional[bool] = None  # the session ended on the pain key
    pain_rating: Optional[float] = None  # 0-10, when the person gave one at the end
    setup_only: Optional[bool] = None  # a live session whose set-up never finished: nothing was counted
    rom_direction: Optional[int] = None  # +1: the best rep has the largest rom value; -1: the smallest
    routine_session_id: Optional[int] = None  # a step of this routine session (RoutineRow.id)

    def local_time(self) -> datetime:
        """When the session was recorded, in the local time zone."""
        return datetime.strptime(self.recorded_at, TIME_FORMAT).replace(tzinfo=timezone.utc).astimezone()


class HistoryDB:
    """An open history database, at ``SCHEMA_VERSION``. Use ``open_history``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn, self.path = conn, path

    def __enter__(self) -> "HistoryDB":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def add(self, row: SessionRow) -> int:
        """Record a session with its faults (one transaction); returns its id."""
        with _errors(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                cur = self.conn.execute(
                    f"INSERT INTO sessions ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                    [getattr(row, c) for c in _COLUMNS])
                session_id = int(cur.lastrowid)  # type: ignore[arg-type]
                self.conn.executemany("INSERT INTO faults (session_id, code, count) VALUES (?, ?, ?)",
                                      [(session_id, code, n) for code, n in sorted(row.faults.items())])
                self.conn.execute("COMMIT")
            except BaseException:
                _rollback(self.conn)
                raise
        return session_id

    def sessions(self, exercise_id: Optional[str] = None) -> list[SessionRow]:
        """The recorded sessions, oldest first (optionally of one exercise)."""
        where, params = ("WHERE exercise_id = ?", (exercise_id,)) if exercise_id else ("", ())
        with _errors(self.path):
            rows = self.conn.execute(f"SELECT id, {', '.join(_COLUMNS)} FROM sessions {where} "
                                     "ORDER BY recorded_at, id", params).fetchall()
            faults: dict[int, dict[str, int]] = {}
            for session_id, code, count in self.conn.execute(
                    "SELECT f.session_id, f.code, f.count FROM faults AS f "
                    f"JOIN sessions ON sessions.id = f.session_id {where} ORDER BY f.session_id, f.code", params):
                faults.setdefault(session_id, {})[code] = count
        return [SessionRow(**{c: _value(c, r[c]) for c in _COLUMNS}, id=r["id"], faults=faults.get(r["id"], {}))
                for r in rows]

    def add_routine(self, row: RoutineRow, steps: Sequence[SessionRow]) -> int:
        """Record a routine session and its steps' sessions (one transaction); returns its id."""
        with _errors(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                cur = self.conn.execute(
                    f"INSERT INTO routine_sessions ({', '.join(_ROUTINE_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(_ROUTINE_COLUMNS))})", [getattr(row, c) for c in _ROUTINE_COLUMNS])
                routine_id = int(cur.lastrowid)  # type: ignore[arg-type]
                for step in steps:
                    values = [routine_id if c == "routine_session_id" else getattr(step, c) for c in _COLUMNS]
                    cur = self.conn.execute(f"INSERT INTO sessions ({', '.join(_COLUMNS)}) "
                                            f"VALUES ({', '.join('?' * len(_COLUMNS))})", values)
                    self.conn.executemany("INSERT INTO faults (session_id, code, count) VALUES (?, ?, ?)",
                                          [(cur.lastrowid, code, n) for code, n in sorted(step.faults.items())])
                self.conn.execute("COMMIT")
            except BaseException:
                _rollback(self.conn)
                raise
        return routine_id

    def routines(self, routine_id: Optional[str] = None) -> list[RoutineRow]:
        """The recorded routine sessions, oldest first (optionally of one routine)."""
        where, params = ("WHERE routine_id = ?", (routine_id,)) if routine_id else ("", ())
        with _errors(self.path):
            rows = self.conn.execute(f"SELECT id, {', '.join(_ROUTINE_COLUMNS)} FROM routine_sessions {where} "
                                     "ORDER BY recorded_at, id", params).fetchall()
        return [RoutineRow(**{c: (bool(r[c]) if c == "pain_stop" and r[c] is not None else r[c])
                              for c in _ROUTINE_COLUMNS}, id=r["id"]) for r in rows]

    def exercise_ids(self) -> list[str]:
        with _errors(self.path):
            return [r[0] for r in self.conn.execute("SELECT DISTINCT exercise_id FROM sessions ORDER BY 1")]


@dataclass
class RoutineRow:
    """One routine session: how far it got (its steps are SessionRows with its id)."""

    recorded_at: str
    routine_id: str
    name: str
    report_path: str
    ended: Optional[str]
    steps: int  # prescribed
    completed: int  # done in full (coached, or on the timer where not coached yet)
    skipped: int = 0
    pain_stop: Optional[bool] = None
    pain_rating: Optional[float] = None  # 0-10 at the end, when the person gave one
    id: Optional[int] = None

    def local_time(self) -> datetime:
        return datetime.strptime(self.recorded_at, TIME_FORMAT).replace(tzinfo=timezone.utc).astimezone()


_ROUTINE_COLUMNS = ("recorded_at", "routine_id", "name", "report_path", "ended", "steps", "completed", "skipped",
                    "pain_stop", "pain_rating")


def _value(column: str, value: object) -> object:
    return bool(value) if column in _FLAGS and value is not None else value


def open_history(path: Union[str, Path, None] = None) -> HistoryDB:
    """Open (creating it and its folder if needed) and migrate the history database at ``path``
    (default: ``default_db_path()``). Raises CoachError with a one-line reason when it can't."""
    path = Path(path) if path is not None else default_db_path()
    if path.is_dir():
        raise CoachError(f"the history database {path} is a folder: give a file path instead")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are ours (BEGIN/COMMIT below), DDL included.
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except (OSError, sqlite3.Error) as err:
        raise CoachError(f"cannot open the history database {path} ({err}): check the folder is writable") from None
    conn.row_factory = sqlite3.Row
    try:
        with _errors(path):
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return HistoryDB(conn, path)


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(version: int, path: Path) -> None:
    if version > SCHEMA_VERSION:
        raise CoachError(f"the history database {path} was written by a newer coach (schema version {version}; "
                         f"this coach knows up to {SCHEMA_VERSION}): upgrade coach to read it (it was left unchanged)")


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = _version(conn)  # the first read: a file that is not SQLite fails here
    _refuse_newer(version, path)
    if version == SCHEMA_VERSION:
        return
    # BEGIN IMMEDIATE takes the write lock: another coach run migrating the same file at the same
    # moment waits, then finds the work done (so the version is read again inside the transaction).
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _version(conn)
        _refuse_newer(version, path)
        if version == 0:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            if tables:  # version 0 with tables: some other program's database, not an empty new one
                raise CoachError(f"{path} is an SQLite database but not a coach history (it has the tables "
                                 f"{', '.join(sorted(tables))}); it was left as it is: choose another file")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # (BEGIN itself may have failed: then there is nothing to undo)
        conn.execute("ROLLBACK")


@contextmanager
def _errors(path: Path) -> Iterator[None]:
    """sqlite3's errors as one-line CoachErrors naming the file and what to do."""
    try:
        yield
    except sqlite3.OperationalError as err:  # locked, read-only, disk full, ...: the file itself may be fine
        raise CoachError(f"cannot use the history database {path} ({err})") from None
    except sqlite3.DatabaseError as err:  # "file is not a database", "database disk image is malformed"
        raise CoachError(f"{path} is not a coach history database, or it is damaged ({err}); it was left as it is: "
                         "move it aside to start a new history, or choose another file") from None
