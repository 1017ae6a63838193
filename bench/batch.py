"""Throughput of ``coach batch`` on this machine, against ``coach analyze`` run one after another on
the same files, in the same run (the machines are shared: compare within a run, never across runs).

    python bench/batch.py [--videos N] [--workers 1,2,3] [--dask]
    python bench/batch.py --memory 200      # memory over a long batch (shipped traces, replayed)

The recordings are the shipped demo videos (samples/*.mp4, real inference), repeated to N. Printed:
recordings a minute for the one-after-another baseline and for the pool at each worker count, the
speed-up, whether the reports are the same byte for byte apart from their timings, the memory per
worker, and with --dask the Dask local cluster's overhead per recording.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]


def reports(out: Path) -> dict[str, dict]:
    found = {}
    for path in sorted(out.rglob("report.json")):
        report = json.loads(path.read_text())
        report.pop("times", None)
        found[path.parent.name.rsplit("-", 1)[0] if path.parent != out else path.parent.name] = report
    return found


def coach(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "coach", *args], check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=6)
    ap.add_argument("--workers", default="1,2,3")
    ap.add_argument("--dask", action="store_true")
    ap.add_argument("--memory", type=int, metavar="N",
                    help="instead: a batch of N short recordings (the shipped traces repeated, 2 workers) and each "
                         "worker's peak memory from its first recordings to its last")
    args = ap.parse_args(argv)
    if args.memory:
        return memory(args.memory)
    demo = sorted((ROOT / "samples").glob("*.mp4"))
    tmp = Path(tempfile.mkdtemp(prefix="coach-batch-bench-"))
    try:
        videos = []
        for i in range(args.videos):
            src = demo[i % len(demo)]
            dst = tmp / "in" / f"{i:03d}-{src.name}"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
            videos.append(dst)
        exercise = {"bridge": "bridge", "catcow": "cat_cow", "k2c": "knee_to_chest"}
        manifest = tmp / "in.csv"
        manifest.write_text("path,exercise\n" + "".join(
            f"{v},{exercise[v.name.split('-', 1)[1].split('_')[0]]}\n" for v in videos))
        base_out = tmp / "one-by-one"
        started = time.perf_counter()
        for v in videos:
            ex = exercise[v.name.split("-", 1)[1].split("_")[0]]
            coach("analyze", str(v), "--exercise", ex, "--out", str(base_out / v.stem), "--quiet",
                  "--history-db", str(tmp / "h.db"))
        base = time.perf_counter() - started
        print(f"{len(videos)} recordings, {sum(v.stat().st_size for v in videos) / 1e6:.1f} MB")
        print(f"one after another (coach analyze): {base:.0f} s, {60 * len(videos) / base:.2f} a minute")
        same_as = reports(base_out)
        for n in [int(w) for w in args.workers.split(",")]:
            out = tmp / f"pool-{n}"
            took = coach("batch", str(manifest), "--out", str(out), "--workers", str(n), "--quiet")
            got = reports(out)
            same = sorted(got.values(), key=json.dumps) == sorted(same_as.values(), key=json.dumps)
            peak = max(float(r["worker_peak_mb"] or 0) for r in _rows(out))
            print(f"pool, {n} workers: {took:.0f} s, {60 * len(videos) / took:.2f} a minute, x{base / took:.2f}; "
                  f"reports identical: {same}; peak memory per worker {peak:.0f} MB")
        if args.dask:
            out = tmp / "dask"
            took = coach("batch", str(manifest), "--out", str(out), "--workers", "2", "--engine", "dask", "--quiet")
            pool2 = tmp / "pool-2"
            if pool2.exists():
                t_pool = sum(float(r["seconds"]) for r in _rows(pool2))
                t_dask = sum(float(r["seconds"]) for r in _rows(out))
                print(f"dask local cluster, 2 workers: {took:.0f} s; analysis time per recording "
                      f"{t_dask / len(videos):.1f} s against the pool's {t_pool / len(videos):.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def memory(n: int) -> int:
    """Each worker process serves many recordings: its peak memory, recording after recording, must
    level off (a leak grows it with every one)."""
    traces = sorted((ROOT / "samples").glob("*/*.landmarks.jsonl.gz"))
    tmp = Path(tempfile.mkdtemp(prefix="coach-batch-memory-"))
    try:
        lines = ["path,exercise"]
        for i in range(n):
            src = traces[i % len(traces)]
            dst = tmp / "in" / f"{i:04d}-{src.name}"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
            lines.append(f"{dst},{src.parent.name}")
        (tmp / "in.csv").write_text("\n".join(lines) + "\n")
        took = coach("batch", str(tmp / "in.csv"), "--out", str(tmp / "out"), "--workers", "2", "--quiet")
        rows = sorted(_rows(tmp / "out"), key=lambda r: r["name"])
        peaks = [float(r["worker_peak_mb"]) for r in rows if r["worker_peak_mb"]]
        errors = sum(r["status"] == "error" for r in rows)
        print(f"{n} recordings (the {len(traces)} shipped traces, repeated, replayed), 2 workers: {took:.0f} s, "
              f"{errors} errors; worker peak memory {max(peaks):.0f} MB")
        by_worker: dict[str, list[float]] = {}
        for r in sorted(rows, key=lambda r: int(r["name"].split("-")[0])):  # submission order
            by_worker.setdefault(r["worker"], []).append(float(r["worker_rss_mb"]))
        for pid, rss in by_worker.items():  # memory in use after each recording, in the order it ran
            third = max(1, len(rss) // 3)
            print(f"  worker {pid}: {len(rss)} recordings; in use after its first third {max(rss[:third]):.0f} MB, "
                  f"last third {max(rss[-third:]):.0f} MB (mean {sum(rss[:third]) / third:.0f} -> "
                  f"{sum(rss[-third:]) / third:.0f} MB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _rows(out: Path) -> list[dict]:
    import csv

    with open(out / "summary.csv", newline="") as fh:
        return list(csv.DictReader(fh))


if __name__ == "__main__":
    raise SystemExit(main())
