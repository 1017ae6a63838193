"""Knee to chest on the real clip that shows MediaPipe's hidden-leg trap and a circling hugged knee
(../shared/realworld, evaluation only: never copied here; skipped where that folder is absent).

The labelled holds are side 1 at 2.4-9.8 s and side 2 at 10.8-14.9 s (boundaries +-0.5 s). Twice
during side 1 MediaPipe draws the hugged leg on the leg lying on the floor for over a second, and
the knee circles throughout. The issue's target: the holds found with per-side timing within 1 s.
Not an independent check: the hidden-leg guard and the position hold were built after looking at
this clip (see poses/knee_to_chest.toml).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.analyze import analyze
from coach.engine.definition import load_exercise

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "realworld"
CLIP = "kneetochest__ndnam0109_fitness-content__knee_hug_turns.mp4"


@pytest.mark.skipif(not (REALWORLD / "videos" / CLIP).exists(), reason="../shared/realworld is not here")
def test_knee_hug_turns_holds_per_side_within_a_second(tmp_path: Path) -> None:
    labels = next(e for e in json.loads((REALWORLD / "labels.json").read_text()) if e["file"].endswith(CLIP))
    analyze(str(REALWORLD / "videos" / CLIP), load_exercise("knee_to_chest"), str(tmp_path), write_video=False,
            progress=False)
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["reps"]) == labels["reps"] == 2
    holds = report["holds"]
    assert len(holds) == 2, holds
    assert {h["side"] for h in holds} == {"left", "right"}  # side 1 and side 2 told apart
    for hold, (start, end) in zip(holds, labels["holds"]):
        assert abs(hold["start_s"] - start) <= 1.0 and abs(hold["end_s"] - end) <= 1.0, (hold, start, end)
