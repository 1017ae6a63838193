"""Typed fields out of a TOML file (exercise definitions, routines): every error names the file and
the field, every number must be finite, and a key nobody reads is refused with the nearest known name."""

from __future__ import annotations

import difflib
import math
import sys
from pathlib import Path
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    import tomli as tomllib

from coach.errors import CoachError


def read_toml(path: Path, what: str) -> dict:
    """The TOML file at ``path`` as a dict; one line naming the file and the problem otherwise
    (``what`` the file is: "exercise definition", "routine")."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise CoachError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise CoachError(f"{path} is a folder, not a {what} (give a .toml file)") from None
    except OSError as err:
        raise CoachError(f"cannot read the {what} {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise CoachError(f"{path}: not UTF-8 text (save the {what} as UTF-8)") from None
    except tomllib.TOMLDecodeError as err:
        raise CoachError(f"{path}: not valid TOML ({err}) (fix the {what})") from None


class Fields:
    """Reads typed fields out of a TOML table, naming file and field in every error. Every key asked
    for is remembered (``asked``), so a key nobody asks for (a misspelt ``[[fault]]``, which would
    silently drop every fault check) is refused once the whole file is read (``refuse_unknown``),
    with the nearest known name."""

    what = "file"  # what the file is, for the advice that ends every error ("fix the <what>")

    def __init__(self, path: str, table: Any, where: str, registry: Optional[list["Fields"]] = None) -> None:
        self.path, self.where = path, where
        if not isinstance(table, dict):
            raise self.error("", f"must be a table, got {type(table).__name__}")
        self.table = table
        self.asked: set[str] = set()
        self.registry = [] if registry is None else registry  # every table of the file, for refuse_unknown
        self.registry.append(self)

    def expect(self, *keys: str) -> None:
        """Keys this table may hold that are read another way (or only when present)."""
        self.asked.update(keys)

    def child(self, table: Any, where: str) -> "Fields":
        return type(self)(self.path, table, where, self.registry)

    def refuse_unknown(self) -> None:
        """Refuse the first key of any table of the file that no reader asked for."""
        for f in self.registry:
            extra = sorted(set(f.table) - f.asked)
            if extra:
                near = difflib.get_close_matches(extra[0], sorted(f.asked), n=1, cutoff=0.6)
                hint = f"did you mean {near[0]!r}?" if near else f"known here: {', '.join(sorted(f.asked))}"
                raise f.error(extra[0], f"is not a known setting; {hint}")

    def error(self, key: str, problem: str) -> CoachError:
        name = f"{self.where}.{key}" if self.where and key else (self.where or key)
        return CoachError(f"{self.path}: {name}: {problem} (fix the {self.what})")

    def get(self, key: str, kind: type, default: Any = ..., choices: Optional[tuple] = None) -> Any:
        self.asked.add(key)
        if key not in self.table:
            if default is ...:
                near = difflib.get_close_matches(key, [k for k in self.table if isinstance(k, str)], n=1, cutoff=0.6)
                raise self.error(key, f"is missing (there is {near[0]!r}: misspelt?)" if near else "is missing")
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.error(key, f"must be {kind.__name__}, got {value!r:.60}")
        if kind is float and not math.isfinite(value):  # TOML has nan and inf: a limit that is never met
            raise self.error(key, f"must be a finite number, got {value}")
        if choices is not None and value not in choices:
            raise self.error(key, f"must be one of {', '.join(map(str, choices))}, got {value!r}")
        return value

    def positive(self, key: str) -> float:
        value = self.get(key, float)
        if value < 0:
            raise self.error(key, f"must not be negative, got {value}")
        return value

    def subtable(self, key: str) -> "Fields":
        return self.child(self.get(key, dict), f"{self.where}.{key}" if self.where else key)

    def array(self, key: str) -> list["Fields"]:
        items = self.get(key, list, [])
        return [self.child(item, f"{key}[{i}]") for i, item in enumerate(items)]

    def within(self, key: str, value: Optional[float], low: float, high: float, what: str) -> None:
        """Refuse ``value`` (read from ``key``) outside [low, high]: ``what`` it is, for the message."""
        if value is not None and not low <= value <= high:
            raise self.error(key, f"must be from {low:g} to {high:g} ({what}), got {value:g}")
