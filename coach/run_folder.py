"""Where a run writes: a folder of its own, never one holding another run's report.

- A folder the coach picks (no ``--out``): ``runs/NAME``, or ``runs/NAME-2``, ``-3``, ... when that
  one exists. It is created here, at once, so two runs started together never pick the same one;
  should the run fail before writing anything, ``release`` removes it again.
- A folder the user names (``--out DIR``) is used as it is, unless it already holds a report
  (``report.json``; ``calibration.json`` for the camera check): that is refused, so history rows
  never end up pointing at another session's report, unless ``--force`` says to replace it.
- A run holds its folder (``FolderLock``: ``coach.lock``, locked while the run lasts), taken before
  any work, which also proves the folder can be written: a second run into it, a file in the way
  or a read-only folder is one line and exit 2 before minutes of inference, not a traceback after.
"""

from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass
from typing import Optional

try:
    import fcntl
except ImportError:  # Windows: the lock file is still written, without the OS lock
    fcntl = None  # type: ignore[assignment]

from coach.errors import CoachError

REPORT = "report.json"
TRACE_NAME = "landmarks.jsonl"
REPLAY_SUFFIX = "-replay"
SHIPPED_TRACE = ".landmarks.jsonl.gz"  # a clip's trace committed beside it (bench/traces.py --ship)
MAX_TRIES = 10_000  # runs/NAME-2 ... runs/NAME-10000: past that, something else is wrong


@dataclass(frozen=True)
class OutFolder:
    path: str
    picked: bool  # chosen by the coach (no --out): removed again if the run writes nothing
    taken: Optional[str] = None  # the default folder that held an earlier run, when another was picked


def default_name(input_path: str) -> str:
    """The name of a run's default folder: the video's name; for a trace replay of ``DIR/landmarks.jsonl``
    (the README's way) ``DIR-replay``, since every trace is called landmarks.jsonl; for a clip's shipped
    trace ``NAME.landmarks.jsonl.gz``, ``NAME-replay``."""
    base = os.path.basename(input_path)
    if base.endswith(SHIPPED_TRACE):
        return base[: -len(SHIPPED_TRACE)] + REPLAY_SUFFIX
    stem = os.path.splitext(base)[0]
    if base == TRACE_NAME:
        parent = os.path.basename(os.path.dirname(os.path.abspath(input_path)))
        return (parent or stem) + REPLAY_SUFFIX
    return stem


def _claim(path: str) -> bool:
    """Create ``path``; False when it exists. Creating is the claim: of two runs started together
    only one can create a folder (an existing empty one may be another run's, just created)."""
    try:
        os.mkdir(path)
        return True
    except FileExistsError:
        return False


def pick_folder(base: str) -> OutFolder:
    """``base``, or the first of ``base-2``, ``base-3``, ... that is free; created."""
    parent = os.path.dirname(base)
    try:
        if parent:
            os.makedirs(parent, exist_ok=True)
        for n in range(1, MAX_TRIES + 1):
            path = base if n == 1 else f"{base}-{n}"
            if _claim(path):
                return OutFolder(path, picked=True, taken=base if n > 1 else None)
    except OSError as err:
        raise CoachError(f"cannot create an output folder under {parent or '.'} ({err.strerror or err}): "
                         "choose one with --out") from None
    raise CoachError(f"{base} and {MAX_TRIES - 1} numbered folders after it are all taken: choose one with --out")


def named_folder(path: str, force: bool, marker: str = REPORT) -> OutFolder:
    """The folder the user named with ``--out``: refused when it already holds ``marker`` (a report)
    unless ``force``; refused when it is a file."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise CoachError(f"--out {path} is a file, not a folder: choose a folder")
    if os.path.exists(os.path.join(path, marker)) and not force:
        raise CoachError(f"{path} already holds a report ({marker}) of an earlier run: choose another --out, "
                         "or add --force to replace it")
    return OutFolder(path, picked=False)


def out_folder(named: Optional[str], default: str, force: bool, marker: str = REPORT) -> OutFolder:
    """``named_folder(named)`` when the user named one, else ``pick_folder(default)``."""
    return named_folder(named, force, marker) if named else pick_folder(default)


def release(folder: OutFolder) -> None:
    """After a run that failed before writing anything: remove the folder the coach created for it
    (only when it picked it and it is still empty; a folder the user named is left alone)."""
    if folder.picked:
        try:
            os.rmdir(folder.path)  # fails, harmlessly, when anything is in it
        except OSError:
            pass


def where_note(folder: OutFolder) -> Optional[str]:
    """The line said when the default folder was taken and another was picked."""
    if folder.taken is None:
        return None
    return f"writing into {folder.path} ({folder.taken} holds an earlier run)"


LOCK = "coach.lock"
DISK_FULL = (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))  # a file that cannot grow


def disk_full(err: BaseException) -> bool:
    return isinstance(err, OSError) and err.errno in DISK_FULL


class FolderLock:
    """``with FolderLock(path):`` around a run that writes into ``path``: creates the folder, checks
    it can be written, and holds it (an OS lock on ``coach.lock``, which says which process holds
    it) until the run ends; a second run into it is refused, naming the process."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock_path = os.path.join(path, LOCK)
        self._fh = None

    def __enter__(self) -> "FolderLock":
        try:
            os.makedirs(self.path, exist_ok=True)
            self._fh = open(self.lock_path, "a+", encoding="utf-8")
        except (FileExistsError, NotADirectoryError):
            raise CoachError(f"cannot use {self.path} as the output folder: a file is in the way "
                             "(it, or a folder above it, is a file): choose another --out") from None
        except PermissionError:
            raise CoachError(f"cannot write into {self.path} (permission denied): choose a folder you can "
                             "write to with --out") from None
        except OSError as err:
            raise CoachError(f"cannot write into {self.path} ({err.strerror or err}): choose another --out") from None
        if fcntl is not None:
            try:
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self._fh.seek(0)
                holder = self._fh.read().strip() or "another process"
                self._fh.close()
                self._fh = None
                raise CoachError(f"{self.path} is in use by another coach run ({holder}): wait for it to end, "
                                 "or choose another --out") from None
        try:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.write(f"process {os.getpid()}: coach {' '.join(sys.argv[1:])[:200]}\n")
            self._fh.flush()
        except OSError as err:  # a folder that can be opened but not written (a full disk already)
            self.__exit__()
            raise CoachError(f"cannot write into {self.path} ({err.strerror or err}): free some space or "
                             "choose another --out") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            try:
                os.remove(self.lock_path)  # removed while still locked: the next run finds no stale file
            except OSError:
                pass
            self._fh.close()  # releases the OS lock
            self._fh = None
