"""The routine report: ``report.json`` (schema ``coach.routine_report/1``) and ``report.html`` in the
routine's folder, rewritten after every set so that a routine stopped half way keeps every finished
step.

Each set of each step is one entry; a coached one carries its own full ``coach.report/1`` (``report``)
and the path of its folder's files, plus a short summary (reps, holds against the target per side,
faults); a step not coached yet carries how long its timer ran; steps never reached are listed as such.
"""

from __future__ import annotations

import html
import json
import os
from typing import Optional

from coach.report import ENDED_TEXT, atomic_write_text, fault_counts, strict_json
from coach.routine.guided import RoutineRun, StepRun

SCHEMA = "coach.routine_report/1"
ROUTINE_ENDED_TEXT = {"completed": "every step was done", **ENDED_TEXT}
STATUS_TEXT = {"done": "done", "skipped": "skipped", "repeated": "started again", "timed_out": "time ran out",
               "not_coached": "done on the timer (not coached yet)", "stopped": "stopped", "not_reached": "not reached",
               "before_start": "before this session's start (--from-step)"}


def _holds(report: dict) -> list[dict]:
    return [{"side": h.get("side"), "duration_s": h.get("duration_s"), "target_s": h.get("target_s"),
             "met_target": h.get("met_target")} for h in report.get("holds", [])]


def step_summary(report: dict) -> dict:
    """What a physiotherapist reads first of a coached set."""
    reps = report.get("reps", [])
    by_side: dict[str, int] = {}
    for rep in reps:
        if rep.get("side") in ("left", "right"):
            by_side[rep["side"]] = by_side.get(rep["side"], 0) + 1
    out = {"reps": len(reps), "good_reps": sum(1 for r in reps if r.get("good")), "holds": _holds(report),
           "faults": fault_counts(report)}
    if by_side:
        out["reps_by_side"] = by_side
    return out


def _entry(run: StepRun, out_dir: str) -> dict:
    entry: dict = {"step": run.step, "set": run.set, "exercise": {"id": run.exercise, "name": run.name},
                   "side": run.side, "prescribed": run.prescribed, "status": run.status, "ended": run.ended}
    if run.folder is not None:
        folder = os.path.relpath(run.folder, out_dir)
        entry["report_file"] = os.path.join(folder, "report.json")
        if os.path.exists(os.path.join(run.folder, "report.html")):
            entry["page"] = os.path.join(folder, "report.html")
    if run.report is not None:
        entry["summary"] = step_summary(run.report)
        entry["report"] = run.report
    if run.status in ("not_coached", "stopped") and run.folder is None:
        entry["timer_s"] = run.seconds
    return entry


def routine_report(state: RoutineRun) -> dict:
    routine = state.routine
    entries = [_entry(r, state.out_dir) for r in state.runs]
    reached = {r.step for r in state.runs}
    for i, step in enumerate(routine.steps, start=1):
        if i not in reached:
            status = "before_start" if i < state.first_step else "not_reached"
            entries.append({"step": i, "set": None, "exercise": {"id": step.exercise, "name": step.name},
                            "side": step.side, "prescribed": step.target_text(), "status": status})
    entries.sort(key=lambda e: (e["step"], e["set"] or 0))
    last = {}  # (step, set) -> the last attempt's status
    for e in entries:
        last[(e["step"], e["set"])] = e["status"]
    steps_status = {}
    for (step, _), status in last.items():
        steps_status.setdefault(step, []).append(status)
    count = {k: sum(1 for s in steps_status.values() if all(x == k for x in s)) for k in ("done", "not_coached")}
    session_steps = len(routine.steps) - state.first_step + 1
    return {
        "schema": SCHEMA,
        "routine": {"id": routine.id, "name": routine.name, "source": routine.source, "file": routine.path,
                    "frequency": routine.frequency},
        "started_at": state.started_at,
        "ended": state.ended,
        "stopped_at_step": state.stopped_at,
        "first_step": state.first_step,
        **({"pain_rating": state.pain_rating} if state.pain_rating else {}),
        "steps": entries,
        "summary": {"steps": session_steps, "completed": count["done"], "on_timer": count["not_coached"],
                    "skipped": sum(1 for s in steps_status.values() if "skipped" in s),
                    "not_reached": sum(1 for s in steps_status.values() if s == ["not_reached"])},
    }


def write_routine_report(state: RoutineRun) -> dict[str, str]:
    """report.json and report.html in the routine's folder; their paths."""
    report = routine_report(state)
    files = {"report": os.path.join(state.out_dir, "report.json"), "html": os.path.join(state.out_dir, "report.html")}
    atomic_write_text(files["report"], json.dumps(strict_json(report), indent=2, allow_nan=False) + "\n")
    atomic_write_text(files["html"], routine_page(report))
    return files


def _holds_text(summary: Optional[dict]) -> str:
    if not summary or not summary["holds"]:
        return ""
    parts = []
    for h in summary["holds"]:
        side = f"{h['side']} " if h.get("side") in ("left", "right") else ""
        target = f" of {h['target_s']:g}" if h.get("target_s") else ""
        mark = " ✓" if h.get("met_target") else ""
        parts.append(f"{side}{(h.get('duration_s') or 0):.0f}{target} s{mark}")
    return ", ".join(parts)


def _pain_text(report: dict) -> str:
    rating = report.get("pain_rating")
    return f" Pain afterwards: {int(rating['value'])}/10." if isinstance(rating, dict) and "value" in rating else ""


def routine_page(report: dict) -> str:
    """The routine report as one self-contained page (links to each step's own page)."""
    e = html.escape
    r, s = report["routine"], report["summary"]
    ended = ROUTINE_ENDED_TEXT.get(report.get("ended") or "", report.get("ended") or "still running")
    rows = []
    for step in report["steps"]:
        summary = step.get("summary")
        reps = f"{summary['reps']} ({summary['good_reps']} good)" if summary else ""
        faults = ", ".join(f"{code} x{n}" for code, n in sorted(summary["faults"].items())) if summary else ""
        link = f'<a href="{e(step["page"])}">page</a>' if step.get("page") else ""
        set_no = f" set {step['set']}" if step.get("set") and step["set"] > 1 else ""
        rows.append(f"<tr><td>{step['step']}{set_no}</td><td>{e(step['exercise']['name'])}</td><td>{e(step['prescribed'])}</td>"
                    f"<td class=\"{e(step['status'])}\">{e(STATUS_TEXT.get(step['status'], step['status']))}</td>"
                    f"<td>{e(reps)}</td><td>{e(_holds_text(summary))}</td><td>{e(faults)}</td><td>{link}</td></tr>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(r['name'])}: routine report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}} td,th{{padding:.3em .6em;text-align:left;
border-bottom:1px solid #ddd}} .done{{color:#17692b}} .skipped,.not_reached,.stopped,.timed_out{{color:#a33}}</style>
</head><body>
<h1>{e(r['name'])}</h1>
<p>{e(r['source'])}{(' &middot; ' + e(r['frequency'])) if r.get('frequency') else ''}</p>
<p>Started {e(report.get('started_at') or '')}; ended: {e(ended)}.
{s['completed']} of {s['steps']} steps done{f", {s['on_timer']} on the timer" if s['on_timer'] else ''}{f", {s['skipped']} skipped" if s['skipped'] else ''}{f", {s['not_reached']} not reached" if s['not_reached'] else ''}.{_pain_text(report)}</p>
<table><tr><th>Step</th><th>Exercise</th><th>Prescribed</th><th>Status</th><th>Reps</th><th>Holds (s)</th><th>Faults</th><th></th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
