"""The exercise definitions: one TOML file per exercise, loaded by ``coach.engine.definition``."""

from pathlib import Path

POSES_DIR = Path(__file__).resolve().parent
