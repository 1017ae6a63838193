"""One recording of a batch, in a worker process: analysed into its own folder exactly as
``coach analyze`` writes it, or skipped when an earlier run analysed the same inputs; always a
summary row back, an error row for a recording that can't be analysed (never an exception)."""

from __future__ import annotations

import json
import os
import resource
import time
from dataclasses import asdict, dataclass
from typing import Optional

from coach.batch.jobs import Job, job_key

MARKER = "batch.json"  # in each recording's folder: the inputs' key and the row, written last


@dataclass
class Row:
    name: str
    path: str
    exercise: str
    status: str  # analysed | done_before | error
    reps: Optional[int] = None
    good_reps: Optional[int] = None
    holds: Optional[int] = None
    holds_met: Optional[int] = None
    faults: str = ""  # "code x n; ..."
    tracking: Optional[float] = None  # share of frames with somebody found
    warnings: str = ""
    error: str = ""
    report: str = ""  # the report.json, relative to the batch folder
    seconds: Optional[float] = None  # analysis time
    worker_peak_mb: Optional[float] = None  # the worker process's peak memory so far
    worker_rss_mb: Optional[float] = None  # its memory in use once the recording was done
    worker: Optional[int] = None  # its process id (a worker serves many recordings)
    notes: str = ""


def limit_threads() -> None:
    """One MediaPipe per worker, and no worker's libraries spreading over every core: with N workers
    on N cores, threads inside each only fight the others."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ.setdefault(var, "1")
    from coach.heap import settle_for_long_session

    settle_for_long_session()  # a worker lives for many recordings: as a long live session (coach/heap.py)
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:  # pragma: no cover - cv2 comes with mediapipe
        pass


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)  # Linux: KiB


def _rss_mb() -> Optional[float]:
    try:
        with open("/proc/self/statm") as fh:
            return round(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except (OSError, ValueError, IndexError):  # not Linux
        return None


def _memory(row: Row) -> None:
    from coach.heap import trim

    trim()  # what the recording freed goes back to the system before the next one
    row.worker_peak_mb, row.worker_rss_mb, row.worker = _peak_mb(), _rss_mb(), os.getpid()


def _row_from_report(row: Row, report: dict) -> Row:
    from coach.report import fault_counts

    holds = report.get("holds", [])
    row.reps, row.good_reps = report["summary"]["reps"], report["summary"]["good_reps"]
    row.holds = len(holds)
    row.holds_met = sum(1 for h in holds if h.get("met_target"))
    row.faults = "; ".join(f"{code} x{n}" for code, n in sorted(fault_counts(report).items()))
    row.tracking = report.get("tracking", {}).get("fraction")
    row.warnings = ", ".join(report.get("warnings", []))
    return row


def run_job(job: Job, out_root: str, force: bool = False, write_video: bool = True) -> dict:
    """Analyse ``job`` into ``out_root/<job.name>``; its summary row (as a dict: it crosses processes)."""
    limit_threads()
    folder = os.path.join(out_root, job.name)
    what = job.exercise or f"routine {job.routine}"
    row = Row(job.name, job.path, what, "error", report=os.path.join(job.name, "report.json"), notes=job.notes)
    started = time.perf_counter()
    try:
        if not os.path.isfile(job.path):
            raise FileNotFoundError(f"not found: {job.path}")
        key = job_key(job)
        marker = os.path.join(folder, MARKER)
        if not force and os.path.exists(marker):
            try:
                with open(marker, encoding="utf-8") as fh:
                    done = json.load(fh)
                if done.get("key") == key and os.path.exists(os.path.join(folder, "report.json")):
                    return {**done["row"], "status": "done_before", "worker_peak_mb": _peak_mb(),
                            "worker_rss_mb": _rss_mb(), "worker": os.getpid()}
            except (OSError, ValueError, KeyError):
                pass  # an unreadable marker: analyse again
        _analyse(job, folder, write_video, row)
        row.status = "analysed"
        row.seconds = round(time.perf_counter() - started, 2)
        _memory(row)
        from coach.report import atomic_write_text

        atomic_write_text(marker, json.dumps({"key": key, "row": asdict(row)}, indent=1) + "\n")
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # noqa: BLE001 - a bad recording is an error row, never the end of the batch
        from coach.errors import CoachError

        row.status, row.report = "error", ""
        row.error = str(err) if isinstance(err, (CoachError, FileNotFoundError)) else f"{type(err).__name__}: {err}"
        row.seconds = round(time.perf_counter() - started, 2)
        _memory(row)
    return asdict(row)


def _analyse(job: Job, folder: str, write_video: bool, row: Row) -> None:
    from coach.analyze import analyze
    from coach.engine.definition import load_exercise

    if job.routine:
        from coach.recognize.run import recognise
        from coach.routine.definition import load_routine

        recognise(job.path, folder, load_routine(job.routine))
        with open(os.path.join(folder, "report.json"), encoding="utf-8") as fh:
            summary = json.load(fh)["summary"]
        row.reps = None
        row.warnings = f"routine: {summary['completed']} of {summary['steps']} steps found"
        return
    from calibration.profile import personalised

    exercise = personalised(load_exercise(job.exercise or ""), job.profile)
    os.makedirs(folder, exist_ok=True)
    result = analyze(job.path, exercise, folder, write_video=write_video, progress=False, stride=job.stride)
    _row_from_report(row, result.report)
