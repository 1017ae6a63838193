"""The report as a clinical record (issue 12): when the session was and when it was analysed, the
profile, plain words instead of fault codes, a line about each measure with its target, no empty
rows, fault markers that don't overlap, a page that reads on a phone, the fault pictured at the pose
it was in with that pose's cue, the pain stop and rating, the comparison with the previous session,
one meaning of "good", and "1 rep". On synthetic sessions (no MediaPipe)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from coach.analyze import analyze
from coach.cli import main
from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise
from coach.history.record import record_session
from coach.history.store import SessionRow, open_history
from coach.report import build_report, summary_lines, write_report
from coach.reporting.build import write_human_report
from coach.reporting.moments import FaultMoment, fault_moments
from coach.reporting.replay import MeasureSeries
from coach.sources import SourceInfo
from synth import bridge_profile, catcow_profile, lying_frame, quadruped_frame, write_trace
from test_report_html import BROWSER_ARGS, Page, chromium, live_session, read_page

ROOT = Path(__file__).resolve().parents[1]


def bridge_run(tmp_path: Path, name: str = "out", tops=((180.0, 2.0), (150.0, 2.0))) -> tuple[dict, Path]:
    """A trace of bridges (by default one good, one with the hips low) analysed into tmp_path/name."""
    prof, _ = bridge_profile(135.0, list(tops))
    trace = tmp_path / f"{name}.jsonl"
    write_trace(str(trace), prof, lying_frame, str(tmp_path / "clip.mp4"))
    result = analyze(str(trace), load_exercise("bridge"), str(tmp_path / name), write_video=False, progress=False)
    return result.report, tmp_path / name


def catcow_run(tmp_path: Path, cat, cow) -> tuple[dict, Path]:
    prof, _ = catcow_profile(cat, cow=cow)
    trace = tmp_path / "cc.jsonl"
    write_trace(str(trace), prof, quadruped_frame)
    result = analyze(str(trace), load_exercise("cat_cow"), str(tmp_path / "cc"), write_video=False, progress=False)
    return result.report, tmp_path / "cc"


# -- when, and whose ---------------------------------------------------------------------------------------------

def test_the_report_says_when_the_session_was_and_when_it_was_analysed(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"")
    recorded = datetime(2026, 3, 4, 9, 30, 20, tzinfo=timezone.utc).timestamp()
    os.utime(clip, (recorded, recorded))  # the camera finished writing the file at 09:30:20
    ex = load_exercise("bridge")
    info = SourceInfo(str(clip), 30.0, 300, 640, 480, 20.0)
    now = datetime(2026, 3, 5, 18, 0, 0, tzinfo=timezone.utc)
    report = build_report(ex, info, ExerciseChecker(ex).finish(), now=now)
    assert report["times"] == {"analysed_at": "2026-03-05T18:00:00Z", "session_started_at": "2026-03-04T09:30:00Z",
                               "session_started_from": "file"}
    camera = dataclasses.replace(info, path="camera:0", kind="camera")
    assert build_report(ex, camera, ExerciseChecker(ex).finish(), now=now)["times"]["session_started_at"] == \
        "2026-03-05T17:59:40Z"  # a live session: now less its length

    write_report(report, str(tmp_path / "report.json"))
    write_human_report(str(tmp_path), report, ex)
    _, page = read_page(tmp_path)
    local = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).astimezone()  # noqa: E731
    text = page.visible_text
    assert f"Session {local('2026-03-04T09:30:00Z').strftime('%a %d %b %Y, %H:%M')}" in text
    assert "(from the video file's date)" in text
    assert f"Analysed {local('2026-03-05T18:00:00Z').strftime('%a %d %b %Y, %H:%M')}" in text


def test_the_page_names_the_profile_or_says_there_was_none(tmp_path: Path) -> None:
    report, out = bridge_run(tmp_path)
    _, page = read_page(out)
    assert "Profile none (the exercise's own thresholds)" in page.visible_text
    report["profile"] = {"name": "anna", "path": "/x/anna.json", "created": "2026-01-02",
                         "thresholds": {"faults.hips_low.below": 160.0}}
    write_human_report(str(out), report)
    _, page = read_page(out)
    assert "Profile anna (made 2026-01-02): personal thresholds: faults.hips_low.below 160" in page.visible_text


# -- plain words, explained measures, no empty rows ---------------------------------------------------------------

def test_faults_are_said_in_plain_words_on_the_page_and_in_the_summary(tmp_path: Path) -> None:
    report, out = bridge_run(tmp_path)
    assert report["reps"][1]["faults"] == ["hips_low"]  # the code stays in report.json...
    assert "hips_low" in (out / "reps.csv").read_text()  # ...and the CSV
    _, page = read_page(out)
    text = page.visible_text
    words = load_exercise("bridge").fault("hips_low").name
    assert words == "hips not lifted high enough"
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text.replace(str(tmp_path), "")), \
        re.findall(r"\b[a-z]+_[a-z_]+\b", text)  # no code anywhere a person reads
    assert words in page.reps[1]["faults"]["text"] and f"1. {words}" in text
    assert f"faults: {words} x1" in summary_lines(report)


def test_each_measure_shown_is_explained_with_which_way_is_better_and_its_target(tmp_path: Path) -> None:
    from coach.reporting.about import measure_notes

    _, out = bridge_run(tmp_path)
    _, page = read_page(out)
    assert ("Hip angle at the top: the angle at the hip between shoulder and knee, 180 degrees when shoulders, "
            "hips and knees make a straight line. Higher is better; target: 168.0° to 189.0°") in page.visible_text
    assert page.reps[0]["peak"]["text"].startswith("hip angle at the top ")  # the definition's name, not a key
    k2c = measure_notes(load_exercise("knee_to_chest"))
    assert [(n.key, n.better, n.target) for n in k2c] == [("hip_angle_min", "Lower is better", "at most 90.0°")]
    cc = measure_notes(load_exercise("cat_cow"))
    assert [n.key for n in cc] == ["cat_depth", "cow_depth"]
    assert all(n.target == "at least 60 % of your deepest in the session" for n in cc)
    # the target follows the thresholds the session ran with (a personal profile moves hips_low)
    ex = load_exercise("bridge")
    moved = dataclasses.replace(ex, faults=tuple(dataclasses.replace(f, below=160.0) if f.code == "hips_low" else f
                                                 for f in ex.faults))
    assert measure_notes(moved)[0].target == "160.0° to 189.0°"


def test_an_exercise_without_a_hold_target_has_no_hold_rows_or_holds_met(tmp_path: Path) -> None:
    from coach.report import MEANINGS

    report, out = catcow_run(tmp_path, [0.9, 0.9, 0.9], [0.9, 0.9, 0.9])
    assert report["summary"]["reps"] == 3 and len(report["holds"]) == 6
    html, page = read_page(out)
    assert 'id="hold-table"' not in html  # six rows of dashes before
    assert "holds met" not in page.visible_text.lower() and 'data-key="holds"' not in html
    assert "–" not in " ".join(str(cell) for row in page.reps for cell in row.values())
    assert not any(line.startswith("holds:") for line in summary_lines(report))
    assert MEANINGS["good_rep"] in page.visible_text and MEANINGS["met_target"] not in page.visible_text


# -- "good" means one thing; "1 rep" --------------------------------------------------------------------------------

def test_the_meanings_of_good_are_on_the_page_and_in_the_readme(tmp_path: Path) -> None:
    from coach.report import MEANINGS

    _, out = bridge_run(tmp_path)
    _, page = read_page(out)
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for meaning in MEANINGS.values():
        assert meaning in page.visible_text
        assert meaning in readme, meaning


def test_one_rep_is_one_rep(tmp_path: Path) -> None:
    report, out = bridge_run(tmp_path, tops=((180.0, 2.0),))
    assert report["summary"]["reps"] == 1
    assert summary_lines(report)[0] == "Pelvic tilt bridge: 1 rep, 1 good"
    _, page = read_page(out)
    assert "1 rep (target 15–20)" in page.visible_text and "1 reps" not in page.visible_text
    assert "1 good rep (no fault)" in page.visible_text


# -- the plot's fault markers -------------------------------------------------------------------------------------

def test_fault_markers_on_the_plot_do_not_overlap() -> None:
    """Faults a fraction of a second apart (several codes on one rep, a pose each) were numbered
    on top of each other; now they share a marker and a label, and no two labels overlap."""
    from coach.reporting.plot import marker_labels, measure_figure

    t = np.arange(0, 20, 1 / 30)
    value = 135.0 + 30.0 * np.exp(-((t - 10.0) ** 2))
    series = MeasureSeries("hip_extension", np.arange(len(t)), t, value, np.full(len(t), 135.0), [None] * len(t))
    times = [9.9, 10.0, 10.05, 12.0, 15.0, 15.3]
    moments = [FaultMoment(x, "hips_low", "", 1) for x in times]
    report = {"source": {"duration_s": 20.0}, "reps": [], "holds": [], "phases": []}
    labels = marker_labels(series, moments, 20.0)
    assert [text for _, _, text in labels] == ["1, 2, 3", "4", "5, 6"]
    fig = measure_figure(series, report, [], moments)
    renderer = fig.canvas.get_renderer()
    boxes = [a.get_window_extent(renderer) for a in fig.axes[0].texts if re.fullmatch(r"[\d, ]+", a.get_text())]
    assert len(boxes) == 3
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


# -- the moment pictured, and its cue --------------------------------------------------------------------------

def catcow_report() -> dict:
    """Two cat-cow cycles: the second's cat is shallow (0.3 of the best), its cow full."""
    return {
        "reps": [{"index": 1, "start_s": 1.0, "end_s": 4.0, "faults": [], "peak": {"cat_depth": 1.0, "cow_depth": 1.0}},
                 {"index": 2, "start_s": 5.0, "end_s": 8.0, "faults": ["shallow"],
                  "peak": {"cat_depth": 0.3, "cow_depth": 0.95}}],
        "holds": [{"rep": 2, "start_s": 5.5, "end_s": 6.0, "duration_s": 0.5, "faults": [], "pose": "cat"},
                  {"rep": 2, "start_s": 7.0, "end_s": 7.5, "duration_s": 0.5, "faults": [], "pose": "cow"}],
        "cues": [],
    }


def test_a_shallow_pose_is_pictured_in_that_pose_with_its_own_cue() -> None:
    ex = load_exercise("cat_cow")
    t = np.arange(0, 9, 0.05)
    value = np.zeros(len(t))
    value[(t >= 5.5) & (t <= 6.0)] = 0.3
    value[(t >= 5.7) & (t <= 5.8)] = 0.32  # the cat's deepest moment
    value[(t >= 7.0) & (t <= 7.5)] = -0.95
    series = MeasureSeries("spine_flexion", np.arange(len(t)), t, value, np.zeros(len(t)), [None] * len(t))
    cues = {f.code: f.cue for f in ex.faults}
    [moment] = fault_moments(catcow_report(), cues, series, ex)
    assert moment.pose == "cat" and 5.7 <= moment.t <= 5.8  # was the rep's furthest point: the cow at 7.0-7.5
    assert moment.cue == ex.fault("shallow").cue_for("cat_depth") and "cat" in moment.cue and "cow" not in moment.cue
    # the cow shallow instead: pictured in the cow, with the cow's cue
    report = catcow_report()
    report["reps"][1]["peak"] = {"cat_depth": 0.95, "cow_depth": 0.3}
    [moment] = fault_moments(report, cues, series, ex)
    assert moment.pose == "cow" and 7.0 <= moment.t <= 7.5 and "into the cow" in moment.cue
    # both shallow: a picture of each
    report["reps"][1]["peak"] = {"cat_depth": 0.3, "cow_depth": 0.3}
    assert [m.pose for m in fault_moments(report, cues, series, ex)] == ["cat", "cow"]


def test_the_page_captions_a_shallow_pose_with_its_pose_and_cue(tmp_path: Path) -> None:
    report, out = catcow_run(tmp_path, [0.9, 0.25, 0.9], [0.9, 0.9, 0.9])
    assert [r["faults"] for r in report["reps"]] == [[], ["shallow"], []]
    _, page = read_page(out)
    assert len(page.faults) == 1
    text = page.visible_text
    assert "pose not deep enough (the cat)" in text and "Go further into the cat" in text
    assert "Go further into the cow" not in text


# -- pain ----------------------------------------------------------------------------------------------------------

def test_the_pain_stop_and_the_pain_rating_are_on_the_page_and_in_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "live"
    report, _ = live_session(out)
    report["pain_rating"] = {"value": 6, "asked_at_s": 31.5}
    write_report(report, str(out / "report.json"))
    assert main(["report", str(out)]) == 0  # load.py takes the optional pain rating
    _, page = read_page(out)
    assert "Pain after the session: 6 / 10" in page.visible_text and "asked at 31.5 s" in page.visible_text
    assert f"Stopped for pain at {report['stopped']['t_s']:.1f} s." in page.visible_text
    lines = summary_lines(report, live=True)
    assert f"stopped for pain at {report['stopped']['t_s']:.1f} s" in lines and "pain rating: 6/10" in lines


@pytest.mark.parametrize("rating, problem", [({"value": 11}, "pain_rating.value must be from 0 to 10, got 11"),
                                             ({"value": "bad"}, "pain_rating.value must be int"),
                                             ({}, "pain_rating.value is missing")])
def test_a_bad_pain_rating_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                  rating: dict, problem: str) -> None:
    report, out = bridge_run(tmp_path)
    report["pain_rating"] = rating
    write_report(report, str(out / "report.json"))
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and problem in err


# -- the previous session ---------------------------------------------------------------------------------------

def recorded(db: Path, report: dict, path: Path, when: str, exercise_id: str = "bridge") -> None:
    """Add ``report`` to the history at ``db`` as recorded at ``when``."""
    from coach.history.record import session_from_report

    row = session_from_report(report, str(path), "analyze")
    row = dataclasses.replace(row, recorded_at=when, exercise_id=exercise_id)
    with open_history(db) as h:
        h.add(row)


def test_the_page_compares_with_the_previous_session_of_the_same_exercise_and_profile(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    before, before_dir = bridge_run(tmp_path, "before", tops=((180.0, 2.0), (180.0, 2.0), (150.0, 2.0)))
    recorded(db, before, before_dir / "report.json", "2020-01-01T10:00:00Z")
    recorded(db, before, before_dir / "report.json", "2020-01-02T10:00:00Z", exercise_id="cat_cow")  # another exercise
    anna = {**before, "profile": {"name": "anna", "thresholds": {}}}
    write_report(anna, str(tmp_path / "anna.json"))
    recorded(db, anna, tmp_path / "anna.json", "2020-01-03T10:00:00Z")  # another profile
    report, out = bridge_run(tmp_path, "now")
    write_human_report(str(out), report, history_db=str(db))
    html, page = read_page(out)
    assert "Compared with the previous session" in page.visible_text
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td><td class=\"num\">(.*?)</td>", html)
    assert rows[:3] == [("reps", "2", "3"), ("good reps", "1", "2"), ("holds met", "1", "2")]
    assert [r[0] for r in rows][3:] == ["time held", "range of motion (mean of the reps)"]
    assert "Wed 01 Jan 2020" in page.visible_text or "01 Jan 2020" in page.visible_text
    # once recorded itself (a re-render by 'coach report'), the session is not its own previous one
    record_session(report, str(out / "report.json"), "analyze", db_path=db)
    write_human_report(str(out), report, history_db=str(db))
    assert re.findall(r"<tr><td>reps</td><td class=\"num\">(.*?)</td><td class=\"num\">(.*?)</td>",
                      read_page(out)[0]) == [("2", "3")]


def test_without_a_usable_history_there_is_no_comparison_and_no_failure(tmp_path: Path) -> None:
    report, out = bridge_run(tmp_path)
    missing = tmp_path / "none" / "history.sqlite3"
    write_human_report(str(out), report, history_db=str(missing))
    assert "No previous session of this exercise in the history" in read_page(out)[1].visible_text
    assert not missing.exists() and not missing.parent.exists()  # read-only: nothing created
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database at all" * 50)
    write_human_report(str(out), report, history_db=str(damaged))
    assert "No previous session" in read_page(out)[1].visible_text
    assert damaged.read_bytes() == b"not a database at all" * 50


# -- a phone ---------------------------------------------------------------------------------------------------

MEASURE_SCRIPT = ("<script>window.addEventListener('load', () => { document.title = 'W=' + "
                  "document.documentElement.scrollWidth + ',' + window.innerWidth; });</script>")


@pytest.mark.skipif(chromium() is None, reason="no Chromium found (apt-get install chromium): the page is not "
                                               "rendered in a browser here")
def test_the_page_fits_a_phone_without_scrolling_sideways(tmp_path: Path) -> None:
    """At 390 px (a phone) the page is no wider than the screen: the rep table becomes one card per
    rep. (Measured by a script added to a copy of the page: the report itself has none.)"""
    report, out = bridge_run(tmp_path, tops=((180.0, 2.0), (150.0, 2.0), (200.0, 2.0)))
    html = (out / "report.html").read_text(encoding="utf-8").replace("</body>", MEASURE_SCRIPT + "</body>")
    probe = out / "probe.html"
    probe.write_text(html, encoding="utf-8")
    browser = chromium()
    env = {**os.environ, "HOME": str(tmp_path)}
    widths = {}
    for width in (390, 1280):
        dom = subprocess.run([browser, *BROWSER_ARGS, f"--window-size={width},2000", "--dump-dom", probe.as_uri()],
                             env=env, capture_output=True, timeout=180, check=False, text=True).stdout
        found = re.search(r"<title>W=(\d+),(\d+)</title>", dom)
        assert found, dom[:300]
        widths[width] = (int(found.group(1)), int(found.group(2)))  # the page's width, the window's
    # (headless Chromium may lay out a little wider than asked, 500 px: still a phone's layout)
    assert widths[390][1] <= 640 and widths[390][0] <= widths[390][1], widths
    assert widths[1280][0] <= widths[1280][1], widths
    assert len(Page(dom).reps) == 3
