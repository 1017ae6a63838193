"""Ground-truth labels of sample clips, in one shape whatever the file format.

- ``NAME.labels.json`` beside ``NAME.mp4`` (schema ``coach.labels/1``, the report's vocabulary);
- ``realworld/labels.json``: an older hand-made list (``rep_intervals`` and ``holds`` as
  ``[start, end]`` pairs, ``reps`` a count or null for pure holds, faults as free text).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from coach.engine.definition import TwoWayPhases, exercise_ids, load_exercise
from coach.errors import CoachError


@dataclass(frozen=True)
class LabelRep:
    start_s: Optional[float]
    end_s: Optional[float]
    hold_s: Optional[float]
    side: Optional[str]
    faults: tuple[str, ...] = ()
    # Time in the hold position (see ``position_times``), from the clip's truth file when there is one;
    # ``hold_s`` is the renderer's motionless time.
    position_s: Optional[float] = None


@dataclass(frozen=True)
class ClipLabels:
    video: Path
    exercise: str
    reps: tuple[LabelRep, ...]
    rep_count: Optional[int]  # None: a pure hold, no count
    holds: tuple[tuple[float, float], ...]
    origin: str  # synthetic | realworld
    confidence: str = "exact"
    fault_codes_known: bool = True  # realworld faults are free text: no per-rep codes to score
    faults_seen: tuple[str, ...] = ()  # realworld: the annotator's free-text faults of the clip (none: looks clean)
    phases: tuple[dict, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        return self.video.stem


def load_labels(path: Path) -> ClipLabels:
    """A ``coach.labels/1`` file; the video is ``data['video']`` beside it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("schema") != "coach.labels/1":
            raise ValueError(f"schema is {data.get('schema')!r}")
        truth = Path(path).parent / (Path(data["video"]).stem + ".truth.json.gz")
        position = position_times(truth, data.get("holds", ()), position_band(data["exercise"])) if truth.is_file() else {}
        reps = tuple(LabelRep(r["start_s"], r["end_s"], r.get("hold_s"), r.get("side"), tuple(r.get("faults", ())),
                              position.get(r["index"]))
                     for r in data["reps"])
        holds = tuple((h["start_s"], h["end_s"]) for h in data.get("holds", ()))
        return ClipLabels(video=Path(path).parent / data["video"], exercise=data["exercise"], reps=reps,
                          rep_count=len(reps), holds=holds, origin="synthetic", phases=tuple(data.get("phases", ())))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise CoachError(f"{path}: not a coach.labels/1 file ({err})") from None


def load_realworld(folder: Path) -> list[ClipLabels]:
    """Every clip of ``folder/labels.json``, adapted."""
    entries = json.loads((Path(folder) / "labels.json").read_text(encoding="utf-8"))
    clips = []
    for e in entries:
        intervals = [tuple(i) for i in e.get("rep_intervals") or ()]
        holds = tuple((float(a), float(b)) for a, b in e.get("holds") or ())
        reps = tuple(LabelRep(float(a), float(b), None, None) for a, b in intervals)
        clips.append(ClipLabels(video=Path(folder) / e["file"], exercise=e.get("exercise_id") or "", reps=reps,
                                rep_count=e.get("reps"), holds=holds, origin="realworld",
                                confidence=e.get("confidence", ""), fault_codes_known=False,
                                faults_seen=tuple(str(f) for f in e.get("faults") or ())))
    return clips


# A frame is "in the position" while it is within the band the exercise's own definition times its
# holds with (``position_band``): an out-and-back hold within ``leave_hold`` of the top by the true
# angle of its measure (bridge: 5 deg of the hip), or, for a position hold, while more than
# ``1 - leave_hold_fraction`` of the way in (knee to chest: half way; a person times a hug from when
# the hands hold the knee, as the realworld labels do); a two-way pole within ``leave_pole`` of it,
# by the renderer's state (0 at neutral, +-0.95 in a full pose, the measure's +-1 scale).
# A band is (series, width, relative): series None is the state, else the camera side's truth angle.
POSITION_BAND = (None, 0.10, True)  # an exercise without a definition: 10 % of the hold's excursion
TRUTH_ANGLES = {"hip_extension": "hip_sag_signed"}  # the renderer's true angle of a measure


def position_band(exercise_id: str) -> tuple[Optional[str], float, bool]:
    """The band a hold of ``exercise_id`` is timed in, from its definition (see above)."""
    if exercise_id not in exercise_ids():
        return POSITION_BAND
    p = load_exercise(exercise_id).phases
    if isinstance(p, TwoWayPhases):
        return None, p.leave_pole, False
    if p.leave_hold_fraction > 0:
        return None, p.leave_hold_fraction, True
    angle = TRUTH_ANGLES.get(p.measure)
    return (angle, p.leave_hold, False) if angle else POSITION_BAND


def position_times(truth_path: Path, holds: list[dict], band: tuple = POSITION_BAND) -> dict[int, float]:
    """Time in the hold position per rep (``{rep index: seconds}``) from a ``coach.truth/1`` file: for
    each labelled hold, the run of frames around it whose value is within the band of the hold's
    level (``band``: see ``position_band``); a rep's holds (cat-cow: cat and cow) add up. What "hold 2
    seconds" means to a physiotherapist, where the labels' ``hold_s`` is the renderer's motionless time."""
    with gzip.open(truth_path, "rt", encoding="utf-8") as fh:
        truth = json.load(fh)
    frames = truth["frames"]
    series, width, relative = band
    ts = [f["t"] for f in frames]
    if series is None:  # the first of ``state``: bridge ``s``, cat-cow ``c``, knee to chest ``amount``
        values = [next(iter(f["state"].values())) if f.get("state") else 0.0 for f in frames]
    else:
        key = f"{truth['camera_side']}_{series}"
        values = [(f.get("angles") or {}).get(key, float("nan")) for f in frames]
    dt = (ts[-1] - ts[0]) / (len(ts) - 1) if len(ts) > 1 else 0.0
    out: dict[int, float] = {}
    for h in holds:
        mid = min(range(len(ts)), key=lambda i: abs(ts[i] - (h["start_s"] + h["end_s"]) / 2))
        level = values[mid]

        def inside(i: int) -> bool:
            if relative:
                return abs(values[i]) >= (1 - width) * abs(level) and values[i] * level > 0
            return abs(values[i] - level) <= width

        a = b = mid
        while a > 0 and inside(a - 1):
            a -= 1
        while b < len(ts) - 1 and inside(b + 1):
            b += 1
        out[h["rep"]] = out.get(h["rep"], 0.0) + (b - a + 1) * dt
    return out
