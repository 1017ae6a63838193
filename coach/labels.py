"""Ground-truth labels of sample clips, in one shape whatever the file format.

- ``NAME.labels.json`` beside ``NAME.mp4`` (schema ``coach.labels/1``, the report's vocabulary);
- ``realworld/labels.json``: an older hand-made list (``rep_intervals`` and ``holds`` as
  ``[start, end]`` pairs, ``reps`` a count or null for pure holds, faults as free text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from coach.errors import CoachError


@dataclass(frozen=True)
class LabelRep:
    start_s: Optional[float]
    end_s: Optional[float]
    hold_s: Optional[float]
    side: Optional[str]
    faults: tuple[str, ...] = ()


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
        reps = tuple(LabelRep(r["start_s"], r["end_s"], r.get("hold_s"), r.get("side"), tuple(r.get("faults", ())))
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
