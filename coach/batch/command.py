"""``coach batch INPUT... --exercise ID|--routine NAME --out DIR [--workers N] [--engine local|dask]``:
many recordings, each analysed into its own folder exactly as ``coach analyze`` writes it, on every
core of this machine (a process pool, one MediaPipe per worker) or on a Dask cluster.

Restartable: a recording analysed before with the same inputs is skipped (``--force`` analyses it
again); Ctrl-C keeps every finished report, and the next run goes on where this one stopped. A bad
recording is an error row in the summary, never the end of the batch. The output folder is held
(``coach.lock``): a second batch into it is refused.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Iterator, Sequence

from coach.batch.jobs import Job, find_jobs
from coach.cli_options import add_stride_option, workers
from coach.errors import CoachError
from coach.run_folder import FolderLock

DASK_HELP = "pip install 'coach[cluster]' (Dask and its distributed scheduler)"


def add_parser(sub: "argparse._SubParsersAction") -> None:
    p = sub.add_parser("batch", help="analyse many recordings at once (every core, or a Dask cluster)",
                       description="Analyse many recordings: video files, folders of videos, or CSV manifests "
                                   "(columns path, exercise, routine, profile, notes).")
    p.add_argument("inputs", nargs="+", help="video files, folders, or .csv manifests")
    p.add_argument("--exercise", "-e", help="the exercise of every recording (a manifest row may say another)")
    p.add_argument("--routine", help="a routine: each recording is split into its steps")
    p.add_argument("--profile", help="personal thresholds for every recording (a manifest row may say another)")
    p.add_argument("--out", "-o", required=True, help="the batch folder: one folder per recording, summary.csv/.html")
    p.add_argument("--workers", type=workers, default=os.cpu_count() or 1,
                   help="worker processes (default: one per core; bench/batch.py measures the best number)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: a process pool on this machine (default); dask: a Dask cluster")
    p.add_argument("--address", default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
                   help="the Dask scheduler (tcp://host:8786; default $DASK_SCHEDULER_ADDRESS, or a local cluster)")
    p.add_argument("--force", action="store_true", help="analyse again recordings analysed before")
    p.add_argument("--no-video", action="store_true", help="don't write the annotated videos")
    add_stride_option(p, default="off")  # as coach analyze: a recording's report, reproducible
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    if args.exercise:
        from coach.engine.definition import load_exercise

        load_exercise(args.exercise)  # an unknown id is refused before anything runs
    if args.routine:
        from coach.routine.definition import load_routine

        load_routine(args.routine)
    if args.engine == "dask":
        _dask_modules()  # says how to install it, before any work
    jobs = find_jobs(args.inputs, Job("", args.exercise, args.routine, args.profile, stride=args.stride))
    with FolderLock(args.out):
        return _run(args, jobs)


def _dask_modules():  # type: ignore[no-untyped-def]
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise CoachError(f"--engine dask needs Dask, which is not installed: {DASK_HELP}") from None
    return Client, LocalCluster, as_completed


def _local(jobs: Sequence[Job], args: argparse.Namespace) -> Iterator[dict]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from coach.batch.worker import limit_threads, run_job

    # spawn: a clean interpreter per worker (no threads or MediaPipe state copied from this one)
    with ProcessPoolExecutor(max_workers=min(args.workers, len(jobs)), initializer=limit_threads,
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(run_job, job, args.out, args.force, not args.no_video) for job in jobs]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def _dask(jobs: Sequence[Job], args: argparse.Namespace) -> Iterator[dict]:
    from coach.batch.worker import run_job

    Client, LocalCluster, as_completed = _dask_modules()
    cluster = None
    if args.address:
        client = Client(args.address)
    else:  # one process per worker, one thread each: one MediaPipe per process, as the local pool
        cluster = LocalCluster(n_workers=min(args.workers, len(jobs)), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        out = os.path.abspath(args.out)  # the workers' own working folders may differ
        futures = client.map(run_job, list(jobs), out_root=out, force=args.force, write_video=not args.no_video,
                             pure=False)
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run(args: argparse.Namespace, jobs: Sequence[Job]) -> int:
    from coach.batch.summary import STATUS_TEXT, write_summary

    rows: list[dict] = []
    files: dict[str, str] = {}
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="recording", file=sys.stderr)
    say = bar.write if bar is not None else print
    started = time.perf_counter()
    engine = _dask if args.engine == "dask" else _local
    say(f"{len(jobs)} recordings, {args.engine} engine, {min(args.workers, len(jobs))} workers")
    interrupted = False
    try:
        for row in engine(jobs, args):
            rows.append(row)
            files = write_summary(args.out, rows, len(jobs))
            detail = row["error"] if row["status"] == "error" else (
                f"{row['reps']} reps" if row.get("reps") is not None else row.get("warnings", ""))
            say(f"{row['name']}: {STATUS_TEXT.get(row['status'], row['status'])}, {detail}")
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if bar is not None:
            bar.close()
        if rows:
            files = write_summary(args.out, rows, len(jobs))
    took = time.perf_counter() - started
    errors = sum(r["status"] == "error" for r in rows)
    where = f"{files.get('csv')}, {files.get('html')}" if files else args.out
    if interrupted:
        print(f"coach: interrupted: {len(rows)} of {len(jobs)} recordings finished, their reports kept ({where}); "
              "run the same command again to go on", file=sys.stderr)
        return 130
    print(f"{len(rows)} recordings in {took:.0f} s ({60 * len(rows) / max(took, 1e-9):.1f} a minute), "
          f"{errors} with errors; summary: {where}")
    return 0

