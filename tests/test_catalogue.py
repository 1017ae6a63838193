"""Every exercise of poses/ goes through the whole product the same way, with no per-exercise code:
its definition validates against the catalogue's contract, and its shipped rendered clips replay into a
report, a page, a CSV and the history. Exercises added later are covered by adding their definition."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from coach.analyze import analyze
from coach.cli import exercise_line
from coach.engine.definition import exercise_ids, load_exercise
from coach.history.record import record_session
from coach.history.store import open_history

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT.parent / "shared" / "catalogue.md"
IDS = exercise_ids()
# Report-only fault codes a definition may add beyond the catalogue's (a hold released early).
EXTRA_CODES = {"hold_short"}


def catalogue_rows() -> dict[str, set[str]]:
    """{exercise id: its fault codes} from the catalogue's tables (the first column a `code`, the last the faults)."""
    rows = {}
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([a-z_]+)`", cells[0]) if cells else None
        if m and len(cells) >= 4:
            faults = re.sub(r"\([^)]*\)", "", cells[-1])  # "hips_lifted (it turns into a bridge)"
            rows[m.group(1)] = {c.strip() for c in faults.split(",") if c.strip()}
    return rows


def shipped_traces(ex_id: str) -> list[Path]:
    return sorted((ROOT / "samples" / ex_id).glob("*.landmarks.jsonl.gz"))


@pytest.mark.parametrize("ex_id", IDS)
def test_the_definition_loads_says_how_to_stop_and_lists_itself(ex_id: str) -> None:
    ex = load_exercise(ex_id)
    assert ex.id == ex_id and ex.name and ex.instructions
    assert "pain" in ex.instructions.lower()  # every handout: stop if it makes the pain worse
    assert all(f.cue and f.label for f in ex.faults)
    assert exercise_line(ex).startswith(ex_id + " ")


@pytest.mark.parametrize("ex_id", IDS)
def test_the_definition_names_the_catalogues_faults(ex_id: str) -> None:
    if not CATALOGUE.is_file():
        pytest.skip(f"{CATALOGUE} not here (the catalogue lives outside the project)")
    rows = catalogue_rows()
    assert ex_id in rows, f"{ex_id} is not a catalogue id"
    codes = {f.code for f in load_exercise(ex_id).faults}
    assert rows[ex_id] <= codes, f"missing catalogue faults: {sorted(rows[ex_id] - codes)}"
    assert codes - rows[ex_id] <= EXTRA_CODES, f"faults the catalogue does not name: {sorted(codes - rows[ex_id] - EXTRA_CODES)}"


WITH_CLIPS = [i for i in IDS if shipped_traces(i)]


@pytest.mark.parametrize("ex_id", WITH_CLIPS)
def test_a_shipped_clip_replays_into_report_page_csv_and_history(ex_id: str, tmp_path: Path) -> None:
    trace = shipped_traces(ex_id)[0]
    ex = load_exercise(ex_id)
    db = tmp_path / "history.db"
    result = analyze(str(trace), ex, str(tmp_path / "run"), progress=False, history_db=str(db))
    text = (tmp_path / "run" / "report.json").read_text(encoding="utf-8")
    report = json.loads(text, parse_constant=lambda c: pytest.fail(f"report.json has {c}"))
    assert report["exercise"]["id"] == ex_id and report["source"]["frames"] > 0
    html = Path(result.readable["html"]).read_text(encoding="utf-8")
    assert ex.name in html
    with open(result.readable["csv"], newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == len(report["reps"])
    record_session(result.report, result.files["report"], "analyze", ex, str(db))  # as coach analyze does
    with open_history(db) as history:
        (row,) = history.sessions(ex_id)
    assert row.reps == report["summary"]["reps"]
