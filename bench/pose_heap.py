"""MediaPipe's own heap growth: the bare pose loop, mediapipe's stock graph against coach's, per frame.

    .venv/bin/python bench/pose_heap.py [--frames 4000] [--sample samples/bridge_clean_01.mp4]

Each graph runs in a process of its own (so neither inherits the other's heap) on the main thread:
RGB frame -> ``process``, as ``coach analyze`` does, on the sample's first 60 frames played back and
forth (a person always tracked; the model's work is the same on any frame). glibc's in-use heap
(mallinfo2, exact to the byte, after a garbage collection) is read every 500 frames; the figure is
the slope after warm-up (the first fifth), in bytes per frame, and what that makes in 10 minutes at
30 frames a second. ``stock``: ``mp.solutions.pose.Pose`` without segmentation, whose mask-smoothing
loopback keeps a timestamp bound per frame (coach/pose/solution_graph.py); ``coach``: the backend's
graph, that branch dropped; ``coach+mask``: the backend with segmentation (the stock graph with a
mask on the loopback's MAIN input, which drains it). glibc only (NaN elsewhere).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live_heap import glibc_heap, slope  # noqa: E402

VARIANTS = ("stock", "coach", "coach+mask")
EVERY = 500


def _run_variant(variant: str, sample: Path, frames: int) -> list[tuple[float, float]]:
    """[(frame, in-use MiB)] for one graph, in this process."""
    import gc

    import cv2

    cap = cv2.VideoCapture(str(sample))
    pictures = [cv2.cvtColor(cap.read()[1], cv2.COLOR_BGR2RGB) for _ in range(60)]
    cap.release()
    for p in pictures:
        p.flags.writeable = False
    order = pictures + pictures[::-1]
    if variant == "stock":
        import mediapipe as mp

        pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True,
                                      enable_segmentation=False, smooth_segmentation=False)
    else:
        from coach.pose.solution_graph import pose_solution

        pose = pose_solution(segmentation=variant == "coach+mask")
    samples = []
    for k in range(frames + 1):
        if k % EVERY == 0:
            gc.collect()
            samples.append((float(k), glibc_heap()[0]))
        pose.process(order[k % len(order)])
    pose.close()
    return samples


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=4000, help="frames per graph (default 4000)")
    ap.add_argument("--sample", type=Path, default=ROOT / "samples" / "bridge_clean_01.mp4")
    ap.add_argument("--only", choices=VARIANTS, action="append", help="these graphs only (repeatable)")
    ap.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)  # the child process's part
    args = ap.parse_args(argv)
    if args.variant:
        print(json.dumps(_run_variant(args.variant, args.sample, args.frames)))
        return 0
    print(f"pose_heap: {args.frames} frames per graph ({args.sample.name}, 60 frames back and forth), "
          f"glibc in-use heap every {EVERY} frames")
    for variant in args.only or VARIANTS:
        out = subprocess.run([sys.executable, __file__, "--variant", variant, "--frames", str(args.frames),
                              "--sample", str(args.sample)], capture_output=True, text=True, check=True)
        samples = json.loads(out.stdout.strip().splitlines()[-1])
        per_frame = slope(samples) / 600.0 * 1024 * 1024  # slope() gives MiB per 600 units (frames here)
        print(f"  {variant:<11} in use (MiB): {' '.join(f'{v:.3f}' for _, v in samples)}")
        print(f"  {variant:<11} after warm-up {per_frame:+.1f} B per frame = "
              f"{per_frame * 30 * 600 / 1024 / 1024:+.2f} MiB per 10 min at 30 fps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
