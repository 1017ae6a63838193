"""A long recording analysed in chunks (coach/chunks.py): one worker against several, and against
one MediaPipe run through the whole video.

    .venv/bin/python bench/chunks.py [--minutes 3] [--sample samples/bridge_clean_01.mp4] [--workers 2]
    .venv/bin/python bench/chunks.py --warmup [CLIP ...]   # how the warm-up was chosen

Default: a shipped sample looped (ffmpeg's -stream_loop, a stream copy, as bench/soak.py) into a
video of ``--minutes``, analysed by ``coach analyze`` three times in the same run (the machine is
shared), all --no-video: one run through the video (COACH_CHUNK_FRAMES=0), the chunks on one worker,
the chunks on ``--workers N``; chunks of ``--chunk-s`` seconds (default the product's). Printed:
wall and CPU times and the speed-ups; whether the 1-worker and N-worker reports are identical
apart from their timings (any difference printed) and their traces too; against the run through,
whether the session is the same (reps, holds, faults) and how far its times moved, whether the
frame indices run on without a gap, and the landmark difference (it can only be at and after the
seams).

``--warmup``: for each clip, the single pass's landmarks against a cold start (a fresh MediaPipe
seeking to a frame of the clip) after k frames of warm-up, at several starts per clip: the largest
landmark distance (pixels) and visibility difference over the starts. WARMUP_FRAMES in
coach/chunks.py is chosen from it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak import looped  # noqa: E402

WARMUP_CLIPS = ("samples/bridge_clean_01.mp4", "samples/catcow_clean_11.mp4", "samples/k2c_right_07.mp4",
                "samples/chair_squat/csq_faults_02.mp4", "samples/side_plank/*.mp4")
STEPS = (0, 5, 10, 20, 30, 45, 60, 90, 120, 180)


def _poses(path: str, first: int, count: Optional[int], segmentation: bool) -> list:
    """Poses of ``count`` frames from ``first`` (None: to the end), by a fresh MediaPipe, as the trace keeps them."""
    from coach.pose.backends import make_backend
    from coach.sources import VideoSource
    from coach.trace import quantize

    source = VideoSource(path)
    source.start_at(first)
    backend = make_backend(segmentation=segmentation)
    out = []
    try:
        for frame in source:
            if count is not None and len(out) >= count:
                break
            out.append(quantize(backend.process(frame.image, frame.t, frame.index)))
    finally:
        source.close()
        backend.close()
    return out


def warmup(clips: Sequence[str], starts: int) -> int:
    import numpy as np

    from coach.chunks import pose_difference

    paths = [Path(c) if Path(c).is_file() else sorted(ROOT.glob(c))[0] for c in clips]  # a glob: its first clip
    print(f"cold start against the single pass after k frames of warm-up, {starts} starts per clip "
          "(largest landmark distance in pixels / visibility difference / back profile difference)")
    print("clip".ljust(26) + "".join(f"k={k:<9}" for k in STEPS))
    worst = {k: 0.0 for k in STEPS}
    for path in paths:
        segmentation = "catcow" in path.name
        single = _poses(str(path), 0, None, segmentation)
        span = max(STEPS) + 1
        rows: dict[int, list[tuple[float, float, float]]] = {k: [] for k in STEPS}
        for s in range(1, starts + 1):
            first = s * (len(single) - span) // (starts + 1)
            cold = _poses(str(path), first, span, segmentation)
            for k in STEPS:
                a, b = single[first + k], cold[k]
                if a.t != b.t or a.index != b.index:
                    print(f"  {path.name}: the seek to frame {first} landed elsewhere (t {b.t} against {a.t})")
                vis = float(np.max(np.abs(a.visibility - b.visibility))) if a.xy is not None and b.xy is not None else 0.0
                back = float(np.max(np.abs(a.back - b.back))) if a.back is not None and b.back is not None else 0.0
                rows[k].append((pose_difference(a, b), vis, back))
        cells = []
        for k in STEPS:
            px, vis, back = (max(r[i] for r in rows[k]) for i in range(3))
            worst[k] = max(worst[k], px)
            cells.append(f"{px:.2f}/{vis:.3f}" + (f"/{back:.3f}" if segmentation else ""))
        print(path.name[:25].ljust(26) + "".join(f"{c:<11}" for c in cells))
    print("worst".ljust(26) + "".join(f"{worst[k]:<11.2f}" for k in STEPS))
    return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _trace(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh][1:]


def _differences(a: object, b: object, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for key in sorted(set(a) | set(b)) for d in _differences(a.get(key), b.get(key), f"{where}.{key}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where or '.'}: single {json.dumps(a)[:80]} / chunked {json.dumps(b)[:80]}"]


def _session_line(single: dict, chunked: dict) -> str:
    """Whether the two reports tell the same session (reps, holds and what was found in them), and how
    far their rep and hold times are apart."""
    def found(r: dict) -> tuple:
        return ([(x["side"], x["good"], x["faults"]) for x in r["reps"]],
                [(h["side"], h["met_target"], h["faults"]) for h in r["holds"]])

    shifts = [abs(a[k] - b[k]) for part in ("reps", "holds") for a, b in zip(single[part], chunked[part])
              for k in ("start_s", "end_s")]
    moved = sum(s > 0 for s in shifts)
    return (f"same reps, holds and faults: {found(single) == found(chunked)} ({len(single['reps'])} / "
            f"{len(chunked['reps'])} reps, {len(single['holds'])} / {len(chunked['holds'])} holds); rep and hold "
            f"starts/ends moved: {moved} of {len(shifts)}, by at most {max(shifts, default=0):.3f} s")


def compare(minutes: float, sample: Path, exercise: str, workers: int, chunk_s: Optional[float]) -> int:
    import numpy as np

    coach = [sys.executable, "-m", "coach"]
    with tempfile.TemporaryDirectory(prefix="coach-chunks-") as tmp:
        work = Path(tmp)
        video, loops = looped(sample, minutes, work / "long.mp4")
        import cv2

        cap = cv2.VideoCapture(str(video))
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        cap.release()
        from coach.chunks import CHUNK_S, WARMUP_FRAMES

        chunk_s = chunk_s or CHUNK_S
        chunk = int(round(chunk_s * fps))
        load = os.getloadavg()[0]
        print(f"chunks: {sample.name} looped {loops} times ({minutes:g} min); chunks of {chunk} frames ({chunk_s:g} s: "
              f"seams at {', '.join(f'{k * chunk_s:g}' for k in range(1, 4))} s ...)")
        runs = (("through", "one run through the video", ["--workers", "1"], "0"),
                ("one", "chunks on 1 worker", ["--workers", "1"], str(chunk)),
                ("many", f"chunks on {workers} workers", ["--workers", str(workers)], str(chunk)))
        walls, cpus, traces, reports = {}, {}, {}, {}
        for name, _, extra, frames in runs:
            started, cpu = time.perf_counter(), _children_cpu()
            subprocess.run([*coach, "analyze", str(video), "-e", exercise, "--out", str(work / name), "--no-video",
                            "-q", "--history-db", str(work / "h.db"), *extra], check=True, cwd=str(ROOT),
                           capture_output=True, env={**os.environ, "COACH_CHUNK_FRAMES": frames})
            walls[name] = time.perf_counter() - started
            cpus[name] = _children_cpu() - cpu  # (the workers' too: the pool waits for them)
            traces[name] = _trace(work / name / "landmarks.jsonl")
            reports[name] = json.loads((work / name / "report.json").read_text())
            reports[name].pop("times", None)
        print("  wall time / CPU time: " + "; ".join(f"{label} {walls[n]:.0f} s / {cpus[n]:.0f} s" for n, label, _, _ in runs)
              + f"; load average before {load:.1f} on {os.cpu_count()} cores")
        print(f"  speed-up of {workers} workers over 1: x{walls['one'] / walls['many']:.2f}; chunks on 1 worker against "
              f"one run through: x{walls['through'] / walls['one']:.2f} (the warm-ups: "
              f"{reports['one']['backend'].get('frames_inferred')} frames inferred for {len(traces['one'])})")
        diffs = _differences(reports["one"], reports["many"])
        print(f"  1 worker / {workers} workers: reports identical apart from timings: {not diffs}"
              + "".join(f"\n    {d}" for d in diffs[:20]) + (f"\n    ... {len(diffs) - 20} more" if len(diffs) > 20 else "")
              + f"; traces identical: {traces['one'] == traces['many']}")
        single, chunked = traces["through"], traces["many"]
        print("  one run through / chunks: " + _session_line(reports["through"], reports["many"]))
        contiguous = [f["i"] for f in chunked] == list(range(len(chunked)))
        print(f"  trace frames {len(single)} / {len(chunked)}, chunked indices contiguous: {contiguous}; "
              f"trace lines differing: {sum(a != b for a, b in zip(single, chunked))}")

        def distance(a: dict, b: dict) -> float:
            if a["kp"] is None or b["kp"] is None:
                return 0.0 if a["kp"] is None and b["kp"] is None else float("inf")
            return float(np.max(np.linalg.norm(np.array(a["kp"])[:, :2] - np.array(b["kp"])[:, :2], axis=1)))

        apart = [distance(a, b) for a, b in zip(single, chunked)]
        seams = [k * chunk for k in range(1, len(single) // chunk)]  # (the last chunk takes the rest)
        at_seams = [apart[i] for s in seams for i in range(s - WARMUP_FRAMES, s)]
        first = apart[:chunk]  # the first chunk starts where the run through does
        print(f"  landmark distance chunks / run through (largest of 33, px): first chunk largest {max(first):.2f}; "
              f"in the overlaps where the seams fall largest {max(at_seams, default=0):.2f}; later frames median "
              f"{float(np.median(apart[chunk:])):.2f}, 99th percentile {float(np.percentile(apart[chunk:], 99)):.2f}, "
              f"largest {max(apart[chunk:]):.2f}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warmup", nargs="*", metavar="CLIP", help="measure the warm-up instead (default clips: "
                                                                 f"{', '.join(WARMUP_CLIPS)})")
    ap.add_argument("--starts", type=int, default=3, help="--warmup: cold starts per clip")
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--sample", type=Path, default=ROOT / "samples" / "bridge_clean_01.mp4")
    ap.add_argument("--exercise", default="bridge")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-s", type=float, help="chunk length (default the product's, coach/chunks.py CHUNK_S); "
                                                  "25.3 puts the seams at different moments of the sample's reps")
    args = ap.parse_args(argv)
    if args.warmup is not None:
        return warmup(args.warmup or WARMUP_CLIPS, args.starts)
    return compare(args.minutes, args.sample, args.exercise, args.workers, args.chunk_s)


if __name__ == "__main__":
    sys.exit(main())
