"""The key measure over time, drawn with matplotlib's Agg canvas into PNG bytes (drawing only).

The figure uses matplotlib's object API (``Figure`` + ``FigureCanvasAgg``), never pyplot: no global
backend is switched and no window can open, whatever the caller's matplotlib set-up.
"""

from __future__ import annotations

import io
from typing import Optional, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from coach.reporting.moments import FaultMoment
from coach.reporting.replay import MeasureSeries
from coach.reporting.text import measure_label
from coach.reporting.thresholds import Threshold

GOOD_REP = "#3c9a4a"
FAULT_REP = "#d0453a"
HOLD_MET = "#2b7bd0"
HOLD_SHORT = "#e3a21a"
SETUP = "#9a9a9a"
CURVE = "#222222"
PHASE_LEVEL = "#6b6b9a"
PAIN = "#b00020"


def measure_plot(series: MeasureSeries, report: dict, thresholds: Sequence[Threshold],
                 moments: Sequence[FaultMoment], width_in: float = 10.0, height_in: float = 4.0,
                 dpi: int = 120, name: str = "") -> bytes:
    """PNG of ``measure_figure``."""
    fig = measure_figure(series, report, thresholds, moments, width_in, height_in, dpi, name)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.08)  # the legend below included
    return buf.getvalue()


def measure_figure(series: MeasureSeries, report: dict, thresholds: Sequence[Threshold],
                   moments: Sequence[FaultMoment], width_in: float = 10.0, height_in: float = 4.0,
                   dpi: int = 120, name: str = "") -> Figure:
    """The key measure (``name``: the definition's words for it, else the measure's own) with the reps (bands), holds (strip below, and the curve thickened),
    the thresholds (fixed lines and rest-relative levels), the faults (numbered like the report's
    pictures) and the pain stop."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    end = max(float(report["source"]["duration_s"]), float(series.t[-1]) if len(series) else 0.0)
    handles: list = []

    for ph in report["phases"]:
        if ph["phase"] == "setup":
            ax.axvspan(ph["start_s"], ph["end_s"], color=SETUP, alpha=0.12, lw=0)
    for rep in report["reps"]:
        color = GOOD_REP if rep["good"] else FAULT_REP
        ax.axvspan(rep["start_s"], rep["end_s"], color=color, alpha=0.13, lw=0)
        # Above the frame, where no curve, limit or fault marker can cover it.
        ax.text((rep["start_s"] + rep["end_s"]) / 2, 1.01, f"rep {rep['index']}", transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=8.5, color=color, fontweight="bold")
    for hold in report["holds"]:
        color = HOLD_MET if hold["met_target"] else HOLD_SHORT
        ax.axvspan(hold["start_s"], hold["end_s"], ymin=0.0, ymax=0.05, color=color, lw=0)
        during = (series.t >= hold["start_s"]) & (series.t <= hold["end_s"])
        ax.plot(series.t[during], series.value[during], color=color, lw=3.2, solid_capstyle="butt", zorder=3)

    ax.plot(series.t, series.value, color=CURVE, lw=1.2, zorder=4)
    for th in thresholds:
        if th.relative:  # follows the person's rest level (NaN, so not drawn, before counting)
            ax.plot(series.t, series.rest + th.value, color=PHASE_LEVEL, lw=0.9, ls=":", zorder=2)
        else:
            ax.axhline(th.value, color=FAULT_REP, lw=1.0, ls="--", zorder=2)
            ax.annotate(th.label, (1.0, th.value), xycoords=("axes fraction", "data"), xytext=(-4, 2),
                        textcoords="offset points", ha="right", va="bottom", fontsize=7.5, color=FAULT_REP)
    if any(th.relative for th in thresholds):
        ax.plot(series.t, series.rest, color=PHASE_LEVEL, lw=0.9, ls="-", alpha=0.6, zorder=2)

    for x, y, text in marker_labels(series, moments, end):
        ax.plot([x], [y], marker="X", ms=8, color=FAULT_REP, mec="white", mew=0.8, zorder=5)
        ax.annotate(text, (x, y), xytext=(5, 5), textcoords="offset points", fontsize=8,
                    color=FAULT_REP, fontweight="bold", zorder=6)
    stopped = report.get("stopped")
    if isinstance(stopped, dict) and isinstance(stopped.get("t_s"), (int, float)):
        ax.axvline(stopped["t_s"], color=PAIN, lw=2)
        handles.append(Line2D([], [], color=PAIN, lw=2, label="pain stop"))

    drawn = {  # legend entries for what this figure shows, in this order
        "measure": True,
        "good rep": any(r["good"] for r in report["reps"]),
        "rep with a fault": any(not r["good"] for r in report["reps"]),
        "hold, target met": any(h["met_target"] and h["target_s"] > 0 for h in report["holds"]),
        "hold": any(h["target_s"] <= 0 for h in report["holds"]),  # an exercise without a hold target (cat-cow)
        "hold, target not met": any(not h["met_target"] for h in report["holds"]),
        "fault limit": any(not th.relative for th in thresholds),
        "phase levels (from rest)": any(th.relative for th in thresholds),
        "fault (numbered)": bool(moments),
        "setting up": any(ph["phase"] == "setup" for ph in report["phases"]),
    }
    legend = {
        "measure": Line2D([], [], color=CURVE, lw=1.2),
        "good rep": Patch(color=GOOD_REP, alpha=0.3),
        "rep with a fault": Patch(color=FAULT_REP, alpha=0.3),
        "hold, target met": Line2D([], [], color=HOLD_MET, lw=3.2),
        "hold": Line2D([], [], color=HOLD_MET, lw=3.2),
        "hold, target not met": Line2D([], [], color=HOLD_SHORT, lw=3.2),
        "fault limit": Line2D([], [], color=FAULT_REP, lw=1.0, ls="--"),
        "phase levels (from rest)": Line2D([], [], color=PHASE_LEVEL, lw=0.9, ls=":"),
        "fault (numbered)": Line2D([], [], color=FAULT_REP, marker="X", ls=""),
        "setting up": Patch(color=SETUP, alpha=0.25),
    }
    for label, handle in legend.items():
        handle.set_label(label)
    handles = [legend[label] for label, shown in drawn.items() if shown] + handles  # the pain stop last
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=5, fontsize=7.5, frameon=False)
    ax.set_xlim(0.0, end if end > 0 else 1.0)
    ax.set_xlabel("time (s)", fontsize=9)
    ax.set_ylabel(measure_label(series.measure, name), fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, color="#e6e6e6", lw=0.6)
    ax.set_axisbelow(True)
    return fig


MARKER_GAP = 0.03  # fault markers nearer than this share of the time axis share one marker and label


def marker_labels(series: MeasureSeries, moments: Sequence[FaultMoment], end: float) -> list[tuple[float, float, str]]:
    """(time, value, label) of the fault markers: faults numbered as the report's pictures, those
    within MARKER_GAP of the time axis of the first of a run drawn as one marker labelled with all
    their numbers ("3, 4"), so no two markers or labels overlap."""
    points = []
    for number, m in enumerate(moments, start=1):
        i = series.nearest(m.t)
        y = series.value[i] if i >= 0 else np.nan
        if np.isfinite(y):
            points.append((m.t, float(y), number))
    points.sort()
    span = end if end > 0 else 1.0
    out: list[tuple[float, float, list[int]]] = []
    for t, y, number in points:
        # the previous label's width too (about 6 px a character on a ~1000 px wide axis)
        reach = max(MARKER_GAP, (10 + 6 * len(", ".join(map(str, out[-1][2] + [number])))) / 1000) if out else 0
        if out and t - out[-1][0] < reach * span:
            out[-1][2].append(number)
        else:
            out.append((t, y, [number]))
    return [(t, y, ", ".join(str(n) for n in sorted(numbers))) for t, y, numbers in out]


def png_size(png: bytes) -> Optional[tuple[int, int]]:
    """(width, height) from a PNG's header (the HTML gives images their size so the page doesn't jump)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
