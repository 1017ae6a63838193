"""The allocator settings of a long live session (coach/heap.py): applied on glibc, harmless elsewhere."""

from __future__ import annotations

import ctypes
import platform

import pytest

from coach import heap


def test_settings_apply_on_glibc_and_trim_runs() -> None:
    applied = heap.settle_for_long_session()
    if platform.libc_ver()[0] != "glibc":
        assert applied is False
        pytest.skip("not glibc: nothing to set")
    assert applied is True
    heap.trim()  # must not raise; returns memory to the system


def test_without_glibc_nothing_is_called(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_libc(name: str) -> ctypes.CDLL:
        raise OSError("no libc.so.6 here")

    monkeypatch.setattr(heap, "_libc", None)
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    assert heap.settle_for_long_session() is False
    heap.trim()
    monkeypatch.setattr(heap, "_libc", None)  # let a later caller find the real one again
