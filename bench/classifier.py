"""The k-NN pose classifier (bench/knn.py) beside the phase machine: where a second opinion
learnt from renders helps, and where it does not.

    .venv/bin/python bench/classifier.py [--exercise ID]

Per exercise, every frame is put in a coarse class: ``rest`` (rest, neutral), the hold's pose
(bridge ``top``, knee to chest ``hold``, cat-cow ``cat`` and ``cow``) or ``moving``. Two opinions of
each frame are scored against the labels:

- ``knn``: the classifier, trained on the rendered clips of ../shared/synthetic (their truth phases),
  its per-frame opinion smoothed over +-4 frames. On the synthetic clips each clip is left out of
  its own training (leave-one-clip-out); on the realworld clips it is trained on all the renders.
- ``ours``: the phase machine's phases from the report (as bench/accuracy.py runs the checker).

Synthetic: every frame against the truth phase. Realworld (labels give hold intervals and rep
intervals, not phases): frames inside a labelled hold against that hold's pose (``REAL_POSES``:
cat-cow's notes name them), and frames before the first or after the last labelled rep, where the
annotator saw the person lie still, against ``rest`` (clips with such a stretch only).
Landmarks come from bench/traces.py's cache, so both opinions see the same frames.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.accuracy import Clip, load_frames, phase_at, realworld_clips, run_checker, synthetic_clips, table  # noqa: E402
from coach.engine.definition import Exercise, load_exercise  # noqa: E402
from coach.pose.frame import PoseFrame  # noqa: E402
from bench.knn import KnnPoseClassifier, accuracy, embed, smoothed  # noqa: E402

EXERCISES = ("bridge", "knee_to_chest", "cat_cow")
MOVING = {"rising", "lowering", "pulling", "releasing", "moving", "to_cat", "to_cow", "to_neutral"}
REST = {"rest", "neutral"}
# The pose of each labelled realworld hold, in order, where it is not the exercise's one hold pose.
REAL_POSES = {"catcow__trajnovd_workout-app__cat_cow": ["cow", "cat"],
              "catcow__HonzaCzSk_polybag__kocici_hrbet": ["cat", "cow", "cat", "cow"]}
HOLD_POSE = {"bridge": "top", "knee_to_chest": "hold"}


def coarse(phase: Optional[str]) -> str:
    if phase is None:
        return "setup"
    return "rest" if phase in REST else "moving" if phase in MOVING else phase


def truth_classes(clip: Clip, frames: Sequence[PoseFrame]) -> list[str]:
    return [coarse(phase_at(clip.labels.phases, p.t, lambda s: (s["start_s"], s["end_s"], s["phase"]))) for p in frames]


def our_classes(ex: Exercise, frames: Sequence[PoseFrame]) -> list[str]:
    phases = run_checker(ex, frames).phases or []
    return [coarse(phase_at(phases, p.t, lambda s: (s.start_s, s.end_s, s.phase))) for p in frames]


def real_targets(clip: Clip, frames: Sequence[PoseFrame]) -> list[Optional[str]]:
    """Per frame: the labelled pose (inside a hold), ``rest`` (before the first / after the last rep
    when the clip has such a stretch), or None (not labelled: not scored)."""
    poses = REAL_POSES.get(clip.name) or [HOLD_POSE.get(clip.exercise, "")] * len(clip.labels.holds)
    reps = [(r.start_s, r.end_s) for r in clip.labels.reps if r.start_s is not None]
    spans = [(a, b) for a, b in reps] + list(clip.labels.holds)
    first = min((a for a, _ in spans), default=None)
    last = max((b for _, b in spans), default=None)
    out: list[Optional[str]] = []
    for p in frames:
        held = next((poses[k] for k, (a, b) in enumerate(clip.labels.holds) if a <= p.t <= b and k < len(poses)), None)
        if held:
            out.append(held)
        elif clip.exercise != "cat_cow" and first is not None and (p.t < first - 0.3 or p.t > last + 0.3):
            out.append("rest")
        else:
            out.append(None)
    return out


def train(samples_of: dict[str, list], leave_out: Optional[str] = None) -> KnnPoseClassifier:
    return KnnPoseClassifier().fit([s for name, ss in samples_of.items() if name != leave_out for s in ss])


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exercise", choices=EXERCISES)
    args = ap.parse_args(argv)
    notes: list[str] = []
    rows = []
    per_class: list[str] = []
    for ex_id in [args.exercise] if args.exercise else EXERCISES:
        ex = load_exercise(ex_id)
        synth = [c for c in synthetic_clips([ex_id], notes) if not c.negative]
        frames_of = {c.name: load_frames(c.video, notes) for c in synth}
        truth_of = {c.name: truth_classes(c, frames_of[c.name]) for c in synth}
        samples_of = {c.name: [(x, y) for p, y in zip(frames_of[c.name], truth_of[c.name])
                               if (x := embed(p)) is not None] for c in synth}
        knn_pairs, our_pairs = [], []
        for c in synth:
            model = train(samples_of, leave_out=c.name)
            said = smoothed([model.predict(embed(p)) for p in frames_of[c.name]])
            knn_pairs += list(zip(said, truth_of[c.name]))
            our_pairs += list(zip(our_classes(ex, frames_of[c.name]), truth_of[c.name]))
        rows.append([ex_id, "synthetic (leave one clip out)", str(len(knn_pairs)),
                     f"{100 * accuracy(knn_pairs):.0f}%", f"{100 * accuracy(our_pairs):.0f}%"])
        for cls in sorted({t for _, t in knn_pairs}):
            k = [(p, t) for p, t in knn_pairs if t == cls]
            o = [(p, t) for p, t in our_pairs if t == cls]
            per_class.append(f"  {ex_id} synthetic {cls}: knn {100 * accuracy(k):.0f}%, ours {100 * accuracy(o):.0f}% "
                             f"of {len(k)} frames")
        model = train(samples_of)
        for clip in (c for c in realworld_clips([ex_id], notes) if c.origin == "realworld"):
            frames = load_frames(clip.video, notes)
            targets = real_targets(clip, frames)
            if not any(targets):
                continue
            said = smoothed([model.predict(embed(p)) for p in frames])
            ours = our_classes(ex, frames)
            for cls in sorted({t for t in targets if t}):
                k = [(s, t) for s, t in zip(said, targets) if t == cls]
                o = [(s, t) for s, t in zip(ours, targets) if t == cls]
                rows.append([ex_id, f"{clip.display}: {cls}", str(len(k)), f"{100 * accuracy(k):.0f}%",
                             f"{100 * accuracy(o):.0f}%"])
    print("frames recognised right: the k-NN pose classifier beside the phase machine")
    print("\n".join(table(["exercise", "clips: frames of", "frames", "knn", "ours"], rows, left=2)))
    print("\nsynthetic, per class:")
    print("\n".join(per_class))
    for n in notes:
        print(f"note: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
