"""Recognising the exercise from the poses alone (coach/recognize): train on the project's renders,
measure on recordings it never saw.

    python bench/recognition.py --train     # build coach/recognize/model.npz from samples/ (renders)
    python bench/recognition.py             # the figures
    python bench/recognition.py --cv        # the renders left out in turn (where parameters are chosen)

Training: every clip under samples/ (the catalogue's renders and the demo clips), each window
labelled with the clip's exercise. Measured on (never trained on):
- ../shared/synthetic clips that are not copies of a sample (renders of other bodies and cameras);
- ../shared/realworld: real people. Their exercises outside what the model knows (bird dog, squats,
  push-ups, seated cat-cow; catalogue exercises without renders yet) should come out "unknown".
Printed: per clip analysed alone, the longest segment's label against the truth (a confusion
matrix); and on joined recordings (the test clips in a shuffled order, four at a time, one after the
other), the share of frames recognised right outside transitions (1 s either side of a join;
target >= 90 %) and each join's boundary error (target median <= 1 s).

``--cv``: the same figures on the renders under samples/, four clips at a time left out of training
and joined: the split on which the recogniser's parameters (coach/recognize/model.py, features.py)
are chosen, so that the synthetic and realworld figures stay out-of-sample. Each clip's world
landmarks are cached in bench/.cache/recognition_world (by its trace), so a run only computes
features, windows and models (about 1.5 min).

samples/cat_cow/ holds two renders made for this (cat-cow had only the two synthetic clips' copies
in samples/): bench/render/placements.json's catcow_az55_h120 and catcow_az-55_h035, rendered with
../shared/render make_dataset.py and shipped with bench/traces.py --ship.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accuracy import REALWORLD_IDS, SAMPLES_DIR, SYNTHETIC_DIR, REALWORLD_DIR, load_frames  # noqa: E402
from coach.labels import load_labels, load_realworld  # noqa: E402
from bench.traces import cached_trace  # noqa: E402
from coach.recognize.model import (MODEL_PATH, UNKNOWN, Model, Segment, features_of, label_at,  # noqa: E402
                                   segments_of, train_windows, windows_of, world_series)
from coach.routine.catalogue import CATALOGUE_IDS  # noqa: E402

TRANSITION_S = 1.0
GROUP = 4
FEATURE_CACHE = Path(__file__).resolve().parent / ".cache" / "recognition_world"


@dataclasses.dataclass
class Series:
    """One recording's frame times and world landmarks (frames, 33, 3; NaN where none)."""
    times: np.ndarray
    world: np.ndarray

    def windows(self) -> tuple[np.ndarray, list[Optional[np.ndarray]]]:
        return windows_of(self.times, features_of(self.world))


def series_of(video: Path, notes: list[str]) -> Series:
    """The clip's times and world landmarks, cached on disk by its trace (reading a trace takes far
    longer than the features): a --cv run then computes features, windows and trains only."""
    trace = cached_trace(video)
    key = hashlib.sha1(f"{trace.resolve()}|{trace.stat().st_size}|{trace.stat().st_mtime_ns}".encode())
    path = FEATURE_CACHE / f"{video.stem}.{key.hexdigest()[:12]}.npz"
    if path.exists():
        with np.load(path) as d:
            return Series(d["times"], d["world"].astype(float))
    times, world = world_series(load_frames(video, notes))
    FEATURE_CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, times=times, world=world.astype(np.float32))
    return Series(times, world)


def training_clips(notes: list[str]) -> list[tuple[str, Path]]:
    return [(labels.exercise, labels.video) for labels in map(load_labels, sorted(SAMPLES_DIR.rglob("*.labels.json")))]


def test_clips(notes: list[str]) -> list[tuple[str, str, Path]]:
    """(origin, true exercise id, video) of the clips never trained on."""
    out = []
    shipped = {p.name.replace(".labels.json", "") for p in SAMPLES_DIR.rglob("*.labels.json")}
    if SYNTHETIC_DIR.is_dir():
        for p in sorted(SYNTHETIC_DIR.glob("*.labels.json")):
            labels = load_labels(p)
            if labels.name not in shipped:
                out.append(("synthetic", labels.exercise, labels.video))
    else:
        notes.append(f"{SYNTHETIC_DIR} not found: no synthetic test clips")
    if (REALWORLD_DIR / "labels.json").is_file():
        for labels in load_realworld(REALWORLD_DIR):
            ex = REALWORLD_IDS.get(labels.exercise, labels.exercise)
            if labels.video.exists():
                out.append(("realworld", ex, labels.video))
    else:
        notes.append(f"{REALWORLD_DIR} not found: no real test clips")
    return out


def expected(exercise: str, model: Model) -> str:
    """What the model should say: the exercise if it was trained on it, otherwise unknown."""
    return exercise if exercise in model.labels else UNKNOWN


def joined(parts: Sequence[tuple[str, Series]]) -> tuple[Series, list[tuple[float, float, str]]]:
    """The clips one after another; the truth as (start, end, exercise)."""
    times, worlds = [], []
    truth = []
    t = 0.0
    for ex, sr in parts:
        if len(sr.times) == 0:
            continue
        period = (sr.times[-1] - sr.times[0]) / max(len(sr.times) - 1, 1)
        moved = sr.times - sr.times[0] + t
        times.append(moved)
        worlds.append(sr.world)
        truth.append((t, float(moved[-1]), ex))
        t = float(moved[-1]) + period
    return Series(np.concatenate(times), np.concatenate(worlds)), truth


def segments_for(model: Model, sr: Series) -> list[Segment]:
    if len(sr.times) == 0:
        return []
    centres, feats = sr.windows()
    return segments_of(model, centres, feats, float(sr.times[0]), float(sr.times[-1]))


def score_joined(model: Model, sr: Series, truth: list[tuple[float, float, str]],
                 wrong: Optional[Counter] = None) -> tuple[int, int, list[float]]:
    """Frames right outside transitions, frames counted, each join's boundary error; ``wrong`` counts
    the wrong frames by (truth, found)."""
    segs = segments_for(model, sr)
    right = total = 0
    for t in sr.times:
        for a, b, ex in truth:
            if a + TRANSITION_S <= t <= b - TRANSITION_S:
                total += 1
                found = label_at(segs, t)
                right += found == ex
                if wrong is not None and found != ex:
                    wrong[(ex, found)] += 1
    cuts = [s.start_s for s in segs[1:]]
    errors = [min((abs(c - b) for c in cuts), default=float("inf")) for (_, b, _) in truth[:-1]]
    return right, total, errors


def longest(segs: Sequence[Segment]) -> str:
    if not segs:
        return UNKNOWN
    by = Counter()
    for s in segs:
        by[s.exercise] += s.end_s - s.start_s
    return by.most_common(1)[0][0]


def report(name: str, model_of, clips: Sequence[tuple[str, Series]], seed: int) -> None:
    """Per clip alone (a confusion matrix) and joined four at a time; ``model_of(group)`` is the model
    that never saw the clips of ``group`` (indices into ``clips``)."""
    rng = random.Random(seed)
    order = list(range(len(clips)))
    rng.shuffle(order)
    confusion: dict[str, Counter] = defaultdict(Counter)
    right = total = 0
    errors: list[float] = []
    wrong: Counter = Counter()
    for g in range(0, len(order), GROUP):
        group = order[g:g + GROUP]
        model = model_of(group)
        for i in group:
            ex, sr = clips[i]
            confusion[expected(ex, model)][longest(segments_for(model, sr))] += 1
        if len(group) > 1:
            sr, truth = joined([(expected(clips[i][0], model), clips[i][1]) for i in group])
            r, n, e = score_joined(model, sr, truth, wrong)
            right, total, errors = right + r, total + n, errors + e
    hits = sum(confusion[t][t] for t in confusion)
    print(f"\n{name}: {len(clips)} clips analysed alone, the longest segment right in {hits}/{len(clips)}")
    print(f"  {'truth':<22} found")
    for t in sorted(confusion):
        print(f"  {t:<22} " + ", ".join(f"{k} {n}" for k, n in confusion[t].most_common()))
    med = float(np.median(errors)) if errors else float("nan")
    within = sum(e <= 1.0 for e in errors)
    print(f"  joined recordings ({GROUP} clips each): frames right outside transitions "
          f"{100 * right / max(total, 1):.1f}% of {total}; boundary error median {med:.1f} s, "
          f"{within}/{len(errors)} within 1 s")
    print("  wrong frames (truth -> found): " + ", ".join(f"{a} -> {b} {n}" for (a, b), n in wrong.most_common(12)))


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", action="store_true", help="train on samples/ and write coach/recognize/model.npz")
    ap.add_argument("--cv", action="store_true", help="the renders under samples/, four left out of training at a time")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    notes: list[str] = []
    if args.cv:
        clips = [(ex, series_of(v, notes)) for ex, v in training_clips(notes)]
        wins = [(ex, sr.windows()[1]) for ex, sr in clips]
        report("renders left out in turn",
               lambda group: train_windows([w for i, w in enumerate(wins) if i not in group]), clips, args.seed)
        for n in notes:
            print(f"note: {n}")
        return 0
    if args.train:
        clips = [(ex, series_of(v, notes)) for ex, v in training_clips(notes)]
        model = train_windows([(ex, sr.windows()[1]) for ex, sr in clips])
        model.save(MODEL_PATH)
        per = Counter(model.y.tolist())
        print(f"trained on {len(clips)} clips, {len(model.y)} windows of {len(per)} exercises; "
              f"unknown beyond {model.unknown_distance:.2f}; written {MODEL_PATH}")
        for ex, n in sorted(per.items()):
            print(f"  {ex:<22} {n} windows")
        return 0
    model = Model.load(MODEL_PATH)
    tests = test_clips(notes)
    loaded = []
    for origin, ex, video in tests:
        try:
            loaded.append((origin, ex, video, series_of(video, notes)))
        except Exception as err:  # noqa: BLE001 - a clip without landmarks is left out with a note
            notes.append(f"{video.name}: no landmarks ({err})")
    print(f"model: {len(model.labels)} exercises ({', '.join(model.labels)})")
    for origin in ("synthetic", "realworld"):
        mine = [c for c in loaded if c[0] == origin]
        if not mine:
            continue
        report(origin, lambda group: model, [(ex, frames) for _, ex, _, frames in mine], args.seed)
    for n in notes:
        print(f"note: {n}")
    known = [ex for ex in CATALOGUE_IDS if ex not in model.labels]
    print(f"\nnot in the model (no renders yet): {', '.join(known) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
