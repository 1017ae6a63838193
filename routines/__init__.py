"""The routines of the handouts: one TOML file per routine, loaded by ``coach.routine.definition``."""

from pathlib import Path

ROUTINES_DIR = Path(__file__).resolve().parent
