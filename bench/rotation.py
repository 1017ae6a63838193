"""Rotation bench: how well MediaPipe's world landmarks read the trunk's turn (the shoulder line against
the hip line about the trunk's axis), the hips' turn and the sideways lean, against the renders' truth.

    .venv/bin/python bench/rotation.py [--exercise seated_rotation] [--mirror]

For every rendered clip in samples/<exercise>/ (the rotations: seated_spinal_twist, seated_rotation)
it replays the shipped trace (NAME.landmarks.jsonl.gz) and reads the truth file's keypoints
(NAME.truth.json.gz: the renderer's 3D COCO keypoints, world metres, z up) frame by frame:

- ``twist``: coach.measures.rotations.twist_left (MediaPipe's world landmarks' angle times
  TWIST_SCALE; ``raw``: unscaled) against the same angle of the truth keypoints (``truth_twist``,
  the same formula); per clip the median |error| over
  the frames labelled ``hold`` (the target: within 10 deg), over the rest frames, and over the whole
  clip; per labelled hold the median reading and the true angle, and whether its sign names the
  labelled side.
- ``hips``: hip_turn's change from the clip's first rest against the truth hip line's turn about the
  vertical (the hips_turned fault), median over each hold.
- ``lean``: side_lean's change from rest against the truth trunk axis's lean toward the hip line
  (the leaning fault), median over each hold.

``--mirror``: also each clip flipped left-right (ffmpeg hflip, MediaPipe run once, cached under
bench/.cache), compared with the mirror image's truth (every turn and lean the other way): a
mirrored picture swaps the person's left and right, so the turn should read to the other side;
printed as the number of holds read as the other side than the label.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.traces import cached_trace  # noqa: E402
from coach.labels import load_labels  # noqa: E402
from coach.measures.rotations import (TWIST_SCALE, YAW_SCALE, hip_turn, shoulder_yaw, side_lean, twist_left,  # noqa: E402
                                      twist_left_raw)
from coach.trace import TraceSource  # noqa: E402

EXERCISES = ("seated_spinal_twist", "seated_rotation")
SAMPLES = ROOT / "samples"
MIRROR_CACHE = ROOT / "bench" / ".cache" / "mirrored"
LS, RS, LH, RH = 11, 12, 23, 24


def truth_frames(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)["frames"]


def _truth_points(frame: dict) -> dict[str, np.ndarray]:
    w = frame["landmarks_3d"]
    return {n: np.asarray(w[i], float) for n, i in (("ls", LS), ("rs", RS), ("lh", LH), ("rh", RH))}


def truth_twist(frame: dict) -> float:
    """The shoulder line's turn against the hip line about the trunk's axis, + = to the left (truth keypoints)."""
    p = _truth_points(frame)
    s, h = p["ls"] - p["rs"], p["lh"] - p["rh"]
    up = (p["ls"] + p["rs"] - p["lh"] - p["rh"]) / 2
    up /= np.linalg.norm(up)
    s, h = s - up * (s @ up), h - up * (h @ up)
    return math.degrees(math.atan2(float(up @ np.cross(h, s)), float(h @ s)))


def truth_hip_yaw(frame: dict) -> float:
    """The hip line's direction about the vertical (world z), degrees (only its change means anything)."""
    p = _truth_points(frame)
    h = p["lh"] - p["rh"]
    return math.degrees(math.atan2(float(h[1]), float(h[0])))


def truth_shoulder_yaw(frame: dict) -> float:
    """The shoulder line's direction about the vertical (world z), degrees: the room turn's reference."""
    p = _truth_points(frame)
    s = p["ls"] - p["rs"]
    return math.degrees(math.atan2(float(s[1]), float(s[0])))


def truth_lean(frame: dict) -> float:
    """The trunk axis's lean toward the left hip, degrees (truth keypoints)."""
    p = _truth_points(frame)
    h = p["lh"] - p["rh"]
    up = (p["ls"] + p["rs"] - p["lh"] - p["rh"]) / 2
    return math.degrees(math.asin(float(up @ h) / (np.linalg.norm(up) * np.linalg.norm(h))))


def _unwrap(d: float) -> float:
    return (d + 180.0) % 360.0 - 180.0


def _med(values: list[float]) -> float:
    values = [v for v in values if math.isfinite(v)]
    return statistics.median(values) if values else math.nan


def mirrored_trace(video: Path) -> Path:
    """The trace of ``video`` flipped left-right (made once)."""
    MIRROR_CACHE.mkdir(parents=True, exist_ok=True)
    flipped = MIRROR_CACHE / f"{video.stem}.mirrored.mp4"
    if not flipped.exists():
        subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-i", str(video), "-vf", "hflip", "-c:v", "libx264",
                        "-crf", "18", str(flipped)], check=True)
    return cached_trace(flipped)


def clip_rows(labels_path: Path, trace: Path, mirrored: bool = False) -> dict:
    """Per-frame readings against truth for one clip, and per-hold summaries."""
    labels = load_labels(labels_path)
    frames = truth_frames(labels_path.with_name(labels_path.name.replace(".labels.json", ".truth.json.gz")))
    poses = [p for p in TraceSource(str(trace))]
    n = min(len(frames), len(poses))
    sign = -1.0 if mirrored else 1.0
    rows = []
    for f, p in zip(frames[:n], poses[:n]):
        # mirrored: the truth of the mirror image (every turn and lean the other way)
        rows.append(dict(t=f["t"], phase=f["phase"], rep=f["rep"], truth=sign * truth_twist(f), mp=twist_left(p), raw=twist_left_raw(p),
                         t_hip=sign * truth_hip_yaw(f), mp_hip=hip_turn(p, "left"),
                         t_lean=sign * truth_lean(f), mp_lean=side_lean(p, "left"),
                         t_room=sign * truth_shoulder_yaw(f), mp_room=shoulder_yaw(p, "left")))
    rest = [r for r in rows if r["phase"] == "rest"][:30]  # the clip's first rest: the reference
    ref = {k: _med([r[k] for r in rest]) for k in ("t_hip", "mp_hip", "t_lean", "mp_lean", "t_room", "mp_room")}
    holds = []
    for i, lab in enumerate(labels.reps):
        hf = [r for r in rows if r["phase"] == "hold" and r["rep"] == i + 1]
        if not hf:
            continue
        holds.append(dict(
            side=lab.side, faults=lab.faults,
            truth=_med([r["truth"] for r in hf]), mp=_med([r["mp"] for r in hf]), raw=_med([r["raw"] for r in hf]),
            raw_err=_med([abs(r["raw"] - r["truth"]) for r in hf]),
            err=_med([abs(r["mp"] - r["truth"]) for r in hf]),
            hips_truth=_med([_unwrap(r["t_hip"] - ref["t_hip"]) for r in hf]),
            hips_mp=_med([_unwrap(r["mp_hip"] - ref["mp_hip"]) for r in hf]),
            lean_truth=_med([r["t_lean"] - ref["t_lean"] for r in hf]),
            lean_mp=_med([r["mp_lean"] - ref["mp_lean"] for r in hf]),
            room_truth=_med([_unwrap(r["t_room"] - ref["t_room"]) for r in hf]),
            room_mp=_med([r["mp_room"] - ref["mp_room"] for r in hf])))
    err = lambda sel: _med([abs(r["mp"] - r["truth"]) for r in rows if sel(r)])  # noqa: E731
    raw_err = _med([abs(r["raw"] - r["truth"]) for r in rows if r["phase"] == "hold"])
    return dict(name=labels.name, rows=rows, holds=holds, hold_err=err(lambda r: r["phase"] == "hold"), raw_err=raw_err,
                rest_err=err(lambda r: r["phase"] == "rest"), all_err=err(lambda r: True))


def side_of(value: float) -> str:
    return "left" if value > 0 else "right"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exercise", choices=EXERCISES, action="append")
    ap.add_argument("--mirror", action="store_true", help="also check each clip flipped left-right")
    args = ap.parse_args()
    all_holds = []
    for ex in args.exercise or EXERCISES:
        paths = sorted((SAMPLES / ex).glob("*.labels.json"))
        print(f"\n== {ex}: {len(paths)} clips (twist = shoulder line against hip line, + = to the left; deg)")
        print(f"{'clip':18} {'|err| hold':>10} {'rest':>6} {'all':>6} {'raw hold':>8}   per hold: side faults: truth -> "
              f"MediaPipe x{TWIST_SCALE:g} (|err|) [raw], hips turn truth/MP, lean truth/MP, room turn (the phases' "
              f"shoulder_yaw, x{YAW_SCALE:g}) truth/MP (changes from rest)")
        for path in paths:
            video = path.with_name(path.name.replace(".labels.json", ".mp4"))
            c = clip_rows(path, cached_trace(video))
            all_holds += c["holds"]
            print(f"{c['name']:18} {c['hold_err']:10.1f} {c['rest_err']:6.1f} {c['all_err']:6.1f} {c['raw_err']:8.1f}")
            for h in c["holds"]:
                ok = "ok" if side_of(h["mp"]) == h["side"] else "WRONG SIDE"
                print(f"{'':18}   {h['side']:5} {','.join(h['faults']) or 'good':18} {h['truth']:6.1f} -> "
                      f"{h['mp']:6.1f} ({h['err']:4.1f}) [{h['raw']:6.1f}] {ok:10} "
                      f"hips {h['hips_truth']:5.1f}/{h['hips_mp']:5.1f}  "
                      f"lean {h['lean_truth']:5.1f}/{h['lean_mp']:5.1f}  "
                      f"room {h['room_truth']:5.1f}/{h['room_mp']:5.1f}")
            if args.mirror:
                m = clip_rows(path, mirrored_trace(video), mirrored=True)
                other = sum(side_of(h["mp"]) != h["side"] for h in m["holds"])
                print(f"{'  mirrored':18} {m['hold_err']:10.1f} {m['rest_err']:6.1f} {m['all_err']:6.1f} {m['raw_err']:8.1f}   "
                      f"(against the mirror image's truth; read as the other side on {other}/{len(m['holds'])} holds: "
                      + ", ".join(f"{h['side']} {h['truth']:.1f} -> {h['mp']:.1f}" for h in m["holds"]) + ")")
    if all_holds:
        errs = [h["err"] for h in all_holds]
        right = sum(side_of(h["mp"]) == h["side"] for h in all_holds)
        raw = [h["raw_err"] for h in all_holds]
        print(f"\nall holds: median |err| {statistics.median(errs):.1f} deg, max {max(errs):.1f}; "
              f"within 10 deg {sum(e <= 10 for e in errs)}/{len(errs)}; side right {right}/{len(all_holds)}; "
              f"raw (unscaled) median |err| {statistics.median(raw):.1f}, within 10 deg {sum(e <= 10 for e in raw)}/{len(raw)}")
        room = [abs(h["room_mp"] - h["room_truth"]) for h in all_holds]
        print(f"room turn (shoulder_yaw, the phases' measure): median |err| {statistics.median(room):.1f} deg, within 10 "
              f"deg {sum(e <= 10 for e in room)}/{len(room)}; every hold past the count level (20): "
              f"{sum(abs(h['room_mp']) > 20 for h in all_holds)}/{len(all_holds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
