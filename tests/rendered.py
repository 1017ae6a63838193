"""The catalogue's rendered clips (samples/<exercise>/) for the tests: their labels, their shipped
landmark traces, a replay through the checker, and labelled reps matched to found ones."""

from __future__ import annotations

import copy
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import Exercise, parse_exercise
from coach.errors import CoachError
from coach.labels import ClipLabels
from coach.pose.frame import PoseFrame
from coach.toml_fields import read_toml
from poses import POSES_DIR

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def clips(ex_id: str) -> list[Path]:
    """The labels files of an exercise's rendered clips."""
    return sorted((SAMPLES / ex_id).glob("*.labels.json"))


def trace_of(labels_path: Path) -> Path:
    """The clip's shipped MediaPipe trace."""
    return labels_path.with_name(labels_path.name.replace(".labels.json", ".landmarks.jsonl.gz"))


def run(ex: Exercise, poses: list[PoseFrame]):  # type: ignore[no-untyped-def]
    """Every frame's result and the finished session."""
    checker = ExerciseChecker(ex)
    results = [checker.update(p) for p in poses]
    return results, checker.finish()


def match(labels: ClipLabels, reps: list) -> dict[int, int]:  # type: ignore[type-arg]
    """Labelled rep index -> found rep index, by largest time overlap, one to one."""
    pairs = sorted(((min(lab.end_s, r.end_s) - max(lab.start_s, r.start_s), i, j)
                    for i, lab in enumerate(labels.reps) for j, r in enumerate(reps)), reverse=True)
    out: dict[int, int] = {}
    for overlap, i, j in pairs:
        if overlap > 0 and i not in out and j not in out.values():
            out[i] = j
    return out


def definition_data(ex_id: str) -> dict:
    """An exercise definition as its raw TOML data (to spoil a copy and check it is refused)."""
    return read_toml(POSES_DIR / f"{ex_id}.toml", "exercise definition")


@contextmanager
def refused(ex_id: str, match: str) -> Iterator[dict]:
    """``with refused(ex_id, match) as bad: bad[...] = ...``: a copy of the definition's data, spoiled
    in the block, must be refused by the loader with a message matching ``match``."""
    bad = copy.deepcopy(definition_data(ex_id))
    yield bad
    with pytest.raises(CoachError, match=match):
        parse_exercise(bad, f"{ex_id}.toml")
