"""Landmark cache for the benches: each video's trace is made once (real inference) and replayed after.

Traces are made with the person segmentation by default, so they carry the back's profile
(``"back"``, see coach/trace.py) that cat-cow needs; the landmarks are the same with or without it
(the same model; checked identical to the pixel on bridge_clean_01), so every exercise can share
one trace per video. The cache key names the backend and whether segmentation was on.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coach.pose.backends import backend_info, make_backend  # noqa: E402
from coach.sources import VideoSource  # noqa: E402
from coach.trace import TraceWriter  # noqa: E402

CACHE = Path(os.environ.get("COACH_BENCH_CACHE", Path(__file__).resolve().parent / ".cache" / "traces"))


def cached_trace(video: Path, backend: str = "solution", segmentation: bool = True) -> Path:
    """Path of the landmark trace of ``video``, running the pose model only when it isn't cached."""
    st = video.stat()
    flags = f"|{backend}" + ("|segmentation" if segmentation else "")  # without: the key of older caches
    key = hashlib.sha1(f"{video.resolve()}|{st.st_size}|{int(st.st_mtime)}{flags}".encode()).hexdigest()[:12]
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


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(cached_trace(Path(arg)))
