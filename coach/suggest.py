"""Suggestions for a mistyped name (an option, an exercise id, a sub-command): "did you mean ...?".

Kept apart from argparse's own parsing: ``unknown_option`` looks at the command line before
argparse does, so a mistyped option is named even when argparse would first complain about
something else (a required option it took for missing, say).
"""

from __future__ import annotations

import argparse
import difflib
import os
from collections.abc import Iterable, Sequence
from typing import Optional

CUTOFF = 0.6  # difflib's similarity ratio: "bridg" ~ "bridge", "--exercize" ~ "--exercise", not "--out" ~ "--hold"


def closest(word: str, choices: Iterable[str]) -> Optional[str]:
    """The choice nearest ``word``, if one is near enough to be what was meant."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=CUTOFF)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean bridge?"`` for a near miss, else ``""`` (to append to an error's first clause)."""
    best = closest(word, choices)
    return f"; did you mean {best}?" if best else ""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps its actions here; there is no public accessor
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def chosen_parser(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.ArgumentParser:
    """The (sub-)parser the command line reaches: ``coach calibrate camera ...`` -> the camera one."""
    for token in argv:
        if token == "--":
            break
        sub = _subcommands(parser)
        if token in sub:
            parser = sub[token]
    return parser


def option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [s for action in parser._actions for s in action.option_strings]


def unknown_option(parser: argparse.ArgumentParser, argv: Sequence[str]) -> Optional[tuple[argparse.ArgumentParser, str]]:
    """The first long option on the command line that the chosen sub-command does not have (not even
    as an abbreviation, which argparse accepts), as (that sub-parser, the message); None if all are known."""
    leaf = chosen_parser(parser, argv)
    known = option_strings(leaf)
    for token in argv:
        if token == "--":
            break
        if token.startswith("-") and token not in known and os.path.exists(token):
            return leaf, (f"{token} is a file, but its name starts with '-' so it reads as an option: put -- "
                          f"before it (coach {leaf.prog.split(' ', 1)[-1]} -- {token})")
        if not token.startswith("--") or len(token) <= 2:
            continue
        name = token.split("=", 1)[0]
        if any(k.startswith(name) for k in known):
            continue
        longs = [k for k in known if k.startswith("--")]
        return leaf, f"unknown option {name}{did_you_mean(name, longs)}"
    return None
