"""Putting the human report together: ``report.html`` and ``reps.csv`` beside ``report.json``.

Called at the end of ``coach analyze``, at the final save of ``coach live`` (not the periodic
ones: this replays the trace and draws), and by ``coach report DIR``. What cannot be shown (no
trace, an unknown exercise, a trace that does not read) becomes a note on the page, never a failure:
the tables come from report.json alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from coach.engine.definition import Exercise
from coach.errors import CoachError
from coach.report import atomic_write_text, exercise_for_report, fault_names, rom_keys
from coach.reporting.about import measure_notes, rom_names
from coach.reporting.csv_out import write_reps_csv
from coach.reporting.html import PageInputs, Picture, render_html
from coach.reporting.moments import FaultMoment, cue_texts, fault_moments
from coach.reporting.previous import compare, previous_session
from coach.reporting.replay import MeasureSeries, poses_at, replay_series
from coach.reporting.thumbnails import VideoFrames, data_uri, skeleton_thumbnail, video_thumbnail

HTML, CSV, TRACE, VIDEO = "report.html", "reps.csv", "landmarks.jsonl", "annotated.mp4"
REP_TIME_TOLERANCE_S = 0.05


@dataclass
class HumanReport:
    files: dict[str, str]  # "html", "csv" -> path
    notes: list[str] = field(default_factory=list)  # what the page could not show, and why


def write_human_report(out_dir: str, report: dict, exercise: Optional[Exercise] = None,
                       trace_path: Optional[str] = None, history_db: Optional[str] = None) -> HumanReport:
    """Write ``out_dir``/report.html and reps.csv for ``report`` (already in ``out_dir``/report.json).

    ``exercise``: the definition the session ran (default: the shipped one of the report's id, with
    the report's targets). ``trace_path``: its landmark trace (default: ``out_dir``/landmarks.jsonl,
    else the trace a replayed analysis came from). ``history_db``: the history to find the previous
    session in (default: the user's; see coach.reporting.previous)."""
    notes: list[str] = []
    if exercise is None:
        exercise = exercise_for_report(report, notes)
    trace = _find_trace(out_dir, report, trace_path)
    series = _series(report, exercise, trace, notes) if exercise is not None else None
    definition_cues = {f.code: exercise.cue_text(f) for f in exercise.faults} if exercise is not None else {}
    moments = fault_moments(report, cue_texts(report, definition_cues), series, exercise)
    previous = previous_session(report, os.path.join(out_dir, "report.json"), history_db)
    inputs = PageInputs(report=report, instructions=exercise.instructions if exercise is not None else "",
                        rom_keys=rom_keys(exercise) if exercise is not None else (),
                        moments=moments, notes=notes, fault_names=fault_names(exercise),
                        measure_notes=measure_notes(exercise), comparison=compare(report, exercise, previous),
                        rom_names=rom_names(exercise))
    if series is not None and exercise is not None and np.isfinite(series.value).any():
        from coach.reporting.plot import measure_plot, png_size  # matplotlib: only when there is a plot
        from coach.reporting.thresholds import key_thresholds

        about = exercise.about.get(series.measure)
        png = measure_plot(series, report, key_thresholds(exercise), moments, name=about.name if about else "")
        inputs.plot_uri, inputs.plot_size = data_uri(png, "image/png"), png_size(png)
    elif series is not None:
        notes.append("No plot: the key joints were never seen well enough to measure.")
    inputs.pictures = _pictures(moments, report, out_dir, trace, series)
    inputs.files = _neighbours(out_dir, trace)
    files = {"html": os.path.join(out_dir, HTML), "csv": os.path.join(out_dir, CSV)}
    atomic_write_text(files["html"], render_html(inputs))  # a reader never sees half a page
    write_reps_csv(report, files["csv"])
    return HumanReport(files=files, notes=notes)


def _find_trace(out_dir: str, report: dict, given: Optional[str]) -> Optional[str]:
    backend = report.get("backend") if isinstance(report.get("backend"), dict) else {}
    replayed = backend.get("replayed_from")
    for path in (given, os.path.join(out_dir, TRACE), replayed if isinstance(replayed, str) else None):
        if path and os.path.isfile(path):
            return path
    return None


def _series(report: dict, exercise: Exercise, trace: Optional[str], notes: list[str]) -> Optional[MeasureSeries]:
    if trace is None:
        notes.append(f"No plot and no skeleton pictures: there is no landmark trace ({TRACE}) beside the report.")
        return None
    live = report.get("live") if isinstance(report.get("live"), dict) else None
    after = None
    if live is not None:
        after = live.get("counting_from_s")
        if not isinstance(after, (int, float)):
            notes.append("No plot: the set-up was never completed, so nothing was counted.")
            return None
    try:
        series = replay_series(trace, exercise, after_s=after)
    except CoachError as err:
        notes.append(f"No plot: the landmark trace could not be read ({err}).")
        return None
    if not _same_reps(series, report):
        notes.append(f"Replaying the landmark trace with today's definition of {exercise.id} finds "
                     f"{len(series.reps)} reps where the report has {len(report['reps'])}: the definition has "
                     f"changed since. The curve is today's computation; the tables are the report's.")
    return series


def _same_reps(series: MeasureSeries, report: dict) -> bool:
    ours = [(r["start_s"], r["end_s"]) for r in report["reps"]]
    return len(ours) == len(series.reps) and all(
        abs(a - c) <= REP_TIME_TOLERANCE_S and abs(b - d) <= REP_TIME_TOLERANCE_S
        for (a, b), (c, d) in zip(ours, series.reps))


def _pictures(moments: list[FaultMoment], report: dict, out_dir: str, trace: Optional[str],
              series: Optional[MeasureSeries]) -> list[Optional[Picture]]:
    """One picture per fault: the video frame when a video of the session is at hand, else the
    skeleton from the trace (no camera picture is kept unless the session kept a video)."""
    if not moments:
        return []
    fps = float(report["source"]["fps"]) or 30.0
    # The trace line of each moment: in an analysis also its frame in the video (one frame per line).
    lines = [m.ordinal if m.ordinal is not None else int(round(m.t * fps)) for m in moments]
    pictures: list[Optional[Picture]] = [None] * len(moments)
    video = _session_video(out_dir, report)
    if video is not None:
        video_fps = video.fps if video.fps > 0 else fps
        try:
            for k, m in enumerate(moments):
                # A live session's video is laid out on the session clock (coach/live/session_video.py),
                # not one frame per trace line: the camera's processed frames come at no fixed rate.
                at = min(int(round(m.t * video_fps)), video.frames - 1) if "live" in report else lines[k]
                image = video.frame(at)
                if image is not None:
                    pictures[k] = Picture(data_uri(video_thumbnail(image), "image/jpeg"), "video")
        finally:
            video.close()
    missing = [k for k, p in enumerate(pictures) if p is None]
    if missing and trace is not None:
        try:
            poses = poses_at(trace, [lines[k] for k in missing])
        except CoachError:
            poses = {}  # the series' note already says the trace does not read
        for k in missing:
            pose = poses.get(lines[k])
            if pose is not None:
                side = _side_at(series, moments[k].t)
                pictures[k] = Picture(data_uri(skeleton_thumbnail(pose, side), "image/png"), "skeleton")
    return pictures


def _session_video(out_dir: str, report: dict) -> Optional[VideoFrames]:
    """The annotated video beside the report (the session's own), else, for an analysis (a live
    session's source is a camera), the source video if it is still there and of the right shape."""
    own = os.path.join(out_dir, VIDEO)
    if os.path.isfile(own):
        video = VideoFrames(own)
        if video.ok:
            return video
        video.close()
    src = report["source"]
    if "live" in report or src["path"].endswith(".jsonl") or not os.path.isfile(src["path"]):
        return None
    video = VideoFrames(src["path"])
    if video.ok and video.width * src["height"] == video.height * src["width"]:
        return video
    video.close()  # another file now has the name: its pictures would be of something else
    return None


def _side_at(series: Optional[MeasureSeries], t: float) -> Optional[str]:
    if series is None or not len(series):
        return None
    return series.sides[series.nearest(t)]


def _neighbours(out_dir: str, trace: Optional[str]) -> dict[str, str]:
    files = {"the data": "report.json", "one row per rep": CSV}
    if trace is not None and os.path.dirname(os.path.abspath(trace)) == os.path.abspath(out_dir):
        files["the landmark trace"] = os.path.basename(trace)
    if os.path.isfile(os.path.join(out_dir, VIDEO)):
        files["the annotated video"] = VIDEO
    return files

