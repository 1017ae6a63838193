"""report.json (schema ``coach.report/1``, ../shared/design.md section 3.2) from a session record.

Extensions beyond the contract, all additive: per rep ``top_s`` (time at the top however held);
``summary.by_side`` (one-sided exercises); ``targets`` (hold and rep targets used);
per hold ``faults``; ``setup_faults`` (start-position problems and when they were seen);
``warnings`` (codes of WARNING_TEXT below); ``backend``.
"""

from __future__ import annotations

import json
import os
from typing import Optional

from coach.engine.definition import Exercise
from coach.engine.records import SessionRecord
from coach.sources import SourceInfo

SCHEMA = "coach.report/1"


def _r(x: float) -> float:
    return round(float(x), 3)


def build_report(exercise: Exercise, source: SourceInfo, session: SessionRecord,
                 backend: Optional[dict] = None, extra_warnings: tuple[str, ...] = ()) -> dict:
    frames = session.frames or source.frames
    reps = [{
        "index": r.index, "start_s": _r(r.start_s), "end_s": _r(r.end_s), "hold_s": _r(r.hold_s), "side": r.side,
        "good": r.good, "faults": list(r.faults), "peak": dict(r.peak), "top_s": _r(r.top_s),
        **{f"{pose}_hold_s": _r(s) for pose, s in r.pose_hold_s.items()},  # cat-cow: cat_hold_s, cow_hold_s
    } for r in session.reps]
    holds = [{
        "start_s": _r(h.start_s), "end_s": _r(h.end_s), "duration_s": _r(h.duration_s), "target_s": h.target_s,
        "side": h.side, "met_target": h.met_target, "rep": h.rep, "faults": list(h.faults),
        **({"pose": h.pose} if h.pose is not None else {}),  # cat-cow: "cat" | "cow"
    } for h in session.holds]
    return {
        "schema": SCHEMA,
        "exercise": {"id": exercise.id, "name": exercise.name},
        "source": source.to_json(),
        "tracking": {"frames_with_pose": session.frames_with_pose,
                     "fraction": _r(session.frames_with_pose / frames) if frames else 0.0,
                     "frames_trusted": session.frames_trusted},
        "reps": reps,
        "holds": holds,
        "phases": [{"start_s": p.start_s, "end_s": p.end_s, "phase": p.phase} for p in session.phases],
        "cues": [{"t_s": _r(c.t), "code": c.code, "text": c.text} for c in session.cues],
        "summary": {"reps": len(reps), "good_reps": sum(1 for r in reps if r["good"]),
                    "total_hold_s": _r(sum(h["duration_s"] for h in holds)),
                    **({"by_side": _by_side(reps, holds)} if any(r["side"] for r in reps) else {})},
        "targets": {"hold_s": exercise.hold_target_s, "reps_min": exercise.reps_min, "reps_max": exercise.reps_max},
        **({"profile": exercise.profile} if exercise.profile else {}),
        "setup_faults": session.setup_faults,
        "warnings": list(session.warnings) + list(extra_warnings),
        "backend": backend or {},
    }


def _by_side(reps: list[dict], holds: list[dict]) -> dict:
    """Per worked side (one-sided exercises): reps, good reps, total and longest hold."""
    out = {}
    for side in ("left", "right", "both"):
        rs = [r for r in reps if r["side"] == side]
        hs = [h["duration_s"] for h in holds if h["side"] == side]
        if rs:
            out[side] = {"reps": len(rs), "good_reps": sum(1 for r in rs if r["good"]),
                         "total_hold_s": _r(sum(hs)), "longest_hold_s": _r(max(hs, default=0.0))}
    return out


def write_report(report: dict, path: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, path)  # never leave a half-written report behind


WARNING_TEXT = {
    "second_person": "more than one person was in view; the first one found was coached",
    "low_tracking": "nobody was found in most frames: check the whole body is in view and well lit",
    "key_joints_unseen": "the key joints were hidden or out of the picture most of the time: set the camera side-on, whole body in view",
    "never_in_position": "the starting position was never recognised: check the exercise id and the camera angle",
    "interrupted": "the analysis was stopped early; the report covers what was analysed",
    "no_back_profile": "this exercise measures the curve of the back from the person mask, and the input had none "
                       "(a landmark trace recorded without it): analyse the video instead",
}


def summary_lines(report: dict) -> list[str]:
    s = report["summary"]
    holds = report["holds"]
    met = sum(1 for h in holds if h["met_target"])
    target = holds[0]["target_s"] if holds else None
    faults: dict[str, int] = {}
    for rep in report["reps"]:
        for f in rep["faults"]:
            faults[f] = faults.get(f, 0) + 1
    sides = "".join(f"; {side}: {v['reps']} reps, {v['total_hold_s']:.1f} s held" for side, v in s.get("by_side", {}).items())
    lines = [f"{report['exercise']['name']}: {s['reps']} reps, {s['good_reps']} good{sides}",
             f"holds: {len(holds)}" + (f", {met} reached the {target:g} s target" if target else "")
             + (f" (longest {max(h['duration_s'] for h in holds):.1f} s)" if holds else ""),
             "faults: " + (", ".join(f"{k} x{v}" for k, v in sorted(faults.items())) if faults else "none")]
    lines += [f"warning: {WARNING_TEXT.get(w, w)}" for w in report["warnings"]]
    return lines
