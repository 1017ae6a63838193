"""Soak: a long session analysed and played live (headless), memory sampled; prints the growth.

    .venv/bin/python bench/soak.py [--minutes 60] [--sample samples/bridge_clean_01.mp4] [--only analyze|live]

A shipped sample is looped (ffmpeg's -stream_loop, a stream copy: no re-encoding) into a video of
``--minutes`` minutes, then
- ``coach analyze`` runs on it (no annotated video), and
- ``coach live --headless`` plays it as a camera (the whole live pipeline: capture, inference,
  checker, overlay, speech off, the report saved every 2 s),
each in its own process whose resident memory (VmRSS) is read every ``--every`` seconds. The figure is
the slope of a straight line fitted to the samples after warm-up (the first fifth), in MiB per 10
minutes of session: the target is under 1. The report of the long analysis must hold the single
pass's reps once per loop (a checker that drifts or leaks state over an hour would not).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLE = ROOT / "samples" / "bridge_clean_01.mp4"


def looped(sample: Path, minutes: float, out: Path) -> tuple[Path, int]:
    """``sample`` repeated to last ``minutes`` (a stream copy); returns the file and the loop count."""
    import cv2
    import imageio_ffmpeg

    cap = cv2.VideoCapture(str(sample))
    length = cap.get(cv2.CAP_PROP_FRAME_COUNT) / (cap.get(cv2.CAP_PROP_FPS) or 30.0)
    cap.release()
    loops = max(1, int(round(minutes * 60 / length)))
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-stream_loop", str(loops - 1),
                    "-i", str(sample), "-c", "copy", str(out)], check=True)
    return out, loops


def rss_mib(pid: int) -> Optional[float]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def watch(args: list[str], every: float, cwd: Path) -> tuple[int, list[tuple[float, float]]]:
    """Run ``args``; (exit status, [(seconds since start, RSS MiB)])."""
    proc = subprocess.Popen(args, cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    start, samples = time.monotonic(), []
    while proc.poll() is None:
        rss = rss_mib(proc.pid)
        if rss is not None:
            samples.append((time.monotonic() - start, rss))
        time.sleep(every)
    return proc.returncode, samples


def slope_per_10_min(samples: list[tuple[float, float]], session_s: float, wall_s: float) -> float:
    """Memory growth after warm-up (the first fifth of the samples), MiB per 10 minutes of session."""
    kept = samples[len(samples) // 5:]
    if len(kept) < 3:
        return float("nan")
    n = len(kept)
    mt = sum(t for t, _ in kept) / n
    mr = sum(r for _, r in kept) / n
    var = sum((t - mt) ** 2 for t, _ in kept)
    per_wall_s = sum((t - mt) * (r - mr) for t, r in kept) / var if var else 0.0
    return per_wall_s * (wall_s / session_s) * 600.0  # wall time -> session time


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="session length (default 60)")
    ap.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    ap.add_argument("--every", type=float, default=5.0, help="seconds between memory samples (default 5)")
    ap.add_argument("--only", choices=("analyze", "live"))
    args = ap.parse_args(argv)
    coach = [sys.executable, "-m", "coach"]
    with tempfile.TemporaryDirectory(prefix="coach-soak-") as tmp:
        work = Path(tmp)
        video, loops = looped(args.sample, args.minutes, work / "long.mp4")
        single = work / "single"
        subprocess.run([*coach, "analyze", str(args.sample), "-e", "bridge", "--out", str(single), "--no-video", "-q",
                        "--history-db", str(work / "h.db")], check=True, cwd=str(ROOT), capture_output=True)
        one = json.loads((single / "report.json").read_text())["summary"]["reps"]
        session_s = loops * json.loads((single / "report.json").read_text())["source"]["duration_s"]
        print(f"soak: {args.sample.name} looped {loops} times ({session_s / 60:.1f} min of video); "
              f"memory sampled every {args.every:g} s")
        runs = {
            "analyze": [*coach, "analyze", str(video), "-e", "bridge", "--out", str(work / "analyze"), "--no-video",
                        "-q", "--history-db", str(work / "h.db")],
            "live": [*coach, "live", "--camera", str(video), "-e", "bridge", "--headless", "--mute", "--countdown", "0",
                     "--no-pain-rating", "--out", str(work / "live"), "--history-db", str(work / "h.db")],
        }
        for name, cmd in runs.items():
            if args.only and name != args.only:
                continue
            start = time.monotonic()
            status, samples = watch(cmd, args.every, ROOT)
            wall = time.monotonic() - start
            report = json.loads((work / name / "report.json").read_text())
            peak = max((r for _, r in samples), default=float("nan"))
            slope = slope_per_10_min(samples, report["source"]["duration_s"] or session_s, wall)
            minutes = [f"{r:.0f}" for k, (t, r) in enumerate(samples) if k == 0 or int(t // 60) > int(samples[k - 1][0] // 60)]
            print(f"  {name:<8} RSS at each minute of wall time (MiB): {' '.join(minutes)}")
            print(f"  {name:<8} exit {status}, {wall / 60:.1f} min wall, RSS peak {peak:.0f} MiB, "
                  f"after warm-up {slope:+.2f} MiB per 10 min of session (target under 1); "
                  f"reps {report['summary']['reps']} (a single pass: {one} x {loops} loops = {one * loops})")
            stats = (report.get("live") or {}).get("stats")
            if stats:  # a loaded machine drops camera frames: say how many the figure was measured on
                print(f"  {name:<8} frames processed {stats['frames_processed']} of {stats['frames_captured']} "
                      f"captured ({stats['frames_dropped']} dropped), {stats['fps']:.1f} fps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
