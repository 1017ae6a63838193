"""Speed and memory of ``coach analyze`` against the bare MediaPipe loop, on the same frames, in one run.

Usage::

    /work/venv/bin/python bench/speed.py [VIDEO] [--exercise ID] [--repeat N] [--frames N]
                                          [--no-tracemalloc] [--no-probe]

Method
------
Three variants decode the same file (with ``--frames N`` a stream-copied clip of its first N frames,
so every variant decodes identical frames at the real decode cost):

- ``baseline``: the bare loop (bench/bare_pose.py, the baseline bench/latency.py uses too),
  ``cv2.VideoCapture.read()`` -> BGR->RGB -> ``mp.solutions.pose.Pose`` (model_complexity=1,
  video/tracking mode) ``process()`` on every frame, nothing else (``perf_counter`` calls split its
  time into decode and inference).
- ``analysis``: ``coach.analyze.analyze(..., write_video=False, progress=False)``.
- ``analysis+video``: the same with the annotated video (overlay + H.264 encode through ffmpeg).

Each run is a fresh subprocess of this script (hidden ``--_child`` flag), so its peak resident set
(``ru_maxrss``) belongs to that variant alone; the encoder's own peak (``RUSAGE_CHILDREN``, the
ffmpeg process) is reported beside it, and so is CPU time (``ru_utime + ru_stime``: all of
MediaPipe's threads, and the encoder's, which competes with inference for the cores). Imports
happen before the clock starts; the timed part includes building the pose graph in every variant,
so fps = frames / wall seconds of the whole call.

The machine is shared and noisy, so the variants are interleaved in ABBA order (B N V, V N B, ...)
``--repeat`` times and the best run of each is reported (noise only ever slows a run down); the
median and the median of the per-round ratios are shown too. Per-stage times come from
``AnalysisResult.times`` (best per stage over the rounds). ``tracemalloc`` slows Python code, so the
Python-allocation peak is measured in one extra, untimed run per variant.

The stages of ``analyze``: ``trace`` rounds the landmarks to the trace's precision and writes them,
``engine`` is the checker alone. Two figures are printed beside their targets: analysis without video
>= 0.95x baseline fps, and trace + engine + overlay (``trc+eng+ovl``: all the per-frame work between
inference and encoding; "engine + overlay" before the trace had a stage of its own) < 2 ms per frame.
One more untimed analysis+video run wraps ``checker.update``, the trace write and each overlay
annotator with timers (``PROBES``) to say where those stages go; timing them in place matters, as
replaying the same landmarks alone runs several times faster (warm caches, no MediaPipe threads
competing for the 2 cores).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench.bare_pose
DEFAULT_VIDEO = ROOT / "samples" / "bridge_clean_01.mp4"

BASELINE, ANALYSIS, VIDEO = "baseline", "analysis", "analysis+video"
VARIANTS = (BASELINE, ANALYSIS, VIDEO)
LABELS = {BASELINE: "baseline (cv2 + mp pose)", ANALYSIS: "analysis, no video", VIDEO: "analysis + video"}
STAGES = ("decode", "inference", "trace", "engine", "overlay", "encode")
WORK_STAGES = ("trace", "engine", "overlay")  # the per-frame work the target is about

TARGET_RATIO = 0.95  # analysis without video, fps relative to the baseline
TARGET_WORK_MS = 2.0  # trace + engine + overlay, per frame

MB = 1024.0 * 1024.0


@dataclass
class Run:
    """What one child process measured (seconds and bytes; ``error`` set when the variant failed)."""

    variant: str
    frames: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # total seconds per stage
    split: dict[str, float] = field(default_factory=dict)  # probe run: seconds per frame by method
    rss_imports: int = 0  # peak RSS once everything is imported, before the work
    rss_peak: int = 0
    rss_children: int = 0  # the encoder process (ffmpeg), when there is one
    cpu: float = 0.0  # CPU seconds (user + system, all threads) of the timed part
    cpu_children: float = 0.0  # CPU seconds of the encoder process
    py_peak: Optional[int] = None  # tracemalloc peak, only in memory runs
    error: Optional[str] = None

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def ms(self, stage: str) -> Optional[float]:
        if stage not in self.stages or not self.frames:
            return None
        return 1000.0 * self.stages[stage] / self.frames


# -- the variants (run inside the child) ---------------------------------------------------------

def run_baseline(video: str, exercise_id: str, out_dir: str) -> tuple[int, dict[str, float]]:
    """The bare MediaPipe loop; returns (frames, seconds per stage). (Same signature as the others;
    ``exercise_id`` and ``out_dir`` are unused.)"""
    from bench.bare_pose import bare_pose_loop

    run = bare_pose_loop(video)
    return len(run.inference), {"decode": run.decode, "inference": sum(run.inference)}


def run_analysis(video: str, exercise_id: str, out_dir: str, write_video: bool = False) -> tuple[int, dict[str, float]]:
    """``coach.analyze.analyze`` on the video; returns (frames, seconds per stage)."""
    from coach.analyze import analyze
    from coach.engine.definition import load_exercise

    result = analyze(video, load_exercise(exercise_id), out_dir, write_video=write_video, progress=False)
    return int(result.report["source"]["frames"]), dict(result.times.seconds)


def run_analysis_video(video: str, exercise_id: str, out_dir: str) -> tuple[int, dict[str, float]]:
    return run_analysis(video, exercise_id, out_dir, write_video=True)


RUNNERS: dict[str, Callable[[str, str, str], tuple[int, dict[str, float]]]] = {
    BASELINE: run_baseline, ANALYSIS: run_analysis, VIDEO: run_analysis_video}


def warm_imports(variant: str) -> None:
    """Import what the variant needs before the clock starts (the baseline imports no coach code)."""
    import cv2  # noqa: F401
    import mediapipe  # noqa: F401

    import bench.bare_pose  # noqa: F401

    if variant != BASELINE:
        import coach.analyze  # noqa: F401
        import coach.engine.definition  # noqa: F401
        import coach.pose.mediapipe_backend  # noqa: F401
    if variant == VIDEO:
        import imageio_ffmpeg  # noqa: F401

        import coach.overlay  # noqa: F401
        import coach.video_out  # noqa: F401


# Methods timed in the probe run, as (module, class, method, label).
PROBES: tuple[tuple[str, str, str, str], ...] = (
    ("coach.engine.checker", "ExerciseChecker", "update", "checker.update"),
    ("coach.trace", "TraceWriter", "write", "trace write"),
    ("coach.overlay.body", "SkeletonAnnotator", "annotate", "skeleton"),
    ("coach.overlay.body", "AngleAnnotator", "annotate", "angle"),
    ("coach.overlay.panel", "PanelAnnotator", "annotate", "panel"),
    ("coach.overlay.panel", "StatusAnnotator", "annotate", "status"),
    ("coach.overlay.panel", "CueAnnotator", "annotate", "cue"),
)


def _timed(method: Callable, label: str, totals: dict[str, float]) -> Callable:
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.perf_counter() - t0

    return wrapper


def install_probes() -> dict[str, float]:
    """Wrap the ``PROBES`` methods (in this child process only) with timers; returns their running totals.
    Modules and classes that don't exist (yet) are skipped."""
    totals: dict[str, float] = {}
    for module_name, class_name, method, label in PROBES:
        try:
            cls = getattr(importlib.import_module(module_name), class_name, None)
        except ImportError:
            continue
        if cls is not None and hasattr(cls, method):
            setattr(cls, method, _timed(getattr(cls, method), label, totals))
    return totals


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def maxrss(who: int) -> int:
    """Peak resident set in bytes (Linux reports kilobytes)."""
    return resource.getrusage(who).ru_maxrss * 1024


def child(variant: str, video: str, exercise_id: str, result_path: str, trace_memory: bool, probe: bool) -> int:
    """One measured run of one variant; writes a ``Run`` as JSON to ``result_path``."""
    run = Run(variant)
    try:
        warm_imports(variant)
        probes = install_probes() if probe else {}
        run.rss_imports = maxrss(resource.RUSAGE_SELF)
        with tempfile.TemporaryDirectory(prefix="coach-speed-") as out_dir:
            if trace_memory:
                tracemalloc.start()
            # Imports may have run (and waited for) helper processes: count only what the work starts.
            children_cpu0, children_rss0 = cpu_seconds(resource.RUSAGE_CHILDREN), maxrss(resource.RUSAGE_CHILDREN)
            cpu0, t0 = cpu_seconds(resource.RUSAGE_SELF), time.perf_counter()
            run.frames, run.stages = RUNNERS[variant](video, exercise_id, out_dir)
            run.seconds = time.perf_counter() - t0
            run.cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu0
            run.cpu_children = cpu_seconds(resource.RUSAGE_CHILDREN) - children_cpu0
            if trace_memory:
                run.py_peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            run.rss_peak = maxrss(resource.RUSAGE_SELF)
            children_rss = maxrss(resource.RUSAGE_CHILDREN)
            run.rss_children = children_rss if children_rss > children_rss0 else 0
            run.split = {label: seconds / max(run.frames, 1) for label, seconds in probes.items()}
    except Exception as err:  # reported in the table, never fatal to the bench
        run.error = f"{type(err).__name__}: {err}"
    Path(result_path).write_text(json.dumps(asdict(run)))
    return 0


# -- the parent: schedule, spawn, summarise -------------------------------------------------------

def spawn(variant: str, video: Path, exercise_id: str, trace_memory: bool = False, probe: bool = False) -> Run:
    """Run one variant in a fresh interpreter and read back its ``Run``."""
    with tempfile.NamedTemporaryFile(prefix="coach-speed-", suffix=".json", delete=False) as f:
        result_path = f.name
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), str(video), "--exercise", exercise_id,
               "--_child", variant, "--_result", result_path]
        cmd += (["--_tracemalloc"] if trace_memory else []) + (["--_probe"] if probe else [])
        env = dict(os.environ, GLOG_minloglevel="2", TF_CPP_MIN_LOG_LEVEL="3")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT))
        text = Path(result_path).read_text() if os.path.getsize(result_path) else ""
        if proc.returncode != 0 or not text:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return Run(variant, error=f"child exited {proc.returncode}: {last}")
        return Run(**json.loads(text))
    finally:
        os.unlink(result_path)


def abba_order(rounds: int) -> list[str]:
    """B N V, V N B, B N V, ...: a linear drift in machine load hits every variant alike."""
    order: list[str] = []
    for r in range(rounds):
        order += list(VARIANTS if r % 2 == 0 else reversed(VARIANTS))
    return order


def video_info(video: Path) -> tuple[int, int, int, float]:
    """(frames, width, height, fps) as the container states them."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    try:
        return (int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), float(cap.get(cv2.CAP_PROP_FPS)))
    finally:
        cap.release()


def trim_clip(video: Path, frames: int, out_dir: Path) -> Path:
    """The first ``frames`` frames of ``video``, stream-copied (no re-encode: decode cost unchanged)."""
    import imageio_ffmpeg

    out = out_dir / f"{video.stem}.first{frames}{video.suffix}"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", str(video), "-map", "0:v:0",
                    "-c", "copy", "-frames:v", str(frames), str(out)], check=True)
    return out


def ok_runs(runs: Sequence[Run]) -> list[Run]:
    return [r for r in runs if r.error is None and r.frames > 0 and r.seconds > 0]


def best(runs: Sequence[Run]) -> Optional[Run]:
    good = ok_runs(runs)
    return max(good, key=lambda r: r.fps) if good else None


def paired_ratios(runs: dict[str, list[Run]], variant: str) -> list[float]:
    """fps of ``variant`` over the baseline's, round by round."""
    pairs = zip(runs[variant], runs[BASELINE])
    return [v.fps / b.fps for v, b in pairs if v.error is None and b.error is None and b.fps > 0 and v.fps > 0]


def best_stage_ms(runs: Sequence[Run], stage: str) -> Optional[float]:
    values = [r.ms(stage) for r in ok_runs(runs)]
    values = [v for v in values if v is not None]
    return min(values) if values else None


def best_work_ms(runs: Sequence[Run]) -> Optional[float]:
    """Best trace + engine + overlay per frame over the runs (summed within a run)."""
    values = [sum(r.ms(s) or 0.0 for s in WORK_STAGES) for r in ok_runs(runs) if "engine" in r.stages]
    return min(values) if values else None


def fmt(value: Optional[float], spec: str = ".1f", width: int = 8) -> str:
    return f"{'-' if value is None else format(value, spec):>{width}}"


def mb(value: Optional[int]) -> Optional[float]:
    return None if not value else value / MB


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


@dataclass
class Results:
    runs: dict[str, list[Run]]  # the timed runs of each variant, in the order they ran
    memory: dict[str, Run]  # one tracemalloc run per variant
    probe: Optional[Run]  # one analysis+video run with the PROBES timers installed


def print_throughput(results: Results) -> None:
    runs = results.runs
    base = best(runs[BASELINE])
    print(f"{'variant':<26}{'fps best':>9}{'fps med':>9}{'x base':>8}{'paired':>8}  {'target':<17}"
          f"{'RSS imp':>8}{'RSS peak':>9}{'py peak':>8}{'ffmpeg':>8}")
    for variant in VARIANTS:
        top, good = best(runs[variant]), ok_runs(runs[variant])
        if top is None:
            errors = [r.error for r in runs[variant] if r.error]
            print(f"{LABELS[variant]:<26}  failed: {errors[0] if errors else 'no frames'}")
            continue
        ratio = top.fps / base.fps if base else None
        paired = paired_ratios(runs, variant)
        target = ""
        if variant == ANALYSIS and ratio is not None:
            target = f">= {TARGET_RATIO:.2f}x {verdict(ratio >= TARGET_RATIO)}"
        memory = results.memory.get(variant)
        rss_children = max(r.rss_children for r in good) if variant == VIDEO else 0
        print(f"{LABELS[variant]:<26}{fmt(top.fps, '.1f', 9)}{fmt(statistics.median(r.fps for r in good), '.1f', 9)}"
              f"{fmt(ratio, '.3f')}{fmt(statistics.median(paired) if paired else None, '.3f')}  {target:<17}"
              f"{fmt(mb(min(r.rss_imports for r in good)), '.0f')}{fmt(mb(max(r.rss_peak for r in good)), '.0f', 9)}"
              f"{fmt(mb(memory.py_peak) if memory else None, '.1f')}{fmt(mb(rss_children), '.0f')}")


def print_stages(results: Results) -> None:
    work = "trc+eng+ovl"
    print(f"{'ms per frame (best)':<26}" + "".join(f"{c:>10}" for c in STAGES) + f"{work:>12}"
          + "".join(f"{c:>10}" for c in ("other", "total")) + "  target")
    for variant in VARIANTS:
        good = ok_runs(results.runs[variant])
        top = best(good)
        if top is None:
            continue
        stage_ms = [best_stage_ms(good, s) for s in STAGES]
        total = 1000.0 / top.fps
        other = total - sum((top.ms(s) or 0.0) for s in STAGES)
        work = best_work_ms(good)
        target = ""
        if variant == VIDEO and work is not None:
            target = f"< {TARGET_WORK_MS:g} {verdict(work < TARGET_WORK_MS)}"
        print(f"{LABELS[variant]:<26}" + "".join(fmt(v, ".2f", 10) for v in stage_ms) + fmt(work, ".2f", 12)
              + "".join(fmt(v, ".2f", 10) for v in (other, total)) + f"  {target}")


def outside_inference_ms(run: Run) -> float:
    """Wall time per frame not spent in inference: what the pipeline adds around the model."""
    return 1000.0 / run.fps - (run.ms("inference") or 0.0)


def print_overhead(results: Results) -> None:
    """The no-video ratio predicted from the time added outside inference: the inference time (the
    noisiest part on a shared machine) cancels out, so this is steadier than the fps ratio."""
    base, analysis = best(results.runs[BASELINE]), best(results.runs[ANALYSIS])
    if base is None or analysis is None:
        return
    added = outside_inference_ms(analysis) - outside_inference_ms(base)
    base_ms = 1000.0 / base.fps
    expected = base_ms / (base_ms + added)
    print(f"{'added outside inference':<26}  {added:.2f} ms/frame (analysis, no video) -> ratio {expected:.3f} at the "
          f"baseline's speed ({verdict(expected >= TARGET_RATIO)} vs {TARGET_RATIO:.2f})")


def print_cpu(results: Results) -> None:
    """CPU time per frame of the best run of each variant: the encoder competes with inference for the cores."""
    parts = []
    for variant in VARIANTS:
        top = best(results.runs[variant])
        if top is not None:
            extra = f" + ffmpeg {1000.0 * top.cpu_children / top.frames:.1f}" if top.cpu_children else ""
            parts.append(f"{variant} {1000.0 * top.cpu / top.frames:.1f}{extra}")
    if parts:
        print(f"{'CPU ms per frame':<26}  " + ", ".join(parts) + f"  ({os.cpu_count()} cpus)")


def spread(runs: Sequence[Run]) -> Optional[float]:
    """Relative spread of fps across runs of one variant (max / min - 1)."""
    fps = [r.fps for r in ok_runs(runs)]
    return max(fps) / min(fps) - 1.0 if len(fps) > 1 else None


def print_probe(probe: Optional[Run]) -> None:
    """The trace, engine and overlay stages split by method, from the probe run (ms per frame)."""
    if probe is None:
        return
    if probe.error or not probe.split:
        print(f"{'probe run':<26}  {probe.error or 'no probed method ran'}")
        return
    engine = [k for k in ("trace write", "checker.update") if k in probe.split]
    overlay = [k for k in probe.split if k not in engine]
    for title, keys in (("trace + engine, probed", engine), ("overlay stage, probed", overlay)):
        if keys:
            print(f"{title:<26}  " + ", ".join(f"{k} {1000.0 * probe.split[k]:.2f}" for k in keys) + " ms/frame")


def print_report(name: str, video: Path, exercise_id: str, rounds: int, results: Results) -> None:
    _, width, height, fps = video_info(video)
    counts = sorted({r.frames for rs in results.runs.values() for r in ok_runs(rs)})
    frames = str(counts[0]) if len(counts) == 1 else str(counts or "no")
    print(f"coach speed bench: {name}  {frames} frames  {width}x{height} @ {fps:.0f} fps  exercise {exercise_id}  "
          f"{rounds} round(s), ABBA order  cpus {os.cpu_count()}")
    print()
    print_throughput(results)
    print()
    print_stages(results)
    print_overhead(results)
    print_cpu(results)
    print_probe(results.probe)
    noise = spread(results.runs[BASELINE])
    if noise is not None:
        print(f"{'noise':<26}  baseline fps spread {100.0 * noise:.0f}% across rounds: ratios closer to 1 than "
              f"that are within noise (use --repeat 4+ to decide)")
    print()
    print("x base: best fps / best baseline fps; paired: median of the per-round ratios.\n"
          "RSS in MB: after imports, peak of the variant's own process, peak of its ffmpeg encoder process;\n"
          "py peak: tracemalloc peak in MB (separate untimed run). other: setup (pose graph, files, report) and\n"
          "loop overhead. trace: rounding and writing the landmark trace; engine: the checker. probed: one extra\n"
          "untimed analysis+video run with timers around those methods.")
    if len(counts) > 1:
        print(f"warning: the variants decoded different frame counts {counts}")


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Speed and memory of coach analyze against the bare MediaPipe loop.")
    p.add_argument("video", nargs="?", default=str(DEFAULT_VIDEO), help="video file (default %(default)s)")
    p.add_argument("--exercise", "-e", default="bridge", help="exercise id (default %(default)s)")
    p.add_argument("--repeat", type=int, default=2, help="rounds of all variants, interleaved (default 2)")
    p.add_argument("--frames", type=int, default=0, help="only the first N frames (default: all)")
    p.add_argument("--no-tracemalloc", action="store_true", help="skip the Python-allocation peak runs")
    p.add_argument("--no-probe", action="store_true", help="skip the run that splits trace, engine and overlay by method")
    p.add_argument("--_child", choices=VARIANTS, help=argparse.SUPPRESS)
    p.add_argument("--_result", help=argparse.SUPPRESS)
    p.add_argument("--_tracemalloc", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--_probe", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def log(tag: str, run: Run) -> None:
    status = run.error or (f"{run.fps:.1f} fps" if run.seconds else "done")
    print(f"[{tag}] {run.variant:<15} {status}", file=sys.stderr, flush=True)


def bench(video: Path, exercise_id: str, rounds: int, trace_memory: bool, probe: bool) -> Results:
    """The timed rounds, then the untimed diagnostic runs (progress on stderr)."""
    results = Results(runs={v: [] for v in VARIANTS}, memory={}, probe=None)
    order = abba_order(rounds)
    for i, variant in enumerate(order, 1):
        results.runs[variant].append(spawn(variant, video, exercise_id))
        log(f"{i}/{len(order)}", results.runs[variant][-1])
    for variant in VARIANTS if trace_memory else ():
        results.memory[variant] = spawn(variant, video, exercise_id, trace_memory=True)
        log("memory", results.memory[variant])
    if probe:
        results.probe = spawn(VIDEO, video, exercise_id, probe=True)
        log("probe", results.probe)
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args._child:
        return child(args._child, args.video, args.exercise, args._result, args._tracemalloc, args._probe)
    video = Path(args.video).resolve()
    name = os.path.relpath(video, ROOT) if video.is_relative_to(ROOT) else str(video)
    if not video.is_file():
        print(f"speed: video not found: {args.video}", file=sys.stderr)
        return 2
    rounds = max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="coach-speed-clip-") as tmp:
        if 0 < args.frames < video_info(video)[0]:
            video = trim_clip(video, args.frames, Path(tmp))
            name += f" (first {args.frames} frames, stream-copied)"
        results = bench(video, args.exercise, rounds, not args.no_tracemalloc, not args.no_probe)
        print_report(name, video, args.exercise, rounds, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
