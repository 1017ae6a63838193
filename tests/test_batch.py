"""``coach batch``: many recordings, each report as ``coach analyze`` writes it; bad ones are error
rows; a second run skips what was analysed with the same inputs; the Dask engine gives the same
reports; two batches can't share a folder.

The recordings are the catalogue's shipped landmark traces (replayed: no inference) plus one corrupt
video and one missing file; a manifest gives each its exercise."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

from coach.batch.command import _dask_modules
from coach.errors import CoachError
from coach.run_folder import FolderLock
from e2e_runs import ROOT
from test_cli_errors import assert_clean_failure, coach

SAMPLES = ROOT / "samples"
TRACES = [("childs_pose", SAMPLES / "childs_pose" / "childs_mixed_01.landmarks.jsonl.gz"),
          ("high_plank", SAMPLES / "high_plank" / "hplank_good_01.landmarks.jsonl.gz"),
          ("locust", SAMPLES / "locust" / "locust_mixed_06.landmarks.jsonl.gz")]


def manifest(tmp_path: Path, extra: bool = True) -> Path:
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes((SAMPLES / "bridge_clean_01.mp4").read_bytes()[:4000])
    rows = [(str(p), ex) for ex, p in TRACES]
    if extra:
        rows += [(str(corrupt), "bridge"), (str(tmp_path / "gone.mp4"), "bridge")]
    path = tmp_path / "batch.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "exercise", "notes"])
        for p, ex in rows:
            w.writerow([p, ex, "from the test"])
    return path


def summary(out: Path) -> dict[str, dict]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        return {Path(r["path"]).name: r for r in csv.DictReader(fh)}


def labelled_reps(trace: Path) -> int:
    labels = trace.with_name(trace.name.replace(".landmarks.jsonl.gz", ".labels.json"))
    return len(json.loads(labels.read_text())["reps"])


def test_a_batch_analyses_each_recording_and_makes_bad_ones_error_rows(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = coach("batch", str(manifest(tmp_path)), "--out", str(out), "--workers", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = summary(out)
    assert len(rows) == 5
    for ex, trace in TRACES:
        row = rows[trace.name]
        assert row["status"] == "analysed" and row["exercise"] == ex and row["notes"] == "from the test"
        report = json.loads((out / row["report"]).read_text())
        assert report["exercise"]["id"] == ex and int(row["reps"]) == report["summary"]["reps"] == labelled_reps(trace)
        assert (out / row["report"]).with_name("report.html").exists()  # as coach analyze writes it
    assert rows["corrupt.mp4"]["status"] == "error" and "cannot read" in rows["corrupt.mp4"]["error"]
    assert rows["gone.mp4"]["status"] == "error" and "not found" in rows["gone.mp4"]["error"]
    page = (out / "summary.html").read_text()
    assert "5 of 5 recordings" in page and "3 analysed, 2 with errors" in page


def test_a_second_run_skips_what_was_analysed_and_goes_on_where_the_first_stopped(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = tmp_path / "first.csv"  # as if the first run was stopped after two recordings
    lines = manifest(tmp_path, extra=False).read_text().splitlines()
    first.write_text("\n".join(lines[:3]) + "\n")
    assert coach("batch", str(first), "--out", str(out), "--workers", "1", cwd=tmp_path).returncode == 0
    proc = coach("batch", str(tmp_path / "batch.csv"), "--out", str(out), "--workers", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    status = {name: r["status"] for name, r in summary(out).items()}
    assert status == {TRACES[0][1].name: "done_before", TRACES[1][1].name: "done_before",
                      TRACES[2][1].name: "analysed"}
    forced = coach("batch", str(tmp_path / "batch.csv"), "--out", str(out), "--force", cwd=tmp_path)
    assert forced.returncode == 0 and {r["status"] for r in summary(out).values()} == {"analysed"}


def test_the_dask_engine_on_a_local_cluster_writes_the_same_reports(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    local, dask = tmp_path / "local", tmp_path / "dask"
    m = manifest(tmp_path, extra=False)
    assert coach("batch", str(m), "--out", str(local), "--workers", "2", cwd=tmp_path).returncode == 0
    proc = coach("batch", str(m), "--out", str(dask), "--workers", "2", "--engine", "dask", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name, row in summary(local).items():
        a = json.loads((local / row["report"]).read_text())
        b = json.loads((dask / summary(dask)[name]["report"]).read_text())
        for report in (a, b):
            report.pop("times", None)
        assert a == b


def test_without_dask_the_dask_engine_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(CoachError, match=r"pip install 'coach\[cluster\]'"):
        _dask_modules()


def test_two_batches_cannot_share_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FolderLock(str(out)):
        proc = coach("batch", str(manifest(tmp_path, extra=False)), "--out", str(out), cwd=tmp_path)
    assert_clean_failure(proc, "in use by another coach run")


def test_a_recording_without_an_exercise_is_refused_before_any_work(tmp_path: Path) -> None:
    proc = coach("batch", str(TRACES[0][1]), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_clean_failure(proc, "no exercise", "--exercise")


def test_stride_is_a_batch_option_and_part_of_what_a_report_depends_on(tmp_path: Path) -> None:
    """``--stride auto`` reaches each recording's analysis (a held plank: fewer frames inferred); a
    report made with it is not taken for one made with every frame: the next run without it analyses again."""
    video, out = SAMPLES / "high_plank" / "hplank_good_01.mp4", tmp_path / "out"
    proc = coach("batch", str(video), "-e", "high_plank", "--out", str(out), "--stride", "auto", "--no-video",
                 "--workers", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    row = summary(out)[video.name]
    backend = json.loads((out / row["report"]).read_text())["backend"]
    frames = json.loads((out / row["report"]).read_text())["source"]["frames"]
    assert row["status"] == "analysed" and backend["stride"] == "auto" and backend["frames_inferred"] < 0.8 * frames
    again = coach("batch", str(video), "-e", "high_plank", "--out", str(out), "--no-video", "--workers", "1",
                  cwd=tmp_path)
    assert again.returncode == 0 and summary(out)[video.name]["status"] == "analysed"
    assert json.loads((out / row["report"]).read_text())["backend"]["stride"] == "off"
