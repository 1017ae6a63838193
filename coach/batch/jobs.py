"""The recordings of a batch: from video files, folders and CSV manifests, each with what to run it
as; a job's key (the file's content, the exercise's definition, the profile) says whether an earlier
run already analysed it with the same inputs."""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Optional

from coach.errors import CoachError

VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v")
MANIFEST_COLUMNS = ("path", "exercise", "routine", "profile", "notes")


@dataclass(frozen=True)
class Job:
    path: str
    exercise: Optional[str] = None
    routine: Optional[str] = None
    profile: Optional[str] = None
    notes: str = ""
    stride: str = "off"  # ``--stride`` (coach/pose/stride.py), the batch's for every recording

    @property
    def name(self) -> str:
        """The report folder's name: the file's name and a short hash of its full path (two
        ``session.mp4`` of two people do not share a folder)."""
        stem = Path(self.path).stem
        return f"{stem}-{hashlib.sha1(os.path.abspath(self.path).encode()).hexdigest()[:6]}"


def file_hash(path: str, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def job_key(job: Job) -> str:
    """What an analysis depends on: the recording's bytes, the definition (or routine) file's bytes
    and the profile's. Equal keys: the earlier report stands."""
    from coach.engine.definition import POSES_DIR

    parts = [file_hash(job.path), job.exercise or "", job.routine or "", job.profile or ""]
    if job.stride != "off":  # (not added for ``off``: the keys of batches run before --stride stand)
        parts.append(f"stride {job.stride}")
    if job.exercise:
        definition = POSES_DIR / f"{job.exercise}.toml"
        parts.append(file_hash(str(definition)) if definition.exists() else "")
    if job.profile and os.path.exists(job.profile):
        parts.append(file_hash(job.profile))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def _manifest(path: Path, default: Job) -> list[Job]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except UnicodeDecodeError:
        raise CoachError(f"{path}: not UTF-8 text (save the manifest as UTF-8 CSV)") from None
    except OSError as err:
        raise CoachError(f"cannot read the manifest {path}: {err.strerror or err}") from None
    if not rows or "path" not in rows[0]:
        raise CoachError(f"{path}: a manifest needs a header row with a 'path' column "
                         f"(and optionally {', '.join(MANIFEST_COLUMNS[1:])})")
    unknown = sorted(set(rows[0]) - set(MANIFEST_COLUMNS))
    if unknown:
        raise CoachError(f"{path}: unknown column {unknown[0]!r}; the columns are {', '.join(MANIFEST_COLUMNS)}")
    jobs = []
    for n, row in enumerate(rows, start=2):
        if not (row.get("path") or "").strip():
            raise CoachError(f"{path}: line {n}: the path is empty")
        video = Path(row["path"].strip())
        video = video if video.is_absolute() else path.parent / video  # relative to the manifest
        jobs.append(replace(default, path=str(video), exercise=(row.get("exercise") or "").strip() or default.exercise,
                            routine=(row.get("routine") or "").strip() or default.routine,
                            profile=(row.get("profile") or "").strip() or default.profile,
                            notes=(row.get("notes") or "").strip()))
    return jobs


def find_jobs(inputs: Iterable[str], default: Job) -> list[Job]:
    """Every recording named: files as they are (a missing one stays, to be an error row), folders'
    videos (recursively, sorted), manifests' rows; each with the default exercise/routine/profile
    unless its manifest row says otherwise. A job needs an exercise or a routine."""
    jobs: list[Job] = []
    for item in inputs:
        p = Path(item)
        if p.suffix.lower() == ".csv" and p.is_file():
            jobs += _manifest(p, default)
        elif p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.suffix.lower() in VIDEO_EXTENSIONS and f.is_file())
            if not found:
                raise CoachError(f"{p}: no video files in this folder ({', '.join(VIDEO_EXTENSIONS)})")
            jobs += [replace(default, path=str(f)) for f in found]
        else:
            jobs.append(replace(default, path=str(p)))
    for job in jobs:
        if not job.exercise and not job.routine:
            raise CoachError(f"{job.path}: no exercise: give --exercise ID or --routine NAME (or a manifest's "
                             "exercise column)")
    seen: set[str] = set()
    unique = []
    for job in jobs:  # the same file named twice is analysed once
        key = os.path.abspath(job.path) + "|" + (job.exercise or "") + "|" + (job.routine or "")
        if key not in seen:
            seen.add(key)
            unique.append(job)
    return unique
