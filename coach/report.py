"""report.json (schema ``coach.report/1``, ../shared/design.md section 3.2) from a session record.

Extensions beyond the contract, all additive: per rep ``top_s`` (time at the top however held);
``summary.by_side`` (one-sided exercises); ``targets`` (hold and rep targets used);
per hold ``faults``; ``setup_faults`` (start-position problems and when they were seen);
``warnings`` (codes of WARNING_TEXT below); ``backend``; ``times`` (when the session started and
when the report was made, UTC).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from datetime import datetime, timedelta, timezone
from typing import Optional

from coach.engine.verdict import peak_key
from coach.engine.definition import Exercise, TwoWayPhases, load_exercise
from coach.engine.records import SessionRecord
from coach.errors import CoachError
from coach.sources import SourceInfo

SCHEMA = "coach.report/1"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # report times: UTC, as the history's recorded_at

# What "good" means, said once for every exercise: the page and the README show these words, and
# the history imports them. The report's ``good`` (rep), ``met_target`` (hold) and summary counts
# follow them.
MEANINGS = {
    "good_rep": "A rep is good when the coach found no fault in it (a hold much shorter than its target is a fault).",
    "met_target": "A hold meets its target when it is at least as long as the target and in good form throughout.",
    "holds_met": "\"Holds met\" counts the holds that met their target; it is shown only for exercises with a hold target.",
}


def _r(x: float) -> float:
    return round(float(x), 3)


def session_times(source: SourceInfo, now: Optional[datetime] = None) -> dict:
    """``times`` of a report: when it was made (``analysed_at``) and when the session started
    (``session_started_at``): for a video file, its modification time less its length (a camera
    writes the file as it records); else (a camera, or a video played as one) now less the
    session's length. UTC."""
    now = now or datetime.now(timezone.utc)
    ended, started_from = now, "clock"
    if getattr(source, "kind", "video") != "camera":
        try:
            ended, started_from = datetime.fromtimestamp(os.path.getmtime(source.path), timezone.utc), "file"
        except (OSError, ValueError, OverflowError):
            pass
    started = ended - timedelta(seconds=max(0.0, float(source.duration_s)))
    return {"analysed_at": now.strftime(TIME_FORMAT), "session_started_at": started.strftime(TIME_FORMAT),
            "session_started_from": started_from}


def build_report(exercise: Exercise, source: SourceInfo, session: SessionRecord,
                 backend: Optional[dict] = None, extra_warnings: tuple[str, ...] = (),
                 now: Optional[datetime] = None) -> dict:
    frames = session.frames or source.frames
    reps = [{
        "index": r.index, "start_s": _r(r.start_s), "end_s": _r(r.end_s), "hold_s": _r(r.hold_s), "side": r.side,
        "good": r.good, "faults": list(r.faults), "peak": dict(r.peak), "top_s": _r(r.top_s),
        **({"unjudged": list(r.unjudged)} if r.unjudged else {}),  # faults the camera's angle kept from being judged
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
        "targets": {"hold_s": exercise.hold_target_s, "reps_min": exercise.reps_min, "reps_max": exercise.reps_max,
                    **({"per_side": True} if exercise.per_side else {})},
        **({"profile": exercise.profile} if exercise.profile else {}),
        "setup_faults": session.setup_faults,
        "warnings": list(session.warnings) + list(extra_warnings),
        "backend": backend or {},
        "times": session_times(source, now),
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


def atomic_write_text(path: str, text: str, newline: Optional[str] = None) -> None:
    """Write ``text`` to ``path`` through a temporary file replaced in one step: a reader (or a
    crash) never sees half a file. ``newline`` as for ``open``."""
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8", newline=newline) as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:  # a full disk (or Ctrl-C) mid-write leaves no *.tmp behind; the last whole file stays
            os.remove(tmp)
        except OSError:
            pass
        raise


def strict_json(value: object) -> object:
    """``value`` with every NaN or infinity made null: report.json is strict JSON, which other tools
    (and browsers' JSON.parse) read; a figure that could not be measured is unknown, not a number."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    return value


def write_report(report: dict, path: str) -> None:
    atomic_write_text(path, json.dumps(strict_json(report), indent=2, allow_nan=False) + "\n")


WARNING_TEXT = {
    "second_person": "more than one person was in view; the first one found was coached",
    "low_tracking": "nobody was found in most frames: check the whole body is in view and well lit",
    "key_joints_unseen": "the key joints were hidden or out of the picture most of the time: set the camera as the "
                         "exercise asks (side-on, or facing you) with the joints it judges in view",
    "never_in_position": "the starting position was never recognised: check the exercise id and the camera angle",
    "ended_mid_rep": "the set ended mid-rep: the last movement was still under way and is not counted "
                     "(a hold still under way is reported with the time it had)",
    "interrupted": "the analysis was stopped early; the report covers what was analysed",
    "too_small": "you were too small in the picture for your form to be judged (reps and holds are still counted): "
                 "move the camera closer, or record at a higher resolution",
    "truncated": "fewer frames could be decoded than the video file says it holds: it may be cut short (an "
                 "interrupted copy or upload); the report covers the frames that could be read",
    "disk_full": "the disk filled up during the analysis: the report covers what was analysed before it did "
                 "(free some space and analyse again for the rest)",
    "no_back_profile": "this exercise measures the curve of the back from the person mask, and the input had none "
                       "(a landmark trace recorded without it): analyse the video instead",
}


# A live session's own warnings (coach live), and how a live session ended (its ``live.ended``).
LIVE_WARNING_TEXT = {
    "pain_stop": "the set was stopped because of pain: stop any exercise that makes your pain worse",
    "camera_lost": "the camera stopped sending frames; the report covers the session up to then",
    "setup_not_finished": "the set-up was never completed, so nothing was counted",
    "ended_mid_rep": "the set ended mid-rep: the last movement was still under way and is not counted "
                     "(a hold still under way is reported with the time it had)",
    "interrupted": "the session was interrupted; the report covers it up to then",
}

ENDED_TEXT = {
    "quit": "you quit", "window_closed": "the window was closed", "max_seconds": "the time limit was reached",
    "video_ended": "the video ended", "camera_lost": "the camera stopped sending frames",
    "pain": "stopped for pain", "interrupted": "interrupted", "terminated": "terminated", "error": "an error",
    # a routine's step (coach/routine/guided.py)
    "done": "the step's target was reached", "skipped": "the step was skipped", "repeat": "stopped to do the step again",
}


def warning_text(code: str, live: bool) -> str:
    """The words of a report warning code (a live session's own wording first)."""
    if live and code in LIVE_WARNING_TEXT:
        return LIVE_WARNING_TEXT[code]
    return WARNING_TEXT.get(code, LIVE_WARNING_TEXT.get(code, code.replace("_", " ")))


def fault_counts(report: dict) -> dict[str, int]:
    """Per fault code, the number of reps it was seen in."""
    counts: dict[str, int] = {}
    for rep in report.get("reps", []):
        for code in rep.get("faults", []):
            counts[code] = counts.get(code, 0) + 1
    return counts


def hold_target(report: dict) -> Optional[float]:
    """The hold target the session ran with: its holds', else the report's ``targets`` (None if neither)."""
    holds = report.get("holds") or []
    if holds:
        return holds[0]["target_s"]
    targets = report.get("targets")
    return targets.get("hold_s") if isinstance(targets, dict) else None


def holds_met(report: dict) -> int:
    """How many holds reached their target in good form (``met_target``: long enough, no fault)."""
    return sum(1 for h in report.get("holds", []) if h.get("met_target"))


def holds_long_but_faulted(report: dict) -> int:
    """Holds long enough for their target that did not meet it because of a fault during them."""
    return sum(1 for h in report.get("holds", []) if h.get("faults") and h["duration_s"] >= h["target_s"] > 0)


def rom_keys(exercise: Exercise) -> tuple[str, ...]:
    """The ``peak`` keys of a rep's range of motion: the key measure at the top; for a two-way
    exercise (cat-cow), the depth reached at each pole (``cat_depth``, ``cow_depth``)."""
    phases = exercise.phases
    if isinstance(phases, TwoWayPhases):
        return (f"{phases.plus}_depth", f"{phases.minus}_depth")
    return (peak_key(phases.measure),)


def exercise_for_report(report: dict, notes: Optional[list[str]] = None) -> Optional[Exercise]:
    """The shipped definition of the report's exercise, with the targets and profile it ran with
    (``with_report_targets``); None when there is no shipped definition of that id (e.g. analysed
    with --exercise-file), said in ``notes`` when given."""
    try:
        exercise = load_exercise(report["exercise"]["id"])
    except CoachError as err:
        if notes is not None:
            notes.append(f"No plot and no instructions: the exercise definition could not be loaded ({err}).")
        return None
    return with_report_targets(exercise, report)


def with_report_targets(exercise: Exercise, report: dict) -> Exercise:
    """The exercise with the targets the session ran with (its --preset and --hold, in the report),
    and the personal thresholds of its profile (--profile), so the replay sees what the session saw."""
    profile = report.get("profile")
    if isinstance(profile, dict):
        from calibration.profile import apply_profile

        try:
            exercise = apply_profile(exercise, {**profile, "exercise": exercise.id})
        except (CoachError, TypeError, ValueError, AttributeError):
            pass  # a damaged profile entry: the replay notes any difference from the report
    targets = report.get("targets") if isinstance(report.get("targets"), dict) else {}
    changes = {name: targets[key] for name, key, kind in (("hold_target_s", "hold_s", (int, float)),
                                                          ("reps_min", "reps_min", int), ("reps_max", "reps_max", int))
               if isinstance(targets.get(key), kind) and not isinstance(targets.get(key), bool)}
    return dataclasses.replace(exercise, **changes)


def plural(n: int, word: str) -> str:
    """``1 rep``, ``2 reps``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def fault_names(exercise: Optional[Exercise]) -> dict[str, str]:
    """Fault code -> plain words, from the definition (``label``); codes it lacks are said by
    ``fault_name``."""
    return {f.code: f.name for f in exercise.faults} if exercise is not None else {}


def fault_name(code: str, names: dict[str, str]) -> str:
    return names.get(code) or code.replace("_", " ")


def pain_rating(report: dict) -> Optional[dict]:
    """The 0-10 pain rating asked at the end of a live session (``pain_rating``), when given and sound."""
    rating = report.get("pain_rating")
    if isinstance(rating, dict) and isinstance(rating.get("value"), int) and not isinstance(rating["value"], bool) \
            and 0 <= rating["value"] <= 10:
        return rating
    return None


def summary_lines(report: dict, live: bool = False, exercise: Optional[Exercise] = None) -> list[str]:
    """The printed summary. ``live``: a live session's own warnings come last, in its own words.
    ``exercise``: the definition, for the faults' plain names (default: the shipped one)."""
    s = report["summary"]
    holds = report["holds"]
    met, faulted = holds_met(report), holds_long_but_faulted(report)
    target = hold_target(report)
    names = fault_names(exercise or exercise_for_report(report))
    faults = fault_counts(report)
    sides = "".join(f"; {side}: {plural(v['reps'], 'rep')}, {v['total_hold_s']:.1f} s held"
                    for side, v in s.get("by_side", {}).items())
    lines = [f"{report['exercise']['name']}: {plural(s['reps'], 'rep')}, {s['good_reps']} good{sides}"]
    if target:  # "holds met" only means something with a hold target (cat-cow has none)
        lines.append(f"holds: {len(holds)}, {met} reached the {target:g} s target in good form"
                     + (f" ({faulted} more long enough, with a fault)" if faulted else "")
                     + (f" (longest {max(h['duration_s'] for h in holds):.1f} s)" if holds else ""))
    lines.append("faults: " + (", ".join(f"{fault_name(k, names)} x{v}" for k, v in sorted(faults.items()))
                               if faults else "none"))
    stopped = report.get("stopped")
    if isinstance(stopped, dict) and stopped.get("reason") == "pain":
        t = stopped.get("t_s")
        lines.append("stopped for pain" + (f" at {t:.1f} s" if isinstance(t, (int, float)) else ""))
    rating = pain_rating(report)
    if rating is not None:
        lines.append(f"pain rating: {rating['value']}/10")
    ours = [w for w in report["warnings"] if w in LIVE_WARNING_TEXT] if live else []
    lines += [f"warning: {WARNING_TEXT.get(w, w)}" for w in report["warnings"] if w not in ours]
    return lines + [f"warning: {warning_text(w, live)}" for w in ours]
