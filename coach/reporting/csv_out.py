"""``reps.csv``: one row per rep of report.json, for a spreadsheet. The numbers are report.json's."""

from __future__ import annotations

import csv
import io

from coach.report import atomic_write_text

FIXED = ("index", "start_s", "end_s", "duration_s", "hold_s", "top_s", "side", "good", "faults")


def rep_columns(report: dict) -> list[str]:
    """The fixed columns, then one ``peak_<name>`` per value at the top any rep has (in the order they
    first appear): the range of motion reached, and for one-sided exercises the other leg's figures."""
    peaks: list[str] = []
    for rep in report["reps"]:
        peaks += [k for k in rep["peak"] if k not in peaks]
    return list(FIXED) + [f"peak_{k}" for k in peaks]


def rep_rows(report: dict) -> list[dict[str, object]]:
    rows = []
    for rep in report["reps"]:
        row: dict[str, object] = {
            "index": rep["index"], "start_s": rep["start_s"], "end_s": rep["end_s"],
            "duration_s": round(rep["end_s"] - rep["start_s"], 3), "hold_s": rep["hold_s"],
            "top_s": rep.get("top_s", ""), "side": rep["side"] or "", "good": "yes" if rep["good"] else "no",
            "faults": ";".join(rep["faults"]),
        }
        row.update({f"peak_{k}": v for k, v in rep["peak"].items()})
        rows.append(row)
    return rows


def write_reps_csv(report: dict, path: str) -> None:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=rep_columns(report), restval="")
    writer.writeheader()
    writer.writerows(rep_rows(report))
    atomic_write_text(path, buf.getvalue(), newline="")  # never leave half a file behind
