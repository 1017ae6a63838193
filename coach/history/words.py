"""The history's words for people: what a range-of-motion measure is called, with its unit (shared
by the table and the trend plot)."""

from __future__ import annotations

from coach.measures import UNITS
from coach.reporting.text import UNIT_WORDS


def rom_label(measure: str) -> str:
    """A range-of-motion measure in plain words with its unit: ``hip_extension_deg`` -> ``Hip extension
    (degrees)``; cat-cow's ``cat_depth+cow_depth`` (depths on the spine flexion's scale) ->
    ``Cat depth + cow depth (no unit)``."""
    parts = []
    units = set()
    for key in measure.split("+"):
        name, _, unit = key.rpartition("_")
        if name and unit in UNITS.values() and unit:
            parts.append(name.replace("_", " "))
            units.add(unit)
        else:
            parts.append(key.replace("_", " "))
            units.add("")
    unit = units.pop() if len(units) == 1 else ""
    words = " + ".join(parts)
    return f"{words[:1].upper()}{words[1:]} ({UNIT_WORDS.get(unit, unit) or 'no unit'})"


def fault_name(exercise_id: str, code: str) -> str:
    """A fault code in the words of its exercise's definition (its ``label``), for a table a person
    reads; an exercise or code the definitions no longer have: the code without underscores."""
    from coach.engine.definition import load_exercise
    from coach.errors import CoachError

    try:
        return load_exercise(exercise_id).fault(code).name
    except (CoachError, StopIteration):
        return code.replace("_", " ")
