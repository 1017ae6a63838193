"""Landmark cache for the benches: each video's trace is made once (real inference) and replayed after.

Traces are made with the person segmentation by default, so they carry the back's profile
(``"back"``, see coach/trace.py) that cat-cow needs; the landmarks are the same with or without it
(the same model; checked identical to the pixel on bridge_clean_01), so every exercise can share
one trace per video. The cache key is the video's content, the backend and whether segmentation was on.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coach.pose.backends import backend_info, make_backend  # noqa: E402
from coach.sources import VideoSource  # noqa: E402
from coach.trace import TraceWriter  # noqa: E402

CACHE = Path(os.environ.get("COACH_BENCH_CACHE", Path(__file__).resolve().parent / ".cache" / "traces"))


def _content_hash(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_trace(video: Path, backend: str = "solution", segmentation: bool = True) -> Path:
    """Path of the landmark trace of ``video``, running the pose model only when it isn't cached.

    A clip shipped with its trace (``NAME.landmarks.jsonl.gz`` beside ``NAME.mp4``, written by the same
    backend) uses that one: the catalogue's renders ship theirs so the tests need no inference."""
    shipped = video.with_name(video.stem + ".landmarks.jsonl.gz")
    if shipped.is_file() and backend == "solution" and segmentation:
        return shipped
    flags = f"|{backend}" + ("|segmentation" if segmentation else "")
    # Keyed by the file's content, not its path and time: a data folder copied or refreshed in place
    # (../shared is, at each session) keeps its cache.
    key = hashlib.sha1(f"{_content_hash(video)}{flags}".encode()).hexdigest()[:12]
    out = CACHE / f"{video.stem}.{key}.jsonl"
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    source = VideoSource(str(video))
    pose = make_backend(backend=backend, segmentation=segmentation)
    tmp = out.with_suffix(".tmp")
    writer = TraceWriter(str(tmp), source.info, backend_info(pose))
    try:
        for frame in source:
            writer.write(pose.process(frame.image, frame.t, frame.index))
    finally:
        writer.close()
        pose.close()
    os.replace(tmp, out)
    return out


def ship_trace(video: Path) -> Path:
    """Write ``NAME.landmarks.jsonl.gz`` beside ``video`` (real inference, with segmentation): the trace
    the tests and benches then replay instead of running the pose model."""
    out = video.with_name(video.stem + ".landmarks.jsonl.gz")
    if out.exists():
        out.unlink()  # a stale shipped trace would be returned by cached_trace itself
    trace = cached_trace(video)
    with open(trace, "rb") as src, gzip.open(out, "wb", compresslevel=9) as dst:
        shutil.copyfileobj(src, dst)
    return out


if __name__ == "__main__":
    # python bench/traces.py [--ship] VIDEO...   (--ship: write NAME.landmarks.jsonl.gz beside each video)
    args = sys.argv[1:]
    ship = "--ship" in args
    for arg in (a for a in args if a != "--ship"):
        print(ship_trace(Path(arg)) if ship else cached_trace(Path(arg)))
