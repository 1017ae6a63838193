"""The session history: recording reports, reading them back, ``coach history`` (table and plot),
schema migration, damaged and foreign files, and ``coach analyze`` recording its session.

Reports come from the real pipeline on synthetic landmark traces (no MediaPipe): coach.analyze on a
trace written from scripted bridge and cat-cow movements."""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import threading
from collections import Counter
from pathlib import Path
from typing import Optional

import cv2
import pytest

from coach.analyze import analyze
from coach.cli import main
from coach.engine.definition import load_exercise
from coach.errors import CoachError
from coach.history import store
from coach.history.record import record_session, session_from_report
from coach.history.store import SCHEMA_VERSION, SessionRow, default_db_path, open_history
from coach.history.trend import trend_figure
from coach.history.words import rom_label
from synth import bridge_profile, catcow_profile, lying_frame, quadruped_frame, write_trace

# The version-1 schema exactly as version 1 of coach created it (frozen here: the migration test
# must start from what old installs really have, whatever store.py says today).
V1_DDL = """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            recorded_at TEXT NOT NULL,
            exercise_id TEXT NOT NULL,
            source_path TEXT,
            reps INTEGER NOT NULL,
            good_reps INTEGER NOT NULL,
            total_hold_s REAL NOT NULL,
            report_path TEXT
        )"""


def bridge_trace(path: Path) -> Path:
    prof, _ = bridge_profile(135.0, [(180.0, 2.0), (150.0, 2.0), (178.0, 2.5)])
    write_trace(str(path), prof, lying_frame, "bridge_synthetic.mp4")
    return path


def catcow_trace(path: Path) -> Path:
    prof, _ = catcow_profile([1.0, 0.8, 1.0])
    write_trace(str(path), prof, quadruped_frame, "catcow_synthetic.mp4")
    return path


def analysed(tmp_path: Path, exercise_id: str) -> tuple[dict, Path]:
    """A real report of a synthetic session, and where it was written."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    trace = (bridge_trace if exercise_id == "bridge" else catcow_trace)(tmp_path / f"{exercise_id}.jsonl")
    result = analyze(str(trace), load_exercise(exercise_id), str(tmp_path / f"{exercise_id}-out"), write_video=False,
                     progress=False)
    assert result.report["summary"]["reps"] >= 2  # something to remember
    return result.report, Path(result.files["report"])


def make_v1_database(path: Path, rows: list[tuple]) -> None:
    conn = sqlite3.connect(str(path))
    conn.execute(V1_DDL)
    conn.executemany("INSERT INTO sessions (recorded_at, exercise_id, source_path, reps, good_reps, total_hold_s, "
                     "report_path) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, list[str], list[str]]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def is_png(path: Path) -> bool:
    image = cv2.imread(str(path))
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image is not None and float(image.std()) > 5.0


def table_rows(out: list[str]) -> list[str]:
    """The table's sessions from ``coach history``'s lines, one string each: a row and the notes that
    wrap under it."""
    rows: list[str] = []
    for line in out[2:]:
        if re.match(r"\s*\d+  \d{4}-\d\d-\d\d ", line):
            rows.append(line)
        elif rows and line.startswith(" "):
            rows[-1] += " " + line.strip()
        else:
            break
    return rows


def row(**fields: object) -> SessionRow:
    base = dict(recorded_at="2025-03-01T09:00:00Z", exercise_id="bridge", source_path="camera:0", reps=5,
                good_reps=4, total_hold_s=10.0, report_path="/r/report.json")
    base.update(fields)
    return SessionRow(**base)  # type: ignore[arg-type]


# -- recording and reading back ------------------------------------------------------------------------------

def test_two_sessions_round_trip(tmp_path: Path) -> None:
    db_path = tmp_path / "h.sqlite3"
    sessions = [analysed(tmp_path, "bridge"), analysed(tmp_path, "cat_cow")]
    ids = [record_session(report, str(path), "analyze", db_path=db_path) for report, path in sessions]
    assert ids == [1, 2]
    with open_history(db_path) as db:
        back = db.sessions()
    assert [r.id for r in back] == [1, 2]
    for (report, path), got in zip(sessions, back):
        holds = report["holds"]
        assert got.exercise_id == report["exercise"]["id"] and got.kind == "analyze" and got.ended == "complete"
        assert got.report_path == str(path.resolve())
        assert got.source_path == report["source"]["path"]  # (not a file here: kept as the report says)
        assert (got.reps, got.good_reps) == (report["summary"]["reps"], report["summary"]["good_reps"])
        assert got.total_hold_s == pytest.approx(report["summary"]["total_hold_s"])
        assert got.holds == len(holds)
        # holds met: only where there is a target to meet (cat-cow has none: not "n/n" of nothing)
        assert got.holds_met == (sum(h["met_target"] for h in holds) if report["targets"]["hold_s"] else None)
        assert got.mean_hold_s == pytest.approx(statistics.mean(h["duration_s"] for h in holds), abs=1e-3)
        assert got.hold_target_s == report["targets"]["hold_s"]
        assert got.faults == dict(Counter(f for rep in report["reps"] for f in rep["faults"]))
    bridge, catcow = back
    peaks = [rep["peak"]["hip_extension_deg"] for rep in sessions[0][0]["reps"]]
    assert bridge.rom_measure == "hip_extension_deg"
    good_peaks = [rep["peak"]["hip_extension_deg"] for rep in sessions[0][0]["reps"] if rep["good"]]
    assert bridge.rom_mean == pytest.approx(statistics.mean(peaks), abs=1e-3) and bridge.rom_best == max(good_peaks)
    assert bridge.faults == {"hips_low": 1}  # the 150-degree rep
    depths = [rep["peak"]["cat_depth"] + rep["peak"]["cow_depth"] for rep in sessions[1][0]["reps"]]
    assert catcow.rom_measure == "cat_depth+cow_depth"
    assert catcow.rom_mean == pytest.approx(statistics.mean(depths), abs=1e-3)
    assert catcow.rom_best == pytest.approx(max(depths), abs=1e-3)


def test_range_of_motion_best_follows_the_movement_direction() -> None:
    # knee to chest: the hip closes as the knee comes in, so the best rep has the smallest angle
    report = {"exercise": {"id": "knee_to_chest"}, "source": {"path": "x.mp4"}, "holds": [], "targets": {},
              "reps": [{"faults": [], "peak": {"hip_angle_min_deg": v}} for v in (70.0, 55.0, 64.0)],
              "summary": {"reps": 3, "good_reps": 3, "total_hold_s": 0.0}, "warnings": []}
    got = session_from_report(report, "report.json", "analyze", load_exercise("knee_to_chest"))
    assert (got.rom_measure, got.rom_mean, got.rom_best) == ("hip_angle_min_deg", 63.0, 55.0)
    assert got.mean_hold_s is None and got.holds == 0  # no holds: unknown mean, not 0


def test_the_best_rep_is_the_furthest_good_one() -> None:
    """A bridge arched past straight (200 degrees) went furthest but is faulted: not the best rep."""
    reps = [{"faults": [], "good": True, "peak": {"hip_extension_deg": 176.0}},
            {"faults": ["hips_overextended"], "good": False, "peak": {"hip_extension_deg": 200.0}},
            {"faults": ["hips_low"], "good": False, "peak": {"hip_extension_deg": 150.0}}]
    report = {"exercise": {"id": "bridge"}, "source": {"path": "x.mp4"}, "holds": [], "targets": {}, "reps": reps,
              "summary": {"reps": 3, "good_reps": 1, "total_hold_s": 0.0}, "warnings": []}
    got = session_from_report(report, "report.json", "analyze", load_exercise("bridge"))
    assert (got.rom_mean, got.rom_best) == (pytest.approx(175.333, abs=1e-3), 176.0)
    for rep in reps:
        rep["good"] = False
    assert session_from_report(report, "report.json", "analyze", load_exercise("bridge")).rom_best is None


def test_live_report_keeps_how_the_session_ended(tmp_path: Path) -> None:
    report, path = analysed(tmp_path, "bridge")
    report = dict(report, live={"ended": "pain"})
    assert session_from_report(report, str(path), "live").ended == "pain"


def test_concurrent_runs_all_get_recorded(tmp_path: Path) -> None:
    """Several coach runs finishing at once on a new database: each migrates or waits, none is lost."""
    db_path = tmp_path / "h.sqlite3"
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                with open_history(db_path) as db:
                    db.add(row(reps=n * 100 + i))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_history(db_path) as db:
        assert sorted(r.reps for r in db.sessions()) == sorted(n * 100 + i for n in range(4) for i in range(10))


# -- schema versions -----------------------------------------------------------------------------------------

def test_the_v1_schema_here_is_the_one_coach_created() -> None:
    assert " ".join(store.MIGRATIONS[1][0].split()) == " ".join(V1_DDL.split())


def test_a_v1_database_is_migrated_in_place_and_keeps_its_rows(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture) -> None:
    db_path = tmp_path / "old.sqlite3"
    make_v1_database(db_path, [("2024-01-02T08:00:00Z", "bridge", "/v/a.mp4", 8, 6, 16.5, "/r/a/report.json"),
                               ("2024-01-03T08:00:00Z", "knee_to_chest", "camera:0", 4, 4, 40.0, "/r/b/report.json")])
    with open_history(db_path) as db:
        rows = db.sessions()
        assert [(r.id, r.exercise_id, r.source_path, r.reps, r.good_reps, r.total_hold_s, r.report_path)
                for r in rows] == [(1, "bridge", "/v/a.mp4", 8, 6, 16.5, "/r/a/report.json"),
                                   (2, "knee_to_chest", "camera:0", 4, 4, 40.0, "/r/b/report.json")]
        # what version 1 never recorded is unknown, not zero
        assert all(r.kind is None and r.mean_hold_s is None and r.rom_mean is None and r.faults == {} for r in rows)
        db.add(row(recorded_at="2024-01-04T08:00:00Z", kind="live", faults={"hips_low": 2}))
    conn = sqlite3.connect(str(db_path))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    conn.close()
    with open_history(db_path) as db:  # opening again: already current, nothing to do
        assert [r.id for r in db.sessions()] == [1, 2, 3] and db.sessions()[2].faults == {"hips_low": 2}
    code, out, _ = run(capsys, "history", "--db", str(db_path), "--plot", str(tmp_path / "t.png"))
    assert code == 0 and len([line for line in out if line.split()[:1] in (["1"], ["2"], ["3"])]) == 3
    assert is_png(tmp_path / "t.png")


def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = tmp_path / "h.sqlite3"
    with open_history(db_path) as db:
        db.add(row())
    before = db_path.read_bytes()
    newer = store.SCHEMA_VERSION + 1
    monkeypatch.setitem(store.MIGRATIONS, newer, ("ALTER TABLE sessions ADD COLUMN mood TEXT", "NOT VALID SQL"))
    monkeypatch.setattr(store, "SCHEMA_VERSION", newer)
    with pytest.raises(CoachError, match="h.sqlite3"):
        open_history(db_path)
    assert db_path.read_bytes() == before  # still the current version, no half-added column, the row kept
    monkeypatch.undo()
    with open_history(db_path) as db:
        assert len(db.sessions()) == 1


def test_a_database_from_a_newer_coach_is_refused_untouched(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db_path = tmp_path / "h.sqlite3"
    with open_history(db_path) as db:
        db.add(row())
    conn = sqlite3.connect(str(db_path))
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    before = db_path.read_bytes()
    code, out, err = run(capsys, "history", "--db", str(db_path))
    assert code == 2 and len(err) == 1 and out == []
    assert str(db_path) in err[0] and "newer coach" in err[0] and "upgrade" in err[0]
    assert db_path.read_bytes() == before


def test_a_corrupt_file_is_named_and_kept(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db_path = tmp_path / "history.sqlite3"
    junk = b"these are not the bytes of an SQLite database\n" * 200
    db_path.write_bytes(junk)
    code, out, err = run(capsys, "history", "--db", str(db_path))
    assert code == 2 and len(err) == 1 and err[0].startswith("coach: ")
    assert str(db_path) in err[0] and "not a coach history database" in err[0] and "move it aside" in err[0]
    assert db_path.read_bytes() == junk  # never deleted nor "repaired"


def test_another_programs_sqlite_file_is_not_taken_over(tmp_path: Path) -> None:
    db_path = tmp_path / "other.db"
    conn = sqlite3.connect(str(db_path))
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(CoachError, match="not a coach history.*contacts"):
        open_history(db_path)
    conn = sqlite3.connect(str(db_path))
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["contacts"]
    conn.close()


# -- coach history -----------------------------------------------------------------------------------------------

def test_history_table_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture, coach_dirs: dict,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    for n, ex in enumerate(("bridge", "cat_cow", "bridge")):
        report, path = analysed(tmp_path / str(n), ex)
        assert record_session(report, str(path), "analyze") is not None  # the default database
    code, out, err = run(capsys, "history")
    assert code == 0 and err == []
    db_path = coach_dirs["data"] / "history.sqlite3"
    assert default_db_path() == db_path and out[0] == f"history: {db_path} (3 sessions)"
    header = out[1].split()
    assert header[:7] == ["#", "date", "exercise", "reps", "good", "holds", "met"]
    body = table_rows(out)
    assert [line.split()[0] for line in body] == ["1", "2", "3"]  # oldest first, newest last
    assert [line.split()[3] for line in body] == ["bridge", "cat_cow", "bridge"]
    # faults in the definition's words, not codes (issue 12: plain words everywhere a person reads)
    assert f"{load_exercise('bridge').fault('hips_low').name} x1" in body[0] and "bridge_synthetic.mp4" in body[0]
    assert "hips_low" not in " ".join(body)
    assert "bridge hip extension (degrees)" in " ".join(out)
    plot = coach_dirs["data"] / "history.png"
    assert out[-1] == f"trend plot: {plot}" and is_png(plot)


def test_mixed_history_plots_each_range_of_motion_on_its_own_axis(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture) -> None:
    """Degrees of a bridge (~170) and of knee to chest (~55) and cat-cow's unitless depth don't share
    an axis: a range-of-motion panel per exercise, labelled with its measure and unit."""
    roms = {"bridge": ("hip_extension_deg", 170.0), "knee_to_chest": ("hip_angle_min_deg", 55.0),
            "cat_cow": ("cat_depth+cow_depth", 1.6)}
    rows = [row(exercise_id=ex, recorded_at=f"2025-03-0{day}T09:00:00Z", rom_measure=roms[ex][0],
                rom_mean=roms[ex][1] + day, rom_best=roms[ex][1] + day + 2)
            for day, ex in enumerate(["bridge", "knee_to_chest", "cat_cow", "bridge", "knee_to_chest"], start=1)]
    db_path = tmp_path / "h.sqlite3"
    with open_history(db_path) as db:
        for r in rows:
            db.add(r)
    code, _, err = run(capsys, "history", "--db", str(db_path), "--plot", str(tmp_path / "t.png"))
    assert code == 0 and err == [] and is_png(tmp_path / "t.png")

    axes = trend_figure(rows).axes
    assert len(axes) == 3 + len(roms)  # reps, good %, one range of motion per exercise, holds
    for ax, ex in zip(axes[2:-1], sorted(roms)):  # in the legend's order
        values = {y for line in ax.get_lines() for y in line.get_ydata()}
        mine = {v for r in rows if r.exercise_id == ex for v in (r.rom_mean, r.rom_best)}
        assert values == mine  # this exercise's sessions and no other's
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"{ex}: {rom_label(roms[ex][0]).lower()}"]
    labels = [ax.get_ylabel().splitlines()[0] for ax in axes[2:-1]]
    assert labels == ["Hip extension (degrees)", "Cat depth + cow depth (no unit)", "Hip angle min (degrees)"]

    # one exercise (``--exercise``): the single range-of-motion panel, as before
    single = trend_figure([r for r in rows if r.exercise_id == "bridge"]).axes
    assert len(single) == 4 and single[2].get_ylabel().splitlines()[0] == "Hip extension (degrees)"


def test_history_exercise_filter(tmp_path: Path, capsys: pytest.CaptureFixture, coach_dirs: dict) -> None:
    db_path = tmp_path / "h.sqlite3"
    with open_history(db_path) as db:
        db.add(row(exercise_id="bridge", reps=7))
        db.add(row(exercise_id="cat_cow", reps=3, recorded_at="2025-03-02T09:00:00Z"))
        db.add(row(exercise_id="bridge", reps=9, recorded_at="2025-03-03T09:00:00Z"))
    code, out, _ = run(capsys, "history", "--db", str(db_path), "--exercise", "bridge")
    assert code == 0 and out[0].endswith("(2 sessions)")
    body = table_rows(out)
    assert [line.split()[3] for line in body] == ["bridge", "bridge"] and "cat_cow" not in "\n".join(out)
    assert [int(line.split()[4]) for line in body] == [7, 9]
    assert is_png(coach_dirs["data"] / "history-bridge.png")
    # a shipped exercise with no session yet: a message, not an error
    code, out, _ = run(capsys, "history", "--db", str(db_path), "--exercise", "knee_to_chest")
    assert code == 0 and out == [f"no knee_to_chest sessions recorded yet in {db_path} "
                                 "('coach analyze' and 'coach live' add one each)"]


def test_history_unknown_exercise(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "history", "--exercise", "brige")
    assert code == 2 and out == [] and len(err) == 1
    assert err[0].startswith("coach: unknown exercise 'brige'") and "bridge" in err[0]


def test_empty_history(capsys: pytest.CaptureFixture, coach_dirs: dict) -> None:
    code, out, err = run(capsys, "history")
    assert code == 0 and err == [] and len(out) == 1 and out[0].startswith("no sessions recorded yet in ")
    assert not coach_dirs["data"].exists()  # looking at the history creates nothing


def test_plot_path_that_cannot_be_written(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db_path = tmp_path / "h.sqlite3"
    with open_history(db_path) as db:
        db.add(row())
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "history", "--db", str(db_path), "--plot", str(tmp_path / "file" / "t.png"))
    assert code == 2 and len(err) == 1 and "--plot" in err[0]


# -- coach analyze records its session ---------------------------------------------------------------------------

def test_analyze_records_the_session(tmp_path: Path, capsys: pytest.CaptureFixture, coach_dirs: dict) -> None:
    trace = bridge_trace(tmp_path / "landmarks.jsonl")
    code, _, err = run(capsys, "analyze", str(trace), "--exercise", "bridge", "--out", str(tmp_path / "out"), "-q")
    assert code == 0 and err == []
    with open_history(coach_dirs["data"] / "history.sqlite3") as db:
        rows = db.sessions()
    assert len(rows) == 1
    got = rows[0]
    assert (got.kind, got.exercise_id, got.reps, got.report_path) == (
        "analyze", "bridge", 3, str((tmp_path / "out" / "report.json").resolve()))


def test_analyze_history_db_option(tmp_path: Path, capsys: pytest.CaptureFixture, coach_dirs: dict) -> None:
    trace = bridge_trace(tmp_path / "landmarks.jsonl")
    db_path = tmp_path / "mine.sqlite3"
    code, _, _ = run(capsys, "analyze", str(trace), "-e", "bridge", "--out", str(tmp_path / "out"), "-q",
                        "--history-db", str(db_path))
    assert code == 0
    with open_history(db_path) as db:
        assert len(db.sessions()) == 1
    assert not coach_dirs["data"].exists()  # nothing went to the default database


@pytest.mark.parametrize("problem", ["corrupt", "unwritable"])
def test_a_history_that_cannot_be_written_never_fails_the_analysis(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                   problem: str) -> None:
    trace = bridge_trace(tmp_path / "landmarks.jsonl")
    if problem == "corrupt":
        db_path: Optional[Path] = tmp_path / "h.sqlite3"
        db_path.write_bytes(b"garbage" * 1000)  # type: ignore[union-attr]
    else:
        (tmp_path / "a_file").write_text("x")
        db_path = tmp_path / "a_file" / "h.sqlite3"  # its folder can't be made
    code, out, err = run(capsys, "analyze", str(trace), "-e", "bridge", "--out", str(tmp_path / "out"), "-q",
                         "--history-db", str(db_path))
    assert code == 0
    assert (tmp_path / "out" / "report.json").exists() and out[-1].startswith("wrote ")
    assert len(err) == 1 and err[0].startswith("coach: warning: the session was not added to the history")
    assert str(db_path) in err[0]


# -- pain stops, set-up only sessions, "holds met", a table that fits, the trend's words -------------------------

def live_report(tmp_path: Path, counting_from_s: Optional[float], ended: str, **extra: object) -> tuple[dict, Path]:
    report, path = analysed(tmp_path, "bridge")
    return dict(report, live={"ended": ended, "counting_from_s": counting_from_s}, **extra), path


def test_a_live_session_keeps_its_pain_stop_rating_and_whether_counting_began(tmp_path: Path) -> None:
    report, path = live_report(tmp_path / "a", 2.5, "pain", stopped={"reason": "pain", "t_s": 9.0},
                               pain_rating={"value": 6, "asked_at_s": 9.5})
    got = session_from_report(report, str(path), "live", load_exercise("bridge"))
    assert (got.pain_stop, got.pain_rating, got.setup_only, got.rom_direction) == (True, 6.0, False, 1)
    report, path = live_report(tmp_path / "b", None, "quit")  # set-up never finished
    got = session_from_report(report, str(path), "live")
    assert (got.pain_stop, got.pain_rating, got.setup_only) == (False, None, True)
    analysed_report, path = analysed(tmp_path / "c", "bridge")
    got = session_from_report(analysed_report, str(path), "analyze")
    assert (got.pain_stop, got.pain_rating, got.setup_only) == (False, None, False)
    assert session_from_report({**report, "pain_rating": {"value": "a lot"}}, str(path), "live").pain_rating is None


def test_pain_stop_and_rating_are_read_back(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.sqlite3") as db:
        db.add(row(kind="live", ended="pain", pain_stop=True, pain_rating=7.0, setup_only=False, rom_direction=-1))
        db.add(row(kind="live", ended="quit", pain_stop=False, setup_only=True))
        got = db.sessions()
    assert [(r.pain_stop, r.pain_rating, r.setup_only, r.rom_direction) for r in got] == [
        (True, 7.0, False, -1), (False, None, True, None)]


def make_v2_database(path: Path) -> None:
    """A database as version 2 of coach left it: version 1's table, then step 2 (released: frozen)."""
    make_v1_database(path, [("2024-01-02T08:00:00Z", "bridge", "/v/a.mp4", 8, 6, 16.5, "/r/a/report.json")])
    conn = sqlite3.connect(str(path))
    for statement in store.MIGRATIONS[2]:
        conn.execute(statement)
    conn.executemany("INSERT INTO sessions (recorded_at, exercise_id, source_path, reps, good_reps, total_hold_s, "
                     "report_path, kind, ended, holds, holds_met) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [("2024-01-03T08:00:00Z", "bridge", "camera:0", 3, 3, 6.0, "/r/b/report.json", "live", "pain", 3, 2),
                      ("2024-01-04T08:00:00Z", "cat_cow", "c.mp4", 4, 4, 5.0, "/r/c/report.json", "analyze",
                       "complete", 8, 8)])
    conn.execute("INSERT INTO faults VALUES (2, 'hips_low', 1)")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()


def test_a_v2_database_is_migrated_and_knows_its_pain_stops(tmp_path: Path) -> None:
    db_path = tmp_path / "v2.sqlite3"
    make_v2_database(db_path)
    with open_history(db_path) as db:
        rows = db.sessions()
    assert [(r.reps, r.ended, r.pain_stop, r.setup_only) for r in rows] == [
        (8, None, None, None),  # version 1's row: how it ended was never known
        (3, "pain", True, None), (4, "complete", False, None)]
    assert rows[1].faults == {"hips_low": 1}


def test_table_marks_set_up_only_pain_and_holds_without_target(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    db_path = tmp_path / "h.sqlite3"
    with open_history(db_path) as db:
        db.add(row(kind="live", reps=0, good_reps=0, setup_only=True, source_path="camera:0"))
        db.add(row(kind="live", reps=3, good_reps=2, ended="pain", pain_stop=True, pain_rating=6.0, holds=3,
                   holds_met=2, hold_target_s=2.0, mean_hold_s=2.2, recorded_at="2025-03-02T09:00:00Z"))
        # as version 2 recorded cat-cow: its 0 s "target" met by every hold
        db.add(row(exercise_id="cat_cow", reps=0, good_reps=0, holds=12, holds_met=12, hold_target_s=0.0,
                   mean_hold_s=0.4, recorded_at="2025-03-03T09:00:00Z"))
    code, out, _ = run(capsys, "history", "--db", str(db_path), "--plot", str(tmp_path / "t.png"))
    assert code == 0
    notes = out[1].index("notes")
    setup, pain, catcow = table_rows(out)
    assert setup.split()[4] == "-" and setup[notes:].startswith("set-up only")  # not "0 reps"
    assert pain[notes:].startswith("pain stop, pain 6/10, ") and pain.split()[6] == "2/3"
    assert catcow.split()[6] == "-" and "12/12" not in catcow
    assert any("A rep is good when the coach found no fault in it" in line for line in out)  # MEANINGS


def long_rows(n: int) -> list[SessionRow]:
    faults = {"hips_low": 3, "hips_overextended": 2, "hold_short": 4, "feet_too_far": 1}
    return [row(exercise_id=ex, kind="live", reps=12, good_reps=10, holds=12, holds_met=11, hold_target_s=10.0,
                mean_hold_s=11.25, rom_measure="hip_extension_deg", rom_mean=171.4, rom_best=178.9, faults=faults,
                source_path=f"/home/someone/videos/a_rather_long_recording_name_{i}.mp4", pain_rating=4.0,
                pain_stop=True, recorded_at=f"2025-{i // 28 + 1:02d}-{i % 28 + 1:02d}T09:00:00Z")
            for i, ex in zip(range(n), ["bridge", "knee_to_chest", "cat_cow"] * n)]


@pytest.mark.parametrize("width", [100, 80])
def test_the_table_fits_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
                                     width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    db_path = tmp_path / "h.sqlite3"
    with open_history(db_path) as db:
        for r in long_rows(12):
            db.add(r)
    code, out, _ = run(capsys, "history", "--db", str(db_path), "--plot", str(tmp_path / "t.png"))
    assert code == 0
    table = out[1:-1]  # (the first and last lines name the files, as long as their paths are)
    assert max(len(line) for line in table) <= width, "\n".join(table)
    header = out[1].split()
    assert ["reps", "good", "holds", "met"] == header[3:7] and "notes" in header
    rows = table_rows(out)
    # the faults in plain words: their definition's label, or the code in words where the exercise has none
    assert len(rows) == 12 and all("pain stop, pain 4/10, feet too far" in r and "_" not in r.split("pain 4/10")[1]
                                   .split("a_rather")[0] for r in rows)
    if width == 100:  # every number fits in 100 columns; the notes wrap
        assert "hold" in header and "ROM" in header and "11.2/10" in rows[0] and "171/179" in rows[0]
    else:
        assert any("left out to fit 80 columns" in line for line in out)


def test_history_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    """`coach history | head` : the reader goes away before coach writes; no traceback, the plot kept."""
    import subprocess
    import sys

    db_path = tmp_path / "h.sqlite3"
    with open_history(db_path) as db:
        for r in long_rows(300):  # more than a pipe holds
            db.add(r)
    proc = subprocess.Popen([sys.executable, "-m", "coach", "history", "--db", str(db_path), "--plot",
                             str(tmp_path / "t.png")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as head does once it has its lines (here: before any)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and err == ""  # the command did its work; only its output was not read
    assert is_png(tmp_path / "t.png")


def test_an_analysis_piped_into_head_is_still_recorded(tmp_path: Path) -> None:
    """`coach analyze ... | head -1`: the reader leaves after the first line; the analysis carries on,
    its report is written and its session recorded."""
    import subprocess
    import sys

    trace = bridge_trace(tmp_path / "landmarks.jsonl")
    db_path = tmp_path / "h.sqlite3"
    proc = subprocess.Popen([sys.executable, "-m", "coach", "analyze", str(trace), "-e", "bridge", "-q",
                             "--out", str(tmp_path / "out"), "--history-db", str(db_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and err == ""
    assert (tmp_path / "out" / "report.json").exists()
    with open_history(db_path) as db:
        assert [r.reps for r in db.sessions()] == [3]


def test_trend_leaves_set_up_only_sessions_off_and_marks_pain_stops() -> None:
    rows = [row(reps=5, id=1), row(reps=0, good_reps=0, setup_only=True, id=2),
            row(reps=3, good_reps=3, pain_stop=True, pain_rating=6.0, id=3), row(reps=6, id=4)]
    fig = trend_figure(rows)
    reps_ax = fig.axes[0]
    reps_line = reps_ax.get_lines()[0]
    assert list(reps_line.get_ydata()) == [5, 3, 6]  # no 0 for the session that never started counting
    assert "set-up-only session not plotted" in reps_ax.get_title()
    pain_x = [line.get_xdata()[0] for line in reps_ax.get_lines() if line.get_linestyle() == "--"]
    assert pain_x == [1]  # the pain-stopped session, placed second once set-up only is left out
    assert all(any(line.get_linestyle() == "--" for line in ax.get_lines()) for ax in fig.axes)
    assert "pain stop" in [t.get_text() for t in reps_ax.get_legend().get_texts()]
    assert [t.get_text() for t in reps_ax.texts] == ["pain 6/10"]


@pytest.mark.parametrize("exercise_id, measure, marker, words", [
    ("bridge", "hip_extension_deg", "^", "higher is better"),
    ("knee_to_chest", "hip_angle_min_deg", "v", "lower is better"),  # the knee closer: a smaller hip angle
])
def test_best_rep_marker_points_the_better_way(tmp_path: Path, exercise_id: str, measure: str, marker: str,
                                               words: str) -> None:
    from coach.history.command import rom_directions

    rows = [row(exercise_id=exercise_id, rom_measure=measure, rom_mean=60.0 + i, rom_best=55.0 + i, id=i + 1)
            for i in range(3)]  # recorded before the direction was kept: the shipped definition says
    fig = trend_figure(rows, rom_directions(rows))
    rom_ax = fig.axes[2]
    best = [line for line in rom_ax.get_lines() if line.get_linestyle() in ("None", "none")][0]
    assert best.get_marker() == marker and words in rom_ax.get_ylabel()
    recorded = [row(exercise_id=exercise_id, rom_measure=measure, rom_mean=60.0, rom_best=55.0,
                    rom_direction=1 if marker == "^" else -1)]
    assert words in trend_figure(recorded).axes[2].get_ylabel()


def test_trend_axes_have_plain_names_and_units() -> None:
    rows = [row(exercise_id=ex, rom_measure=m, rom_mean=1.0, rom_best=1.2, mean_hold_s=2.0, hold_target_s=t, id=i)
            for i, (ex, m, t) in enumerate([("bridge", "hip_extension_deg", 2.0), ("cat_cow", "cat_depth+cow_depth", 0.0)])]
    fig = trend_figure(rows)
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert all("_" not in label for label in labels), labels  # words, not code names
    assert "(% of the session's reps)" in labels[1] and "(seconds)" in labels[-1]
    assert "(degrees)" in labels[2] and "(no unit)" in labels[3]
    targets = [line for line in fig.axes[-1].get_lines() if line.get_marker() == "_"]
    assert sorted(v for line in targets for v in line.get_ydata()) == [2.0]  # cat-cow's 0 s is no target
