"""The trend plot of the history: reps, good-rep share, range of motion and hold time per session.

One line per exercise (their measures differ: a bridge's hip extension and a knee-to-chest hip
angle don't share a scale). Sessions are placed one after another, in order, with their dates as
labels: several sessions in one day stay apart, and a gap of weeks doesn't squash the rest. Drawn
with matplotlib's object API on an Agg canvas: no window, no display needed, and no global backend
switched under other code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from coach.history.store import SessionRow


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
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = Figure(figsize=(9, 9), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(4, 1, sharex=True)
    by_exercise: dict[str, list[tuple[int, SessionRow]]] = {}
    for x, row in enumerate(rows):
        by_exercise.setdefault(row.exercise_id, []).append((x, row))
    for n, (ex_id, ex_rows) in enumerate(sorted(by_exercise.items())):
        color = f"C{n % 10}"
        style = dict(color=color, marker="o", markersize=4, linewidth=1.5)
        axes[0].plot(*_series(ex_rows, lambda r: r.reps), label=ex_id, **style)
        axes[0].plot(*_series(ex_rows, lambda r: r.good_reps), color=color, linestyle=":", linewidth=1)
        axes[1].plot(*_series(ex_rows, lambda r: 100.0 * r.good_reps / r.reps if r.reps else None), **style)
        measure = _measure(ex_rows)
        axes[2].plot(*_series(ex_rows, lambda r: r.rom_mean), label=f"{ex_id}: {measure}" if measure else ex_id,
                     **style)
        axes[2].plot(*_series(ex_rows, lambda r: r.rom_best), color=color, marker="^", markersize=4,
                     linestyle="none")
        axes[3].plot(*_series(ex_rows, lambda r: r.mean_hold_s), **style)
        axes[3].plot(*_series(ex_rows, lambda r: r.hold_target_s), color=color, marker="_", markersize=14,
                     linestyle="none")
    axes[0].set_ylabel("reps\n(dotted: good)")
    axes[1].set_ylabel("good reps (%)")
    axes[1].set_ylim(-5, 105)
    axes[2].set_ylabel("range of motion\n(mean; ^ best rep)")
    axes[3].set_ylabel("mean hold (s)\n(- target)")
    axes[0].set_title("coach: sessions over time")
    axes[0].legend(loc="best", fontsize="small")
    if any(r.rom_measure for r in rows):
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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(str(path), format="png")
    return path


def _measure(rows: list[tuple[int, SessionRow]]) -> Optional[str]:
    """The range-of-motion measure of an exercise's sessions (the newest that says)."""
    return next((r.rom_measure for _, r in reversed(rows) if r.rom_measure), None)
