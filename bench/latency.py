"""Latency and throughput of ``coach live`` against bare MediaPipe inference on the same frames, in one run.

Usage::

    /work/venv/bin/python bench/latency.py [VIDEO] [--exercise ID] [--rates 30,60] [--seconds S]

Method
------
For each camera rate (default: the file's own rate, then twice it), the video is played as a
camera at that rate (``coach.live.capture.FileReader`` paced on the capture thread, exactly as
``coach live --camera VIDEO`` does) through the whole live loop, headless: newest-frame capture,
pose backend, set-up guide then checker, trace and periodic report, overlay, stats. Per processed
frame the loop records capture time, inference start and end, and the time the annotated frame was
ready to show (headless: there is no window; a window adds ``imshow`` + ``waitKey(1)``, ~1-2 ms).

Then the *bare* inference: ``mp.solutions.pose.Pose.process`` alone (bench/bare_pose.py, the
baseline bench/speed.py uses too: the same model and mode as the loop's backend, a fresh graph) on
exactly the frames the loop processed, in the same order (decoded outside the timed part; the
BGR->RGB conversion is timed with ``process``, as it is in the loop's backend).

Figures: throughput (frames per second shown), latency (capture -> annotated frame ready) mean,
p50, p95, and its parts (waiting for the pipeline, inference in the loop, the rest); bare inference
mean and p50. Targets (issue 4):

- throughput >= 0.9 x what inference allows: min(camera rate, 1 / bare inference mean);
- mean latency <= bare inference mean + one camera frame (a frame waits at most one frame period
  for the pipeline to be free, on average half of one).

The machine has 2 cores shared with MediaPipe's own threads; the numbers move a few percent from
run to run.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_VIDEO = ROOT / "samples" / "bridge_clean_01.mp4"


@dataclass
class LiveRun:
    rate: float
    indices: list[int] = field(default_factory=list)  # camera frames processed, in order
    latency: list[float] = field(default_factory=list)
    waited: list[float] = field(default_factory=list)
    inference: list[float] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)
    captured: int = 0
    dropped: int = 0

    @property
    def fps(self) -> float:
        span = self.shown[-1] - self.shown[0] if len(self.shown) > 1 else 0.0
        return (len(self.shown) - 1) / span if span > 0 else math.nan


def run_live(video: str, exercise_id: str, rate: float, seconds: float) -> LiveRun:
    from coach.engine.definition import load_exercise
    from coach.live.capture import FileReader, LatestFrameGrabber
    from coach.live.display import Headless
    from coach.live.loop import LiveLoop, LiveOptions
    from coach.live.speech import Speaker
    from coach.pose.backends import backend_info, make_backend
    from coach.sources import SourceInfo

    exercise = load_exercise(exercise_id)
    reader = FileReader(video)
    reader.fps = rate  # the camera's frame rate
    run = LiveRun(rate)

    def on_frame(timing, index, pose) -> None:  # type: ignore[no-untyped-def]
        run.indices.append(index)
        run.latency.append(timing.latency)
        run.waited.append(timing.waited)
        run.inference.append(timing.inference)
        run.shown.append(timing.shown)

    backend = make_backend()
    source = SourceInfo(path=video, fps=rate, frames=0, width=reader.width, height=reader.height, kind="camera")
    grabber = LatestFrameGrabber(reader)
    speaker = Speaker(detect=False, notify=lambda text: None)
    with tempfile.TemporaryDirectory() as out:
        loop = LiveLoop(LiveOptions(exercise, out, max_seconds=seconds), grabber, backend, source,
                        backend_info(backend), Headless(), speaker, on_frame=on_frame)
        grabber.start()
        loop.run()
    backend.close()
    run.captured, run.dropped = grabber.captured, grabber.dropped
    return run


def run_bare(video: str, indices: list[int]) -> list[float]:
    """Seconds of bare inference per frame, on the frames ``indices`` (ascending) of the video."""
    from bench.bare_pose import bare_pose_loop

    return bare_pose_loop(video, indices).inference


def ms(x: float) -> str:
    return f"{1000.0 * x:6.1f}"


def pct(xs: list[float], q: float) -> float:
    from coach.live.stats import percentile

    return percentile(xs, q)


def report(run: LiveRun, bare: list[float]) -> bool:
    bare_mean = statistics.fmean(bare)
    allowed = min(run.rate, 1.0 / bare_mean)
    ratio = run.fps / allowed
    rest = [lat - w - inf for lat, w, inf in zip(run.latency, run.waited, run.inference)]
    lat_mean = statistics.fmean(run.latency)
    beyond = lat_mean - bare_mean
    period = 1.0 / run.rate
    print(f"\ncamera at {run.rate:g} fps: {len(run.indices)} frames processed of {run.captured} captured "
          f"({run.dropped} dropped)")
    print(f"  {'':34s} {'mean':>6s} {'p50':>6s} {'p95':>6s}  ms")
    print(f"  {'live latency (capture -> shown)':34s} {ms(lat_mean)} {ms(pct(run.latency, 50))} {ms(pct(run.latency, 95))}")
    print(f"  {'  waiting for the pipeline':34s} {ms(statistics.fmean(run.waited))} {ms(pct(run.waited, 50))} {ms(pct(run.waited, 95))}")
    print(f"  {'  inference in the loop':34s} {ms(statistics.fmean(run.inference))} {ms(pct(run.inference, 50))} {ms(pct(run.inference, 95))}")
    print(f"  {'  checker + trace + overlay + rest':34s} {ms(statistics.fmean(rest))} {ms(pct(rest, 50))} {ms(pct(rest, 95))}")
    print(f"  {'bare inference, same frames':34s} {ms(bare_mean)} {ms(pct(bare, 50))} {ms(pct(bare, 95))}")
    ok_rate = ratio >= 0.9
    ok_latency = beyond <= period
    print(f"  throughput {run.fps:5.1f} fps; inference allows {allowed:5.1f} (min of camera {run.rate:g} and bare "
          f"{1.0 / bare_mean:.1f}): {ratio:.2f}x  [target >= 0.90: {'met' if ok_rate else 'MISSED'}]")
    print(f"  latency beyond bare inference {1000.0 * beyond:5.1f} ms; one frame = {1000.0 * period:.1f} ms  "
          f"[target <= one frame: {'met' if ok_latency else 'MISSED'}]")
    return ok_rate and ok_latency


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("video", nargs="?", default=str(DEFAULT_VIDEO))
    ap.add_argument("--exercise", default="bridge")
    ap.add_argument("--rates", help="camera frame rates to play the video at, comma-separated "
                                    "(default: the file's rate and twice it)")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each live run (default 20)")
    args = ap.parse_args()
    os.environ.setdefault("GLOG_minloglevel", "2")
    import cv2

    cap = cv2.VideoCapture(args.video)
    file_fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
    cap.release()
    rates = [float(r) for r in args.rates.split(",")] if args.rates else [file_fps, 2 * file_fps]
    print(f"{args.video}: {file_fps:g} fps; live loop headless, {args.seconds:g} s per camera rate; "
          f"{os.cpu_count()} cores")
    all_ok = True
    for rate in rates:
        run = run_live(args.video, args.exercise, rate, args.seconds)
        bare = run_bare(args.video, sorted(run.indices))
        all_ok &= report(run, bare)
    print("\nall targets met" if all_ok else "\nsome targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
