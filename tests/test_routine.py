"""Routines: the shipped files against the handouts, refusal of bad files, what a step asks for and
when it is done, and guided routines run headless on videos played as the camera."""

from __future__ import annotations

import json
import math
import re
import sqlite3
from pathlib import Path
from typing import Optional

import cv2
import pytest

from coach.engine.definition import load_exercise
from coach.engine.records import FrameResult
from coach.errors import CoachError
from coach.routine import definition as rdef
from coach.routine.catalogue import CATALOGUE_IDS
from coach.routine.definition import Routine, Step, load_routine, routine_ids
from coach.routine.guided import done_when
from e2e_runs import ROOT
from test_cli_errors import assert_clean_failure, coach

CATALOGUE_MD = ROOT.parent / "shared" / "catalogue.md"
SAMPLES = ROOT / "samples"


def handout_routines() -> list[list[str]]:
    """Each routine of ../shared/catalogue.md as its exercise ids, in order."""
    text = CATALOGUE_MD.read_text(encoding="utf-8").split("## Routines in the handouts", 1)[1]
    bullets = re.split(r"\n- ", "\n" + text.strip())[1:]
    return [[w for w in re.findall(r"[a-z_]+", b) if w in CATALOGUE_IDS] for b in bullets]


# -- the shipped routines ---------------------------------------------------------------------------------

def test_five_routines_ship_and_each_is_a_handout_routine_step_for_step() -> None:
    if not CATALOGUE_MD.exists():
        pytest.skip("../shared/catalogue.md is not here")
    handouts = handout_routines()
    assert len(handouts) == 5 and len(routine_ids()) == 5
    shipped = sorted([s.exercise for s in load_routine(rid).steps] for rid in routine_ids())
    assert shipped == sorted(handouts)


def test_the_shipped_routines_targets_and_lengths() -> None:
    routines = {rid: load_routine(rid) for rid in routine_ids()}
    for r in routines.values():
        assert 2 * 60 <= r.duration_s() <= 20 * 60, (r.id, r.duration_s())
    five = routines["five_home_exercises"]
    bridge, hamstring, superman = five.steps[0], five.steps[1], five.steps[-1]
    assert (bridge.reps, bridge.hold_s, bridge.sets) == (15, 2.0, 1)
    assert hamstring.per_side and hamstring.sides == ("left", "right") and hamstring.reps == 2
    assert (superman.sets, superman.reps, superman.hold_s) == (3, 12, 2.0)
    cat = routines["back_spasm_stretches"].steps[0]
    assert cat.exercise == "cat_cow" and cat.seconds == 30 and cat.reps is None
    k2c = routines["back_spasm_relief"].steps[1]
    assert k2c.side == "alternate" and not k2c.per_side and k2c.target_text() == "8 x 10 s hold, alternating sides"


def test_a_step_gives_the_exercise_its_targets() -> None:
    step = Step(exercise="knee_to_chest", hold_s=30.0, reps=1)
    ex = step.exercise_for_step(load_exercise("knee_to_chest"))
    assert ex.hold_target_s == 30.0 and ex.reps_min == 1 and ex.per_side  # "30 per side"
    assert step.target_text() == "30 s hold, each side"
    alone = Step(exercise="knee_to_chest", hold_s=10.0, reps=8, side="alternate").exercise_for_step(
        load_exercise("knee_to_chest"))
    assert alone.reps_min == 8 and not alone.per_side


def result(reps: int, side_reps: Optional[tuple[int, int]] = None) -> FrameResult:
    return FrameResult(index=0, t=0.0, state="active", phase="rest", side="left", message="", measures={},
                       key_measure="x", status="good", reps=reps, good_reps=reps, hold_s=0.0, hold_target_s=0.0,
                       holding=False, cue=None, side_reps=side_reps)


def test_a_set_is_done_on_its_reps_per_side_or_its_time() -> None:
    ex = load_exercise("hamstring_stretch")
    both = Step(exercise="hamstring_stretch", reps=2, hold_s=30.0)
    done = done_when(both, both.exercise_for_step(ex))
    assert not done(100.0, result(3, (3, 0))) and not done(100.0, result(3, (2, 1))) and done(100.0, result(4, (2, 2)))
    left = Step(exercise="hamstring_stretch", reps=1, hold_s=30.0, side="left")
    assert done_when(left, left.exercise_for_step(ex))(0.0, result(1, (1, 0)))
    timed = Step(exercise="cat_cow", seconds=30.0)
    timed_done = done_when(timed, load_exercise("cat_cow"))
    assert not timed_done(29.9, result(9)) and timed_done(30.0, result(0))
    counted = Step(exercise="bridge", reps=3)
    counted_done = done_when(counted, counted.exercise_for_step(load_exercise("bridge")))  # 3, not the definition's 15
    assert not counted_done(99.0, result(2)) and counted_done(0.0, result(3))


# -- bad files ------------------------------------------------------------------------------------------------

GOOD = """schema = "coach.routine/1"
id = "mine"
name = "Mine"
source = "my physio"
[[step]]
exercise = "bridge"
reps = 10
"""


@pytest.mark.parametrize("text, words", [
    (GOOD.replace('"bridge"', '"bridgee"'), ("step[0].exercise", "unknown exercise 'bridgee'", "did you mean bridge")),
    (GOOD.replace("reps = 10", "rep = 10"), ("step[0]", "reps", "is missing")),
    (GOOD + "rest_afer_s = 5\n", ("rest_afer_s", "did you mean 'rest_after_s'")),
    (GOOD.replace("[[step]]", "[[steps]]"), ("steps", "not a known setting", "did you mean 'step'")),
    (GOOD + "hold_s = nan\n", ("hold_s", "finite")),
    (GOOD + "rest_after_s = -5\n", ("rest_after_s", "from 0 to 600")),
    (GOOD + "seconds = 30\n", ("seconds", "not both")),
    (GOOD + 'side = "left"\n', ("side", "bridge is not done one side at a time")),
    (GOOD + 'side = "up"\n', ("side", "must be one of both, left, right, alternate")),
    (GOOD.replace('id = "mine"', 'id = "My Routine"'), ("id", "lower_snake_case")),
    (GOOD.replace("coach.routine/1", "coach.routine/9"), ("schema", "coach.routine/1")),
    ('schema = "coach.routine/1"\nid = "x"\nname = "x"\nsource = "x"\n', ("step", "at least one")),
    ("[[step]\n", ("not valid TOML",)),
])
def test_a_bad_routine_file_is_refused_in_one_line_naming_the_field(tmp_path: Path, text: str,
                                                                    words: tuple[str, ...]) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CoachError) as err:
        load_routine(str(path))
    message = str(err.value)
    assert str(path) in message and "\n" not in message
    for w in words:
        assert w in message, message


def test_bad_routine_files_from_the_command_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_bytes(GOOD.replace("my physio", "m\xe9decin").encode("latin-1"))
    assert_clean_failure(coach("routine", str(latin), "--check", cwd=tmp_path), "not UTF-8")
    assert_clean_failure(coach("routine", str(tmp_path), "--check", cwd=tmp_path), "is a folder")
    assert_clean_failure(coach("routine", "back_spasm_stretchs", "--check", cwd=tmp_path), "unknown routine",
                         "back_spasm_stretches")
    mine = tmp_path / "mine.toml"
    mine.write_text(GOOD, encoding="utf-8")
    proc = coach("routine", str(mine), "--check", cwd=tmp_path)
    assert proc.returncode == 0 and "1. Pelvic tilt bridge: 10 reps" in proc.stdout, proc.stderr


def test_coach_routines_lists_every_routine_with_its_length(tmp_path: Path) -> None:
    proc = coach("routines", "--steps", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for rid in routine_ids():
        line = next(line for line in proc.stdout.splitlines() if line.startswith(rid))
        minutes = round(load_routine(rid).duration_s() / 60)
        assert f"about {minutes} min" in line
    assert "1. Cat-cow: 30 s" in proc.stdout


# -- guided, headless, on a video played as the camera --------------------------------------------------

def joined(out: Path, clips: list[Path], still_s: float = 3.0, tail_s: float = 0.0) -> Path:
    """The clips one after another, each preceded by ``still_s`` of its first frame (a person waiting
    in the starting position while the next step is announced), then ``tail_s`` of the last frame."""
    writer = None
    for clip in clips:
        cap = cv2.VideoCapture(str(clip))
        fps = cap.get(cv2.CAP_PROP_FPS)
        ok, frame = cap.read()
        if writer is None:
            h, w = frame.shape[:2]
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        for _ in range(int(still_s * fps)):
            writer.write(frame)
        last = frame
        while ok:
            writer.write(frame)
            last = frame
            ok, frame = cap.read()
        cap.release()
    assert writer is not None
    for _ in range(int(tail_s * fps)):
        writer.write(last)
    writer.release()
    return out


TWO_STEPS = """schema = "coach.routine/1"
id = "two_steps"
name = "Two steps"
source = "a test"
[[step]]
exercise = "bridge"
reps = 3
hold_s = 2
rest_after_s = 0
[[step]]
exercise = "knee_to_chest"
reps = 2
hold_s = 5
side = "alternate"
rest_after_s = 0
"""


def labelled_reps(clip: Path) -> int:
    return len(json.loads(clip.with_name(clip.stem + ".labels.json").read_text())["reps"])


def run_routine(tmp_path: Path, video: Path, text: str = TWO_STEPS, extra: tuple = ()) -> tuple:  # type: ignore[type-arg]
    routine = tmp_path / "two.toml"
    routine.write_text(text, encoding="utf-8")
    out, db = tmp_path / "out", tmp_path / "h.db"
    proc = coach("routine", str(routine), "--camera", str(video), "--headless", "--announce", "1", "--countdown",
                 "0", "--out", str(out), "--history-db", str(db), *extra, cwd=tmp_path)
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else None
    return proc, report, out, db


def test_a_guided_routine_goes_through_every_step_with_the_right_counts(tmp_path: Path) -> None:
    clips = [SAMPLES / "bridge_clean_01.mp4", SAMPLES / "k2c_alt_faults_09.mp4"]
    proc, report, out, db = run_routine(tmp_path, joined(tmp_path / "joined.mp4", clips))
    assert proc.returncode == 0, proc.stderr
    assert report["schema"] == "coach.routine_report/1" and report["ended"] == "completed"
    assert [s["status"] for s in report["steps"]] == ["done", "done"]
    assert [s["summary"]["reps"] for s in report["steps"]] == [labelled_reps(c) for c in clips]
    for step in report["steps"]:
        assert step["report"]["schema"] == "coach.report/1"  # each step's own full report, as coach live writes it
        assert (out / step["report_file"]).exists() and (out / step["page"]).exists()
    assert report["summary"] == {"steps": 2, "completed": 2, "on_timer": 0, "skipped": 0, "not_reached": 0}
    page = (out / "report.html").read_text()
    assert "Two steps" in page and "2 of 2 steps done" in page and 'href="01-bridge/report.html"' in page
    conn = sqlite3.connect(str(db))
    assert conn.execute("SELECT routine_id, steps, completed, ended FROM routine_sessions").fetchall() == [
        ("two_steps", 2, 2, "completed")]
    assert conn.execute("SELECT exercise_id, reps, kind FROM sessions WHERE routine_session_id = 1 ORDER BY id"
                        ).fetchall() == [("bridge", 3, "routine"), ("knee_to_chest", 2, "routine")]
    history = coach("history", "--routine", "--db", str(db), cwd=tmp_path)
    assert history.returncode == 0 and "two_steps: 1 session on 1 of the 1 day" in history.stdout, history.stderr


def test_a_routine_stopped_half_way_keeps_every_finished_step(tmp_path: Path) -> None:
    # Only the bridge is filmed: the bridge step is done, then the video ends while the person should
    # be getting into the knee-to-chest position (still lying with the knees bent).
    video = joined(tmp_path / "bridge.mp4", [SAMPLES / "bridge_clean_01.mp4"], tail_s=5.0)
    proc, report, out, db = run_routine(tmp_path, video)
    assert proc.returncode == 0, proc.stderr  # the end of a video played as a camera is a normal end
    assert report["ended"] == "video_ended" and report["stopped_at_step"] == 2
    assert [(s["exercise"]["id"], s["status"]) for s in report["steps"]] == [("bridge", "done"),
                                                                            ("knee_to_chest", "stopped")]
    assert report["steps"][0]["summary"]["reps"] == 3
    assert report["steps"][1]["summary"]["reps"] == 0 and report["steps"][1]["ended"] == "video_ended"
    assert report["summary"]["completed"] == 1
    conn = sqlite3.connect(str(db))
    assert conn.execute("SELECT completed, ended FROM routine_sessions").fetchall() == [(1, "video_ended")]
    assert "to carry on later: coach routine" in proc.stdout and "--from-step 2" in proc.stdout
    # Carried on later from step 2, filmed doing the knee hugs:
    later = tmp_path / "later"
    later.mkdir()
    clip = SAMPLES / "k2c_alt_faults_09.mp4"
    proc, report, out, db = run_routine(later, joined(later / "k2c.mp4", [clip]), extra=("--from-step", "2"))
    assert proc.returncode == 0, proc.stderr
    assert report["ended"] == "completed" and report["first_step"] == 2
    assert [(s["exercise"]["id"], s["status"]) for s in report["steps"]] == [("bridge", "before_start"),
                                                                            ("knee_to_chest", "done")]
    assert report["summary"]["steps"] == report["summary"]["completed"] == 1
    assert report["steps"][1]["summary"]["reps"] == labelled_reps(clip)


def test_a_step_not_coached_yet_runs_on_a_timer_and_n_skips_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coach.live.capture import LatestFrameGrabber, open_camera
    from coach.live.display import Headless
    from coach.live.speech import Speaker
    from coach.routine.guided import GuidedRoutine, RoutineOptions
    from coach.routine.report import routine_report
    from coach.sources import SourceInfo

    monkeypatch.setattr(rdef, "exercise_ids", lambda: [])  # as if no exercise had a definition yet
    routine = Routine(id="t", name="T", source="s", steps=(
        Step(exercise="wall_pushup", reps=4, rest_after_s=1.0), Step(exercise="chair_squat", reps=1, rest_after_s=0.0)))
    calls = {"n": 0}

    def keys() -> Optional[str]:  # n pressed once, a second into the first step's timer
        calls["n"] += 1
        return "n" if calls["n"] == 45 else None

    reader = open_camera(str(SAMPLES / "bridge_clean_01.mp4"))
    grabber = LatestFrameGrabber(reader)
    guided = GuidedRoutine(routine, str(tmp_path), grabber, lambda ex: None, lambda b: {}, SourceInfo(
        path=reader.path, fps=reader.fps, frames=0, width=reader.width, height=reader.height, kind="camera"),
        Headless(), Speaker(muted=True), keys=keys, notice=lambda text: None,
        options=RoutineOptions(announce_s=0.5))
    grabber.start()
    try:
        state = guided.run()
    finally:
        grabber.stop()
    assert state.ended == "completed"
    first, second = state.runs
    assert first.status == second.status == "not_coached"
    assert 0.5 < first.seconds < 4.0  # cut short by n (its timer: 4 reps x 3 s)
    assert math.isclose(second.seconds, 3.0, abs_tol=0.5)  # ran its whole time (1 rep x 3 s)
    report = routine_report(state)
    assert report["summary"]["on_timer"] == 2 and report["steps"][0]["timer_s"] == first.seconds


# -- how often: adherence against the prescription -------------------------------------------------------------

def _routine_text(extra: str) -> str:
    return TWO_STEPS.replace('name = "Two steps"', f'name = "Two steps"\n{extra}', 1)


@pytest.mark.parametrize("extra, prescribed", [
    ("sessions_per_day = [2, 3]", rdef.Prescription(2, 3, "day")),
    ("sessions_per_week = 3", rdef.Prescription(3, 3, "week")),
    ("", None),
])
def test_how_often_a_routine_is_prescribed_is_read(tmp_path: Path, extra: str, prescribed: Optional[rdef.Prescription]) -> None:
    path = tmp_path / "r.toml"
    path.write_text(_routine_text(extra), encoding="utf-8")
    assert rdef.load_routine_file(path).prescribed == prescribed


@pytest.mark.parametrize("extra, field", [
    ("sessions_per_day = [3, 2]", "sessions_per_day"),
    ("sessions_per_day = 0", "sessions_per_day"),
    ("sessions_per_day = [1, 2, 3]", "sessions_per_day"),
    ("sessions_per_day = 1.5", "sessions_per_day"),
    ("sessions_per_day = 1\nsessions_per_week = 3", "sessions_per_week"),
    ("session_per_day = 2", "session_per_day"),
])
def test_a_bad_prescription_is_refused_naming_the_field(tmp_path: Path, extra: str, field: str) -> None:
    path = tmp_path / "r.toml"
    path.write_text(_routine_text(extra), encoding="utf-8")
    with pytest.raises(CoachError, match=field):
        rdef.load_routine_file(path)


def test_every_shipped_routine_says_how_often_in_numbers_too() -> None:
    for rid in routine_ids():
        routine = load_routine(rid)
        assert routine.prescribed is not None and routine.frequency, rid


def test_adherence_is_counted_against_the_prescription() -> None:
    from datetime import date, datetime, timezone

    from coach.history.routines import routine_lines
    from coach.history.store import RoutineRow

    def done(day: int, hour: int) -> RoutineRow:
        when = datetime(2026, 12, day, hour, tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return RoutineRow(recorded_at=when, routine_id="back_spasm_stretches", name="x", report_path="r",
                          ended="completed", steps=7, completed=7, skipped=0, pain_stop=False)

    rows = [done(1, 11), done(1, 13), done(2, 12), done(4, 12)]  # noon UTC: the same day in most zones  # 4 sessions over 4 days: 8-12 asked
    twice = {"back_spasm_stretches": rdef.Prescription(2, 3, "day")}
    line = routine_lines(rows, today=date(2026, 12, 4), prescribed=twice)[-1]
    assert "4 sessions on 3 of the 4 days" in line
    assert line.endswith("prescribed 2-3 a day: 4 of 8-12 over 4 days (50%)")
    weekly = {"back_spasm_stretches": rdef.Prescription(3, 5, "week")}
    line = routine_lines(rows, today=date(2026, 12, 9), prescribed=weekly)[-1]
    assert line.endswith("prescribed 3-5 a week: 4 of 6-10 over 2 weeks (67%)")
    assert "prescribed" not in routine_lines(rows, today=date(2026, 12, 4))[-1]  # a routine of the person's own


class _Answers:
    """The person's answer to the end-of-routine question (what a window or terminal would return)."""

    def __init__(self, value: Optional[int]) -> None:
        self.value, self.asked = value, 0

    def ask(self, image, cancelled=lambda: False):  # type: ignore[no-untyped-def]
        self.asked += 1
        return self.value


@pytest.mark.parametrize("answer", [3, None])
def test_the_pain_rating_is_asked_once_at_the_end_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            answer: Optional[int]) -> None:
    from coach.history.store import open_history
    from coach.live.capture import LatestFrameGrabber, open_camera
    from coach.live.display import Headless
    from coach.live.speech import Speaker
    from coach.routine.guided import GuidedRoutine, RoutineOptions
    from coach.routine.record import record_routine
    from coach.routine.report import routine_page, routine_report
    from coach.sources import SourceInfo

    monkeypatch.setattr(rdef, "exercise_ids", lambda: [])  # timer-only steps: no inference needed
    routine = Routine(id="t", name="T", source="s", steps=(Step(exercise="wall_pushup", reps=1, rest_after_s=0.0),))
    reader = open_camera(str(SAMPLES / "bridge_clean_01.mp4"))
    grabber = LatestFrameGrabber(reader)
    person = _Answers(answer)
    guided = GuidedRoutine(routine, str(tmp_path), grabber, lambda ex: None, lambda b: {}, SourceInfo(
        path=reader.path, fps=reader.fps, frames=0, width=reader.width, height=reader.height, kind="camera"),
        Headless(), Speaker(muted=True), notice=lambda text: None, options=RoutineOptions(announce_s=0.2),
        pain_rating=person)
    grabber.start()
    try:
        state = guided.run()
    finally:
        grabber.stop()
    assert state.ended == "completed" and person.asked == 1
    report = routine_report(state)
    db = tmp_path / "h.db"
    record_routine(state, "r.json", str(db))
    with open_history(db) as history:
        kept = history.routines()[0].pain_rating
    if answer is None:  # skipped: nothing made up
        assert "pain_rating" not in report and kept is None and "Pain afterwards" not in routine_page(report)
    else:
        assert report["pain_rating"]["value"] == answer and report["pain_rating"]["asked_at_s"] > 0
        assert kept == answer and f"Pain afterwards: {answer}/10" in routine_page(report)


class _HandBackend:
    """Between steps, the person as landmarks: lying, then a hand held up from ``up_at`` s on."""

    name, model = "fake", "hand"

    def __init__(self, up_at: float) -> None:
        from synth import lying_frame
        from test_live_body_controls import hand_up
        from test_live_loop import REST

        self.up_at, self.start = up_at, None
        self.frame = lambda i, t: hand_up(i, t) if t >= up_at else lying_frame(i, t, REST)
        self.closed = False

    def process(self, image, t, index):  # type: ignore[no-untyped-def]
        self.start = t if self.start is None else self.start
        return self.frame(index, t - self.start)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("body_controls", [True, False])
def test_a_hand_held_up_between_steps_stops_the_routine_for_pain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 body_controls: bool) -> None:
    from coach.live.capture import LatestFrameGrabber, open_camera
    from coach.live.display import Headless
    from coach.live.speech import Speaker
    from coach.routine.guided import GuidedRoutine, RoutineOptions
    from coach.sources import SourceInfo

    monkeypatch.setattr(rdef, "exercise_ids", lambda: [])  # a timer-only step, then a rest, then another
    routine = Routine(id="t", name="T", source="s", steps=(Step(exercise="wall_pushup", reps=1, rest_after_s=6.0),
                                                         Step(exercise="chair_squat", reps=1, rest_after_s=0.0)))
    reader = open_camera(str(SAMPLES / "bridge_clean_01.mp4"))
    grabber = LatestFrameGrabber(reader)
    watcher = _HandBackend(up_at=1.0)
    said: list[str] = []
    guided = GuidedRoutine(routine, str(tmp_path), grabber, lambda ex: watcher if ex is None else None, lambda b: {},
                           SourceInfo(path=reader.path, fps=reader.fps, frames=0, width=reader.width,
                                      height=reader.height, kind="camera"),
                           Headless(), Speaker(muted=True), notice=said.append,
                           options=RoutineOptions(announce_s=0.2, body_controls=body_controls))
    grabber.start()
    try:
        state = guided.run()
    finally:
        grabber.stop()
    if body_controls:  # the hand goes up a second in, during the first step's timer: stopped 2 s later
        assert state.ended == "pain" and state.stopped_at == 1 and watcher.closed
        assert any("pain" in line.lower() for line in said)
    else:
        assert state.ended == "completed" and watcher.start is None  # never watched
