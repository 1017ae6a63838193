"""Per-side sets: reps counted per side, and "switch sides" said once a side's reps are done."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise, load_exercise_file
from coach.engine.set_progress import SWITCH_CODE, SetProgress, reps_by_side
from coach.errors import CoachError
from coach.overlay import panel_lines
from coach.report import build_report
from test_knee_to_chest import EX, REST, frame, profile, pull

PER_SIDE = dataclasses.replace(EX, per_side=True, reps_min=2, reps_max=2)


def test_switch_is_said_once_when_the_first_side_has_its_reps() -> None:
    progress = SetProgress(PER_SIDE)
    assert progress.after_rep(["left"]) is None
    assert progress.after_rep(["left", "left"]) == "right"
    assert progress.after_rep(["left", "left", "left"]) is None  # an extra rep on the same side: said once
    assert progress.after_rep(["left", "left", "left", "right"]) is None
    assert progress.after_rep(["left", "left", "left", "right", "right"]) is None  # both done: nothing to switch to


def test_both_legs_and_unknown_sides_count_toward_neither_side() -> None:
    progress = SetProgress(PER_SIDE)
    assert progress.after_rep(["both", None, "both"]) is None
    assert reps_by_side(["both", None, "right"]) == {"left": 0, "right": 1}


def test_an_exercise_not_done_per_side_never_says_switch() -> None:
    progress = SetProgress(dataclasses.replace(PER_SIDE, per_side=False))
    assert progress.after_rep(["left", "left", "left"]) is None


def _run(exercise, spec):  # type: ignore[no-untyped-def]
    checker = ExerciseChecker(exercise)
    results = [checker.update(frame(i, l, r, h)) for i, (l, r, h) in enumerate(spec)]
    return results, checker.finish()


def test_the_checker_says_switch_sides_after_the_second_left_hug_and_shows_reps_per_side() -> None:
    spec = profile(REST, *pull(60.0, 178.0, 3.5), *pull(60.0, 178.0, 3.5), *pull(178.0, 60.0, 3.5))
    results, session = _run(PER_SIDE, spec)
    assert [r.side for r in session.reps] == ["left", "left", "right"]
    switches = [c for c in session.cues if c.code == SWITCH_CODE]
    assert len(switches) == 1 and "right" in switches[0].text
    second_left_end = session.reps[1].end_s
    assert second_left_end - 0.1 <= switches[0].t <= second_left_end + 1.5  # said as that hug ends, not later
    assert results[-1].side_reps == (2, 1)
    assert results[0].side_reps == (0, 0)
    assert panel_lines("Knee to chest", results[-1])[1].startswith("Reps L 2, R 1")  # the overlay shows each side


def test_without_per_side_the_same_session_has_no_switch_cue_and_no_side_reps() -> None:
    spec = profile(REST, *pull(60.0, 178.0, 3.5), *pull(60.0, 178.0, 3.5))
    results, session = _run(dataclasses.replace(PER_SIDE, per_side=False), spec)
    assert len(session.reps) == 2 and not any(c.code == SWITCH_CODE for c in session.cues)
    assert results[-1].side_reps is None


def _definition(tmp_path: Path, targets: str) -> Path:
    text = Path(load_exercise("knee_to_chest").path).read_text(encoding="utf-8")
    text = text.replace("reps_max = 10\n", "reps_max = 10\n" + targets, 1)
    path = tmp_path / "knee_to_chest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_per_side_and_a_custom_switch_text_are_read_from_the_definition(tmp_path: Path) -> None:
    ex = load_exercise_file(_definition(tmp_path, 'per_side = true\nswitch_say = "Other leg now: {side}"\n'))
    assert ex.per_side and ex.switch_text("right") == "Other leg now: right"


@pytest.mark.parametrize("targets, problem", [
    ('per_side = "yes"\n', "targets.per_side: must be bool"),
    ('switch_say = "Switch"\n', "targets.switch_say: is said only when per_side = true"),
    ('per_side = true\nswitch_say = "  "\n', "targets.switch_say: must not be empty"),
    ('per_sides = true\n', "did you mean 'per_side'"),
])
def test_bad_per_side_settings_are_refused(tmp_path: Path, targets: str, problem: str) -> None:
    with pytest.raises(CoachError, match=problem.replace("(", r"\(")):
        load_exercise_file(_definition(tmp_path, targets))


def test_the_report_says_its_targets_are_per_side() -> None:
    from coach.sources import SourceInfo

    _, session = _run(PER_SIDE, profile(REST, *pull(60.0, 178.0, 3.5)))
    info = SourceInfo(path="x.mp4", fps=30.0, frames=200, width=640, height=480, duration_s=7.0)
    report = build_report(PER_SIDE, info, session)
    assert report["targets"]["per_side"] is True
    plain = build_report(dataclasses.replace(PER_SIDE, per_side=False), info, session)
    assert "per_side" not in plain["targets"]
    from coach.reporting.html import _summary

    assert _summary(report)["reps_target"] == "2 per side"  # the page's "(target ...)" beside the reps
    assert _summary(plain)["reps_target"] == "2"


def test_coach_exercises_says_per_side_and_the_view() -> None:
    from coach.cli import exercise_line

    line = exercise_line(dataclasses.replace(PER_SIDE, hold_target_s=30.0, presets={}))
    assert "hold 30 s, 2 reps per side; camera side-on" in line and line.startswith("knee_to_chest ")
