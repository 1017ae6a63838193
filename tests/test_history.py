"""The session history: recording reports, reading them back, ``coach history`` (table and plot),
schema migration, damaged and foreign files, and ``coach analyze`` recording its session.

Reports come from the real pipeline on synthetic landmark traces (no MediaPipe): coach.analyze on a
trace written from scripted bridge and cat-cow movements."""

from __future__ import annotations

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
        assert got.holds == len(holds) and got.holds_met == sum(h["met_target"] for h in holds)
        assert got.mean_hold_s == pytest.approx(statistics.mean(h["duration_s"] for h in holds), abs=1e-3)
        assert got.hold_target_s == report["targets"]["hold_s"]
        assert got.faults == dict(Counter(f for rep in report["reps"] for f in rep["faults"]))
    bridge, catcow = back
    peaks = [rep["peak"]["hip_extension_deg"] for rep in sessions[0][0]["reps"]]
    assert bridge.rom_measure == "hip_extension_deg"
    assert bridge.rom_mean == pytest.approx(statistics.mean(peaks), abs=1e-3) and bridge.rom_best == max(peaks)
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
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
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
    monkeypatch.setitem(store.MIGRATIONS, 3, ("ALTER TABLE sessions ADD COLUMN mood TEXT", "NOT VALID SQL"))
    monkeypatch.setattr(store, "SCHEMA_VERSION", 3)
    with pytest.raises(CoachError, match="h.sqlite3"):
        open_history(db_path)
    assert db_path.read_bytes() == before  # still version 2, no half-added column, the row kept
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

def test_history_table_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture, coach_dirs: dict) -> None:
    for n, ex in enumerate(("bridge", "cat_cow", "bridge")):
        report, path = analysed(tmp_path / str(n), ex)
        assert record_session(report, str(path), "analyze") is not None  # the default database
    code, out, err = run(capsys, "history")
    assert code == 0 and err == []
    db_path = coach_dirs["data"] / "history.sqlite3"
    assert default_db_path() == db_path and out[0] == f"history: {db_path} (3 sessions)"
    header = out[1].split()
    assert header[:7] == ["#", "date", "exercise", "how", "reps", "good", "holds"]
    body = out[2:5]
    assert [line.split()[0] for line in body] == ["1", "2", "3"]  # oldest first, newest last
    assert [line.split()[3] for line in body] == ["bridge", "cat_cow", "bridge"]
    assert "hips_low x1" in body[0] and "bridge_synthetic.mp4" in body[0]
    assert any(line.startswith("ROM") and "hip_extension_deg" in line for line in out)
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
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"{ex}: {roms[ex][0]}"]
    labels = [ax.get_ylabel().splitlines()[0] for ax in axes[2:-1]]
    assert labels == ["hip_extension (deg)", "cat_depth+cow_depth (no unit)", "hip_angle_min (deg)"]

    # one exercise (``--exercise``): the single range-of-motion panel, as before
    single = trend_figure([r for r in rows if r.exercise_id == "bridge"]).axes
    assert len(single) == 4 and single[2].get_ylabel() == "range of motion\n(mean; ^ best rep)"


def test_history_exercise_filter(tmp_path: Path, capsys: pytest.CaptureFixture, coach_dirs: dict) -> None:
    db_path = tmp_path / "h.sqlite3"
    with open_history(db_path) as db:
        db.add(row(exercise_id="bridge", reps=7))
        db.add(row(exercise_id="cat_cow", reps=3, recorded_at="2025-03-02T09:00:00Z"))
        db.add(row(exercise_id="bridge", reps=9, recorded_at="2025-03-03T09:00:00Z"))
    code, out, _ = run(capsys, "history", "--db", str(db_path), "--exercise", "bridge")
    assert code == 0 and out[0].endswith("(2 sessions)")
    assert [line.split()[3] for line in out[2:4]] == ["bridge", "bridge"] and "cat_cow" not in "\n".join(out)
    assert [int(line.split()[5]) for line in out[2:4]] == [7, 9]
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
