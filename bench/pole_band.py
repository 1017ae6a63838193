"""Cat-cow's pole holds against labelled hold intervals, for other widths of the pole's band (leave_pole).

    python bench/pole_band.py [--only synthetic|realworld] [--band 0.06,0.08,0.1,0.12,0.15]

Per band: the median start and end offset of our holds (ours - labelled, s), and the median |hold
error| as bench/accuracy.py scores realworld holds (a labelled hold none of ours overlaps counts
with its whole length). On the synthetic renders the labelled interval is the renderer's motionless
time at the pole (not the position time in the band, which would move with the band itself); on the
realworld clips it is the annotator's. The count error per clip is printed too: a band that loses
or adds a cycle is no candidate.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
from pathlib import Path
from typing import Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accuracy import clip_frames, find_clips, match, run_checker  # noqa: E402
from coach.engine.definition import load_exercise  # noqa: E402


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("synthetic", "realworld"), default="synthetic")
    ap.add_argument("--band", default="0.06,0.08,0.1,0.12,0.15", help="leave_pole values to try")
    args = ap.parse_args(argv)
    notes: list[str] = []
    clips = [c for c in find_clips(["cat_cow"], args.only, notes) if not c.negative and c.labels.holds]
    frames_of = clip_frames(clips, notes)
    base = load_exercise("cat_cow")
    print(f"cat_cow pole holds on {args.only} ({len(clips)} clips); definition's leave_pole {base.phases.leave_pole}")
    for band in (float(b) for b in args.band.split(",")):
        ex = dataclasses.replace(base, phases=dataclasses.replace(base.phases, leave_pole=band))
        starts, ends, errors, counts = [], [], [], []
        for clip in clips:
            found = run_checker(ex, frames_of[clip.video])
            counts.append(len(found.reps) - (clip.labels.rep_count or 0))
            ours = {j: i for i, j in match([(h.start_s, h.end_s) for h in found.holds], clip.labels.holds).items()}
            for j, (a, b) in enumerate(clip.labels.holds):
                hold = found.holds[ours[j]] if j in ours else None
                errors.append(abs((b - a) - (hold.duration_s if hold else 0.0)))
                if hold:
                    starts.append(hold.start_s - a)
                    ends.append(hold.end_s - b)
        print(f"  leave_pole {band:.3f}: {len(errors)} holds, d start {statistics.median(starts):+.2f}, "
              f"d end {statistics.median(ends):+.2f}, median |hold error| {statistics.median(errors):.2f} s, "
              f"count errors {counts}")
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
