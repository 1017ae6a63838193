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
from coach.measures import UNITS

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


def plot_trend(rows: list[SessionRow], path: Union[str, Path]) -> Path:
    """Write the trend of ``rows`` (oldest first) as a PNG at ``path``; returns the path."""
    fig = trend_figure(rows)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(str(path), format="png")
    return path


def trend_figure(rows: list[SessionRow]) -> "Figure":
    """The trend of ``rows`` (oldest first) as a matplotlib Figure on an Agg canvas: panels of reps,
    good-rep share, range of motion (one panel per exercise when several have one) and hold time."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

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
            rom_ax.plot(*_series(ex_rows, lambda r: r.rom_mean), label=f"{ex_id}: {measure}" if measure else ex_id,
                        **style)
            rom_ax.plot(*_series(ex_rows, lambda r: r.rom_best), color=color, marker="^", markersize=4,
                        linestyle="none")
        axes[-1].plot(*_series(ex_rows, lambda r: r.mean_hold_s), **style)
        axes[-1].plot(*_series(ex_rows, lambda r: r.hold_target_s), color=color, marker="_", markersize=14,
                      linestyle="none")
    axes[0].set_ylabel("reps\n(dotted: good)")
    axes[1].set_ylabel("good reps (%)")
    axes[1].set_ylim(-5, 105)
    if n_rom > 1:
        for ex_id in rom_ids:
            rom_axes[ex_id].set_ylabel(f"{_measure_label(measures[ex_id])}\n(mean; ^ best rep)")
            rom_axes[ex_id].legend(loc="best", fontsize="small")
    else:
        axes[2].set_ylabel("range of motion\n(mean; ^ best rep)")
    axes[-1].set_ylabel("mean hold (s)\n(- target)")
    axes[0].set_title("coach: sessions over time")
    axes[0].legend(loc="best", fontsize="small")
    if n_rom == 1 and rom_ids:
        axes[2].legend(loc="best", fontsize="small")
    for ax in axes:
        ax.grid(True, alpha=0.3)
    axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
    labels = [f"#{r.id}\n{r.local_time():%d %b}" if r.id is not None else f"{r.local_time():%d %b}" for r in rows]
    axes[-1].xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    axes[-1].xaxis.set_major_formatter(
        FuncFormatter(lambda x, _: labels[round(x)] if 0 <= round(x) < len(rows) else ""))
    axes[-1].set_xlim(-0.5, len(rows) - 0.5)
    axes[-1].set_xlabel("session")
    return fig


def _measure(rows: list[tuple[int, SessionRow]]) -> Optional[str]:
    """The range-of-motion measure of an exercise's sessions (the newest that says)."""
    return next((r.rom_measure for _, r in reversed(rows) if r.rom_measure), None)


def _measure_label(measure: str) -> str:
    """A range-of-motion measure with its unit: ``hip_extension_deg`` -> ``hip_extension (deg)``;
    cat-cow's depths (``cat_depth+cow_depth``, on the spine flexion's scale) have none."""
    name, _, unit = measure.rpartition("_")
    if name and unit and unit in UNITS.values():
        return f"{name} ({unit})"
    return f"{measure} (no unit)"
