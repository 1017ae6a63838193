"""Real analyses of the sample videos, shared by the whole test session.

Each sample video is analysed once per session, by the console entry point in a subprocess
(``python -m coach analyze``), all samples at the same time in the background as soon as tests that need them
are collected. One sample (the shortest) is analysed with the annotated video; the others with
``--no-video``. The landmark traces they write are then replayed
(``coach analyze landmarks.jsonl``), which costs no inference.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "samples"
TIMEOUT_S = 900


def _labels(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def sample_names() -> list[str]:
    return sorted(p.name[: -len(".labels.json")] for p in SAMPLES_DIR.glob("*.labels.json")
                  if (SAMPLES_DIR / _labels(p)["video"]).exists())


def sample_labels(name: str) -> dict:
    return _labels(SAMPLES_DIR / f"{name}.labels.json")


def sample_video(name: str) -> Path:
    return SAMPLES_DIR / sample_labels(name)["video"]


SAMPLES = sample_names()


def video_sample() -> Optional[str]:
    """The sample analysed with the annotated video: the shortest one."""
    if not SAMPLES:
        return None
    return min(SAMPLES, key=lambda n: (sample_labels(n)["frames"], n))


def coach_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "coach", *args]


@dataclass
class Run:
    name: str
    args: list[str]
    out_dir: Path
    returncode: int
    stdout: str
    stderr: str
    with_video: bool

    @property
    def report_path(self) -> Path:
        return self.out_dir / "report.json"

    @property
    def report(self) -> dict:
        return json.loads(self.report_path.read_text(encoding="utf-8"))

    @property
    def trace_path(self) -> Path:
        return self.out_dir / "landmarks.jsonl"

    @property
    def history_db(self) -> Path:
        return history_db_of(self.out_dir)

    @property
    def video_path(self) -> Path:
        return self.out_dir / "annotated.mp4"

    def describe(self) -> str:
        return (f"`{' '.join(self.args)}` exited {self.returncode}\n--- stdout\n{self.stdout}\n"
                f"--- stderr\n{self.stderr[-4000:]}")


class _Job:
    def __init__(self, name: str, args: list[str], out_dir: Path, with_video: bool) -> None:
        self.name, self.args, self.out_dir, self.with_video = name, args, out_dir, with_video
        out_dir.mkdir(parents=True, exist_ok=True)
        self._out = open(out_dir.parent / f"{out_dir.name}.stdout", "w+", encoding="utf-8")
        self._err = open(out_dir.parent / f"{out_dir.name}.stderr", "w+", encoding="utf-8")
        self.proc = subprocess.Popen(args, cwd=str(ROOT), stdout=self._out, stderr=self._err,
                                     stdin=subprocess.DEVNULL)
        self._run: Optional[Run] = None

    def wait(self) -> Run:
        if self._run is None:
            try:
                rc = self.proc.wait(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
            texts = []
            for f in (self._out, self._err):
                f.seek(0)
                texts.append(f.read())
                f.close()
            out, err = texts
            self._run = Run(self.name, self.args, self.out_dir, rc, out, err, self.with_video)
        return self._run

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def history_db_of(out_dir: Path) -> Path:
    """Each run records into a history of its own: the runs go on side by side, and a report page
    (which compares with the previous session) must not depend on which of them finished first."""
    return out_dir.parent / f"{out_dir.name}.history.db"


class SampleRuns:
    """Starts the analyses once; ``analysis(name)`` and ``replay(name)`` wait for theirs."""

    def __init__(self) -> None:
        self.root: Optional[Path] = None
        self.video_name = video_sample()
        self._analyses: dict[str, _Job] = {}
        self._fallbacks: dict[str, Run] = {}
        self._replays: dict[str, _Job] = {}

    def start(self) -> None:
        if self.root is not None:
            return
        self.root = Path(tempfile.mkdtemp(prefix="coach-e2e-"))
        for name in SAMPLES:
            self._analyses[name] = self._analyze(name, with_video=name == self.video_name)

    def _analyze(self, name: str, with_video: bool, tag: str = "") -> _Job:
        assert self.root is not None
        out = self.root / f"{name}{tag}"
        args = coach_cmd("analyze", str(sample_video(name)), "--exercise", sample_labels(name)["exercise"],
                         "--out", str(out), "--quiet", "--history-db", str(history_db_of(out)))
        if not with_video:
            args.append("--no-video")
        return _Job(name, args, out, with_video)

    def video_run(self) -> Optional[Run]:
        """The run made with the annotated video (None when no sample video is shipped)."""
        if self.video_name is None:
            return None
        self.start()
        return self._analyses[self.video_name].wait()

    def analysis(self, name: str) -> Run:
        """The report of ``name``. Should the annotated-video run fail, the other tests still get a
        report from a --no-video run (the annotated-video test reports the failure)."""
        self.start()
        run = self._analyses[name].wait()
        if run.returncode != 0 and run.with_video:
            if name not in self._fallbacks:
                self._fallbacks[name] = self._analyze(name, with_video=False, tag="-novideo").wait()
            return self._fallbacks[name]
        return run

    def replay(self, name: str) -> Run:
        """``coach analyze`` on the trace the analysis of ``name`` wrote (all samples replayed together)."""
        self.start()
        if not self._replays:
            assert self.root is not None
            for other in SAMPLES:
                first = self.analysis(other)
                if first.returncode != 0 or not first.trace_path.exists():
                    continue
                out = self.root / f"{other}-replay"
                args = coach_cmd("analyze", str(first.trace_path), "--exercise",
                                 sample_labels(other)["exercise"], "--out", str(out), "--quiet",
                                 "--history-db", str(history_db_of(out)))
                self._replays[other] = _Job(other, args, out, False)
        if name not in self._replays:
            raise AssertionError(f"{name}: the analysis failed, nothing to replay:\n{self.analysis(name).describe()}")
        return self._replays[name].wait()

    def close(self) -> None:
        for job in list(self._analyses.values()) + list(self._replays.values()):
            job.stop()
        if self.root is not None and not os.environ.get("COACH_KEEP_E2E"):
            shutil.rmtree(self.root, ignore_errors=True)


RUNS = SampleRuns()
