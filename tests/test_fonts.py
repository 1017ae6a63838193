"""On-screen text in any language: the font that has the characters, or one line saying none has."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from coach import fonts
from coach.overlay import put_text, text_box

MONO = "DejaVuSansMono.ttf"  # matplotlib ships it: it has U+2312 (arc), which DejaVu Sans lacks
ARC = "\u2312"
HAN = "\u4e2d\u6587"  # "Chinese": no font matplotlib ships has it


def test_latin_greek_cyrillic_use_the_default_font() -> None:
    assert fonts.font_for("Hebe die Hüften — ποδιά — бедра") == fonts.default_font()
    assert fonts.undrawable("Hebe die Hüften — ποδιά — бедра") == ""


def test_a_character_the_default_font_lacks_is_drawn_with_an_installed_font_that_has_it() -> None:
    assert ord(ARC) not in fonts.characters(fonts.default_font())
    assert Path(fonts.font_for(f"Arc {ARC}")).name.startswith("DejaVuSansMono")
    assert fonts.undrawable(f"Arc {ARC}") == ""


def test_placeholder_fonts_are_never_chosen() -> None:
    assert not any("lastresort" in Path(p).name.lower() for p in fonts.installed_fonts())


def test_characters_no_installed_font_has_are_named_once_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "installed_fonts", lambda: (fonts.default_font(),))
    fonts._font_for.cache_clear()
    fonts._warned.clear()
    try:
        assert fonts.undrawable(f"Hebe {HAN}!") == HAN
        out = io.StringIO()
        line = fonts.warn_undrawable(["Lift", f"{HAN} lift"], "poses/x.toml", out)
        assert line is not None and HAN in line and "fonts-noto-cjk" in line and "poses/x.toml" in line
        assert out.getvalue().count("\n") == 1
        assert fonts.warn_undrawable([f"{HAN}"], "poses/x.toml", out) is None  # said once
    finally:
        fonts._font_for.cache_clear()
        fonts._warned.clear()


def test_text_drawn_with_a_fallback_font_leaves_ink_of_its_measured_size() -> None:
    image = np.zeros((80, 200, 3), np.uint8)
    w, h, _ = text_box(f"{ARC}{ARC}", 1.0, 2)
    put_text(image, f"{ARC}{ARC}", (10, 60), 1.0, (255, 255, 255), 2)
    ys, xs = np.nonzero(image[..., 0])
    assert xs.size > 0
    assert xs.max() - xs.min() + 1 <= w and 60 - ys.min() <= h


def test_where_a_cjk_font_is_installed_chinese_text_is_drawn_with_it() -> None:
    having = [p for p in fonts.installed_fonts() if {ord(c) for c in HAN} <= fonts.characters(p)]
    if not having:
        pytest.skip("no installed font has Chinese characters here (e.g. apt install fonts-wqy-zenhei)")
    assert fonts.font_for(f"{HAN} lift") in having and fonts.undrawable(HAN) == ""
    image = np.zeros((80, 200, 3), np.uint8)
    put_text(image, HAN, (10, 60), 1.0, (255, 255, 255), 2)
    assert np.count_nonzero(image[..., 0]) > 100  # strokes, not an empty box outline
