"""A routine: a named sequence of exercise steps, as a handout prescribes it (``routines/*.toml``).

A step names an exercise of the catalogue (coached or not yet), the side (``both``: each side in
turn for an exercise done per side, reps counted per side; ``left`` or ``right`` alone;
``alternate``: the sides taken in turns, reps counted in all), the sets, and what one set is: ``reps`` (per side where per side) with an optional
``hold_s`` each, or a time (``seconds``: cat-cow's "alternate slowly for 30 s"). Rests: between sets
and before the next step. How often: ``frequency`` as the handout words it, and
``sessions_per_day`` or ``sessions_per_week`` (a number, or [fewest, most]) that adherence is
counted against. Validated like the exercise definitions: one line naming the file and
field, unknown keys refused with the nearest name, every number finite and in its range, an
exercise id outside the catalogue named with the nearest one.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from coach.engine.definition import Exercise, exercise_ids, load_exercise
from coach.errors import CoachError
from coach.routine.catalogue import CATALOGUE_IDS, entry
from coach.suggest import did_you_mean
from coach.toml_fields import Fields, read_toml
from routines import ROUTINES_DIR

SCHEMA = "coach.routine/1"
STEP_SIDES = ("both", "left", "right", "alternate")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

# Estimates for the duration: getting into position for a step, and one rep's movement (in and out)
# around its hold. Rough on purpose: a routine's length is said in minutes.
SETUP_S = 10.0
MOVE_S = 3.0


class _Fields(Fields):
    what = "routine"


@dataclass(frozen=True)
class Step:
    exercise: str  # a catalogue id
    side: str = "both"
    sets: int = 1
    reps: Optional[int] = None  # per set (per side where per side)
    hold_s: Optional[float] = None  # each rep's hold
    seconds: Optional[float] = None  # a set done for a time instead of a count
    rest_between_sets_s: float = 15.0
    rest_after_s: float = 15.0
    notes: str = ""

    @property
    def name(self) -> str:
        return entry(self.exercise).name

    @property
    def coached(self) -> bool:
        """Whether the coach has a definition for the exercise (otherwise it is done on a timer only)."""
        return self.exercise in exercise_ids()

    @property
    def per_side(self) -> bool:
        """Done on each side in turn, reps counted per side: ``both`` on an exercise done per side
        (``alternate`` takes the sides in turns and counts the reps in all)."""
        return self.side == "both" and entry(self.exercise).per_side

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides a set works, in order."""
        if self.side in ("left", "right"):
            return (self.side,)
        return ("left", "right") if self.per_side else ()

    def target_text(self) -> str:
        """The step's prescription in words: "2 x 30 s hold, each side"."""
        if self.seconds is not None:
            what = f"{self.seconds:g} s"
        elif self.hold_s is not None:
            what = (f"{self.reps} x " if self.reps and self.reps > 1 else "") + f"{self.hold_s:g} s hold"
        else:
            what = f"{self.reps} reps"
        sets = f"{self.sets} sets of " if self.sets > 1 else ""
        side = {"left": ", left side", "right": ", right side", "alternate": ", alternating sides"}.get(
            self.side, ", each side" if self.per_side else "")
        return sets + what + side

    def work_s(self) -> float:
        """About how long the sets themselves take (no set-up, no rests)."""
        one_side = self.seconds if self.seconds is not None else (self.reps or 1) * ((self.hold_s or 0.0) + MOVE_S)
        return self.sets * one_side * max(len(self.sides), 1)

    def duration_s(self) -> float:
        """About how long the step takes, set-up and rests included."""
        return SETUP_S + self.work_s() + (self.sets - 1) * self.rest_between_sets_s + self.rest_after_s

    def exercise_for_step(self, exercise: Exercise) -> Exercise:
        """The exercise's definition with this step's targets: its reps (per side where per side) and
        hold."""
        ex = exercise
        if self.hold_s is not None:
            ex = dataclasses.replace(ex, hold_target_s=self.hold_s)
        if self.reps is not None:
            ex = dataclasses.replace(ex, reps_min=self.reps, reps_max=max(self.reps, ex.reps_max))
        per_side = self.per_side or self.side in ("left", "right") and exercise.per_side
        return dataclasses.replace(ex, per_side=per_side)


@dataclass(frozen=True)
class Prescription:
    """How often the routine is to be done: ``low``-``high`` sessions a ``per`` ("day" or "week").
    What adherence is counted against (``coach history --routine``)."""

    low: int
    high: int
    per: str

    def units_in(self, days: int) -> int:
        """The days, or for a weekly one the whole weeks begun (so the first days of a 3-a-week
        routine already ask for some), that ``days`` days span."""
        return days if self.per == "day" else max(1, math.ceil(days / 7))

    def sessions_in(self, days: int) -> tuple[int, int]:
        """The fewest and most sessions prescribed over ``days`` days."""
        units = self.units_in(days)
        return self.low * units, self.high * units

    def text(self) -> str:
        return f"{count_range(self.low, self.high)} a {self.per}"


def count_range(low: int, high: int) -> str:
    """"2-3", or "2" when both are the same."""
    return f"{low}" if low == high else f"{low}-{high}"


PER = ("day", "week")


@dataclass(frozen=True)
class Routine:
    id: str
    name: str
    source: str
    steps: tuple[Step, ...]
    frequency: str = ""  # as the handout says it: "2-3 times a day"
    prescribed: Optional[Prescription] = None  # the same, counted: sessions_per_day / sessions_per_week
    minutes: Optional[float] = None  # the handout's own estimate, when it gives one
    notes: str = ""
    path: str = ""

    def duration_s(self) -> float:
        return sum(step.duration_s() for step in self.steps)

    def uncoached(self) -> list[Step]:
        return [s for s in self.steps if not s.coached]


def _step(f: _Fields) -> Step:
    ex_id = f.get("exercise", str)
    if ex_id not in CATALOGUE_IDS:
        raise f.error("exercise", f"unknown exercise {ex_id!r}{did_you_mean(ex_id, CATALOGUE_IDS)} "
                                  "(see ../shared/catalogue.md or 'coach exercises')")
    side = f.get("side", str, "both", choices=STEP_SIDES)
    sets = f.get("sets", int, 1)
    f.within("sets", sets, 1, 20, "sets")
    reps = f.get("reps", int, None)
    f.within("reps", reps, 1, 200, "reps per set")
    hold_s = f.get("hold_s", float, None)
    f.within("hold_s", hold_s, 0.5, 600, "seconds")
    seconds = f.get("seconds", float, None)
    f.within("seconds", seconds, 1, 1800, "seconds")
    if seconds is not None and (reps is not None or hold_s is not None):
        raise f.error("seconds", "a set is either timed (seconds) or counted (reps, hold_s), not both")
    if seconds is None and reps is None and hold_s is None:
        raise f.error("reps", "is missing: give reps, hold_s or seconds")
    rests = {k: f.get(k, float, 15.0) for k in ("rest_between_sets_s", "rest_after_s")}
    for key, value in rests.items():
        f.within(key, value, 0, 600, "seconds")
    if side != "both" and not entry(ex_id).per_side and entry(ex_id).view is not None:
        raise f.error("side", f"{ex_id} is not done one side at a time: leave side out")
    return Step(exercise=ex_id, side=side, sets=sets, reps=reps if reps is not None else (1 if hold_s else None),
                hold_s=hold_s, seconds=seconds, notes=f.get("notes", str, ""), **rests)


def _prescription(top: _Fields) -> Optional[Prescription]:
    """``sessions_per_day`` or ``sessions_per_week``: a number, or [fewest, most]."""
    given = [per for per in PER if f"sessions_per_{per}" in top.table]
    top.expect(*(f"sessions_per_{per}" for per in PER))
    if not given:
        return None
    if len(given) > 1:
        raise top.error("sessions_per_week", "give sessions_per_day or sessions_per_week, not both")
    key = f"sessions_per_{given[0]}"
    value = top.table[key]
    counts = value if isinstance(value, list) else [value]
    if not 1 <= len(counts) <= 2 or any(not isinstance(n, int) or isinstance(n, bool) for n in counts):
        raise top.error(key, f"must be a whole number or [fewest, most], got {value!r:.60}")
    for n in counts:
        top.within(key, n, 1, 20 if given[0] == "day" else 50, f"sessions a {given[0]}")
    if counts[0] > counts[-1]:
        raise top.error(key, f"the fewest ({counts[0]}) is more than the most ({counts[-1]})")
    return Prescription(low=counts[0], high=counts[-1], per=given[0])


def parse_routine(data: dict, path: str) -> Routine:
    top = _Fields(path, data, "")
    schema = top.get("schema", str)
    if schema != SCHEMA:
        raise top.error("schema", f"must be {SCHEMA!r}, got {schema!r}")
    rid = top.get("id", str)
    if not ID_PATTERN.match(rid):
        raise top.error("id", f"must be lower_snake_case (letters, digits, _), got {rid!r}")
    steps = [_step(s) for s in top.array("step")]
    minutes = top.get("minutes", float, None)
    top.within("minutes", minutes, 0.5, 240, "minutes")
    routine = Routine(id=rid, name=top.get("name", str), source=top.get("source", str), steps=tuple(steps),
                      frequency=top.get("frequency", str, ""), prescribed=_prescription(top), minutes=minutes,
                      notes=top.get("notes", str, ""), path=path)
    top.refuse_unknown()  # first: a misspelt [[steps]] is named as such, not as "no step"
    if not steps:
        raise top.error("step", "is missing: a routine needs at least one [[step]]")
    return routine


def load_routine_file(path: Path) -> Routine:
    return parse_routine(read_toml(path, "routine"), str(path))


def routine_ids(routines_dir: Path = ROUTINES_DIR) -> list[str]:
    return sorted(p.stem for p in routines_dir.glob("*.toml"))


def load_routine(name: str, routines_dir: Path = ROUTINES_DIR) -> Routine:
    """A shipped routine by id, or a routine file by path (anything with a / or ending in .toml)."""
    if "/" in name or name.endswith(".toml") or Path(name).exists():
        return load_routine_file(Path(name))
    path = routines_dir / f"{name}.toml"
    if not path.exists():
        known = routine_ids(routines_dir)
        raise CoachError(f"unknown routine {name!r}{did_you_mean(name, known)} (known routines: "
                         f"{', '.join(known) or 'none'}; see 'coach routines', or give a routine file)")
    return load_routine_file(path)


def step_exercise(step: Step) -> Optional[Exercise]:
    """The step's exercise with the step's targets, or None while it is not coached yet."""
    return step.exercise_for_step(load_exercise(step.exercise)) if step.coached else None
