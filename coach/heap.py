"""Keeping a long live session's resident memory flat (glibc's malloc; elsewhere these do nothing).

A live session allocates a camera frame (about 1 MB) several times a frame on three threads and frees
them on others. glibc then (a) gives each thread an arena of its own and keeps what is freed there,
and (b) raises its mmap threshold to the size of a freed mapping, so later frame buffers come from
those arenas instead of fresh mappings. Both let the resident size creep up by about 7 MiB per 10
minutes (bench/soak.py, an hour-long session looped from a sample); two arenas and a fixed threshold
stop it, and the heap is trimmed after each periodic save."""

from __future__ import annotations

import ctypes
from typing import Any, Optional

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameters (malloc.h)
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 256 * 1024  # glibc's own starting value, kept fixed: frame-sized buffers are always mapped
ARENA_MAX = 2

_libc: Optional[Any] = None


def _glibc() -> Optional[Any]:
    global _libc
    if _libc is None:
        try:
            lib = ctypes.CDLL("libc.so.6")
            _libc = lib if hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim") else False
        except OSError:
            _libc = False
    return _libc or None


def settle_for_long_session() -> bool:
    """Set the allocator up for hours of frames; call before the capture and pose threads start.
    True where it applied (glibc)."""
    lib = _glibc()
    if lib is None:
        return False
    return bool(lib.mallopt(M_ARENA_MAX, ARENA_MAX)) and bool(lib.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


def trim() -> None:
    """Hand the heap's free memory back to the system."""
    lib = _glibc()
    if lib is not None:
        lib.malloc_trim(0)
