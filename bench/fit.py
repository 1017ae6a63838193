"""Threshold fit bench: fit an exercise's thresholds on one set of labelled clips, check them on another.

    /work/venv/bin/python bench/fit.py --exercise bridge [--fit synthetic|samples|realworld] [--check ...]

Default: fit on ``../shared/synthetic`` (exact labels; the negatives ``none_*`` included: they must
stay at 0 reps), check on ``../shared/realworld/videos`` (hand labels; evaluation only: read where
they are, never copied). ``samples`` is the catalogue's own renders (``samples/<exercise>/``): the
labelled clips of every exercise besides the three of ../shared/synthetic. Every exercise can be
fitted: its parameter space is derived from its definition (calibration/fit.py ``derived_space``). The clips are found, loaded (cached landmark traces, bench/traces.py) and
scored by bench/accuracy.py; the parameter space, the objective and the search are calibration/fit.py.

Printed: which clips are in which set, each parameter's current and fitted value (and the run of
values that scored best on the fit set), the figures of both value sets on both sets (the fit-set
figures of the fitted values are in-sample: they say how well the search did, not how well the
values carry over; the check set says that), and per clip what was counted and which faults raised.

Left out of both sets: ``samples/`` (copies of synthetic clips) and ``realworld/suspected_synthetic``
(probably AI-generated footage). Realworld labels have no fault codes (faults are free text): their
fault figures are not scored, and the faults raised on those clips are listed beside the labels' words.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import accuracy  # noqa: E402
from bench.accuracy import Clip, Score, Totals  # noqa: E402
from calibration.fit import (Evaluation, Figures, FitResult, apply, compare, figures, fit, one_at_a_time,  # noqa: E402
                             parameter_space)
from coach.engine.definition import Exercise, exercise_ids, load_exercise  # noqa: E402
from coach.pose.frame import PoseFrame  # noqa: E402

SETS = ("synthetic", "samples", "realworld")


def clips_of(which: str, ex_id: str, notes: list[str]) -> list[Clip]:
    """A set's clips of one exercise (an absent folder gives none, with a note)."""
    if which == "synthetic":
        return accuracy.synthetic_clips([ex_id], notes)
    if which == "samples":  # the catalogue's renders (samples/<exercise>/), not the demo copies of synthetic clips
        return [c for c in accuracy.sample_clips([ex_id], True, notes) if c.labels.video.parent.name == ex_id]
    found = accuracy.realworld_clips([ex_id], notes)
    left_out = [c.display for c in found if c.origin != "realworld"]
    if left_out:
        notes.append(f"realworld: left out (suspected AI-generated, realworld/suspected_synthetic): "
                     f"{', '.join(left_out)}")
    return [c for c in found if c.origin == "realworld"]


def realworld_fault_words() -> dict[str, str]:
    """The realworld labels' free-text faults per clip name (no codes to score against)."""
    path = accuracy.REALWORLD_DIR / "labels.json"
    if not path.is_file():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {Path(e["file"]).stem: "; ".join(e.get("faults") or []) or "none seen" for e in entries}


# -- printing ------------------------------------------------------------------------------------

def _num(v: float) -> str:
    return f"{v:g}"


def param_lines(result: FitResult) -> list[str]:
    rows = []
    for p in result.params:
        if p.best is None:
            note = "no signal on the fit set: kept"
        else:
            note = f"best {_num(p.best[0])}..{_num(p.best[1])} on the fit set"
            note += " (reaches the range's end)" if p.at_edge else ""
        moved = "" if p.after == p.before else "  *"
        rows.append([p.param.name, f"{_num(p.param.low)}..{_num(p.param.high)} /{_num(p.param.step)}",
                     _num(p.before), _num(p.after) + moved, note])
    return accuracy.table(["parameter", "range /step", "current", "fitted", "search"], rows, left=2)


def figure_lines(result: FitResult, fit_name: str, check_name: str) -> list[str]:
    rows = []
    for set_name, role, before, after in (
            (fit_name, "fit", result.fit_before, result.fit_after),
            (check_name, "check", result.check_before, result.check_after)):
        for label, ev in (("current", before), ("fitted", after)):
            if not ev.scores:
                continue  # no clips in this set
            totals = Totals()
            for s in ev.scores:
                totals.add(s)
            f1 = ev.figures.f1
            in_sample = " (in-sample)" if role == "fit" and label == "fitted" else ""
            rows.append([f"{role}: {set_name}", label + in_sample, str(ev.figures.clips)] + totals.cells()
                        + ["-" if f1 is None else f"{f1:.2f}"])
    header = ["set", "values", "clips", "exact", "MAE", "+-1", "hold", "P", "R", "side", "phase", "F1"]
    return accuracy.table(header, rows, left=2)


def alone_lines(result: FitResult, alone: Sequence[tuple[str, Evaluation]]) -> list[str]:
    """Each changed value alone on the check set, against the current values."""
    rows = [[name, f"{result.before[name]:g} -> {result.after[name]:g}"] + _brief(ev.figures)
            + [compare(ev.figures, result.check_before.figures)] for name, ev in alone]
    rows.insert(0, ["(none)", "current"] + _brief(result.check_before.figures) + [""])
    return accuracy.table(["changed alone", "value", "exact", "|err|", "hold", "F1", "vs current"], rows, left=2)


def _brief(f: Figures) -> list[str]:
    """What the objective compares: exact counts, total count error, median hold error, fault F1."""
    return [f"{f.exact}/{f.counted}", str(f.count_error), "-" if f.hold is None else f"{f.hold:.2f}",
            "-" if f.f1 is None else f"{f.f1:.2f}"]


def _clip_text(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def fault_summary(codes: Sequence[str]) -> str:
    counted = Counter(codes)
    return ", ".join(f"{c} x{n}" if n > 1 else c for c, n in sorted(counted.items())) or "-"


def clip_lines(ex: Exercise, result: FitResult, clips: Sequence[tuple[str, Clip]],
               frames_of: dict[Path, list[PoseFrame]], words: dict[str, str]) -> list[str]:
    """Per (set, clip): what the current and the fitted values counted and which rep faults they raised."""
    variants = {"current": apply(ex, result.before), "fitted": apply(ex, result.after)}
    rows = []
    for set_name, clip in clips:
        exp = "0" if clip.negative else "-" if clip.labels.rep_count is None else str(clip.labels.rep_count)
        if clip.labels.confidence in ("medium", "low") and not clip.negative:
            exp += "?"
        row = [set_name, clip.display, exp]
        for variant in variants.values():
            frames = frames_of[clip.video]
            found = accuracy.run_checker(variant, frames)
            s = accuracy.score(clip, variant, found, frames)
            hold = figures([s]).hold
            row += [str(s.counted), "-" if hold is None else f"{hold:.2f}",
                    fault_summary([f for r in found.reps for f in r.faults])]
        labelled = (fault_summary([f for r in clip.labels.reps for f in r.faults]) if clip.labels.fault_codes_known
                    else f"(no codes) {_clip_text(words.get(clip.name, ''), 60)}")
        rows.append(row + [labelled])
    header = ["set", "clip", "exp", "n", "hold", "faults (current)", "n", "hold", "faults (fitted)", "labelled faults"]
    return accuracy.table(header, rows, left=3)


def report(ex: Exercise, result: FitResult, sets: dict[str, list[Clip]], fit_name: str, check_name: str,
           frames_of: dict[Path, list[PoseFrame]], alone: Sequence[tuple[str, Evaluation]],
           notes: Sequence[str]) -> str:
    fit_clips, check_clips = sets[fit_name], sets[check_name]
    out = [f"coach threshold fit: {ex.id}; fitted on {fit_name} ({len(fit_clips)} clips), "
           f"checked on {check_name} ({len(check_clips)} clips, never used for fitting); "
           f"{result.evaluations} parameter sets tried", ""]
    if notes:
        out += ["notes:"] + [f"  {n}" for n in notes] + [""]
    out += [f"fit set ({fit_name}): {', '.join(result.fit_clips)}",
            f"check set ({check_name}): {', '.join(result.check_clips) or 'none'}"]
    for name, clips in sets.items():
        if clips and not any(c.labels.fault_codes_known for c in clips):
            out.append(f"{name}: no fault codes in the labels (free text only): fault P/R/F1 not scored there")
    out += ["", "parameters (* = changed by the fit):"] + param_lines(result) + [""]
    out += ["figures (exact = counts exact, MAE = mean |count error|, hold = median |hold error| s, "
            "P/R/F1 = faults over (rep, code) pairs, side = worked side right, phase = frames in the right phase):"]
    out += figure_lines(result, fit_name, check_name)
    out += [f"(the current values may have been set or fitted on some of these clips too: poses/{ex.id}.toml says "
            f"where each number comes from; figures on those clips are in-sample)"]
    if check_clips:
        out += [f"check set, by the objective (exact counts, then fault F1, then hold error): fitted values are "
                f"{result.check_verdict}{' to' if result.check_verdict == 'equal' else ' than'} the current ones"]
        if alone:
            out += ["", f"each changed value alone on the check set ({check_name}):"] + alone_lines(result, alone)
    else:
        out += ["no check set: the fitted values are unchecked"]
    words = realworld_fault_words()
    out += ["", "per clip (n = reps counted, hold = median |hold error| s, faults = rep faults raised):"]
    out += clip_lines(ex, result, [("fit", c) for c in fit_clips] + [("check", c) for c in check_clips],
                      frames_of, words)
    return "\n".join(out)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exercise", required=True, help="exercise id")
    ap.add_argument("--fit", choices=SETS, default="synthetic", help="the clips to fit on (default synthetic)")
    ap.add_argument("--check", choices=SETS, default=None,
                    help="the clips to check on, never fitted on (default: the other set)")
    args = ap.parse_args(argv)
    if args.exercise not in exercise_ids():
        ap.error(f"unknown exercise {args.exercise!r}; defined: {', '.join(exercise_ids())}")
    check = args.check or next(s for s in SETS if s != args.fit)
    if check == args.fit:
        ap.error("--fit and --check must be different sets: a figure on the clips fitted on says nothing "
                 "about new clips")
    ex = load_exercise(args.exercise)
    space = parameter_space(ex)
    notes: list[str] = []
    sets = {name: clips_of(name, ex.id, notes) for name in (args.fit, check)}
    frames_of = accuracy.clip_frames(sets[args.fit] + sets[check], notes)
    sets = {name: [c for c in clips if c.video in frames_of] for name, clips in sets.items()}
    if not sets[args.fit]:
        print(f"no {args.fit} clips of {ex.id} to fit on", file=sys.stderr)
        return 1

    def score(variant: Exercise, clip: Clip) -> Score:
        return accuracy.score_ours(clip, variant, frames_of[clip.video])

    result = fit(ex, space, sets[args.fit], sets[check], score)
    alone = one_at_a_time(ex, result, sets[check], score) if sets[check] else []
    print(report(ex, result, sets, args.fit, check, frames_of, alone, notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
