"""``coach analyze VIDEO`` without ``--exercise``: recognise which exercise each stretch of the
recording shows, then analyse each stretch as that exercise; with ``--routine``, match the stretches
to the routine's steps in order and write the routine report.

Written into the output folder: the whole recording's landmark trace (``landmarks.jsonl``; a trace
given as input is read in place), ``recognition.json`` (schema ``coach.recognition/1``: every
stretch with its exercise or "unknown", its confidence, and where its report is), and per stretch of
a known exercise a folder (``01-bridge/``...) with that stretch's trace and the same report, page and
CSV as ``coach analyze --exercise``. With ``--routine``, also the routine's ``report.json`` and
``report.html`` (schema ``coach.routine_report/1``, as a guided routine writes them).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Optional, Sequence

from coach.analyze import analyze, is_trace
from coach.engine.definition import exercise_ids, load_exercise
from coach.pose.frame import PoseFrame
from coach.recognize.model import UNKNOWN, Model, Segment, segments
from coach.report import atomic_write_text, strict_json
from coach.routine.catalogue import entry
from coach.routine.definition import Routine
from coach.routine.guided import RoutineRun, StepRun
from coach.sources import SourceInfo, VideoSource
from coach.trace import TraceSource, TraceWriter

SCHEMA = "coach.recognition/1"
MIN_ANALYSED_S = 3.0  # a stretch shorter than this is reported, not analysed


@dataclass
class Stretch:
    segment: Segment
    folder: Optional[str] = None
    report: Optional[dict] = None
    step: Optional[int] = None  # the routine step it was matched to


def infer_trace(video: str, out_path: str, model: Optional[str] = None, backend: str = "solution") -> str:
    """Every frame of ``video`` through the pose model (with the person mask's back profile, which
    some exercises need) into a trace at ``out_path``."""
    from coach.pose.backends import backend_info, make_backend
    from coach.trace import quantize

    source = VideoSource(video)
    pose_backend = make_backend(model=model, backend=backend, segmentation=True)
    writer = TraceWriter(out_path, source.info, backend_info(pose_backend))
    try:
        for frame in source:
            writer.write(quantize(pose_backend.process(frame.image, frame.t, frame.index)), quantized=True)
    finally:
        writer.close()
        pose_backend.close()  # type: ignore[attr-defined]
    return out_path


def _cut(trace: TraceSource, poses: Sequence[PoseFrame], seg: Segment, path: str) -> str:
    info = trace.info
    part = [p for p in poses if seg.start_s <= p.t <= seg.end_s]
    cut = SourceInfo(path=info.path, fps=info.fps, frames=len(part), width=info.width, height=info.height,
                     duration_s=len(part) / info.fps, kind="trace")
    writer = TraceWriter(path, cut, trace.backend, load_exercise(seg.exercise))
    try:
        for p in part:
            writer.write(p, quantized=True)
    finally:
        writer.close()
    return path


def match_steps(stretches: list[Stretch], routine: Routine) -> None:
    """Each step, in order, takes the next stretches of its exercise (up to its sets)."""
    at = 0
    for i, step in enumerate(routine.steps, start=1):
        taken = 0
        for k in range(at, len(stretches)):
            if taken == step.sets:
                break
            if stretches[k].segment.exercise == step.exercise:
                stretches[k].step, at, taken = i, k + 1, taken + 1


def recognise(path: str, out_dir: str, routine: Optional[Routine] = None, model: Optional[str] = None,
              backend: str = "solution", history_db: Optional[str] = None) -> dict:
    """Recognise, analyse, write; the recognition report."""
    os.makedirs(out_dir, exist_ok=True)
    trace_path = path if is_trace(path) else infer_trace(path, os.path.join(out_dir, "landmarks.jsonl"), model, backend)
    trace = TraceSource(trace_path)
    poses = list(trace)
    found = segments(Model.load(), poses)
    coached = set(exercise_ids())
    stretches = [Stretch(s) for s in found]
    n = 0
    for st in stretches:
        s = st.segment
        if s.exercise in coached and s.end_s - s.start_s >= MIN_ANALYSED_S:
            n += 1
            st.folder = os.path.join(out_dir, f"{n:02d}-{s.exercise}")
            os.makedirs(st.folder, exist_ok=True)
            cut = _cut(trace, poses, s, os.path.join(st.folder, "landmarks.jsonl"))
            st.report = analyze(cut, load_exercise(s.exercise), st.folder, progress=False, history_db=history_db,
                                count_under_way=False).report  # the stretch's start is a cut
    if routine is not None:
        match_steps(stretches, routine)
    report = {
        "schema": SCHEMA,
        "source": trace.info.to_json(),
        "trace": os.path.relpath(trace_path, out_dir) if not is_trace(path) else os.path.abspath(trace_path),
        "routine": routine.id if routine is not None else None,
        "segments": [_segment_json(st, out_dir) for st in stretches],
    }
    atomic_write_text(os.path.join(out_dir, "recognition.json"),
                      json.dumps(strict_json(report), indent=2, allow_nan=False) + "\n")
    if routine is not None:
        from coach.history.record import utc_now
        from coach.routine.report import write_routine_report

        state = RoutineRun(routine, out_dir, utc_now(), ended="recording")
        for st in stretches:
            if st.step is not None:
                step = routine.steps[st.step - 1]
                sets_before = sum(1 for r in state.runs if r.step == st.step)
                state.runs.append(StepRun(st.step, sets_before + 1, step.exercise, step.name, step.side,
                                          step.target_text(), "done" if st.report is not None else "not_coached",
                                          "recording", st.folder, st.report,
                                          seconds=round(st.segment.end_s - st.segment.start_s, 1)))
        write_routine_report(state)
    return report


def _segment_json(st: Stretch, out_dir: str) -> dict:
    s = st.segment
    out = {"start_s": round(s.start_s, 2), "end_s": round(s.end_s, 2), "exercise": s.exercise,
           "name": "not an exercise we know" if s.exercise == UNKNOWN else entry(s.exercise).name,
           "confidence": s.confidence}
    if st.folder is not None:
        out["report_file"] = os.path.join(os.path.relpath(st.folder, out_dir), "report.json")
        out["reps"] = st.report["summary"]["reps"] if st.report else None
    if st.step is not None:
        out["routine_step"] = st.step
    if s.exercise == UNKNOWN:
        out["note"] = "no exercise the coach knows fits these poses (or nobody was in view)"
    return out


def summary_lines(report: dict) -> list[str]:
    lines = []
    for s in report["segments"]:
        reps = f", {s['reps']} reps" if s.get("reps") is not None else ""
        step = f" (routine step {s['routine_step']})" if s.get("routine_step") else ""
        lines.append(f"{s['start_s']:7.1f}-{s['end_s']:7.1f} s  {s['name']} ({100 * s['confidence']:.0f}% sure){reps}{step}")
    return lines
