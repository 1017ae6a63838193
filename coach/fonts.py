"""Which font draws a piece of on-screen text, for cue texts and definitions in any language.

DejaVu Sans (shipped with matplotlib, a dependency) draws Latin, Greek, Cyrillic and more. Text with
characters it lacks (Chinese, Japanese, Korean, ...) is drawn with the first installed font that has
them all, looked for among matplotlib's fonts and the system's font folders. Where no installed font
has them, they would show as boxes: ``undrawable`` names them, and the overlay says so once, with
what to install, instead of drawing boxes silently."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Iterable, Optional

FONT_EXTENSIONS = (".ttf", ".otf", ".ttc")
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
                    "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts")
# Fonts whose glyphs are placeholders for every character (matplotlib ships Last Resort): boxes.
PLACEHOLDER_FONTS = ("lastresort",)
INSTALL_HINT = "install a font that has them, e.g. Noto Sans CJK (Debian/Ubuntu: apt install fonts-noto-cjk)"


def default_font() -> str:
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")


def font_dirs() -> list[Path]:
    import matplotlib

    return [Path(matplotlib.get_data_path()) / "fonts" / "ttf"] + [Path(d).expanduser() for d in SYSTEM_FONT_DIRS]


@functools.lru_cache(maxsize=None)
def characters(path: str) -> frozenset[int]:
    """The code points ``path`` (its first face) has glyphs for; empty if it cannot be read."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())
    except Exception:  # a broken or unsupported font file is just not a candidate
        return frozenset()


@functools.lru_cache(maxsize=1)
def installed_fonts() -> tuple[str, ...]:
    """Font files found in ``font_dirs()``, the default font first."""
    found = [default_font()]
    for folder in font_dirs():
        if folder.is_dir():
            found += sorted(str(p) for p in folder.rglob("*") if p.suffix.lower() in FONT_EXTENSIONS
                            and not any(bad in p.name.lower() for bad in PLACEHOLDER_FONTS))
    return tuple(dict.fromkeys(found))


def _needed(text: str) -> frozenset[int]:
    return frozenset(ord(c) for c in text if not c.isspace() and ord(c) >= 32)


@functools.lru_cache(maxsize=256)
def _font_for(needed: frozenset[int]) -> tuple[str, frozenset[int]]:
    """The font to draw ``needed`` with, and what it still lacks."""
    default = default_font()
    if needed <= characters(default):
        return default, frozenset()
    best, lacking = default, needed - characters(default)
    for path in installed_fonts():
        missing = needed - characters(path)
        if not missing:
            return path, frozenset()
        if len(missing) < len(lacking):
            best, lacking = path, missing
    return best, lacking


def font_for(text: str) -> str:
    """The path of the font that draws ``text`` best (every character, where an installed font can)."""
    return _font_for(_needed(text))[0]


def undrawable(text: str) -> str:
    """The characters of ``text`` that no installed font has (''; all drawable), in order of appearance."""
    lacking = _font_for(_needed(text))[1]
    return "".join(dict.fromkeys(c for c in text if ord(c) in lacking))


_warned: set[str] = set()


def warn_undrawable(texts: Iterable[str], where: str, stream: Optional[object] = None) -> Optional[str]:
    """Say once (per set of characters) which characters of ``texts`` will show as boxes, and what to do.
    Returns the line said, or None."""
    chars = "".join(dict.fromkeys("".join(undrawable(t) for t in texts if not t.isascii())))
    if not chars or chars in _warned:
        return None
    _warned.add(chars)
    line = f"coach: {where}: no installed font has {chars[:12]!r}: they show as boxes on screen ({INSTALL_HINT})"
    print(line, file=stream or sys.stderr)
    return line
