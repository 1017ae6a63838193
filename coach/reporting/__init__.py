"""The human-readable report: ``report.html`` (self-contained, printable) and ``reps.csv`` beside
``report.json``, for every analysis and live session, and again on demand (``coach report DIR``).

- ``load``: read and check a report.json (``coach report`` only: the others have it in memory).
- ``replay``: the key measure frame by frame, by replaying the landmark trace through the checker.
- ``moments``: when each fault happened (logic only); ``about``: a line about each measure shown;
  ``previous``: the previous session of the same exercise, from the history (read-only).
- ``plot``, ``thumbnails``: the drawing (matplotlib Agg; OpenCV).
- ``html``, ``csv_out``: the two files.
- ``build``: puts them together (``write_human_report``); ``command``: ``coach report``.
"""

from __future__ import annotations

import sys
from typing import Optional

from coach.engine.definition import Exercise


def write_readable_report(out_dir: str, report: dict, exercise: Optional[Exercise] = None,
                          trace: Optional[str] = None, history_db: Optional[str] = None) -> dict[str, str]:
    """report.html and reps.csv beside the report.json just written ("html", "csv" -> path).

    For the end of an analysis or a live session: report.json is complete by then, so a failure
    here costs only the page; it is said in one line and the run carries on (returns {}).
    ``history_db``: the history holding the previous session to compare with (default: the user's)."""
    try:
        from coach.reporting.build import write_human_report  # matplotlib and jinja2: only when used

        return write_human_report(out_dir, report, exercise, trace, history_db).files
    except Exception as err:  # noqa: BLE001 - whatever broke, the session's data is already safe
        print(f"coach: report.html not written ({type(err).__name__}: {err}); report.json is complete",
              file=sys.stderr)
        return {}
