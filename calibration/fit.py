"""Threshold fitting from labelled recordings (issue 6, part 3).

A *parameter* is one number of an exercise definition: a phase threshold (``phases.hold_above_rest``)
or a fault limit (``faults.hips_low.below``), with the range and step it is searched over. ``apply``
makes the variant of a definition with some parameters changed (``dataclasses.replace``; nothing
else changes). ``fit`` searches the parameters on one set of clips and then scores the current and
the fitted values on a second set it never searched on, so the second figure says how well the fit
carries over.

The objective, on a set of clips, compares (in this order, the first difference decides):

1. exact counts: how many clips were counted exactly (then the smaller total |count error|);
2. fault F1 over (rep, code) pairs, 2 * hits / (found + labelled), on the clips whose labels give
   fault codes (1.0 when nothing was labelled and nothing found; left out when no clip has codes);
3. the median |hold error| in seconds, rounded to 0.01 s (smaller is better): a frame is 33 ms, so
   smaller differences are frame alignment, not a better threshold. The scorer must count a
   labelled hold it missed (with its whole length, as bench/accuracy.py does), or a setting that
   loses holds would look better.

The search is coordinate descent on each parameter's grid, in the order of the space (the phase
thresholds first: they decide the counts the fault limits are judged on), a few sweeps until
nothing moves. It is deterministic. When several values score best, it takes the middle of the
run of best values (the one holding the current value, else the widest), so a fault limit lands
halfway between the faulty and the good reps of the fit set instead of on the edge of one of them.
A parameter whose every value scores the same has no signal on the fit set and keeps its value.

No I/O here: clips are whatever the caller has (each with a ``name``), and the caller's ``score``
runs a definition on one clip and compares the result with that clip's labels (bench/fit.py passes
bench/accuracy.py's scoring).
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from dataclasses import dataclass
from typing import Callable, Generic, Mapping, Optional, Protocol, Sequence, TypeVar, Union

from coach.engine.definition import Exercise, Phases, TwoWayPhases
from coach.measures import RANGES, UNITS

Values = dict[str, float]  # parameter name -> value
Key = tuple[float, ...]  # what the objective compares (larger is better)


class Named(Protocol):
    @property
    def name(self) -> str: ...


class ClipScore(Protocol):
    """What the objective needs of one clip's score (bench/accuracy.py's ``Score`` has it)."""

    @property
    def error(self) -> Optional[int]: ...  # counted - labelled; None: no count labelled

    @property
    def faults(self) -> Optional[tuple[int, int, int]]: ...  # (hits, found, labelled); None: no fault codes

    @property
    def hold_errors(self) -> Sequence[float]: ...  # |labelled - measured| hold seconds of matched reps


C = TypeVar("C", bound=Named)
S = TypeVar("S", bound=ClipScore)
Scorer = Callable[[Exercise, C], S]  # runs the definition on the clip and scores it against its labels


# -- the parameters ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """One fittable number: ``phases.FIELD`` or ``faults.CODE.below|above``, searched from ``low`` to
    ``high`` in ``step``s."""

    name: str
    low: float
    high: float
    step: float

    def grid(self, also: Optional[float] = None) -> tuple[float, ...]:
        """The values tried, ascending; ``also`` (the current value) is added when off the grid."""
        n = int(round((self.high - self.low) / self.step))
        values = {round(self.low + i * self.step, 6) for i in range(n + 1)}
        if also is not None:
            values.add(round(also, 6))
        return tuple(sorted(values))


# Ranges: wide enough that a run of best values ends inside them (one reaching an end would put
# its "middle" on an arbitrary bound; ParamFit.at_edge flags it), bounded below by the phases'
# hysteresis where there is one. Phase thresholds first: they decide the counts.
# Every exercise gets a space from its own definition (``derived_space``); these three keep the
# ranges they were first fitted with, chosen by hand from the physio brief (the comments say why).
SPACES: dict[str, tuple[Param, ...]] = {
    "bridge": (
        Param("phases.start_above_rest", 3.0, 10.0, 1.0),  # above rest_within (2.5): hysteresis
        Param("phases.hold_above_rest", 3.0, 16.0, 1.0),  # not below start_above_rest (see apply)
        Param("phases.leave_hold", 2.0, 10.0, 1.0),
        Param("faults.hips_low.below", 140.0, 180.0, 1.0),  # a good top is ~180 (straight line)
        Param("faults.hips_overextended.above", 180.0, 210.0, 1.0),
    ),
    "knee_to_chest": (
        Param("phases.start_above_rest", 9.0, 24.0, 1.0),  # above rest_within (8)
        Param("phases.hold_above_rest", 10.0, 50.0, 2.0),  # not below start_above_rest (see apply)
        Param("phases.leave_hold", 4.0, 20.0, 1.0),
        Param("faults.knee_not_close.above", 60.0, 130.0, 1.0),  # a full pull closes the hip to ~55-70
        Param("faults.other_leg_lifted.below", -40.0, 0.0, 1.0),
        Param("faults.head_lifted.above", 0.02, 0.3, 0.01),
    ),
    "cat_cow": (
        Param("phases.start_beyond", 0.07, 0.14, 0.01),  # above neutral_within (0.06), below pole_beyond
        Param("phases.pole_beyond", 0.08, 0.40, 0.01),
        Param("phases.leave_pole", 0.03, 0.14, 0.01),
        Param("faults.rushing.below", 0.8, 3.5, 0.1),  # seconds per cycle
        Param("faults.shallow.below", 0.1, 0.95, 0.05),  # share of the session's deepest pose
    ),
}


# The phase levels a search may move, per kind of phase machine (their hysteresis is kept by ``apply``).
PHASE_LEVELS = {Phases: ("start_above_rest", "hold_above_rest", "leave_hold"),
                TwoWayPhases: ("start_beyond", "pole_beyond", "leave_pole")}
DEG_SPAN, DEG_STEP = 30.0, 1.0  # a limit in degrees: +-30 in 1-degree steps
SHARE_SPAN, STEPS = 0.6, 20  # any other: +-60 % of its value (at least +-0.1), in twentieths of that


def _around(name: str, value: float, degrees: bool, bounds: tuple[float, float] = (-math.inf, math.inf)) -> Param:
    if degrees:
        span, step = DEG_SPAN, DEG_STEP
    else:
        span = max(SHARE_SPAN * abs(value), 0.1)
        step = round(span / STEPS, 6)
    low, high = max(value - span, bounds[0]), min(value + span, bounds[1])
    return Param(name, round(low, 6), round(high, 6), step)


def derived_space(ex: Exercise) -> tuple[Param, ...]:
    """Every phase level and absolute fault limit of the definition, searched around its current
    value (``DEG_SPAN``/``SHARE_SPAN``), within the values its measure can take; phase levels first.
    Levels of the phase machine are distances from rest, so never below 0."""
    phase_deg = UNITS.get(ex.phases.measure) == "deg"
    space = [_around(f"phases.{name}", float(getattr(ex.phases, name)), phase_deg, (0.0, math.inf))
             for name in PHASE_LEVELS[type(ex.phases)]]
    for rule in ex.faults:
        for side in ("below", "above"):
            limit = getattr(rule, side)
            if limit is None:
                continue
            bounds = (-math.inf, math.inf) if rule.relative else RANGES.get(rule.measure, (-math.inf, math.inf))
            space.append(_around(f"faults.{rule.code}.{side}", float(limit), UNITS.get(rule.measure) == "deg", bounds))
    return tuple(space)


def parameter_space(ex: Exercise) -> tuple[Param, ...]:
    """The fittable parameters of an exercise: its hand-set space (``SPACES``) or one derived from
    its definition (every one must exist in it)."""
    space = SPACES.get(ex.id) or derived_space(ex)
    current(ex, space)  # a parameter the definition lacks fails here, not mid-search
    return space


def _parts(name: str) -> tuple[str, ...]:
    parts = tuple(name.split("."))
    if not (len(parts) == 2 and parts[0] == "phases" or len(parts) == 3 and parts[0] == "faults"
            and parts[2] in ("below", "above")):
        raise ValueError(f"{name!r}: a parameter is phases.FIELD or faults.CODE.below|above")
    return parts


def value_of(ex: Exercise, name: str) -> float:
    """The definition's current value of a parameter."""
    parts = _parts(name)
    if parts[0] == "phases":
        value = getattr(ex.phases, parts[1], None)
    else:
        value = getattr(ex.fault(parts[1]), parts[2]) if parts[1] in {f.code for f in ex.faults} else None
    if not isinstance(value, (int, float)):
        raise ValueError(f"{name!r}: exercise {ex.id!r} has no such number")
    return float(value)


def current(ex: Exercise, space: Sequence[Param]) -> Values:
    return {p.name: value_of(ex, p.name) for p in space}


def apply(ex: Exercise, values: Mapping[str, float]) -> Exercise:
    """The exercise with the named parameters set; every other field is the same object as before.
    Raises ValueError for an unknown parameter, for a limit the rule does not have (fitting never
    adds a limit), and for phase levels without hysteresis (the definition loader's own rules)."""
    phase_changes: dict[str, float] = {}
    fault_changes: dict[str, dict[str, float]] = {}
    for name, value in values.items():
        value_of(ex, name)  # exists, and is a number
        parts = _parts(name)
        if parts[0] == "phases":
            phase_changes[parts[1]] = float(value)
        else:
            fault_changes.setdefault(parts[1], {})[parts[2]] = float(value)
    phases = dataclasses.replace(ex.phases, **phase_changes) if phase_changes else ex.phases
    _check_hysteresis(phases)
    faults = tuple(dataclasses.replace(f, **fault_changes[f.code]) if f.code in fault_changes else f for f in ex.faults)
    return dataclasses.replace(ex, phases=phases, faults=faults)


def _check_hysteresis(p: Union[Phases, TwoWayPhases]) -> None:
    """The orderings coach/engine/definition.py demands of a loaded file, and one more: the top's
    level not below the level that starts a rep (every lower value would act alike: reached
    before the rep starts), so a run of best values can't stretch over values that change nothing."""
    if isinstance(p, Phases):
        if p.rest_within >= p.start_above_rest:
            raise ValueError(f"rest_within ({p.rest_within}) must be below start_above_rest ({p.start_above_rest})")
        if p.hold_above_rest < p.start_above_rest:
            raise ValueError(f"hold_above_rest ({p.hold_above_rest}) must not be below start_above_rest "
                             f"({p.start_above_rest})")
        return
    if not p.neutral_within < p.start_beyond < p.pole_beyond:
        raise ValueError(f"need neutral_within < start_beyond < pole_beyond, got "
                         f"{p.neutral_within} / {p.start_beyond} / {p.pole_beyond}")
    if p.leave_pole >= p.pole_beyond:
        raise ValueError(f"leave_pole ({p.leave_pole}) must be below pole_beyond ({p.pole_beyond})")


# -- the objective -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """A set of clips' scores, summed: what the objective compares."""

    clips: int
    counted: int  # clips with a labelled count
    exact: int
    count_error: int  # sum of |counted - labelled|
    hits: int
    found: int
    labelled: int
    fault_clips: int  # clips whose labels give fault codes
    hold_errors: tuple[float, ...]

    @property
    def f1(self) -> Optional[float]:
        """2 * hits / (found + labelled); None when no clip has fault codes."""
        if not self.fault_clips:
            return None
        return 1.0 if self.found + self.labelled == 0 else 2 * self.hits / (self.found + self.labelled)

    @property
    def hold(self) -> Optional[float]:
        """Median |hold error| (s) over every matched rep; None when nothing matched."""
        return statistics.median(self.hold_errors) if self.hold_errors else None

    def key(self) -> Key:
        """Larger is better: exact counts, then less count error, then fault F1, then hold error."""
        hold = self.hold
        return (float(self.exact), -float(self.count_error), self.f1 if self.f1 is not None else 0.0,
                -round(hold, 2) if hold is not None else -math.inf)


def figures(scores: Sequence[ClipScore]) -> Figures:
    counts = [s.error for s in scores if s.error is not None]
    faults = [s.faults for s in scores if s.faults is not None]
    return Figures(clips=len(scores), counted=len(counts), exact=sum(e == 0 for e in counts),
                   count_error=sum(abs(e) for e in counts),
                   hits=sum(f[0] for f in faults), found=sum(f[1] for f in faults), labelled=sum(f[2] for f in faults),
                   fault_clips=len(faults), hold_errors=tuple(e for s in scores for e in s.hold_errors))


def compare(new: Figures, old: Figures) -> str:
    """better | equal | worse, by the objective."""
    return "better" if new.key() > old.key() else "worse" if new.key() < old.key() else "equal"


@dataclass(frozen=True)
class Evaluation(Generic[S]):
    values: Mapping[str, float]
    scores: tuple[S, ...]  # one per clip, in the clips' order
    figures: Figures


def evaluate(ex: Exercise, values: Mapping[str, float], clips: Sequence[C], score: Scorer) -> Evaluation:
    """Every clip through the exercise with ``values`` applied."""
    variant = apply(ex, values)
    scores = tuple(score(variant, clip) for clip in clips)
    return Evaluation(values=dict(values), scores=scores, figures=figures(scores))


# -- the search ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParamFit:
    """How one parameter came out of the last sweep."""

    param: Param
    before: float
    after: float
    best: Optional[tuple[float, float]]  # the run of best values the result was taken from; None: no signal

    @property
    def at_edge(self) -> bool:
        """The best run reaches the end of the range: the middle depends on where the range ends."""
        return self.best is not None and (self.best[0] <= self.param.low or self.best[1] >= self.param.high)


def _choose(tried: Sequence[tuple[float, Optional[Key]]], now: float) -> tuple[float, Optional[tuple[float, float]]]:
    """From (value, key or None for an invalid value) in grid order: the value to keep and the best run."""
    keys = [k for _, k in tried if k is not None]
    best = max(keys)
    if all(k == best for k in keys):
        return now, None  # no signal on the fit set: keep the value
    runs: list[list[float]] = [[]]
    for value, key in tried:
        if key == best:
            runs[-1].append(value)
        elif runs[-1]:
            runs.append([])
    runs = [r for r in runs if r]
    run = next((r for r in runs if now in r), None)
    if run is None:  # the widest; among equals the nearest to the current value
        run = max(runs, key=lambda r: (len(r), -min(abs(v - now) for v in r)))
    middle = sorted({run[(len(run) - 1) // 2], run[len(run) // 2]}, key=lambda v: (abs(v - now), v))[0]
    return middle, (run[0], run[-1])


def search(ex: Exercise, space: Sequence[Param], clips: Sequence[C], score: Scorer,
           sweeps: int = 3) -> tuple[Values, list[ParamFit], int]:
    """Coordinate descent from the current values on ``clips`` only. Returns the values, each
    parameter's outcome, and how many parameter sets were evaluated."""
    values = current(ex, space)
    start = dict(values)
    seen: dict[tuple, Key] = {}

    def key_of(candidate: Values) -> Optional[Key]:
        k = tuple(sorted(candidate.items()))
        if k not in seen:
            try:
                seen[k] = evaluate(ex, candidate, clips, score).figures.key()
            except ValueError:  # breaks the phases' hysteresis: not a definition one could load
                return None
        return seen[k]

    outcome: dict[str, ParamFit] = {}
    for _ in range(sweeps):
        moved = False
        for p in space:
            tried = [(v, key_of({**values, p.name: v})) for v in p.grid(also=values[p.name])]
            chosen, best = _choose(tried, values[p.name])
            moved |= chosen != values[p.name]
            values[p.name] = chosen
            outcome[p.name] = ParamFit(p, start[p.name], chosen, best)
        if not moved:
            break
    return values, [outcome[p.name] for p in space], len(seen)


@dataclass(frozen=True)
class FitResult(Generic[S]):
    exercise: str
    params: list[ParamFit]
    before: Values
    after: Values
    fit_clips: tuple[str, ...]
    check_clips: tuple[str, ...]
    fit_before: Evaluation
    fit_after: Evaluation
    check_before: Evaluation
    check_after: Evaluation
    evaluations: int  # parameter sets tried on the fit set

    @property
    def check_verdict(self) -> str:
        """better | equal | worse: the fitted values against the current ones on the check set."""
        return compare(self.check_after.figures, self.check_before.figures)


def fit(ex: Exercise, space: Sequence[Param], fit_clips: Sequence[C], check_clips: Sequence[C], score: Scorer,
        sweeps: int = 3) -> FitResult:
    """Search on ``fit_clips``; then score the current and the fitted values on both sets. The
    check clips are scored only with those two sets of values, after the search has finished."""
    shared = {c.name for c in fit_clips} & {c.name for c in check_clips}
    if shared:
        raise ValueError(f"clips in both the fit and the check set: {', '.join(sorted(shared))}")
    if not fit_clips:
        raise ValueError("no clips to fit on")
    after, params, tried = search(ex, space, fit_clips, score, sweeps)
    before = current(ex, space)
    return FitResult(exercise=ex.id, params=params, before=before, after=after,
                     fit_clips=tuple(c.name for c in fit_clips), check_clips=tuple(c.name for c in check_clips),
                     fit_before=evaluate(ex, before, fit_clips, score), fit_after=evaluate(ex, after, fit_clips, score),
                     check_before=evaluate(ex, before, check_clips, score),
                     check_after=evaluate(ex, after, check_clips, score), evaluations=tried)


def one_at_a_time(ex: Exercise, result: FitResult, clips: Sequence[C], score: Scorer) -> list[tuple[str, Evaluation]]:
    """Each changed value alone (the others at their current values) on ``clips``: which change
    helps and which hurts. A value that can't stand alone (hysteresis) is left out."""
    out = []
    for p in result.params:
        if p.after != p.before:
            try:
                out.append((p.param.name, evaluate(ex, {**result.before, p.param.name: p.after}, clips, score)))
            except ValueError:
                continue
    return out
