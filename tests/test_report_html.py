"""report.html and reps.csv (coach/reporting): their numbers are report.json's, on real sample runs and
on live sessions; ``coach report DIR`` re-renders them and refuses bad input in one line; everything a
file name or a report can carry is escaped; the page renders in a real browser (headless Chromium)."""

from __future__ import annotations

import base64
import csv
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

import cv2
import numpy as np
import pytest

from coach.cli import main
from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise
from coach.live.session import LiveSession
from coach.report import fault_names
from coach.reporting.moments import fault_moments
from coach.reporting.replay import MeasureSeries
from coach.reporting.thresholds import key_thresholds
from coach.sources import SourceInfo
from coach.trace import quantize
from e2e_runs import SAMPLES, Run, SampleRuns, sample_video
from synth import FPS, HEIGHT, WIDTH, Profile, lying_frame, write_trace

EVIL = "<script>alert(1)</script>"


# -- reading the page back ---------------------------------------------------------------------------------------

class Page(HTMLParser):
    """What the tests read from a report page: rep rows (cells by data-field), summary figures (by
    data-key), fault figures and their images, every tag seen, and the visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.reps: list[dict] = []
        self.summary: dict[str, str] = {}
        self.faults: list[dict] = []
        self.text: list[str] = []
        self._cell: Optional[tuple[dict, str, str]] = None  # (row, field, data-value)
        self._key: Optional[str] = None
        self._buf: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "tr" and "rep" in a.get("class", "").split():
            self.reps.append({"index": int(a["data-index"])})
        elif tag == "td" and "data-field" in a and self.reps and self._in_rep_table:
            self._cell, self._buf = (self.reps[-1], a["data-field"], a.get("data-value", "")), []
        elif tag == "span" and self._cell is not None and "data-value" in a:
            self._cell[0].setdefault("peak_values", []).append(float(a["data-value"]))
        elif "data-key" in a:
            self._key, self._buf = a["data-key"], []
        elif tag == "figure" and "fault" in a.get("class", "").split():
            self.faults.append({"code": a["data-code"], "t": float(a["data-t"]), "img": None})
        elif tag == "img" and self.faults and self._open_figure:
            self.faults[-1]["img"] = a["src"]
        if tag == "table":
            self._in_rep_table = a.get("id") == "rep-table"
        if tag == "figure":
            self._open_figure = True

    _in_rep_table = False
    _open_figure = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            row, field, value = self._cell
            row[field] = {"text": " ".join("".join(self._buf).split()), "value": value}
            self._cell = None
        elif tag == "div" and self._key is not None:
            self.summary[self._key] = " ".join("".join(self._buf).split())
            self._key = None
        elif tag == "table":
            self._in_rep_table = False
        elif tag == "figure":
            self._open_figure = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None or self._key is not None:
            self._buf.append(data)

    @property
    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def images(self) -> list[str]:
        return [a["src"] for tag, a in self.tags if tag == "img"]


def read_page(folder: Path) -> tuple[str, Page]:
    html = (folder / "report.html").read_text(encoding="utf-8")
    return html, Page(html)


def key_peak(report: dict, rep: dict) -> list[float]:
    """The values the page shows as a rep's range of motion (see coach.reporting.html.range_of_motion)."""
    measure = load_exercise(report["exercise"]["id"]).phases.measure
    depths = [v for k, v in rep["peak"].items() if k.endswith("_depth")]
    return depths or [rep["peak"][measure + "_deg"]]  # the samples' out-and-back exercises are measured in degrees


def assert_page_matches_report(page: Page, report: dict) -> None:
    """Every number the rep table shows is report.json's, exactly (data-value) and as shown (text)."""
    assert [row["index"] for row in page.reps] == [rep["index"] for rep in report["reps"]]
    for row, rep in zip(page.reps, report["reps"]):
        duration = round(rep["end_s"] - rep["start_s"], 3)
        for field, value in (("start_s", rep["start_s"]), ("duration_s", duration), ("hold_s", rep["hold_s"])):
            assert float(row[field]["value"]) == value, (field, row, rep)
            assert row[field]["text"] == f"{value:.1f}", (field, row, rep)
        assert row.get("peak_values", []) == key_peak(report, rep), (row, rep)
        names = fault_names(load_exercise(report["exercise"]["id"]))  # faults in plain words, not codes
        shown = ", ".join(names[c] for c in rep["faults"]) if rep["faults"] else "good"
        if rep.get("unjudged"):  # a fault the camera's angle kept from being judged is said beside it
            shown += f" (not judged from this camera angle: {', '.join(names[c] for c in rep['unjudged'])})"
        assert row["faults"]["text"] == shown
        if "side" in row:
            assert row["side"]["text"] == (rep["side"] or "–")
    assert page.summary["reps"] == str(report["summary"]["reps"])
    assert page.summary["good_reps"] == str(report["summary"]["good_reps"])
    assert page.summary["total_hold_s"] == f"{report['summary']['total_hold_s']:.1f} s"


def assert_self_contained(html: str, page: Page) -> None:
    """Opens offline: no script, no stylesheet or image from elsewhere, every image inlined."""
    assert "<script" not in html.lower()
    assert not [a for tag, a in page.tags if tag == "link"]
    for src in page.images():
        assert src.startswith("data:image/"), src[:60]
    assert "http://" not in html and "https://" not in html


def expected_faults(report: dict) -> list[str]:
    codes = [code for rep in report["reps"] for code in rep["faults"]]
    return sorted(codes + [f["code"] for f in report.get("setup_faults", [])])


def analysed(runs: SampleRuns, name: str) -> Run:
    run = runs.analysis(name)
    assert run.returncode == 0, run.describe()
    return run


# -- real analyses of the samples ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLES)
def test_analysis_writes_a_page_whose_numbers_are_the_reports(sample_runs: SampleRuns, name: str) -> None:
    run = analysed(sample_runs, name)
    report = run.report
    html, page = read_page(run.out_dir)
    assert_page_matches_report(page, report)
    assert_self_contained(html, page)
    ex = load_exercise(report["exercise"]["id"])
    assert ex.instructions in page.visible_text
    # the plot of the key measure is there (the trace was replayed), and nothing says it is missing
    assert any(src.startswith("data:image/png") for src in page.images())
    assert "No plot" not in page.visible_text
    # one picture per fault (a fault in both poses of a cat-cow cycle: one in each), taken from a video
    # (the sample video, or the annotated one)
    assert sorted(f["code"] for f in page.faults) == sorted(m.code for m in fault_moments(report, {}, None, ex))
    assert sorted(set(f["code"] for f in page.faults)) == sorted(set(expected_faults(report)))
    for fig in page.faults:
        assert fig["img"] is not None and fig["img"].startswith("data:image/jpeg;base64,"), fig
    for cue in report["cues"]:
        assert cue["text"] in page.visible_text


@pytest.mark.parametrize("name", SAMPLES)
def test_reps_csv_rows_are_the_reports(sample_runs: SampleRuns, name: str) -> None:
    run = analysed(sample_runs, name)
    report = run.report
    with open(run.out_dir / "reps.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(report["reps"])
    for row, rep in zip(rows, report["reps"]):
        assert int(row["index"]) == rep["index"]
        for key in ("start_s", "end_s", "hold_s", "top_s"):
            assert float(row[key]) == rep[key], key
        assert float(row["duration_s"]) == pytest.approx(rep["end_s"] - rep["start_s"], abs=1e-9)
        assert row["side"] == (rep["side"] or "")
        assert row["good"] == ("yes" if rep["good"] else "no")
        assert (row["faults"].split(";") if row["faults"] else []) == rep["faults"]
        assert {k[len("peak_"):]: float(v) for k, v in row.items() if k.startswith("peak_") and v} == rep["peak"]


def copy_run(run: Run, dest: Path, with_trace: bool = True, with_video: bool = False) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(run.report_path, dest / "report.json")
    if with_trace:
        shutil.copy(run.trace_path, dest / "landmarks.jsonl")
    if with_video and run.video_path.exists():
        shutil.copy(run.video_path, dest / "annotated.mp4")
    return dest


def test_coach_report_renders_the_same_page_again(sample_runs: SampleRuns, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    run = sample_runs.video_run() or analysed(sample_runs, SAMPLES[0])
    folder = copy_run(run, tmp_path / "again", with_video=True)
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    assert main(["report", str(folder), "--open", "--history-db", str(run.history_db)]) == 0
    out = capsys.readouterr().out
    assert "report.html" in out and "reps.csv" in out
    # the same page as the analysis wrote: re-rendering from the files loses nothing
    assert (folder / "report.html").read_text(encoding="utf-8") == (run.out_dir / "report.html").read_text(encoding="utf-8")
    assert (folder / "reps.csv").read_text(encoding="utf-8") == (run.out_dir / "reps.csv").read_text(encoding="utf-8")
    assert opened == [(folder / "report.html").resolve().as_uri()]


def test_coach_report_without_a_trace_still_renders_and_says_why(sample_runs: SampleRuns, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture) -> None:
    run = analysed(sample_runs, "bridge_mixed_05" if "bridge_mixed_05" in SAMPLES else SAMPLES[0])
    folder = copy_run(run, tmp_path / "no-trace", with_trace=False)
    report = json.loads((folder / "report.json").read_text())
    report["source"]["path"] = str(tmp_path / "gone.mp4")  # no video either: no picture at all
    (folder / "report.json").write_text(json.dumps(report))
    assert main(["report", str(folder)]) == 0
    assert "no landmark trace" in capsys.readouterr().out
    html, page = read_page(folder)
    assert_page_matches_report(page, report)
    assert "no landmark trace (landmarks.jsonl)" in page.visible_text
    assert page.images() == []  # no plot, no pictures
    assert sorted(f["code"] for f in page.faults) == expected_faults(report)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_coach_report_refuses_bad_input_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    good = {"schema": "coach.report/1", "exercise": {"id": "bridge", "name": "Pelvic tilt bridge"},
            "source": {"path": "x.mp4", "fps": 30.0, "frames": 30, "duration_s": 1.0, "width": 640, "height": 480},
            "tracking": {"frames_with_pose": 30, "fraction": 1.0}, "reps": [], "holds": [], "phases": [], "cues": [],
            "summary": {"reps": 0, "good_reps": 0, "total_hold_s": 0.0}}
    cases = {
        "missing": (tmp_path / "nowhere", "folder not found"),
        "empty": (tmp_path / "empty", "no report.json in"),
        "corrupt": (write(tmp_path / "corrupt" / "report.json", '{"schema": "coach.report/1", "reps": [').parent,
                    "is not valid JSON"),
        "schema": (write(tmp_path / "schema" / "report.json", json.dumps({**good, "schema": "other/2"})).parent,
                   "has schema 'other/2', expected 'coach.report/1'"),
        "shape": (write(tmp_path / "shape" / "report.json", json.dumps({**good, "reps": [{"index": "one"}]})).parent,
                  "reps[0].index must be int"),
        "a file": (write(tmp_path / "notes.txt", "hello"), "is a file, not a session folder"),
    }
    (tmp_path / "empty").mkdir()
    for what, (folder, expected) in cases.items():
        assert main(["report", str(folder)]) == 2, what
        err = capsys.readouterr().err.strip()
        assert err.startswith("coach: ") and expected in err, (what, err)
        assert "\n" not in err and "Traceback" not in err, (what, err)
    # the good one passes (no trace: a note, not an error)
    write(tmp_path / "fine" / "report.json", json.dumps(good))
    assert main(["report", str(tmp_path / "fine")]) == 0
    assert (tmp_path / "fine" / "report.html").exists() and (tmp_path / "fine" / "reps.csv").exists()


def test_everything_from_files_and_the_report_is_escaped(sample_runs: SampleRuns, tmp_path: Path) -> None:
    """A video named <script>alert(1)</script>.mp4 (on POSIX the "/" makes it a folder "<script>alert(1)<"
    holding "script>.mp4": the path is the same string) shows as text, and is used for the pictures."""
    name = "bridge_mixed_05" if "bridge_mixed_05" in SAMPLES else SAMPLES[0]
    run = analysed(sample_runs, name)
    evil_video = tmp_path / f"{EVIL}.mp4"
    evil_video.parent.mkdir(parents=True)
    shutil.copy(sample_video(name), evil_video)
    assert str(evil_video).endswith(f"{EVIL}.mp4")
    folder = copy_run(run, tmp_path / "evil")
    report = json.loads((folder / "report.json").read_text())
    report["source"]["path"] = str(evil_video)
    report["exercise"]["name"] = "<b>bold</b> & co"
    report["cues"].append({"t_s": 1.0, "code": "x", "text": '<img src=x onerror="alert(2)">'})
    (folder / "report.json").write_text(json.dumps(report))
    assert main(["report", str(folder)]) == 0
    html, page = read_page(folder)
    assert "<script" not in html.lower() and "<b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.mp4" in html
    assert f"{EVIL}.mp4" in page.visible_text  # shown, as text
    assert "<b>bold</b> & co" in page.visible_text
    assert not [a for tag, a in page.tags if tag == "img" and "onerror" in a]
    assert_self_contained(html, page)
    assert page.faults  # the sample has faults: their pictures come from the oddly named video
    assert all(f["img"].startswith("data:image/jpeg") for f in page.faults)


# -- live sessions (synthetic person, no camera) ----------------------------------------------------------------

def live_session(out: Path, video: bool = False) -> tuple[dict, LiveSession]:
    """A live session of three bridges (good, hips low, arched) that ends with the pain key; saved
    periodically (checked: no page then), then for good. With ``video``, inference keeps up with
    every other camera frame only, and an annotated.mp4 is laid out on the session clock at the
    camera's rate, as ``coach live --save-video`` writes it, its frame k grey level 2k: so the trace's
    n-th line is the video's frame 2n, not n."""
    ex = load_exercise("bridge")
    profile = Profile(135.0).hold(3.0)
    for top in (180.0, 150.0, 200.0):
        profile.move(1.0, top).hold(2.0).move(1.0, 135.0).hold(1.5)
    source = SourceInfo("camera:0", FPS, 0, WIDTH, HEIGHT, kind="camera")
    session = LiveSession(str(out), ex, source, {"name": "synthetic", "model": "none"})
    checker = ExerciseChecker(ex)
    session.counting_from = 1.0
    step = 2 if video else 1
    for i, (t, v) in enumerate(zip(profile.times[::step], profile.values()[::step])):
        pose = quantize(lying_frame(i * step, float(t), float(v)))
        if t > session.counting_from:
            checker.update(pose)
        session.record(pose, True)
        if i in (60, 200):
            session.save(checker, {"ended": None})
            assert (out / "report.json").exists() and not (out / "report.html").exists()
    if video:
        from coach.video_out import VideoWriter

        writer = VideoWriter(str(out / "annotated.mp4"), FPS, 160, 120)
        for k in range(len(profile.times)):
            writer.write(np.full((120, 160, 3), grey_of_frame(k), np.uint8))
        writer.close()
    session.stopped = {"reason": "pain", "t_s": round(session.last_t, 3), "message": "Stopping here <now>."}
    report = session.save(checker, {"ended": "pain", "ended_s": session.last_t}, ("pain_stop",), final=True)
    session.close()
    return report, session


def grey_of_frame(k: int) -> int:
    return (2 * k) % 256


def test_live_session_page_comes_with_the_final_save_only(tmp_path: Path) -> None:
    """Periodic saves write report.json only; the final one adds the page and the CSV, with the pain
    stop, and skeleton pictures since no video was kept."""
    out = tmp_path / "live"
    report, session = live_session(out)
    assert session.files["html"] == str(out / "report.html") and session.files["csv"] == str(out / "reps.csv")
    assert [r["faults"] for r in report["reps"]] == [[], ["hips_low"], ["hips_overextended"]]
    html, page = read_page(out)
    assert_page_matches_report(page, report)
    assert_self_contained(html, page)
    text = page.visible_text
    assert f"Stopped for pain at {report['stopped']['t_s']:.1f} s." in text and "Stopping here <now>." in text
    assert "the set was stopped because of pain" in text  # the warning, in the live session's words
    assert sorted(f["code"] for f in page.faults) == ["hips_low", "hips_overextended"]
    for fig in page.faults:  # drawn from the landmarks: no camera picture was stored
        assert fig["img"].startswith("data:image/png;base64,")
    assert "skeleton from the landmarks" in text
    assert any(src.startswith("data:image/png") for src in page.images())  # the plot


def test_live_session_with_a_saved_video_pictures_its_frames_by_the_session_clock(tmp_path: Path) -> None:
    out = tmp_path / "live"
    report, _ = live_session(out, video=True)
    _, page = read_page(out)
    expected = fault_moments(report, {})  # hold faults: the middle of the hold (no trace needed)
    assert [f["code"] for f in page.faults] == [m.code for m in expected]
    for fig, moment in zip(page.faults, expected):
        assert fig["img"].startswith("data:image/jpeg;base64,")  # a video frame, not the skeleton
        data = np.frombuffer(base64.b64decode(fig["img"].split(",", 1)[1]), np.uint8)
        grey = float(cv2.imdecode(data, cv2.IMREAD_GRAYSCALE).mean())
        assert grey == pytest.approx(grey_of_frame(round(moment.t * FPS)), abs=6), (moment, grey)


def test_live_session_that_never_started_counting_says_so(tmp_path: Path) -> None:
    ex = load_exercise("bridge")
    source = SourceInfo("camera:0", FPS, 0, WIDTH, HEIGHT, kind="camera")
    session = LiveSession(str(tmp_path / "live"), ex, source, {"name": "synthetic"})
    checker = ExerciseChecker(ex)
    for i in range(30):
        session.record(quantize(lying_frame(i, i / FPS, 135.0)), True)
    session.save(checker, {"ended": "quit"}, final=True)
    session.close()
    _, page = read_page(tmp_path / "live")
    assert "the set-up was never completed" in page.visible_text
    assert page.reps == [] and "No rep was counted." in page.visible_text


# -- analyze on a trace (no MediaPipe) ---------------------------------------------------------------------------

def test_analysis_of_an_oddly_named_trace_writes_an_escaped_page(tmp_path: Path) -> None:
    from coach.analyze import analyze
    from synth import bridge_profile

    prof, _ = bridge_profile(135.0, [(180.0, 2.0), (150.0, 2.0)])
    trace = tmp_path / f"{EVIL}.jsonl"
    trace.parent.mkdir(parents=True)
    write_trace(str(trace), prof, lying_frame, f"{EVIL}.mp4")
    result = analyze(str(trace), load_exercise("bridge"), str(tmp_path / "out"), write_video=False, progress=False)
    assert result.readable == {"html": str(tmp_path / "out" / "report.html"), "csv": str(tmp_path / "out" / "reps.csv")}
    html, page = read_page(tmp_path / "out")
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;.mp4" in html
    assert_page_matches_report(page, result.report)
    # the trace the analysis replayed is found again for the plot and the skeleton pictures
    assert [f["code"] for f in page.faults] == ["hips_low"] and page.faults[0]["img"].startswith("data:image/png")


# -- the logic under the pictures and the plot ------------------------------------------------------------------

def test_fault_moments_picture_the_hold_or_the_furthest_point() -> None:
    report = {
        "reps": [{"index": 1, "start_s": 1.0, "end_s": 5.0, "faults": ["hips_low", "hold_short"]},
                 {"index": 2, "start_s": 6.0, "end_s": 9.0, "faults": ["rushing"]}],
        "holds": [{"rep": 1, "start_s": 2.0, "end_s": 2.4, "duration_s": 0.4, "faults": []},
                  {"rep": 1, "start_s": 3.0, "end_s": 4.0, "duration_s": 1.0, "faults": ["hips_low"]}],
        "setup_faults": [{"t_s": 0.5, "code": "feet_too_far"}],
        "cues": [{"t_s": 4.0, "code": "hips_low", "text": "Lift"}],
    }
    t = np.arange(0, 10, 0.1)
    value = np.where((t > 7.0) & (t < 7.5), 150.0, 135.0)
    value[(t > 1.5) & (t < 4.5)] = 160.0
    series = MeasureSeries("hip_extension", np.arange(len(t)), t, value, np.full(len(t), 135.0), [None] * len(t))
    moments = fault_moments(report, {"hips_low": "Lift", "hold_short": "Hold"}, series)
    got = [(m.code, round(m.t, 2), m.rep, m.cue) for m in moments]
    assert got == [("feet_too_far", 0.5, None, ""), ("hold_short", 1.6, 1, "Hold"), ("hips_low", 3.5, 1, "Lift"),
                   ("rushing", 7.1, 2, "")]
    assert [m.ordinal for m in moments] == [5, 16, 35, 71]
    # without the measure: the middle of the rep, and no frame to point at
    assert [(m.code, m.t, m.ordinal) for m in fault_moments(report, {}, None)][1] == ("hold_short", 3.0, None)


def test_thresholds_marked_on_the_key_measure() -> None:
    bridge = {(th.label, th.value, th.relative) for th in key_thresholds(load_exercise("bridge"))}
    assert ("hips not lifted high enough (below, at the top)", 168.0, False) in bridge
    assert ("back arched: hips lifted too high (above, at the top)", 189.0, False) in bridge
    assert ("leaves rest", 5.0, True) in bridge and ("top counts", 7.0, True) in bridge
    # the knee's limits are on another measure, so they are not drawn against the hip's curve
    assert not any("feet" in label for label, _, _ in bridge)
    k2c = {(th.label, th.value) for th in key_thresholds(load_exercise("knee_to_chest"))}
    assert k2c == {("leaves rest", -15.0), ("hold counts", -30.0)}  # the hip closes: levels below rest


# -- a real browser --------------------------------------------------------------------------------------------

def chromium() -> Optional[str]:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--virtual-time-budget=10000"]


@pytest.mark.skipif(chromium() is None, reason="no Chromium found (apt-get install chromium): the page is not "
                                               "rendered in a browser here")
def test_page_renders_in_headless_chromium(sample_runs: SampleRuns, tmp_path: Path) -> None:
    run = sample_runs.video_run() or analysed(sample_runs, SAMPLES[0])
    page = (run.out_dir / "report.html").resolve()
    browser = chromium()
    assert browser is not None
    shot = tmp_path / "shot.png"
    env = {**os.environ, "HOME": str(tmp_path)}  # a profile of its own, nothing left in the real home
    subprocess.run([browser, *BROWSER_ARGS, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()],
                   env=env, capture_output=True, timeout=180, check=False)
    image = cv2.imread(str(shot))
    assert image is not None, "Chromium wrote no screenshot"
    assert image.shape[:2] == (2000, 1280)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    assert gray.std() > 20, "the screenshot is blank"
    assert (gray < 235).mean() > 0.05, "almost nothing is drawn"
    colourful = (image.max(axis=2).astype(int) - image.min(axis=2)) > 60  # the plot's and pictures' colours
    assert colourful.mean() > 0.005
    dom = subprocess.run([browser, *BROWSER_ARGS, "--dump-dom", page.as_uri()], env=env, capture_output=True,
                         timeout=180, check=False, text=True).stdout
    rendered = Page(dom)
    assert_page_matches_report(rendered, run.report)  # the rows the browser built are the report's
    assert len(rendered.reps) == run.report["summary"]["reps"]



def test_a_fault_the_camera_angle_kept_from_being_judged_is_said_on_its_rep(sample_runs: SampleRuns) -> None:
    """bridge_mixed_04 is filmed 30 deg round: arching is neither flagged nor cleared there, and the
    page says so on each rep rather than leaving a plain "good"."""
    run = analysed(sample_runs, "bridge_mixed_04")
    html, page = read_page(run.out_dir)
    unjudged = [rep for rep in run.report["reps"] if rep.get("unjudged")]
    assert unjudged, run.report["reps"]
    assert html.count("not judged from this camera angle: back arched: hips lifted too high") == len(unjudged)
