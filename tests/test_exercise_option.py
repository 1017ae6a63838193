"""The command line never guesses the exercise, and names what was mistyped.

``coach live`` needs ``--exercise``; ``coach analyze`` without it recognises the exercise from the
poses and says how sure (never a default: a knee hug analysed as the default bridge was once
reported, with faults, as a bridge); a trace replayed without it runs the exercise its header
records, and says so. A mistyped option, exercise id or sub-command gets "did you mean ...?"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.engine.definition import load_exercise
from coach.trace import recorded_exercise
from e2e_runs import ROOT, SampleRuns, sample_labels
from synth import bridge_profile, catcow_profile, lying_frame, quadruped_frame, write_trace
from test_cli_errors import assert_clean_failure, coach

SAMPLE = ROOT / "samples" / "bridge_clean_01.mp4"
IDS = ("bridge", "cat_cow", "knee_to_chest")


def catcow_trace(path: Path, recorded_for: str = "") -> Path:
    prof, _ = catcow_profile([1.0, 0.8, 1.0])
    write_trace(str(path), prof, quadruped_frame, "catcow.mp4", load_exercise(recorded_for) if recorded_for else None)
    return path


# -- --exercise is required -----------------------------------------------------------------------------------

def test_analyze_without_exercise_recognises_it_and_says_so(tmp_path: Path) -> None:
    """No --exercise: not a default exercise, but the one recognised from the poses (coach/recognize),
    with how sure, each stretch analysed as what it shows."""
    proc = coach("analyze", str(SAMPLE), "--quiet", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("no --exercise: recognising the exercises from the poses")
    found = json.loads((tmp_path / "out" / "recognition.json").read_text(encoding="utf-8"))["segments"]
    assert [s["exercise"] for s in found] == ["bridge"] and found[0]["reps"] == len(sample_labels("bridge_clean_01")["reps"])


def test_live_without_exercise_is_refused(tmp_path: Path) -> None:
    proc = coach("live", "--camera", str(SAMPLE), "--headless", "--mute", "--max-seconds", "2", cwd=tmp_path)
    assert_clean_failure(proc, "--exercise is required", *IDS)
    assert proc.returncode == 2 and not (tmp_path / "runs").exists()


def test_a_replay_runs_the_exercise_its_trace_was_recorded_for(tmp_path: Path) -> None:
    trace = catcow_trace(tmp_path / "landmarks.jsonl", recorded_for="cat_cow")
    assert recorded_exercise(str(trace)) == "cat_cow"
    proc = coach("analyze", str(trace), "--out", str(tmp_path / "out"), "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "exercise: cat_cow, as recorded in the trace (--exercise to choose another)"
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["exercise"]["id"] == "cat_cow" and report["summary"]["reps"] == 3


def test_exercise_given_wins_over_the_trace_header_when_forced(tmp_path: Path) -> None:
    """Another exercise than the trace's own is refused (every rep would be misjudged) unless --force."""
    prof, _ = bridge_profile(135.0, [(180.0, 2.0), (178.0, 2.5)])
    trace = tmp_path / "landmarks.jsonl"
    write_trace(str(trace), prof, lying_frame, "bridge.mp4", load_exercise("knee_to_chest"))
    refused = coach("analyze", str(trace), "--exercise", "bridge", "--out", str(tmp_path / "no"), "--quiet",
                    cwd=tmp_path)
    assert_clean_failure(refused, "recorded for knee_to_chest, not bridge")
    proc = coach("analyze", str(trace), "--exercise", "bridge", "--out", str(tmp_path / "out"), "--quiet",
                 "--force", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "as recorded in the trace" not in proc.stdout
    assert json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["exercise"]["id"] == "bridge"


def test_a_trace_without_world_landmarks_or_exercise_is_not_an_exercise_we_know(tmp_path: Path) -> None:
    trace = catcow_trace(tmp_path / "landmarks.jsonl")  # as traces were written before the header said
    assert recorded_exercise(str(trace)) is None
    proc = coach("analyze", str(trace), "--out", str(tmp_path / "out"), "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    found = json.loads((tmp_path / "out" / "recognition.json").read_text(encoding="utf-8"))["segments"]
    assert [s["exercise"] for s in found] == ["unknown"] and "report_file" not in found[0]
    assert "not an exercise we know" in proc.stdout


def test_options_recognition_does_not_use_are_said_not_dropped(tmp_path: Path) -> None:
    trace = catcow_trace(tmp_path / "landmarks.jsonl")
    proc = coach("analyze", str(trace), "--out", str(tmp_path / "out"), "--quiet", "--workers", "2", "--stride",
                 "auto", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "--workers and --stride auto apply to one exercise's analysis (give --exercise)" in proc.stderr
    quiet = coach("analyze", str(trace), "--out", str(tmp_path / "out2"), "--quiet", cwd=tmp_path)
    assert quiet.returncode == 0 and "apply to one exercise" not in quiet.stderr


def test_a_missing_trace_without_exercise_is_said_missing(tmp_path: Path) -> None:
    proc = coach("analyze", str(tmp_path / "gone" / "landmarks.jsonl"), cwd=tmp_path)
    assert_clean_failure(proc, "trace not found", "landmarks.jsonl")


def test_a_trace_recorded_for_an_exercise_coach_does_not_ship_needs_one(tmp_path: Path) -> None:
    trace = catcow_trace(tmp_path / "landmarks.jsonl", recorded_for="cat_cow")
    lines = trace.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    header["exercise"] = {"id": "my_own_stretch", "name": "Mine"}  # analysed with --exercise-file
    trace.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    proc = coach("analyze", str(trace), "--quiet", cwd=tmp_path)
    assert_clean_failure(proc, "my_own_stretch", "--exercise")


def test_analysed_samples_record_their_exercise_in_the_trace(sample_runs: SampleRuns) -> None:
    name = sample_runs.video_name or "bridge_clean_01"
    run = sample_runs.analysis(name)
    assert run.returncode == 0, run.describe()
    assert recorded_exercise(str(run.trace_path)) == sample_labels(name)["exercise"]


# -- near misses ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["analyze", str(SAMPLE)], ["live", "--headless"], ["calibrate", "camera"]])
def test_a_mistyped_option_names_the_one_meant(tmp_path: Path, command: list[str]) -> None:
    proc = coach(*command, "--exercize", "bridge", cwd=tmp_path)
    line = assert_clean_failure(proc, "--exercize")
    assert "did you mean --exercise?" in line and f"coach {command[0]}" in line  # and where the options are listed
    assert proc.returncode == 2 and not (tmp_path / "runs").exists()


def test_an_option_unlike_any_gets_no_wild_guess(tmp_path: Path) -> None:
    line = assert_clean_failure(coach("analyze", str(SAMPLE), "-e", "bridge", "--zzzzzz", cwd=tmp_path), "--zzzzzz")
    assert "did you mean" not in line


def test_an_abbreviated_option_still_works(tmp_path: Path) -> None:
    trace = catcow_trace(tmp_path / "landmarks.jsonl")
    proc = coach("analyze", str(trace), "--exer", "cat_cow", "--out", str(tmp_path / "out"), "--quiet", cwd=tmp_path)
    # argparse reads unique abbreviations; "--exer" is ambiguous (--exercise, --exercise-file): its own words
    assert_clean_failure(proc, "ambiguous")
    proc = coach("analyze", str(trace), "--exercise", "cat_cow", "--ou", str(tmp_path / "out"), "--quiet",
                 cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("command", [["analyze", str(SAMPLE), "--exercise"], ["live", "--headless", "--exercise"],
                                     ["calibrate", "camera", "--headless", "--exercise"], ["history", "--exercise"]])
def test_a_mistyped_exercise_names_the_one_meant(tmp_path: Path, command: list[str]) -> None:
    line = assert_clean_failure(coach(*command, "bridg", cwd=tmp_path))
    assert line.startswith("coach: unknown exercise 'bridg'; did you mean bridge? (known exercises: ")
    assert not (tmp_path / "runs").exists()


def test_a_mistyped_command_names_the_one_meant(tmp_path: Path) -> None:
    line = assert_clean_failure(coach("analyse", str(SAMPLE), cwd=tmp_path), "'analyse'")
    assert "did you mean analyze?" in line
