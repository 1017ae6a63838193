"""Camera placements a user will really use: each synthetic clip re-filmed (rolled, framed close) and
checked, beside what the set-up check says of the same placement.

    .venv/bin/python bench/placements.py [--exercise ID] [--only roll10,crop_edge,...]

Placements, each made from every labelled synthetic clip of ../shared/synthetic (the clips already
cover side-on and +-30 deg from either end, cameras at 0.35 m and 1 m):

- ``as_rendered``: the clip itself (the baseline, in the same run);
- ``roll10``, ``roll20``, ``roll-20``: the picture turned 10 / 20 degrees (a phone leaning on
  something), the whole frame kept (corners filled grey), as ``cv2.warpAffine`` about the centre;
- ``edge``: framed close (zoomed in, the picture's shape kept) until the part that only shows the
  starting position sits at the picture's edge: the feet (lying exercises) or the hands (cat-cow),
  placed from the truth file's landmarks;
- ``w320``, ``w160``, ``w96``, ``w64``: the picture scaled down to 320 ... 64 pixels wide (a 64x48 video):
  where the person is too small for the landmarks to judge form (the torso's length in pixels is
  printed: ``coach.engine.judgeable.MIN_TORSO_PX`` is set from this table).

Each variant is a new video (cached in bench/.cache/placements) run through real MediaPipe once
(bench/traces.py caches the landmarks), then through the checker; the figures per exercise and
placement are those of bench/accuracy.py (counted exactly, median |hold error| in the position,
fault precision and recall) and the set-up check's verdict on the first 4 s (``coach calibrate
camera``'s judge for the exercise: usable or what it would change). A placement the set-up check
refuses should be one the checker fails on, and the other way round.

Then the clips rendered for this bench (``bench/render/placements.json``, rendered with
../shared/render into ``bench/render/out``): each exercise filmed 55 deg from side-on, from the head
end with the camera 1.2 m up (a desk) and from the feet end 0.35 m up (the floor). Real placements
(oblique up to 54 deg, a phone on the floor) are the realworld clips of bench/accuracy.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.accuracy import (Clip, Totals, _secs, load_frames, score_ours, synthetic_clips,  # noqa: E402
                            table)
from calibration.camera import FrameSample, judge, measure  # noqa: E402
from coach.engine.definition import Exercise, exercise_ids, load_exercise  # noqa: E402
from coach.labels import load_labels  # noqa: E402
from coach.live.setup import parts_for  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "placements"
RENDERS = ROOT / "bench" / "render" / "out"
Transform = Callable[[np.ndarray], np.ndarray]


def rolled(deg: float) -> Callable[[Clip], Transform]:
    def make(_clip: Clip) -> Transform:
        def apply(image: np.ndarray) -> np.ndarray:
            h, w = image.shape[:2]
            m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
            return cv2.warpAffine(image, m, (w, h), borderValue=(128, 128, 128))
        return apply
    return make


def _truth_points(clip: Clip, joints: Sequence[str]) -> np.ndarray:
    """Every truth position of ``joints`` (both sides) over the clip, pixels."""
    truth = clip.labels.video.with_name(clip.labels.video.stem + ".truth.json.gz")
    with gzip.open(truth, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    names = data["landmark_names"]
    idx = [names.index(f"{s}_{j}") for s in ("left", "right") for j in joints]
    pts = [f["landmarks_2d"][i] for f in data["frames"] for i in idx if f["landmarks_2d"][i] is not None]
    return np.array(pts, dtype=float)


def edge(clip: Clip) -> Transform:
    """Zoom in (the picture's shape kept) until the feet (lying) or the hands (hands and knees) sit at
    the picture's edge: a camera framed close."""
    hands = clip.exercise == "cat_cow"
    pts = _truth_points(clip, ("wrist",) if hands else ("ankle",))
    body = _truth_points(clip, ("shoulder", "hip"))
    cx, cy = float(np.median(body[:, 0])), float(np.median(body[:, 1]))

    def apply(image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        if hands:  # the hands are the lowest part: the bottom edge at their height
            y1 = int(min(max(np.median(pts[:, 1]), h / 2), h))
            ch, cw = y1, int(y1 * w / h)
            x0 = int(min(max(cx - cw / 2, 0), w - cw))
            crop = image[:y1, x0:x0 + cw]
        else:  # the feet's edge at the ankles
            x = float(np.median(pts[:, 0]))
            feet_left = x < cx
            cw = int(w - x) if feet_left else int(x)
            cw = max(cw, w // 2)
            ch = int(cw * h / w)
            y0 = int(min(max(cy - ch / 2, 0), h - ch))
            crop = image[y0:y0 + ch, w - cw:] if feet_left else image[y0:y0 + ch, :cw]
        return cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
    return apply


def smaller(width: int) -> Callable[[Clip], Transform]:
    """The picture scaled down to ``width`` pixels wide (aspect kept): a low-resolution recording, or
    a person far away in a small video. Where landmarks turn to noise, form cannot be judged."""
    def make(_clip: Clip) -> Transform:
        def apply(image: np.ndarray) -> np.ndarray:
            h, w = image.shape[:2]
            return cv2.resize(image, (width, max(2, int(round(h * width / w)))), interpolation=cv2.INTER_AREA)
        return apply
    return make


PLACEMENTS: dict[str, Optional[Callable[[Clip], Transform]]] = {
    "as_rendered": None, "roll10": rolled(10.0), "roll20": rolled(20.0), "roll-20": rolled(-20.0), "edge": edge,
    "w320": smaller(320), "w160": smaller(160), "w96": smaller(96), "w64": smaller(64),
}


def variant(clip: Clip, name: str) -> Path:
    """The clip re-filmed in placement ``name`` (cached)."""
    make = PLACEMENTS[name]
    if make is None:
        return clip.video
    out = CACHE / f"{clip.name}.{name}.mp4"
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    apply = make(clip)
    cap = cv2.VideoCapture(str(clip.video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    writer = None
    tmp = out.with_suffix(".tmp.mp4")
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frame = apply(image)
        if writer is None:
            writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (frame.shape[1], frame.shape[0]))
        writer.write(frame)
    cap.release()
    if writer is not None:
        writer.release()
    tmp.replace(out)
    return out


def torso_px(pose) -> float:  # type: ignore[no-untyped-def]
    """The torso's length in the picture (mid-shoulders to mid-hips), pixels: how big the person is."""
    from coach.measures import torso_length_px

    return torso_length_px(pose)


def setup_verdict(ex: Exercise, frames: list, seconds: float = 4.0) -> str:
    """What ``coach calibrate camera --exercise`` would say of the first seconds: ok, or what to change."""
    samples = [FrameSample(p, 128.0) for p in frames if p.t < seconds]
    v = judge(measure(samples), ex.view, parts=parts_for(ex.key_joints), side_within=ex.side_within_deg)
    return "ok" if v.usable else "change " + "+".join(c.code for c in v.to_change)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exercise", help="one exercise id (default: every one defined)")
    ap.add_argument("--only", help="comma-separated placements (default: all)")
    args = ap.parse_args(argv)
    ids = [args.exercise] if args.exercise else exercise_ids()
    names = args.only.split(",") if args.only else list(PLACEMENTS)
    exercises = {i: load_exercise(i) for i in ids}
    notes: list[str] = []
    clips = [c for c in synthetic_clips(ids, notes) if not c.negative]
    rows, verdicts = [], []
    for ex_id in ids:
        for name in names:
            totals = Totals()
            said: dict[str, int] = {}
            torso: list[float] = []
            for clip in (c for c in clips if c.exercise == ex_id):
                frames = load_frames(variant(clip, name), notes)
                torso += [torso_px(p) for p in frames if p.xy is not None]
                s = score_ours(clip, exercises[ex_id], frames)
                totals.add(s)
                v = setup_verdict(exercises[ex_id], frames)
                said[v] = said.get(v, 0) + 1
                if s.error or v != "ok":
                    verdicts.append(f"  {ex_id} {name} {clip.name}: count {s.error:+d}, hold "
                                    f"{_secs(s.hold_errors)} s, set-up check: {v}")
            cells = totals.cells(with_phase=False)
            rows.append([ex_id, name, str(totals.clips), f"{statistics.median(torso):.0f}" if torso else "-"]
                        + cells[:1] + cells[3:6] + [", ".join(f"{k} x{n}" for k, n in sorted(said.items()))])
    print("camera placements: synthetic clips re-filmed; ours, and what the set-up check says of the placement")
    print("(exact = clips counted exactly, hold = median |hold error| in the position, P/R = fault precision/recall)")
    print("\n".join(table(["exercise", "placement", "clips", "torso px", "exact", "hold", "P", "R",
                           "set-up check (clips)"], rows, left=2)))
    rendered = [Clip(labels, "synthetic", labels.exercise, labels.video)
                for labels in map(load_labels, sorted(RENDERS.glob("*.labels.json"))) if labels.exercise in ids]
    if rendered:
        print("\nrendered for this bench (55 deg from side-on, camera on a desk 1.2 m up or on the floor 0.35 m up):")
        rows = []
        for clip in rendered:
            ex = exercises[clip.exercise]
            frames = load_frames(clip.video, notes)
            s = score_ours(clip, ex, frames)
            f = s.faults
            rows.append([clip.exercise, clip.name, f"{clip.labels.rep_count}", f"{s.counted}", _secs(s.hold_errors),
                         f"{f[0]}/{f[1]}" if f else "", f"{s.sides[0]}/{s.sides[1]}" if s.sides else "",
                         setup_verdict(ex, frames)])
        print("\n".join(table(["exercise", "clip", "exp", "n", "hold", "flt P", "side", "set-up check"], rows, left=2)))
    print("\nclips miscounted or refused by the set-up check:")
    print("\n".join(verdicts) if verdicts else "  none")
    for n in notes:
        print(f"note: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
