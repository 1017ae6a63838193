"""Where a live session's memory goes, without inference: the live loop on a video, its poses from the trace.

    .venv/bin/python bench/live_heap.py [--minutes 10] [--speed 1] [--sample samples/bridge_clean_01.mp4] [--inference]

The whole ``coach live`` pipeline runs in this process (capture thread decoding the video as a
camera, pose thread, set-up guide, checker, overlay, trace, the report saved every 2 s, the
allocator settled as ``coach live`` does) except MediaPipe: the pose thread hands out the sample's
recorded trace (bench/traces.py), looped. So the loop keeps up with the camera on a loaded machine
and a session of ``--minutes`` costs that much wall time (``--speed 2``: the video played twice as
fast, twice the frames a minute). Every 30 s it samples the resident size, glibc's heap (in use and
free: a heap that frees but does not give back shows as free), Python's allocated blocks and the
live record's kept structures; it prints the slope of each after warm-up (the first fifth), per 10
minutes of session. bench/soak.py is the real thing (with inference); this tells what part of its
growth is ours. ``--inference``: MediaPipe after all (as ``coach live``), to split the real session's
growth the same way (the machine's load then drops frames: fewer per minute than the file has).
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.record_memory import deep_size  # noqa: E402
from bench.soak import rss_mib  # noqa: E402
from bench.traces import cached_trace  # noqa: E402


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def glibc_heap() -> tuple[float, float, float]:
    """(in use, free but kept, mmapped) MiB of glibc's heap, all arenas; NaN elsewhere."""
    try:
        lib = ctypes.CDLL("libc.so.6")
        lib.mallinfo2.restype = _Mallinfo2
        info = lib.mallinfo2()
    except (OSError, AttributeError):
        return float("nan"), float("nan"), float("nan")
    mib = 1024.0 * 1024.0
    return info.uordblks / mib, info.fordblks / mib, info.hblkhd / mib


class TraceBackend:
    """The pose thread's backend: the recorded poses of the video, in turn (no inference)."""

    name, model = "trace", "replay"

    def __init__(self, frames: list) -> None:
        self.frames = frames

    def process(self, image: object, t: float, index: int) -> object:
        f = self.frames[index % len(self.frames)]
        return dataclasses.replace(f, t=t, index=index)

    def close(self) -> None:
        pass


def slope(samples: list[tuple[float, float]]) -> float:
    kept = samples[len(samples) // 5:]
    if len(kept) < 3:
        return float("nan")
    n = len(kept)
    mt, mv = sum(t for t, _ in kept) / n, sum(v for _, v in kept) / n
    var = sum((t - mt) ** 2 for t, _ in kept)
    return sum((t - mt) * (v - mv) for t, v in kept) / var * 600.0 if var else 0.0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--speed", type=float, default=1.0, help="the video's rate as a camera, times its own (default 1)")
    ap.add_argument("--sample", type=Path, default=ROOT / "samples" / "bridge_clean_01.mp4")
    ap.add_argument("--exercise", default="bridge")
    ap.add_argument("--every", type=float, default=30.0, help="seconds between samples (default 30)")
    ap.add_argument("--inference", action="store_true", help="run MediaPipe instead of replaying the trace")
    args = ap.parse_args(argv)

    from bench.soak import looped
    from coach.engine.definition import load_exercise
    from coach.heap import settle_for_long_session
    from coach.live.capture import FileReader, LatestFrameGrabber
    from coach.live.display import Headless
    from coach.live.loop import LiveLoop, LiveOptions
    from coach.live.setup import SetupConfig
    from coach.live.speech import Speaker
    from coach.sources import SourceInfo
    from coach.trace import TraceSource

    settle_for_long_session()
    if args.inference:
        from coach.pose.backends import make_backend

        backend = make_backend()
    else:
        backend = TraceBackend(list(TraceSource(str(cached_trace(args.sample)))))
    exercise = load_exercise(args.exercise)
    with tempfile.TemporaryDirectory(prefix="coach-heap-") as tmp:
        video, loops = looped(args.sample, args.minutes * args.speed, Path(tmp) / "long.mp4")
        reader = FileReader(str(video))
        reader.fps *= args.speed
        source = SourceInfo(path=str(video), fps=reader.fps, frames=0, width=reader.width, height=reader.height,
                            kind="camera")
        grabber = LatestFrameGrabber(reader)
        options = LiveOptions(exercise, str(Path(tmp) / "live"), setup=SetupConfig(countdown_s=0))
        loop = LiveLoop(options, grabber, backend, source, {"name": "trace"}, Headless(),
                        Speaker(detect=False, notify=lambda text: None), notice=lambda text: None)
        series: dict[str, list[tuple[float, float]]] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(args.every):
                t = loop.t
                use, free, mapped = glibc_heap()
                kept = deep_size(loop.checker, set(), frozenset({id(exercise)})) + deep_size(loop.stats, set())
                for name, v in (("RSS", rss_mib(os.getpid()) or float("nan")), ("glibc in use", use),
                                ("glibc free, kept", free), ("glibc mmapped", mapped),
                                ("Python blocks (M)", sys.getallocatedblocks() / 1e6),
                                ("record kept", kept / 1024.0 / 1024.0)):
                    series.setdefault(name, []).append((t, v))

        watcher = threading.Thread(target=sample, daemon=True)
        grabber.start()
        watcher.start()
        start = time.monotonic()
        result = loop.run()
        done.set()
        backend.close()
        wall = time.monotonic() - start
    stats = result.report["live"]["stats"]
    print(f"live_heap: {args.sample.name} x {loops} at {args.speed:g}x, {'inference' if args.inference else 'no inference'}, {wall / 60:.1f} min wall, session "
          f"{loop.t / 60:.1f} min, {stats['frames_processed']} frames ({stats['frames_dropped']} dropped), "
          f"reps {result.report['summary']['reps']}, ended {result.ended}")
    print("  RSS (MiB) at each sample: " + " ".join(f"{v:.1f}" for _, v in series.get("RSS", [])))
    for name, pts in series.items():
        print(f"  {name:<20} first {pts[0][1]:8.2f}  last {pts[-1][1]:8.2f}  "
              f"after warm-up {slope(pts):+.3f} per 10 min of session")
    return 0


if __name__ == "__main__":
    sys.exit(main())
