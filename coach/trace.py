"""The landmark trace: every analysis writes one, and ``coach analyze TRACE`` replays it without inference.

Format ``coach.trace/1`` (JSON Lines, UTF-8):

- line 1, the header::

    {"schema": "coach.trace/1", "source": {"path", "fps", "frames", "width", "height", "duration_s"},
     "backend": {"name", "model"}, "landmarks": [33 names], "point": ["x", "y", "z", "visibility"],
     "exercise": {"id", "name"}}

  ``exercise`` (optional; traces written before it have none) is the exercise the trace was
  recorded for: a replay without ``--exercise`` runs that one, and says so.
  ``backend`` may say more: ``"stride": "auto" | "off"`` (coach/pose/stride.py): with ``auto``,
  frames inferred while the pose was held still are interleaved with frames that carry the last
  inferred pose (same landmarks, their own ``i`` and ``t``); a replay sees exactly those.

- then one line per frame, in order::

    {"i": 0, "t": 0.0, "people": 1, "kp": [[x, y, z, visibility] * 33] | null, "world": [[x, y, z] * 33] | null}

  ``x``/``y`` are image pixels (origin top-left, y down), ``z`` is relative depth in the same pixel
  scale (smaller = nearer the camera), ``world`` is metres from the mid-hip. ``kp`` is null when
  nobody was found. Times are seconds from the start of the source.

  Optional, only when the analysis asked for the person segmentation (an exercise whose definition
  ``needs = ["segmentation"]``, e.g. cat-cow): ``"back": [h * 9]``, the back's profile measured on
  the mask right after inference (``coach.pose.back_profile``): the heights of the silhouette's top
  edge above the camera-side shoulder-hip line, in torso lengths (4 decimals), at 9 evenly spaced
  points from 10 % to 90 % of the way from shoulder to hip. Absent when there was no mask or no
  pose. The mask itself is not kept: a replay needs only the profile. With it, ``"under": [h * 9]``,
  the silhouette's lower edge at the same points (``back_profile.under_profile``; negative = below
  the line); traces written before it have none.

The writer flushes each line, so a session that ends badly keeps every frame it recorded. A trace
cut off mid-line (a crash while writing) is read up to its last whole line.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import math
import zlib
from typing import IO, TYPE_CHECKING, Iterator, Optional

import numpy as np

from coach.errors import CoachError
from coach.pose.frame import LANDMARK_NAMES, PoseFrame
from coach.sources import SourceInfo

if TYPE_CHECKING:
    from coach.engine.definition import Exercise

SCHEMA = "coach.trace/1"
BACK_DECIMALS = 4


def quantize(pose: PoseFrame) -> PoseFrame:
    """The pose at the precision a trace stores, so a replay sees exactly what the live run saw."""
    if pose.xy is None:
        return pose
    world = None if pose.world is None else np.round(pose.world, 4)
    back = None if pose.back is None else np.round(pose.back, BACK_DECIMALS)
    under = None if pose.under is None else np.round(pose.under, BACK_DECIMALS)
    return dataclasses.replace(pose, xy=np.round(pose.xy, 2), z=np.round(pose.z, 2),
                               visibility=np.round(pose.visibility, 4), world=world, t=round(pose.t, 5), back=back,
                               under=under)


class TraceWriter:
    def __init__(self, path: str, source: SourceInfo, backend: dict, exercise: Optional[Exercise] = None) -> None:
        self.path = path
        self._f: Optional[IO[str]] = open(path, "w", encoding="utf-8")
        header = {"schema": SCHEMA, "source": source.to_json(), "backend": backend,
                  "landmarks": list(LANDMARK_NAMES), "point": ["x", "y", "z", "visibility"],
                  **({"exercise": {"id": exercise.id, "name": exercise.name}} if exercise is not None else {})}
        self._write(header)

    def _write(self, obj: dict) -> None:
        self._write_line(json.dumps(obj, separators=(",", ":")))

    def _write_line(self, line: str) -> None:
        assert self._f is not None
        self._f.write(line + "\n")
        self._f.flush()

    def write(self, pose: PoseFrame, quantized: bool = False) -> None:
        """Append one frame. ``quantized``: the caller has already applied ``quantize`` (``analyze``
        does, so that the checker sees what the trace keeps), so it isn't done twice."""
        kp = world = "null"
        back = ""
        if pose.xy is not None:
            q = pose if quantized else quantize(pose)
            kp = _json_rows(np.column_stack((q.xy, q.z, q.visibility)))
            world = "null" if q.world is None else _json_rows(q.world)
            if q.back is not None:
                back = ',"back":' + json.dumps(q.back.tolist(), separators=(",", ":"))
            if q.under is not None:
                back += ',"under":' + json.dumps(q.under.tolist(), separators=(",", ":"))
        # The line json.dumps would write for {"i", "t", "people", "kp", "world"[, "back"][, "under"]}, byte for byte.
        self._write_line(f'{{"i":{int(pose.index)},"t":{float(round(pose.t, 5))!r},"people":{int(pose.people)},'
                         f'"kp":{kp},"world":{world}{back}}}')

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


def _json_rows(points: np.ndarray) -> str:
    """A 2-D float array as JSON, byte for byte what ``_write``'s ``json.dumps`` makes of ``points.tolist()``
    (a float is its repr) in half the time: one %-format of the flat values into a template of the nesting."""
    if not np.isfinite(points).all():
        return json.dumps(points.tolist(), separators=(",", ":"))  # json's spelling of NaN and Infinity
    return _rows_template(*points.shape) % tuple(points.ravel().tolist())


@functools.lru_cache(maxsize=8)
def _rows_template(rows: int, cols: int) -> str:
    row = "[" + ",".join(["%r"] * cols) + "]"
    return "[" + ",".join([row] * rows) + "]"


def open_trace(path: str) -> IO[str]:
    """A trace file for reading as text; a committed one may be gzipped (``*.jsonl.gz``)."""
    if str(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, "r", encoding="utf-8")


def recorded_exercise(path: str) -> Optional[str]:
    """The id of the exercise a trace's header says it was recorded for; None when it says none (an
    older trace) or the header can't be read (the replay itself then says what is wrong)."""
    try:
        with open_trace(path) as f:
            header = json.loads(f.readline())
    except (OSError, UnicodeDecodeError, ValueError, EOFError, zlib.error):
        return None
    exercise = header.get("exercise") if isinstance(header, dict) else None
    ex_id = exercise.get("id") if isinstance(exercise, dict) else None
    return ex_id if isinstance(ex_id, str) and ex_id else None


def _fail(path: str, line: int, problem: str) -> CoachError:
    return CoachError(f"{path} line {line}: {problem} (not a coach.trace/1 landmark trace; re-run the analysis on the video)")


MAX_PEOPLE = 64  # a frame says how many people it saw: more is not a count, it is a broken record
MAX_COORD = 1e6  # pixels (or metres for world points) a landmark may lie from the origin: beyond, garbage


def _whole(value: object, what: str, low: int, high: int) -> int:
    """An integer field (JSON number with no fraction) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value) or not low <= value <= high:
        raise ValueError(f"'{what}' must be a whole number from {low} to {high}, got {value!r:.40}")
    return int(value)


def _points(value: object, what: str, cols: int) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != (33, cols) or not np.isfinite(arr).all() or (np.abs(arr[:, :3]) > MAX_COORD).any():
        raise ValueError(f"'{what}' must be 33 points of {cols} finite numbers of sensible size, got shape {arr.shape}")
    return arr


def _heights(path: str, line_no: int, obj: dict, key: str) -> Optional[np.ndarray]:
    """A mask edge profile of a frame record (``back``, ``under``): at least 3 finite heights, or absent."""
    value = obj.get(key)
    if value is None:
        return None
    heights = np.asarray(value, dtype=np.float64)
    if heights.ndim != 1 or len(heights) < 3 or not np.isfinite(heights).all():
        raise _fail(path, line_no, f"'{key}' must be a list of at least 3 finite heights, got {value!r:.60}")
    return heights


def _parse_frame(path: str, line_no: int, obj: dict, width: int, height: int) -> PoseFrame:
    """One frame record, every field checked: a record that breaks any rule refuses the whole file
    with its line number (a trace is the product's own output: a bad line means it was edited or
    damaged, and guessing around it would give a report that looks right and is not)."""
    try:
        index = _whole(obj["i"], "i", 0, 2**53)
        t = obj["t"]
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
            raise ValueError(f"'t' must be a finite number of seconds, got {t!r:.40}")
        t = float(t)
        people = _whole(obj.get("people", 1), "people", 0, MAX_PEOPLE)
        kp = obj.get("kp")
        if kp is None:
            return PoseFrame(index=index, t=t, width=width, height=height, people=people)
        arr = _points(kp, "kp", 4)
        if ((arr[:, 3] < 0) | (arr[:, 3] > 1)).any():
            raise ValueError("'kp' visibility (the 4th number of each point) must be from 0 to 1")
        world = obj.get("world")
        world_arr = None if world is None else _points(world, "world", 3)
        back_arr, under_arr = (_heights(path, line_no, obj, key) for key in ("back", "under"))
    except (KeyError, TypeError, ValueError, OverflowError) as err:
        raise _fail(path, line_no, f"bad frame record ({type(err).__name__}: {err})") from None
    return PoseFrame(index=index, t=t, width=width, height=height, xy=arr[:, :2], z=arr[:, 2],
                     visibility=arr[:, 3], world=world_arr, people=people, back=back_arr,
                     under=under_arr)


class TraceSource:
    """Replays a trace as PoseFrames; ``info`` describes the original video."""

    kind = "trace"

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._f = open_trace(path)
            first = self._f.readline()
            header = json.loads(first)
        except FileNotFoundError:
            raise CoachError(f"trace not found: {path} (check the path)") from None
        except (UnicodeDecodeError, json.JSONDecodeError, OSError, EOFError, zlib.error):
            raise _fail(path, 1, "the header is not JSON") from None
        if not isinstance(header, dict) or header.get("schema") != SCHEMA:
            raise _fail(path, 1, f"schema is {header.get('schema') if isinstance(header, dict) else None!r}, expected {SCHEMA!r}")
        try:
            src = header["source"]
            fps, duration = float(src["fps"]), float(src.get("duration_s", 0.0))
            if not (math.isfinite(fps) and 0 < fps <= 1000):
                raise ValueError(f"fps must be a number above 0 and at most 1000, got {src['fps']!r:.40}")
            if not (math.isfinite(duration) and duration >= 0):
                raise ValueError(f"duration_s must be a finite number, 0 or more, got {src.get('duration_s')!r:.40}")
            self.info = SourceInfo(path=str(src["path"]), fps=fps, frames=_whole(src["frames"], "frames", 0, 2**53),
                                   width=_whole(src["width"], "width", 1, 100_000),
                                   height=_whole(src["height"], "height", 1, 100_000),
                                   duration_s=duration, kind="trace")
        except (KeyError, TypeError, ValueError, OverflowError) as err:
            raise _fail(path, 1, f"the header's source is incomplete or wrong ({err})") from None
        self.backend = header.get("backend", {})

    def close(self) -> None:
        """Close the file before the replay's end (a reader that stops early)."""
        self._f.close()

    def __iter__(self) -> Iterator[PoseFrame]:
        count = 0
        last_t = None
        for line_no, line in enumerate(self._f, start=2):
            if not line.endswith("\n"):
                break  # cut off mid-write: keep what is whole
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                raise _fail(self.path, line_no, "not JSON") from None
            if not isinstance(obj, dict):
                raise _fail(self.path, line_no, "a frame record must be a JSON object")
            pose = _parse_frame(self.path, line_no, obj, self.info.width, self.info.height)
            if last_t is not None and pose.t <= last_t:
                raise _fail(self.path, line_no, f"its time {pose.t:g} s does not come after the frame before "
                                                f"({last_t:g} s)")
            count += 1
            last_t = pose.t
            yield pose
        self._f.close()
        if count == 0:
            raise CoachError(f"{self.path} has no frames (the trace is empty)")
        self.info.frames = count
        if last_t is not None:
            self.info.duration_s = max(self.info.duration_s, last_t + 1.0 / self.info.fps)
