"""Words and units for people: measure names and units (shared by the plot and the HTML); the
warnings' words are ``coach.report``'s."""

from __future__ import annotations

from coach.measures import UNITS

UNIT_WORDS = {"deg": "degrees", "torso": "torso lengths", "ratio": "ratio"}
UNIT_SHORT = {"deg": "°", "torso": " torso", "ratio": ""}


def measure_label(measure: str, name: str = "") -> str:
    """``hip_extension`` -> ``Hip extension (degrees)``; ``name``: words for it instead of its own."""
    words = (name or measure.replace("_", " ")).capitalize()
    unit = UNIT_WORDS.get(UNITS.get(measure, ""), "")
    return f"{words} ({unit})" if unit else words


def format_value(value: float, unit: str) -> str:
    """A measure's value as shown: whole degrees to a tenth, other units to hundredths."""
    if unit == "deg":
        return f"{value:.1f}°"
    return f"{value:.2f}{UNIT_SHORT.get(unit, '')}"


def peak_unit(key: str) -> str:
    """The unit of a report ``peak`` key (``hip_extension_deg`` -> ``deg``); "" when it has none."""
    tail = key.rsplit("_", 1)[-1]
    return tail if tail in UNIT_WORDS else ""


def peak_label(key: str) -> str:
    """``hip_angle_other_change_deg`` -> ``hip angle other change``; ``cat_depth`` -> ``cat depth``."""
    unit = peak_unit(key)
    name = key[: -len(unit) - 1] if unit else key
    return name.replace("_", " ")
