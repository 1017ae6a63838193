"""The trend plot of the history: reps, good-rep share, range of motion and hold time per session.

One line per exercise (their measures differ: a bridge's hip extension and a knee-to-chest hip
angle don't share a scale); when several exercises have a range of motion, each has its own panel,
labelled with its measure and unit. Sessions are placed one after another, in order, with their
dates as labels: several sessions in one day stay apart, and a gap of weeks doesn't squash the rest.
Drawn with matplotlib's object API on an Agg canvas: no window, no display needed, and no global
backend switched under other code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from coach.history.store import SessionRow
from coach.history.words import rom_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _series(rows: list[tuple[int, SessionRow]], value) -> tuple[list[int], list[float]]:  # type: ignore[no-untyped-def]
    """Positions and values of the sessions where ``value(row)`` is known (older rows may lack a field)."""
    xs, ys = [], []
    for x, row in rows:
        v = value(row)
        if v is not None:
            xs.append(x)
            ys.append(float(v))
    return xs, ys


def plot_trend(rows: list[SessionRow], path: Union[str, Path], directions: Optional[dict[str, int]] = None) -> Path:
    """Write the trend of ``rows`` (oldest first) as a PNG at ``path``; returns the path. ``directions``:
    per exercise, which way its range of motion gets better (``rom_direction``)."""
    fig = trend_figure(rows, directions)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(str(path), format="png")
    return path


PAIN_COLOR = "#c62828"
BETTER = {1: ("^", "higher is better"), -1: ("v", "lower is better")}  # the best-rep marker points the better way


def trend_figure(rows: list[SessionRow], directions: Optional[dict[str, int]] = None) -> "Figure":
    """The trend of ``rows`` (oldest first) as a matplotlib Figure on an Agg canvas: panels of reps,
    good-rep share, range of motion (one panel per exercise when several have one) and hold time.

    Sessions whose set-up never finished counted nothing: they are left out (not drawn as 0 reps),
    and the title says how many. A session ended on the pain key is marked on every panel."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    directions = {**{r.exercise_id: r.rom_direction for r in rows if r.rom_direction in (1, -1)}, **(directions or {})}
    skipped = sum(1 for r in rows if r.setup_only)
    rows = [r for r in rows if not r.setup_only]
    by_exercise: dict[str, list[tuple[int, SessionRow]]] = {}
    for x, row in enumerate(rows):
        by_exercise.setdefault(row.exercise_id, []).append((x, row))
    measures = {ex_id: _measure(ex_rows) for ex_id, ex_rows in by_exercise.items()}
    # Exercises' ranges of motion differ in unit and scale: a panel each when there are several.
    rom_ids = [ex_id for ex_id in sorted(by_exercise) if measures[ex_id]]
    n_rom = len(rom_ids) if len(rom_ids) > 1 else 1
    fig = Figure(figsize=(9, 9 + 2 * (n_rom - 1)), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(3 + n_rom, 1, sharex=True)
    rom_axes = dict(zip(rom_ids, axes[2:-1])) if n_rom > 1 else {ex_id: axes[2] for ex_id in by_exercise}
    for n, (ex_id, ex_rows) in enumerate(sorted(by_exercise.items())):
        color = f"C{n % 10}"
        style = dict(color=color, marker="o", markersize=4, linewidth=1.5)
        axes[0].plot(*_series(ex_rows, lambda r: r.reps), label=ex_id, **style)
        axes[0].plot(*_series(ex_rows, lambda r: r.good_reps), color=color, linestyle=":", linewidth=1)
        axes[1].plot(*_series(ex_rows, lambda r: 100.0 * r.good_reps / r.reps if r.reps else None), **style)
        measure = measures[ex_id]
        rom_ax = rom_axes.get(ex_id)
        if rom_ax is not None:  # (a panel each: an exercise without a measure has no range of motion)
            rom_ax.plot(*_series(ex_rows, lambda r: r.rom_mean), label=_rom_legend(ex_id, measure),
                        **style)
            rom_ax.plot(*_series(ex_rows, lambda r: r.rom_best), color=color, linestyle="none", markersize=6,
                        marker=BETTER.get(directions.get(ex_id, 0), ("D", ""))[0])
        axes[-1].plot(*_series(ex_rows, lambda r: r.mean_hold_s), **style)
        axes[-1].plot(*_series(ex_rows, lambda r: r.hold_target_s or None), color=color, marker="_",  # 0 s: no target
                      markersize=14, linestyle="none")
    pains = [(x, r) for x, r in enumerate(rows) if r.pain_stop]
    for x, r in pains:
        for ax in axes:
            ax.axvline(x, color=PAIN_COLOR, linestyle="--", linewidth=1.2, alpha=0.8)
        if r.pain_rating is not None:
            axes[0].annotate(f"pain {r.pain_rating:g}/10", (x, 1.0), xycoords=("data", "axes fraction"),
                             xytext=(3, -10), textcoords="offset points", color=PAIN_COLOR, fontsize=8)
    axes[0].set_ylabel("reps per session\n(solid: all; dotted: good)")
    axes[1].set_ylabel("good reps\n(% of the session's reps)")
    axes[1].set_ylim(-5, 105)
    if n_rom > 1:
        for ex_id in rom_ids:
            rom_axes[ex_id].set_ylabel(_rom_axis_label(measures[ex_id], directions.get(ex_id)))
            rom_axes[ex_id].legend(loc="best", fontsize="small")
    else:
        only = rom_ids[0] if rom_ids else None
        axes[2].set_ylabel(_rom_axis_label(measures[only], directions.get(only)) if only
                           else "range of motion\n(not measured)")
    axes[-1].set_ylabel("mean hold (seconds)\n(bar: target)")
    title = "coach: sessions over time"
    if skipped:
        title += f" ({skipped} set-up-only session{'s' if skipped != 1 else ''} not plotted: nothing was counted)"
    axes[0].set_title(title)
    handles, labels = axes[0].get_legend_handles_labels()
    if pains:
        handles.append(Line2D([], [], color=PAIN_COLOR, linestyle="--", linewidth=1.2))
        labels.append("pain stop")
    if handles:
        axes[0].legend(handles, labels, loc="best", fontsize="small")
    if n_rom == 1 and rom_ids:
        axes[2].legend(loc="best", fontsize="small")
    for ax in axes:
        ax.grid(True, alpha=0.3)
    axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
    for counts in (axes[0], axes[-1]):  # counts and seconds from 0: a steady 2 reps is not a zoomed-in line
        counts.set_ylim(bottom=0, top=max(counts.get_ylim()[1], 1.0))
    labels = [f"#{r.id}\n{r.local_time():%d %b}" if r.id is not None else f"{r.local_time():%d %b}" for r in rows]
    axes[-1].xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    axes[-1].xaxis.set_major_formatter(
        FuncFormatter(lambda x, _: labels[round(x)] if 0 <= round(x) < len(rows) else ""))
    axes[-1].set_xlim(-0.5, max(len(rows), 1) - 0.5)
    axes[-1].set_xlabel("session (number in the table, and date)")
    return fig


def _measure(rows: list[tuple[int, SessionRow]]) -> Optional[str]:
    """The range-of-motion measure of an exercise's sessions (the newest that says)."""
    return next((r.rom_measure for _, r in reversed(rows) if r.rom_measure), None)


def _rom_axis_label(measure: str, direction: Optional[int]) -> str:
    marker, better = BETTER.get(direction or 0, ("D", ""))
    arrow = {"^": "\u25b2", "v": "\u25bc"}.get(marker, "\u25c6")
    return f"{rom_label(measure)}\nline: mean; {arrow} best good rep" + (f"\n({better})" if better else "")


def _rom_legend(ex_id: str, measure: Optional[str]) -> str:
    return f"{ex_id}: {rom_label(measure).lower()}" if measure else ex_id
