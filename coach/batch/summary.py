"""A batch's ``summary.csv`` and ``summary.html``: one row a recording (reps, holds, faults, tracking,
any error), linking to its report; rewritten whenever a recording finishes."""

from __future__ import annotations

import csv
import html
import io
import os
from dataclasses import fields
from typing import Sequence

from coach.batch.worker import Row
from coach.report import atomic_write_text

COLUMNS = [f.name for f in fields(Row)]
STATUS_TEXT = {"analysed": "analysed", "done_before": "analysed before (same inputs)", "error": "error"}


def write_summary(out_dir: str, rows: Sequence[dict], total: int) -> dict[str, str]:
    rows = sorted(rows, key=lambda r: r["name"])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in COLUMNS})
    files = {"csv": os.path.join(out_dir, "summary.csv"), "html": os.path.join(out_dir, "summary.html")}
    atomic_write_text(files["csv"], buf.getvalue())
    atomic_write_text(files["html"], _page(rows, total))
    return files


def _cell(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def _page(rows: Sequence[dict], total: int) -> str:
    e = html.escape
    errors = sum(r["status"] == "error" for r in rows)
    body = []
    for r in rows:
        link = (f'<a href="{e(r["report"].replace("report.json", "report.html"))}">report</a>'
                if r["status"] != "error" else "")
        held = f"{r['holds_met']}/{r['holds']}" if r.get("holds") else ""
        track = f"{100 * r['tracking']:.0f}%" if r.get("tracking") is not None else ""
        body.append(f"<tr class=\"{e(r['status'])}\"><td>{e(r['name'])}</td><td>{e(r['exercise'])}</td>"
                    f"<td>{e(STATUS_TEXT.get(r['status'], r['status']))}</td><td>{_cell(r.get('reps'))}</td>"
                    f"<td>{_cell(r.get('good_reps'))}</td><td>{e(held)}</td><td>{e(r.get('faults') or '')}</td>"
                    f"<td>{e(track)}</td><td>{e(r.get('error') or r.get('warnings') or '')}</td><td>{link}</td></tr>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>coach batch: {len(rows)} of {total} recordings</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{padding:.3em .6em;text-align:left;border-bottom:1px solid #ddd}}
.error td{{color:#a33}}</style></head><body>
<h1>Batch: {len(rows)} of {total} recordings</h1>
<p>{len(rows) - errors} analysed, {errors} with errors.</p>
<table><tr><th>Recording</th><th>Exercise</th><th>Status</th><th>Reps</th><th>Good</th><th>Holds met</th>
<th>Faults</th><th>Tracking</th><th>Notes</th><th></th></tr>
{chr(10).join(body)}
</table></body></html>
"""
