"""What a long session keeps: bytes per hour of session, per structure of the checker and the live loop.

    .venv/bin/python bench/record_memory.py [--hours 1] [--against REV] [TRACE ...]

No inference and no video: each landmark trace (default: one per kind of exercise, see TRACES) is
replayed in a loop, its times shifted, until ``--hours`` of session have gone through one
``ExerciseChecker``, the same checker ``coach live`` and ``coach analyze`` run. After a warm-up
(the first tenth) and at the end, every attribute of the checker is measured deeply (the objects it
reaches, each counted once; the exercise definition, shared, left out): the growth per hour of
session is printed per attribute, with its total and the session's figures (reps, holds, phases,
cues). The live loop's own per-frame record (``LoopStats``) is fed the same number of frames.

``--against REV``: the same replay run again on the code of git revision ``REV`` (exported to a
temporary folder), printed beside: before and after a change, in one run on the same machine.

Also checked: the final report of the long replay (timings apart) is printed as a digest, so two
runs that should give the same report can be compared by eye.

bench/soak.py measures the whole live process's resident memory; this one says which structure it
is that grows, in seconds rather than an hour.
"""

from __future__ import annotations

import argparse
import array
import collections
import dataclasses
import gc
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache" / "traces"
# (exercise, trace): a rep with a hold, a hold, per-side reps, a two-way movement (cat-cow). The
# bridge and cat-cow traces are made once from the shipped renders by bench/traces.py (inference).
TRACES: tuple[tuple[str, str], ...] = (
    ("bridge", "samples/bridge_clean_01.mp4"),
    ("forearm_plank", "samples/forearm_plank/*.landmarks.jsonl.gz"),
    ("piriformis_stretch", "samples/piriformis_stretch/pir_good_01.landmarks.jsonl.gz"),
    ("cat_cow", "samples/catcow_clean_11.mp4"),
)
SESSION_KEYS = ("reps", "holds", "phases", "cues")


def deep_size(obj: object, seen: set[int], skip: frozenset[int] = frozenset()) -> int:
    """Bytes reachable from ``obj`` not yet in ``seen`` (containers, dataclasses, numpy arrays)."""
    stack, total = [obj], 0
    while stack:
        o = stack.pop()
        if id(o) in seen or id(o) in skip or o is None or isinstance(o, (type, type(deep_size))):
            continue
        seen.add(id(o))
        total += sys.getsizeof(o)  # (a numpy array's counts its data, when it owns it)
        if hasattr(o, "dtype"):
            continue
        if isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset, collections.deque)):
            stack.extend(o)
        elif isinstance(o, (str, bytes, int, float, bool, array.array)):
            pass
        else:
            if hasattr(o, "__dict__"):
                stack.append(vars(o))
            for slot in getattr(type(o), "__slots__", ()):
                if hasattr(o, slot):
                    stack.append(getattr(o, slot))
    return total


def sizes(owner: object, skip: frozenset[int]) -> dict[str, int]:
    """Each attribute of ``owner`` measured deeply; what two attributes share is counted once (first)."""
    seen: set[int] = {id(owner)}
    return {name: deep_size(value, seen, skip) for name, value in sorted(vars(owner).items())}


def trace_path(spec: str) -> Path:
    """A trace: a shipped ``.landmarks.jsonl.gz`` (a glob: the first), else the bench's cached trace of a video."""
    if spec.endswith(".mp4"):
        sys.path.insert(0, str(ROOT))
        from bench.traces import cached_trace

        return cached_trace(ROOT / spec)
    found = sorted(ROOT.glob(spec)) if "*" in spec else [ROOT / spec]
    if not found or not found[0].is_file():
        raise SystemExit(f"record_memory: no trace {spec}")
    return found[0]


def replay(exercise_id: str, trace: Path, hours: float) -> dict:
    """The trace looped through one checker for ``hours``; the growth per hour of each attribute."""
    from coach.engine.checker import ExerciseChecker
    from coach.engine.definition import load_exercise
    from coach.live.stats import FrameTiming, LoopStats
    from coach.report import build_report
    from coach.trace import TraceSource

    exercise = load_exercise(exercise_id)
    source = TraceSource(str(trace))
    frames = list(source)
    period = frames[-1].t + 1.0 / source.info.fps
    loops = max(2, int(round(hours * 3600 / period)))
    checker = ExerciseChecker(exercise)
    stats = LoopStats()
    skip = frozenset({id(exercise)})
    warm_at, marks = max(1, loops // 10), {}
    for k in range(loops):
        if k == warm_at:
            gc.collect()
            marks["warm"] = (k * period, sizes(checker, skip), sizes(stats, skip))
        for f in frames:
            t = round(f.t + k * period, 5)  # a trace's precision, as live and analyze give the checker (quantize)
            checker.update(dataclasses.replace(f, t=t, index=f.index + k * len(frames)))
            stats.add(FrameTiming(t, t + 0.002, t + 0.035, t + 0.040))
    gc.collect()
    marks["end"] = (loops * period, sizes(checker, skip), sizes(stats, skip))
    session = checker.finish()
    source.info.frames, source.info.duration_s = loops * len(frames), loops * period
    report = build_report(exercise, source.info, session, {"name": "trace"}, ())
    report.pop("created", None)
    for key in [k for k in report if "time" in k or k in ("analysed_at", "generated")]:
        report.pop(key)
    digest = hashlib.sha1(json.dumps(report, sort_keys=True, default=str).encode()).hexdigest()[:12]
    (t0, c0, s0), (t1, c1, s1) = marks["warm"], marks["end"]
    per_h = 3600.0 / (t1 - t0)
    growth = {f"checker.{k}": (c1[k] - c0.get(k, 0)) * per_h for k in c1}
    growth.update({f"stats.{k}": (s1[k] - s0.get(k, 0)) * per_h for k in s1})
    counts = {"reps": len(session.reps), "holds": len(session.holds), "phases": len(session.phases),
              "cues": len(session.cues)}
    return {"exercise": exercise_id, "trace": trace.name, "hours": loops * period / 3600, "loops": loops,
            "frames": loops * len(frames), "growth": growth, "counts": counts, "digest": digest,
            "kept_end": {f"checker.{k}": v for k, v in c1.items()}}


def run_all(specs: Sequence[tuple[str, str]], hours: float) -> list[dict]:
    return [replay(ex, trace_path(spec), hours) for ex, spec in specs]


def against(rev: str, specs: Sequence[tuple[str, str]], hours: float) -> list[dict]:
    """The same replays on git revision ``rev``'s code (this bench's own file, that revision's coach/)."""
    with tempfile.TemporaryDirectory(prefix="coach-rev-") as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "coach", "poses"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        paths = [str(trace_path(spec)) for _, spec in specs]
        args = [sys.executable, __file__, "--_json", "--hours", str(hours),
                *[f"{ex}={p}" for (ex, _), p in zip(specs, paths)]]
        env = dict(os.environ, PYTHONPATH=tmp)
        out = subprocess.run(args, check=True, capture_output=True, text=True, env=env, cwd=tmp).stdout
        return json.loads(out)


def show(runs: list[dict], before: Optional[list[dict]]) -> None:
    mib = 1024.0 * 1024.0
    for k, r in enumerate(runs):
        b = before[k] if before else None
        print(f"{r['exercise']} ({r['trace']} x {r['loops']}, {r['hours']:.2f} h, {r['frames']} frames): "
              + ", ".join(f"{n} {v}" for n, v in r["counts"].items()) + f"; report {r['digest']}"
              + (f" (before: {b['digest']}, {'same' if b['digest'] == r['digest'] else 'DIFFERENT'})" if b else ""))
        names = sorted(set(r["growth"]) | (set(b["growth"]) if b else set()),
                       key=lambda n: -max(abs(r["growth"].get(n, 0)), abs(b["growth"].get(n, 0)) if b else 0))
        head = f"  {'kept per hour of session':<34}{'before':>12}{'after':>12}" if b else \
            f"  {'kept per hour of session':<34}{'bytes':>12}"
        print(head)
        for n in names:
            now, was = r["growth"].get(n, 0.0), (b["growth"].get(n, 0.0) if b else None)
            if abs(now) < 512 and (was is None or abs(was) < 512):
                continue
            print(f"  {n:<34}" + (f"{was:>12,.0f}" if b else "") + f"{now:>12,.0f}")
        total = sum(r["growth"].values())
        was_total = sum(b["growth"].values()) if b else None
        print(f"  {'total':<34}" + (f"{was_total:>12,.0f}" if b else "") + f"{total:>12,.0f}"
              + f"   = {total / mib / 6:.3f} MiB per 10 min"
              + (f" (before {was_total / mib / 6:.3f})" if b else ""))


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("traces", nargs="*", help="EXERCISE=TRACE_OR_VIDEO (default: one per kind of exercise)")
    ap.add_argument("--hours", type=float, default=1.0, help="session length replayed (default 1)")
    ap.add_argument("--against", metavar="REV", help="also run on git revision REV's code, shown as 'before'")
    ap.add_argument("--_json", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    specs = [tuple(s.split("=", 1)) for s in args.traces] if args.traces else list(TRACES)
    if not args._json:
        sys.path.insert(0, str(ROOT))
    runs = run_all(specs, args.hours)  # type: ignore[arg-type]
    if args._json:
        print(json.dumps(runs))
        return 0
    before = against(args.against, specs, args.hours) if args.against else None  # type: ignore[arg-type]
    show(runs, before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
