"""The recogniser's sequence decoding (coach/recognize/sequence.py) on made-up window costs: a short
glitch does not make a segment, a real change moves the label within a window of where it happens,
and the unknown windows that straddle a change are shared out between its two sides."""

from __future__ import annotations

import itertools

import numpy as np

from coach.recognize.sequence import split_short_runs, viterbi

PENALTY = 5.0


def two_states(n: int, second_cheaper: range, by: float) -> np.ndarray:
    """Costs of two states over ``n`` windows: the first cheaper by 1 except over ``second_cheaper``,
    where the second is cheaper by ``by``."""
    costs = np.zeros((n, 2))
    costs[:, 1] = 1.0
    for w in second_cheaper:
        costs[w] = [by, 0.0]
    return costs


def test_a_short_glitch_does_not_make_a_segment() -> None:
    path = viterbi(two_states(40, range(20, 23), by=1.5), PENALTY)  # 4.5 gained < two changes' 10
    assert path.tolist() == [0] * 40


def test_a_glitch_that_pays_for_two_changes_is_a_segment() -> None:
    path = viterbi(two_states(40, range(15, 25), by=1.5), PENALTY)  # 15 gained > 10
    assert path.tolist() == [0] * 15 + [1] * 10 + [0] * 15


def test_a_real_change_moves_the_label_where_it_happens() -> None:
    for change in (7, 20, 33):
        path = viterbi(two_states(40, range(change, 40), by=1.0), PENALTY)
        first = int(np.argmax(path == 1))
        assert path[:first].tolist() == [0] * first and path[first:].tolist() == [1] * (40 - first)
        assert abs(first - change) <= 1


def test_a_change_near_the_end_that_cannot_pay_for_itself_is_not_taken() -> None:
    path = viterbi(two_states(40, range(37, 40), by=1.0), PENALTY)  # 3 windows gain 3 < 5
    assert path.tolist() == [0] * 40


def test_without_a_penalty_every_window_takes_its_cheapest_state() -> None:
    rng = np.random.default_rng(3)
    costs = rng.random((50, 4))
    assert viterbi(costs, 0.0).tolist() == costs.argmin(axis=1).tolist()


def test_the_viterbi_path_is_the_cheapest_of_all_paths() -> None:
    rng = np.random.default_rng(5)
    costs = rng.random((6, 3)) * 4


    def total(p: tuple[int, ...]) -> float:
        return sum(costs[w, s] for w, s in enumerate(p)) + PENALTY * sum(a != b for a, b in zip(p, p[1:]))

    best = min(itertools.product(range(3), repeat=6), key=total)
    assert abs(total(tuple(viterbi(costs, PENALTY).tolist())) - total(best)) < 1e-9


def test_no_windows_no_path() -> None:
    assert viterbi(np.zeros((0, 3)), PENALTY).tolist() == []


UNK = 9


def test_a_short_run_between_two_exercises_is_split_at_its_middle() -> None:
    path = np.array([1, 1, 1, UNK, UNK, UNK, UNK, 2, 2])
    assert split_short_runs(path, 6).tolist() == [1, 1, 1, 1, 1, 2, 2, 2, 2]
    odd = np.array([1, 3, 3, 3, 2])  # a third exercise passed through on the way
    assert split_short_runs(odd, 6).tolist() == [1, 1, 2, 2, 2]


def test_a_long_run_or_one_at_an_end_stays() -> None:
    long = np.array([1] * 3 + [UNK] * 7 + [2] * 3)
    assert split_short_runs(long, 6).tolist() == long.tolist()
    ends = np.array([UNK, UNK] + [1] * 7 + [2] * 7 + [UNK])
    assert split_short_runs(ends, 6).tolist() == ends.tolist()
