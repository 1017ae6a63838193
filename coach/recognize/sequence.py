"""The most likely run of labels through a recording, from each window's cost of each label: a
Viterbi pass over the windows in which every change of label costs a fixed penalty. A short glitch
(a few windows that look a little more like something else) does not pay for two changes and is
absorbed; a real change, held, pays for itself within a window or two of where it happens.

Costs are per window and per state (lower is likelier), states being the model's labels and a last
"unknown" state; nothing here knows what the labels mean.
"""

from __future__ import annotations

import numpy as np


def viterbi(costs: np.ndarray, switch_penalty: float) -> np.ndarray:
    """The state per window (indices into ``costs``' columns) minimising the summed costs plus
    ``switch_penalty`` per change of state."""
    n, states = costs.shape
    if n == 0:
        return np.zeros(0, dtype=int)
    total = costs[0].astype(float).copy()
    came_from = np.zeros((n, states), dtype=int)
    for w in range(1, n):
        best = int(total.argmin())
        switched = total[best] + switch_penalty
        stay = total <= switched  # ties stay: no change without a gain
        came_from[w] = np.where(stay, np.arange(states), best)
        total = np.where(stay, total, switched) + costs[w]
    path = np.zeros(n, dtype=int)
    path[-1] = int(total.argmin())
    for w in range(n - 1, 0, -1):
        path[w - 1] = came_from[w, path[w]]
    return path


def split_short_runs(path: np.ndarray, max_windows: int) -> np.ndarray:
    """Each run of at most ``max_windows`` between two other runs split at its middle between them.
    The windows straddling a change mix the poses before and after it and look like neither: a
    change from one exercise straight into another leaves a short run of "unknown", or of an
    exercise that lies between the two (a plank to a locust passes a back extension), centred on
    the change. Runs at either end, and longer ones (a real pause, another exercise), stay."""
    out = path.copy()
    w, n = 0, len(out)
    while w < n:
        end = w
        while end + 1 < n and out[end + 1] == out[w]:
            end += 1
        if w > 0 and end < n - 1 and end - w + 1 <= max_windows:
            mid = w + (end - w + 1) // 2
            out[w:mid], out[mid:end + 1] = out[w - 1], out[end + 1]
        w = end + 1
    return out
