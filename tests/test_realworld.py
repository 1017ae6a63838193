"""Real people on real clips (../shared/realworld, evaluation only: read in place, never copied here;
skipped where that folder is absent), one clip per mechanism the renders never showed.

Not independent checks: these clips were looked at while building the mechanisms (bench/accuracy.py's
"tuned on" lines say which figures are in-sample); they guard the behaviour from coming back.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from coach.analyze import analyze
from coach.engine.definition import load_exercise

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "realworld"


def labels_of(clip: str) -> dict:
    labels = REALWORLD / "labels.json"
    if not labels.exists():
        pytest.skip("../shared/realworld is not here")
    return next(e for e in json.loads(labels.read_text()) if e["file"].endswith(clip))


def analysed(clip: str, exercise: str, out: Path) -> dict:
    path = REALWORLD / "videos" / clip
    if not path.exists():
        pytest.skip("../shared/realworld is not here")
    analyze(str(path), load_exercise(exercise), str(out), write_video=False, progress=False)
    return json.loads((out / "report.json").read_text())


def test_cat_cow_started_in_a_cow_counts_its_cycle(tmp_path: Path) -> None:
    """trajnovd's cat-cow starts in a held cow (0.5-2.2 s), then a cat (5.0-7.5 s): one cycle. Taking
    the neutral from the first frames made the cow the neutral and lost the cycle."""
    clip = "catcow__trajnovd_workout-app__cat_cow.mp4"
    report = analysed(clip, "cat_cow", tmp_path)
    assert len(report["reps"]) == labels_of(clip)["reps"] == 1
    assert [h["pose"] for h in report["holds"]][:2] == ["cow", "cat"]
    cow = report["holds"][0]
    assert abs(cow["start_s"] - 0.5) <= 1.0 and abs(cow["end_s"] - 2.2) <= 1.0, cow


def test_oblique_bridges_are_timed_in_position_and_not_nagged(tmp_path: Path) -> None:
    """ndnam0109's glute bridges, filmed obliquely (MediaPipe reads ~31 deg): holds timed in position
    within 0.3 s of the annotator's, and arching, which that angle can't judge, neither flagged nor
    cleared but said to be unjudged."""
    clip = "bridge__ndnam0109_fitness-content__glute_bridges.mp4"
    labels = labels_of(clip)
    report = analysed(clip, "bridge", tmp_path)
    assert len(report["reps"]) == labels["reps"] == 3
    errors = [abs(h["duration_s"] - (b - a)) for h, (a, b) in zip(report["holds"], labels["holds"])]
    assert len(errors) == 3 and statistics.median(errors) <= 0.3, (report["holds"], labels["holds"])
    for rep in report["reps"]:
        assert "hips_overextended" not in rep["faults"] and rep["unjudged"] == ["hips_overextended"], rep
    assert any(c["code"] == "hips_overextended_unjudged" for c in report["cues"])
