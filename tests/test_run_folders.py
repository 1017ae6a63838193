"""Nothing is overwritten: each run gets a folder of its own unless the user names one, and a named
folder that already holds a report is refused without --force (history rows must keep pointing at
their own session's report)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from coach.cli import main
from coach.errors import CoachError
from coach.history.store import open_history
from coach.run_folder import default_name, named_folder, pick_folder, release
from synth import bridge_profile, lying_frame, write_trace
from test_cli_errors import assert_clean_failure, coach


def bridge_trace(path: Path, reps: int) -> Path:
    prof, _ = bridge_profile(135.0, [(180.0, 2.0)] * reps)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_trace(str(path), prof, lying_frame, "bridge.mp4")
    return path


def report_at(folder: Path) -> dict:
    return json.loads((folder / "report.json").read_text(encoding="utf-8"))


# -- picking and checking folders -------------------------------------------------------------------------------

def test_default_names() -> None:
    assert default_name("clips/bridge_mixed_05.mp4") == "bridge_mixed_05"
    assert default_name("runs/demo/landmarks.jsonl") == "demo-replay"  # every trace has the same file name
    assert default_name("elsewhere/monday.jsonl") == "monday"
    assert default_name("samples/locust/lc_good_01.landmarks.jsonl.gz") == "lc_good_01-replay"  # a shipped trace


def test_a_taken_folder_is_never_picked(tmp_path: Path) -> None:
    base = tmp_path / "runs" / "clip"
    first = pick_folder(str(base))
    assert (first.path, first.taken) == (str(base), None) and base.is_dir()
    (base / "report.json").write_text("{}")
    second = pick_folder(str(base))
    assert (second.path, second.taken) == (f"{base}-2", str(base))
    (Path(second.path) / "landmarks.jsonl").write_text("")  # a run that got as far as its trace: taken too
    assert pick_folder(str(base)).path == f"{base}-3"
    # an empty folder may be another run's, created a moment ago: taken as well
    assert pick_folder(str(base)).path == f"{base}-4"


def test_runs_started_together_get_folders_of_their_own(tmp_path: Path) -> None:
    base, picked, lock = str(tmp_path / "runs" / "clip"), [], threading.Lock()

    def run() -> None:
        folder = pick_folder(base)
        (Path(folder.path) / "report.json").write_text("{}")  # each run writes at once
        with lock:
            picked.append(folder.path)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(picked)) == 8


def test_a_named_folder_holding_a_report_needs_force(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    assert named_folder(str(folder), force=False).path == str(folder)  # new: fine (created by the run)
    folder.mkdir()
    (folder / "landmarks.jsonl").write_text("")
    named_folder(str(folder), force=False)  # a folder without a report: fine
    (folder / "report.json").write_text("{}")
    with pytest.raises(CoachError, match="already holds a report.*--force"):
        named_folder(str(folder), force=False)
    assert named_folder(str(folder), force=True).path == str(folder)
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(CoachError, match="is a file"):
        named_folder(str(tmp_path / "a_file"), force=True)


def test_release_removes_only_an_empty_folder_the_coach_picked(tmp_path: Path) -> None:
    picked = pick_folder(str(tmp_path / "a"))
    release(picked)
    assert not (tmp_path / "a").exists()
    kept = pick_folder(str(tmp_path / "b"))
    (Path(kept.path) / "report.json").write_text("{}")
    release(kept)
    assert (tmp_path / "b" / "report.json").exists()
    (tmp_path / "named").mkdir()
    release(named_folder(str(tmp_path / "named"), force=False))
    assert (tmp_path / "named").is_dir()  # the user's folder, even empty, stays


# -- coach analyze ----------------------------------------------------------------------------------------------

def test_analysing_twice_keeps_both_runs_and_their_history_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    first, second = bridge_trace(tmp_path / "a" / "monday.jsonl", 2), bridge_trace(tmp_path / "b" / "monday.jsonl", 3)
    db = str(tmp_path / "h.sqlite3")
    assert main(["analyze", str(first), "-e", "bridge", "-q", "--history-db", db]) == 0
    out = capsys.readouterr().out
    assert main(["analyze", str(second), "-e", "bridge", "-q", "--history-db", db]) == 0
    out2 = capsys.readouterr().out.splitlines()
    runs = tmp_path / "runs"
    assert "wrote runs/monday/report.json" in out and report_at(runs / "monday")["summary"]["reps"] == 2  # untouched
    assert out2[0] == "writing into runs/monday-2 (runs/monday holds an earlier run)"
    assert out2[-1].startswith("wrote runs/monday-2/report.json")
    assert report_at(runs / "monday-2")["summary"]["reps"] == 3
    with open_history(db) as h:
        rows = h.sessions()
    assert [(r.reps, report_at(Path(r.report_path).parent)["summary"]["reps"]) for r in rows] == [(2, 2), (3, 3)]


def test_trace_replays_the_readme_way_each_get_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    trace = bridge_trace(tmp_path / "runs" / "demo" / "landmarks.jsonl", 2)
    for _ in range(3):
        assert main(["analyze", "runs/demo/landmarks.jsonl", "-e", "bridge", "-q",
                     "--history-db", str(tmp_path / "h.sqlite3")]) == 0
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["demo", "demo-replay", "demo-replay-2",
                                                                       "demo-replay-3"]
    assert trace.read_text(encoding="utf-8").count("\n") > 10 and not (trace.parent / "report.json").exists()


def test_a_named_out_with_a_report_is_refused_without_force(tmp_path: Path) -> None:
    trace = bridge_trace(tmp_path / "landmarks.jsonl", 2)
    out = tmp_path / "out"
    assert coach("analyze", str(trace), "-e", "bridge", "--out", str(out), "-q", cwd=tmp_path).returncode == 0
    before = (out / "report.json").read_bytes()
    proc = coach("analyze", str(trace), "-e", "bridge", "--hold", "5", "--out", str(out), "-q", cwd=tmp_path)
    assert_clean_failure(proc, str(out), "already holds a report", "--force")
    assert proc.returncode == 2 and (out / "report.json").read_bytes() == before
    proc = coach("analyze", str(trace), "-e", "bridge", "--hold", "5", "--out", str(out), "-q", "--force",
                 cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert report_at(out)["targets"]["hold_s"] == 5.0


def test_a_run_that_writes_nothing_leaves_no_folder(tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("shopping list\n" * 50, encoding="utf-8")
    assert_clean_failure(coach("analyze", str(fake), "-e", "bridge", "-q", cwd=tmp_path), "notes.mp4")
    assert not (tmp_path / "runs" / "notes").exists()


# -- coach live and coach calibrate camera ----------------------------------------------------------------------

def test_live_refuses_a_named_out_with_a_report_before_starting(tmp_path: Path) -> None:
    out = tmp_path / "session"
    out.mkdir()
    (out / "report.json").write_text('{"kept": true}')
    proc = coach("live", "--camera", str(tmp_path / "nope.mp4"), "-e", "bridge", "--headless", "--out", str(out),
                 cwd=tmp_path)
    assert_clean_failure(proc, "already holds a report", "--force")  # said before the camera is tried
    assert json.loads((out / "report.json").read_text()) == {"kept": True}


def test_live_leaves_no_folder_when_the_session_never_started(tmp_path: Path) -> None:
    proc = coach("live", "--camera", str(tmp_path / "nope.mp4"), "-e", "bridge", "--headless", cwd=tmp_path)
    assert_clean_failure(proc, "nope.mp4")
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_calibrate_camera_refuses_to_replace_an_earlier_result_without_force(tmp_path: Path) -> None:
    out = tmp_path / "cam"
    out.mkdir()
    (out / "calibration.json").write_text('{"kept": true}')
    proc = coach("calibrate", "camera", "--camera", str(tmp_path / "nope.mp4"), "--headless", "--out", str(out),
                 cwd=tmp_path)
    assert_clean_failure(proc, "calibration.json", "--force")
    assert json.loads((out / "calibration.json").read_text()) == {"kept": True}
    proc = coach("calibrate", "camera", "--camera", str(tmp_path / "nope.mp4"), "--headless", "--out", str(out),
                 "--force", cwd=tmp_path)
    assert_clean_failure(proc, "nope.mp4")  # past the folder check: on to the (missing) camera
