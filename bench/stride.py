"""Fewer inferences while a pose is held (coach/pose/stride.py): throughput gain, and reports unchanged.

Usage::

    .venv/bin/python bench/stride.py [VIDEO:EXERCISE ...] [--realworld] [--live N]

For each recording, ``coach analyze`` runs twice in this process, ``--stride off`` (every frame
inferred: the baseline) and ``--stride auto``, alternating which goes first, without the annotated
video. Printed per recording: frames, frames inferred, wall seconds and CPU seconds (process CPU
time, every MediaPipe thread included) of each, the gain (off / auto, wall), and the reports side
by side: reps, good reps, holds (s), sides and faults. ``same`` when counts, sides, faults and met
targets agree and every hold is within one frame; ``DIFF`` otherwise (the line says what).

The noise floor (``floor``, a third run, every frame inferred): skipping frames changes the
sequence MediaPipe's tracker sees, so the landmarks of the frames inferred afterwards differ a
little (its region of interest and smoothing follow the landmarks before), and an engine judging
a borderline clip near its thresholds can move a hold's edge by a few frames. How much any
invisible change does is measured by inferring every frame of the same video with each pixel's
lowest bit flipped (at most 1 grey level of 255): the differences stride makes are to be read
against those. ``--no-floor`` skips it.

The default recordings are the shipped renders of hold exercises (5 s holds between movements, so
about half of each is held) and a bridge with 2 s holds, whose reps should gain little.
``--realworld``: also the real clips of held poses in ../shared/realworld (read in place; skipped
when absent).

``--live N``: ``coach live --camera VIDEO --headless`` on the first N recordings, off and auto, as
subprocesses (a file played as a camera is released at its frame rate, so a session lasts as long
as the video): CPU seconds per second of video (``RUSAGE_CHILDREN``), the figure a laptop on
battery cares about, and the live reports' counts side by side.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "samples"
DEFAULT = [
    ("childs_pose/childs_mixed_01.mp4", "childs_pose"),
    ("pigeon_pose/pigeon_mixed_01.mp4", "pigeon_pose"),
    ("high_plank/hplank_good_01.mp4", "high_plank"),
    ("side_plank/splank_left_07.mp4", "side_plank"),
    ("hamstring_stretch/ham_mixed_04.mp4", "hamstring_stretch"),
    ("bridge_clean_01.mp4", "bridge"),
]
REALWORLD = ROOT.parent / "shared" / "realworld" / "videos"
REAL = [  # held poses (MANIFEST.md): most of each clip is a hold
    ("childspose__trajnovd_workout-app__childs_pose.mp4", "childs_pose"),
    ("childspose__HonzaCzSk_polybag__pozice_ditete.mp4", "childs_pose"),
    ("piriformis__ndnam0109_fitness-content__figure_four_stretch.mp4", "piriformis_stretch"),
    ("plank__trajnovd_workout-app__plank.mp4", "forearm_plank"),
    ("hipflexor__ndnam0109_fitness-content__hip_flexor_stretch.mp4", "hip_flexor_stretch"),
]


def cpu_s(who: int = resource.RUSAGE_SELF) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def outcome(report: dict) -> dict:
    """What must not change: counts, sides, faults, targets met; hold lengths (compared within a frame)."""
    return {"reps": report["summary"]["reps"], "good": report["summary"]["good_reps"],
            "rep_sides": [r["side"] for r in report["reps"]],
            "faults": [sorted(r["faults"]) for r in report["reps"]],
            "holds": [round(h["duration_s"], 2) for h in report["holds"]],
            "hold_sides": [h["side"] for h in report["holds"]],
            "met": [h["met_target"] for h in report["holds"]]}


def differences(a: dict, b: dict, frame_s: float) -> list[str]:
    diff = [k for k in a if k != "holds" and a[k] != b[k]]
    if len(a["holds"]) != len(b["holds"]):
        diff.append("holds")
    elif any(abs(x - y) > frame_s + 0.011 for x, y in zip(a["holds"], b["holds"])):  # (holds are rounded to 0.01 s)
        diff.append("hold_s")
    return diff


class LowBitFlipped:
    """A pose backend shown every picture with each pixel's lowest bit flipped: the noise floor."""

    def __init__(self, backend: object) -> None:
        self.backend = backend
        self.name, self.model = backend.name, backend.model  # type: ignore[attr-defined]

    def process(self, image, t, index):  # type: ignore[no-untyped-def]
        import numpy as np

        return self.backend.process(np.bitwise_xor(image, 1), t, index)  # type: ignore[attr-defined]

    def close(self) -> None:
        self.backend.close()  # type: ignore[attr-defined]


def analyse(video: Path, exercise_id: str, stride: str) -> tuple[dict, float, float]:
    """``stride``: off, auto, or floor (off on the low-bit-flipped pictures)."""
    import coach.pose.backends as backends
    from coach.analyze import analyze
    from coach.engine.definition import load_exercise

    exercise = load_exercise(exercise_id)
    make = backends.make_backend
    if stride == "floor":
        backends.make_backend = lambda *a, **k: LowBitFlipped(make(*a, **k))  # analyze imports it when it runs
    try:
        with tempfile.TemporaryDirectory() as out:
            c0, t0 = cpu_s(), time.perf_counter()
            result = analyze(str(video), exercise, out, write_video=False, progress=False,
                             stride="off" if stride == "floor" else stride, history_db=os.path.join(out, "history.db"))
            return result.report, time.perf_counter() - t0, cpu_s() - c0
    finally:
        backends.make_backend = make


def hold_shift(a: dict, b: dict) -> float:
    """The largest change of a hold's length (s); inf when the holds differ in number."""
    if len(a["holds"]) != len(b["holds"]):
        return float("inf")
    return max((abs(x - y) for x, y in zip(a["holds"], b["holds"])), default=0.0)


def bench_analyze(clips: list[tuple[Path, str]], floor: bool) -> dict[str, int]:
    print(f"{'recording':34s} {'frames':>6s} {'inferred':>9s} {'wall off/auto s':>16s} {'gain':>5s} "
          f"{'cpu off/auto s':>15s}  auto vs off{'; floor vs off' if floor else ''}")
    tally = {"recordings": 0, "same": 0, "counts_same": 0, "floor_same": 0}
    for n, (video, ex) in enumerate(clips):
        order = ("off", "auto") if n % 2 == 0 else ("auto", "off")
        runs = {stride: analyse(video, ex, stride) for stride in order + (("floor",) if floor else ())}
        (off, w_off, c_off), (auto, w_auto, c_auto) = runs["off"], runs["auto"]
        frames = off["source"]["frames"]
        inferred = auto["backend"]["frames_inferred"]
        frame_s = 1.0 / off["source"]["fps"]
        a, b = outcome(off), outcome(auto)
        diff = differences(a, b, frame_s)
        tally["recordings"] += 1
        tally["same"] += not diff
        tally["counts_same"] += not [d for d in diff if d != "hold_s"]
        said = "same" if not diff else f"DIFF {','.join(diff)} (holds up to {hold_shift(a, b):.2f} s)"
        if floor:
            c = outcome(runs["floor"][0])
            fdiff = differences(a, c, frame_s)
            tally["floor_same"] += not fdiff
            said += "; " + ("same" if not fdiff else f"DIFF {','.join(fdiff)} (holds up to {hold_shift(a, c):.2f} s)")
        print(f"{video.name[:34]:34s} {frames:6d} {inferred:5d} {inferred / frames:3.0%} {w_off:7.1f} /{w_auto:6.1f} "
              f"{w_off / w_auto:4.1f}x {c_off:6.1f} /{c_auto:6.1f}  {said}")
        for name, o in (("off", a), ("auto", b)) + ((("floor", c),) if floor else ()):
            print(f"    {name:5s} reps {o['reps']} good {o['good']} holds {o['holds']} sides {o['hold_sides'] or o['rep_sides']} "
                  f"met {o['met']} faults {o['faults']}")
    return tally


def live_run(video: Path, exercise_id: str, stride: str) -> tuple[dict, float, float]:
    with tempfile.TemporaryDirectory() as out:
        c0 = cpu_s(resource.RUSAGE_CHILDREN)
        cmd = [sys.executable, "-m", "coach", "live", "--camera", str(video), "--exercise", exercise_id, "--headless",
               "--out", os.path.join(out, "run"), "--stride", stride, "--no-pain-rating", "--no-body-controls",
               "--countdown", "0", "--history-db", os.path.join(out, "history.db"), "--mute"]
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       check=True, timeout=600)
        wall = time.perf_counter() - t0
        report = json.loads(Path(out, "run", "report.json").read_text(encoding="utf-8"))
        return report, wall, cpu_s(resource.RUSAGE_CHILDREN) - c0


def bench_live(clips: list[tuple[Path, str]]) -> None:
    print("\ncoach live --camera VIDEO --headless (a file is released at its frame rate): CPU s per s of video")
    print(f"{'recording':34s} {'video s':>7s} {'cpu/s off':>9s} {'cpu/s auto':>10s} {'saved':>6s} "
          f"{'inferred off/auto':>18s}  outcome")
    for n, (video, ex) in enumerate(clips):
        order = ("off", "auto") if n % 2 == 0 else ("auto", "off")
        runs = {stride: live_run(video, ex, stride) for stride in order}
        (off, _, c_off), (auto, _, c_auto) = runs["off"], runs["auto"]
        seconds = off["source"]["duration_s"] or 1.0
        a, b = outcome(off), outcome(auto)
        diff = differences(a, b, 0.1)  # live frames are taken as inference keeps up: compared within 0.1 s
        print(f"{video.name[:34]:34s} {seconds:7.1f} {c_off / seconds:9.2f} {c_auto / seconds:10.2f} "
              f"{1 - c_auto / c_off:6.0%} {off['backend'].get('frames_inferred', 0):8d} /{auto['backend'].get('frames_inferred', 0):6d}"
              f"  {'same' if not diff else 'DIFF ' + ','.join(diff)} (reps {a['reps']}/{b['reps']}, "
              f"holds {a['holds']} / {b['holds']})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("clips", nargs="*", help="VIDEO:EXERCISE (default: shipped renders of hold exercises and a bridge)")
    ap.add_argument("--realworld", action="store_true", help="also the real clips of held poses in ../shared/realworld")
    ap.add_argument("--live", type=int, default=0, metavar="N", help="also coach live on the first N recordings")
    ap.add_argument("--live-only", action="store_true", help="only the live figure")
    ap.add_argument("--no-floor", action="store_true", help="no noise-floor run (low bits flipped, every frame)")
    args = ap.parse_args()
    clips = [(Path(c.rsplit(":", 1)[0]), c.rsplit(":", 1)[1]) for c in args.clips] or \
        [(SAMPLES / v, ex) for v, ex in DEFAULT]
    if args.realworld:
        found = [(REALWORLD / v, ex) for v, ex in REAL if (REALWORLD / v).exists()]
        print(f"realworld: {len(found)} of {len(REAL)} clips found" + ("" if found else " (skipped)"))
        clips += found
    same = True
    if not args.live_only:
        tally = bench_analyze(clips, not args.no_floor)
        same = tally["counts_same"] == tally["recordings"]
        print(f"\nauto vs off: reports the same (holds within a frame) on {tally['same']} of {tally['recordings']}; "
              f"reps, sides, faults and targets met the same on {tally['counts_same']}")
        if not args.no_floor:
            print(f"noise floor (every frame, lowest bits flipped) vs off: the same on {tally['floor_same']} of "
                  f"{tally['recordings']}")
    if args.live:
        bench_live(clips[:args.live])
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
