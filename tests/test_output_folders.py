"""Where a run writes (issue 13): an output location that cannot be used is one line and exit 2
before any inference; a run holds its folder, so a second run into it is refused; a disk that fills
mid-run loses nothing already analysed (a file-size limit stands in for the full disk: it needs no
root and fails writes the same way, with EFBIG)."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from coach.errors import CoachError
from coach.run_folder import LOCK, FolderLock
from coach.trace import TraceSource
from e2e_runs import SAMPLES_DIR
from test_cli_errors import assert_clean_failure, coach

SAMPLE = str(SAMPLES_DIR / "bridge_clean_01.mp4")


def test_a_second_run_into_a_held_folder_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with FolderLock(str(tmp_path / "run")):
        proc = coach("analyze", SAMPLE, "-e", "bridge", "--out", str(tmp_path / "run"), "--force", cwd=tmp_path)
        line = assert_clean_failure(proc, "in use by another coach run", f"process {os.getpid()}")
        assert proc.returncode == 2
    assert not (tmp_path / "run" / LOCK).exists()  # released: the folder is free again
    with FolderLock(str(tmp_path / "run")):
        pass


@pytest.mark.parametrize("make_bad, words", [
    (lambda d: (d / "file").write_text("x") and d / "file", "a file is in the way"),
    (lambda d: (d / "file").write_text("x") and d / "file" / "inside", "a file is in the way"),
])
def test_an_output_folder_that_cannot_be_one_is_refused_before_any_work(tmp_path: Path, make_bad, words) -> None:
    out = make_bad(tmp_path)
    for args in (["analyze", SAMPLE, "-e", "bridge"], ["analyze", str(tmp_path / "t.jsonl"), "-e", "bridge"]):
        if args[1].endswith(".jsonl"):
            (tmp_path / "t.jsonl").write_text("{}\n")
        proc = coach(*args, "--out", str(out), cwd=tmp_path)
        assert_clean_failure(proc)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    proc = coach("analyze", SAMPLE, "-e", "bridge", "--out", str(out), cwd=tmp_path)
    assert_clean_failure(proc, "permission denied")


def test_a_read_only_folder_lock_says_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root can write anywhere, the read-only case is also checked by making the open fail."""
    real_open = open

    def refuse(path, *a, **k):  # type: ignore[no-untyped-def]
        if str(path).endswith(LOCK):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(CoachError, match="permission denied"):
        FolderLock(str(tmp_path / "ro")).__enter__()


def _limit_file_size(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_disk_that_fills_mid_run_loses_nothing_already_analysed(tmp_path: Path) -> None:
    """The trace stops growing part-way (the limit); the run stops there, writes the report of what
    it analysed, says so in one line (exit 2), leaves the trace replayable and no *.tmp behind."""
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "coach", "analyze", SAMPLE, "-e", "bridge", "--out", str(out),
                           "--no-video", "-q"], capture_output=True, text=True, timeout=600,
                          preexec_fn=_limit_file_size(200_000), cwd=str(tmp_path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "the disk is full" in proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert "disk_full" in report["warnings"]
    frames = list(TraceSource(str(out / "landmarks.jsonl")))  # replayable: every whole line
    assert 0 < len(frames) <= report["source"]["frames"] < 610
    assert not list(out.rglob("*.tmp")) and not (out / LOCK).exists()


def test_report_and_calibrate_refuse_a_folder_in_use(tmp_path: Path) -> None:
    """coach report rewrites a run's pages: not while a run still writes there; calibrate --out alike."""
    run = tmp_path / "run"
    with FolderLock(str(run)):
        (run / "report.json").write_text("{}")
        proc = coach("report", str(run), cwd=tmp_path)
        assert_clean_failure(proc, "in use by another coach run")
        proc = coach("calibrate", "camera", "--camera", SAMPLE, "--headless", "--out", str(run / "cam"),
                     cwd=tmp_path)
        assert proc.returncode == 0 or "Traceback" not in proc.stderr  # its own folder: free
    cam = tmp_path / "cam"
    with FolderLock(str(cam)):
        proc = coach("calibrate", "camera", "--camera", SAMPLE, "--headless", "--out", str(cam), cwd=tmp_path)
        assert_clean_failure(proc, "in use by another coach run")
