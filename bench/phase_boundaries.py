"""Where the report's phases disagree with the labelled ones: each labelled phase boundary beside ours.

    python bench/phase_boundaries.py [--only synthetic|samples] [--exercise bridge,knee_to_chest] [-v]

For every labelled clip with phases (the labels' to_cat/to_cow/to_neutral read as ``moving``), each
labelled boundary (phase A -> phase B) is paired with our nearest boundary of the same kind within
1 s, and ``ours - labelled`` is printed (-v: per clip; ``missing``: none of ours within 1 s). Then,
per exercise and kind of boundary, the median and mean offset (a sign that stays the same is a
systematic lead or lag) and the exact frame-weighted phase agreement of bench/accuracy.py's ``phase``
column (negative clips included, as there), unrounded.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accuracy import (LABEL_PHASE_ALIASES, Clip, clip_frames, find_clips,  # noqa: E402
                            phase_agreement, run_checker)
from coach.engine.definition import exercise_ids, load_exercise  # noqa: E402

WITHIN_S = 1.0


def boundaries(segments: Sequence[tuple[float, str]]) -> list[tuple[float, str, str]]:
    """(time, phase before, phase after) of each change of phase name."""
    merged: list[tuple[float, str]] = []
    for t, name in segments:
        if not merged or merged[-1][1] != name:
            merged.append((t, name))
    return [(b[0], a[1], b[1]) for a, b in zip(merged, merged[1:])]


def offsets(clip: Clip, ours: Sequence[tuple[float, str]]) -> list[tuple[str, str, float, Optional[float]]]:
    """(before, after, labelled time, ours - labelled or None) for each labelled boundary."""
    labelled = [(s["start_s"], LABEL_PHASE_ALIASES.get(s["phase"], s["phase"])) for s in clip.labels.phases]
    found = boundaries(ours)
    out = []
    for t, a, b in boundaries(labelled):
        near = [u for u, x, y in found if (x, y) == (a, b) and abs(u - t) <= WITHIN_S]
        out.append((a, b, t, min(near, key=lambda u: abs(u - t)) - t if near else None))
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("synthetic", "samples"), default="synthetic")
    ap.add_argument("--exercise", help="comma-separated exercise ids (default: all)")
    ap.add_argument("-v", action="store_true", help="print every clip's boundaries")
    args = ap.parse_args(argv)
    exercises = args.exercise.split(",") if args.exercise else list(exercise_ids())
    notes: list[str] = []
    clips = [c for c in find_clips(exercises, args.only, notes) if c.labels.phases]
    frames_of = clip_frames(clips, notes)
    by_kind: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    agree: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for clip in clips:
        if clip.video not in frames_of:
            continue
        ex = load_exercise(clip.exercise)
        found = run_checker(ex, frames_of[clip.video])
        phase = phase_agreement(clip, ex, found, frames_of[clip.video])
        if phase is not None:
            agree[clip.exercise][0] += phase[0]
            agree[clip.exercise][1] += phase[1]
        if clip.negative or found.phases is None:
            continue
        cells = []
        for a, b, t, d in offsets(clip, [(s.start_s, s.phase) for s in found.phases]):
            cells.append(f"{a}>{b}@{t:.2f}:" + ("missing" if d is None else f"{d:+.2f}"))
            if d is not None:
                by_kind[(clip.exercise, a, b)].append(d)
        if args.v:
            print(f"{clip.name}: {' '.join(cells)}")
    print("boundary offsets, ours - labelled (s)")
    for (ex_id, a, b), ds in sorted(by_kind.items()):
        print(f"  {ex_id:24s} {a:>10s} > {b:10s} n={len(ds):3d}  median {statistics.median(ds):+.3f}  "
              f"mean {statistics.mean(ds):+.3f}  mean |d| {statistics.mean(abs(d) for d in ds):.3f}")
    print("phase agreement, frame-weighted (bench/accuracy.py's phase column, unrounded)")
    for ex_id, (hits, frames) in sorted(agree.items()):
        print(f"  {ex_id:24s} {hits}/{frames} = {100 * hits / frames:.2f} %")
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
