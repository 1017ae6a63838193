"""A long recording analysed in overlapping chunks, on one process or on several (``--workers N``).

Inference (MediaPipe) is nearly all of an analysis's time; the checker after it is cheap and
sequential. So worker processes (one MediaPipe each, a process pool as ``coach batch`` has) each
infer a range of the video's frames into a partial landmark trace, and the main process joins the
partial traces, in order, into the poses ``coach.analyze`` feeds its usual loop (the run's trace,
the checker, the overlay and encoder): the report and trace have the single pass's form.

The plan is the video's, not the machine's. MediaPipe tracks from frame to frame (each frame's
region of interest comes from the last frame's landmarks, and landmarks, visibility and the person
mask are smoothed over time), so a run started cold at a seam never becomes bit-identical to one
that ran through it: two runs keep the 1-5 px apart that MediaPipe's own frame-to-frame jitter is
(bench/chunks.py --warmup). A report that changed with ``--workers`` would make a tester's figures
depend on the machine. So every video of ``MIN_CHUNKS`` chunks or more (3 minutes) is cut into
chunks of ``CHUNK_S`` whatever the number of workers; with one worker the chunks run one after the
other in this process (``ChunkRun``), with more on a pool. Each chunk is a fresh MediaPipe from its
warm-up's first frame, so its poses are the same wherever it runs, and ``--workers 1`` and
``--workers N`` give the same report to the byte (tests/test_analyze_chunks.py, bench/chunks.py).
Against one run through the whole video (``COACH_CHUNK_FRAMES=0``) the report tells the same
session; a threshold crossing may fall a frame or two apart.

Seams. Each chunk starts ``WARMUP_FRAMES`` before its range; the frames of that overlap are
inferred by both neighbours, and the seam is put at the frame of it where the two runs agree best
(after ``SETTLED_FRAMES`` of warm-up).

Frame indices and times are the whole video's: a chunk seeks (``VideoSource.start_at``) and counts
from where it meant to land; the overlap's timestamps, decoded by both neighbours, must agree
frame for frame (a chunk that landed a few frames off is re-indexed by them, one that cannot be
matched is an error), and with the annotated video the main process's own sequential decode must
match every pose's index and time.
"""

from __future__ import annotations

import dataclasses
import errno
import itertools
import multiprocessing
import os
import queue
import shutil
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

import numpy as np

from coach.errors import CoachError
from coach.pose.frame import PoseFrame
from coach.sources import SourceInfo, VideoSource

if TYPE_CHECKING:
    from coach.analyze import StageTimes

# Frames a chunk is inferred before its range, and how many of them at least before the seam may
# fall. bench/chunks.py --warmup (5 renders: bridge, cat-cow, knee-to-chest, chair squat, side plank;
# 3 cold starts each; the largest over them): a cold start is 3-10 px (largest landmark distance)
# and 0.1-0.28 in visibility from the single pass; after 60 frames still up to 11 px / 0.08; after
# 90 up to 3.3 px / 0.07; after 180 up to 3 px / 0.02. The landmark distance levels off at MediaPipe's
# own jitter by 90 frames on every clip; visibility (smoothed) keeps converging.
WARMUP_FRAMES = 90
SETTLED_FRAMES = 60
# 60 s: the warm-up adds 5 % of inference (what --workers 1 pays for a report that does not depend on
# the workers); an hour is 60 chunks, enough to keep any number of workers busy to the end.
CHUNK_S = 60.0
MIN_CHUNKS = 3  # a video shorter than this many chunks runs as a single pass (3 minutes; cli.py says so)
CHUNK_FRAMES_ENV = "COACH_CHUNK_FRAMES"  # internal (tests, bench/chunks.py): chunks of this many frames, 0 none
PARTIALS = ".chunks"  # in the run's folder while it runs: one partial trace per chunk (workers only)


@dataclass(frozen=True)
class Chunk:
    number: int
    warm_start: int  # the first frame inferred: WARMUP_FRAMES before ``start`` (0 for the first chunk)
    start: int  # the first frame it owns
    end: Optional[int]  # the first frame it does not own (the next chunk's start); None: to the video's end


def plan(info: SourceInfo, warmup: int = WARMUP_FRAMES) -> list[Chunk]:
    """The chunks to cut the video into, from its length alone; [] for a single pass (a short
    video, an unknown length)."""
    forced = os.environ.get(CHUNK_FRAMES_ENV)
    size = int(forced) if forced else int(round(CHUNK_S * info.fps))
    if size <= 0 or info.announced_frames <= 0:
        return []
    count = info.announced_frames // size  # the last chunk takes the rest, to the video's end
    if count < MIN_CHUNKS or size <= warmup:
        return []
    starts = [k * size for k in range(count)]
    return [Chunk(k, max(0, s - warmup), s, starts[k + 1] if k + 1 < count else None) for k, s in enumerate(starts)]


@dataclass(frozen=True)
class ChunkDone:
    number: int
    frames: int  # frames given, the warm-up's included
    to_end: bool  # it reached its end (False: the video ended before, the disk filled, or it was stopped)
    disk_full: bool = False
    inferred: int = 0  # frames the pose model ran on (fewer than ``frames`` with a stride)


class ChunkRun:
    """One chunk's poses, from its warm-up's first frame to its end, inferred by ``backend`` (a fresh
    one: what it gives must not depend on what ran before it). Iterate once; ``done()`` after."""

    def __init__(self, path: str, chunk: Chunk, backend: Any, stopped: Callable[[], bool] = lambda: False,
                 times: "Optional[StageTimes]" = None) -> None:
        from coach.analyze import StageTimes

        self.chunk, self.backend, self._stopped = chunk, backend, stopped
        self.times = times if times is not None else StageTimes()
        self.source = VideoSource(path)
        self.source.start_at(chunk.warm_start)
        self.frames, self.reached = 0, chunk.end is None

    def __iter__(self) -> Iterator[PoseFrame]:
        from coach.analyze import _infer

        # analyze's own decode-and-infer loop, so that whatever it does per frame a chunk does too
        # (it infers the frame at ``end`` before this sees it: one frame a chunk, thrown away)
        for _, pose in _infer(self.source, self.backend, self.times):
            if self.chunk.end is not None and pose.index >= self.chunk.end:
                self.reached = True
                return
            if self._stopped():
                self.reached = False
                return
            self.frames += 1
            yield pose
        self.reached = self.chunk.end is None and not self._stopped()

    def _inferred(self) -> int:
        describe = getattr(self.backend, "describe", None)  # strided: the frames really inferred
        return describe()["frames_inferred"] if describe is not None else self.frames

    def done(self, disk_full: bool = False) -> ChunkDone:
        inferred = self._inferred() if self.backend is not None else self.inferred
        return ChunkDone(self.chunk.number, self.frames, self.reached and not disk_full, disk_full, inferred)

    def close(self) -> None:
        if self.backend is not None:  # (closed once: by the join when it is read, or by a stop)
            from coach.heap import trim

            self.inferred = self._inferred()
            self.source.close()
            self.backend.close()
            self.backend = None
            trim()  # a graph's buffers back to the system before the next chunk builds its own


# --- in a worker process ---------------------------------------------------------------------------

_worker: dict[str, Any] = {}  # the stop event, the event queue and the main process's id


def _init_worker(stop: Any, events: Any, parent: int) -> None:
    from coach.batch.worker import limit_threads

    limit_threads()
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # Ctrl-C reaches the whole process group: the main
        sig = getattr(signal, name, None)  # process stops the workers (its stop event), and its report
        if sig is not None:  # still needs their partial traces
            signal.signal(sig, signal.SIG_IGN)
    _worker.update(stop=stop, events=events, parent=parent)


def _stopped() -> bool:
    stop = _worker.get("stop")
    return (stop is not None and stop.is_set()) or ("parent" in _worker and os.getppid() != _worker["parent"])


def infer_chunk(path: str, chunk: Chunk, out: str, backend_args: dict) -> ChunkDone:
    """Infer ``chunk``'s frames (its warm-up's included) into the partial trace ``out``."""
    from coach.pose.backends import backend_info, make_backend
    from coach.run_folder import disk_full
    from coach.trace import TraceWriter

    pose_backend = make_backend(**backend_args)
    run = ChunkRun(path, chunk, pose_backend, _stopped)
    writer = None
    try:
        desc = backend_info(pose_backend)
        if chunk.number == 0 and _worker.get("events") is not None:
            _worker["events"].put(desc)  # the run's trace header and report say which backend
        writer = TraceWriter(out, run.source.info, desc)
        for pose in run:
            writer.write(pose)
    except OSError as err:
        if not disk_full(err):
            raise
        return run.done(disk_full=True)
    finally:
        run.close()
        if writer is not None:
            try:
                writer.close()
            except OSError:
                pass  # (the disk filled: told by the write that failed)
    return run.done()


# --- in the main process ----------------------------------------------------------------------------

def pose_difference(a: PoseFrame, b: PoseFrame) -> float:
    """The largest distance (pixels) between the same landmark in two runs' poses of one frame;
    infinite when one found somebody and the other did not."""
    if a.xy is None or b.xy is None:
        return 0.0 if a.xy is None and b.xy is None else float("inf")
    return float(np.max(np.linalg.norm(a.xy - b.xy, axis=1)))


class ChunkedInference:
    """The chunks, run one after the other here (one worker) or on a pool from construction;
    ``frames`` joins them; ``close`` stops the workers and removes the partial traces."""

    def __init__(self, path: str, source: VideoSource, chunks: list[Chunk], workers: int, backend_args: dict,
                 out_dir: str) -> None:
        self.path, self.source, self.chunks, self.backend_args = path, source, chunks, backend_args
        self._folder = os.path.join(out_dir, PARTIALS)
        self._joining: Optional[Iterator[tuple[Optional[np.ndarray], PoseFrame]]] = None
        self._outcomes: list[ChunkDone] = []
        self._tail: list[PoseFrame] = []  # joined, held for the next seam (``held``)
        self._given = -1  # the index of the last frame given
        self._current: Optional[ChunkRun] = None
        self._first: Any = None  # one worker: the first chunk's backend, made early to describe it
        self._pool: Optional[ProcessPoolExecutor] = None
        if workers <= 1:
            return
        os.makedirs(self._folder, exist_ok=True)
        ctx = multiprocessing.get_context("spawn")  # a clean interpreter per worker, as coach batch
        self._stop, self._events = ctx.Event(), ctx.Queue()
        self._pool = ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=ctx,
                                         initializer=_init_worker, initargs=(self._stop, self._events, os.getpid()))
        self._futures = [self._pool.submit(infer_chunk, path, c, self._partial(c), backend_args) for c in chunks]

    def _partial(self, chunk: Chunk) -> str:
        return os.path.join(self._folder, f"{chunk.number:05d}.jsonl")

    def backend(self) -> dict:
        """The backend's description, as the first chunk's backend made it."""
        from coach.pose.backends import backend_info, make_backend

        if self._pool is None:  # the first chunk's own backend, made now: no graph is built only to be described
            self._first = make_backend(**self.backend_args)
            return backend_info(self._first)
        while True:
            try:
                return self._events.get(timeout=0.2)
            except queue.Empty:
                if self._futures[0].done():
                    self._futures[0].result()  # its error, if it failed
                    raise CoachError(f"no pose backend could be started for {self.path}")

    def describe(self) -> dict:
        """For the report's ``backend``: the chunks joined and the frames the pose model ran on (the
        warm-ups' included; fewer than the frames with a stride)."""
        outcomes = list(self._outcomes)
        if self._current is not None and self._current.chunk.number == len(outcomes):  # stopped in it
            outcomes.append(self._current.done())
        return {"chunks": len(outcomes), "frames_inferred": sum(d.inferred for d in outcomes)}

    def frames(self, pictures: bool, times: StageTimes) -> Iterator[tuple[Optional[np.ndarray], PoseFrame]]:
        """(image, pose) per frame as a single pass gives them; image None without ``pictures``
        (then nothing is decoded here but the chunks)."""
        self._joining = self._frames(pictures, times)
        return self._joining

    def _frames(self, pictures: bool, times: StageTimes) -> Iterator[tuple[Optional[np.ndarray], PoseFrame]]:
        decoded = iter(self.source) if pictures else None
        if decoded is None:
            self.source.close()
        count, last_t = 0, None
        for pose in self._joined(times):
            image = None
            if decoded is not None:
                t0 = time.perf_counter()
                frame = next(decoded, None)
                times.add("decode", t0)
                if frame is None or frame.index != pose.index or round(frame.t, 5) != pose.t:
                    raise CoachError(self._misaligned())
                image = frame.image
            count, last_t = count + 1, pose.t
            yield image, pose
        if count == 0:
            raise CoachError(f"{self.path} has no frames that can be decoded (the file may be empty or corrupt)")
        if decoded is not None and next(decoded, None) is not None:  # (and the source has finished reading)
            raise CoachError(self._misaligned())
        info = self.source.info  # what a single pass's source says at its end
        info.frames, info.duration_s = count, last_t + 1.0 / info.fps

    def _misaligned(self) -> str:
        return (f"seeking in {self.path} does not land on whole frames (its timestamps do not match from one "
                "chunk to the next): analyse it without --workers")

    def _runs(self, times: StageTimes) -> Iterator[tuple[Iterator[PoseFrame], Callable[[], ChunkDone]]]:
        """Each chunk's poses in turn, and how it ended (asked once they are read)."""
        from coach.pose.backends import make_backend

        for k, chunk in enumerate(self.chunks):
            if self._pool is None:  # inferred here, now
                backend, self._first = (self._first or make_backend(**self.backend_args)), None
                self._current = run = ChunkRun(self.path, chunk, backend, times=times)
                try:
                    yield iter(run), run.done
                finally:
                    run.close()
                continue
            t0 = time.perf_counter()
            done = self._futures[k].result()
            times.add("inference", t0)  # (the time spent waiting for the workers)
            yield self._read(chunk, done), lambda done=done: done

    def _read(self, chunk: Chunk, done: ChunkDone) -> Iterator[PoseFrame]:
        from coach.trace import TraceSource

        if done.frames:
            partial = TraceSource(self._partial(chunk))
            try:
                yield from partial
            finally:  # (stopped part-way: an open file would keep its disk space after it is removed)
                partial.close()
        try:
            os.remove(self._partial(chunk))  # joined: its disk space is the run's trace's now
        except OSError:
            pass

    def held(self) -> list[PoseFrame]:
        """After a stop: the frames joined but held back for the next seam (the earlier chunk's
        own, not yet given), for the report of what was analysed."""
        held, self._tail = [p for p in self._tail if p.index > self._given], []
        return held

    def _joined(self, times: StageTimes) -> Iterator[PoseFrame]:
        for pose in self._joining_order(times):
            self._given = pose.index
            yield pose

    def _joining_order(self, times: StageTimes) -> Iterator[PoseFrame]:
        self._tail = []  # the last chunk's frames from the next one's warm-up on
        for k, (poses, outcome) in enumerate(self._runs(times)):
            if k > 0:
                warm = [p for _, p in zip(range(len(self._tail) + WARMUP_FRAMES), poses)]  # enough to align on
                j, shift = self._seam(self._tail, warm)
                yield from (p for p in self._tail if p.index < j)
                self._tail = []
                poses = itertools.chain(warm, poses)
                if shift:  # it landed a few frames off: the whole video's indices
                    poses = (dataclasses.replace(p, index=p.index + shift) for p in poses)
                poses = (p for p in poses if p.index >= j)
            following = self.chunks[k + 1].warm_start if k + 1 < len(self.chunks) else None
            for pose in poses:
                if following is not None and pose.index >= following:
                    self._tail.append(pose)  # held until the next chunk says where the seam goes
                else:
                    yield pose
            done = outcome()
            self._outcomes.append(done)
            if not done.to_end:  # the video ended here (or the disk filled): a single pass ends here too
                yield from self._tail
                self._tail = []
                if done.disk_full:
                    raise OSError(errno.ENOSPC, "the disk is full (a worker's partial trace)")
                return
        yield from self._tail
        self._tail = []

    def _seam(self, tail: list[PoseFrame], warm: list[PoseFrame]) -> tuple[int, int]:
        """Where to pass from the earlier chunk (``tail``: its frames in the overlap) to the later one
        (``warm``: its first frames): the frame of the overlap where they agree best after at least
        SETTLED_FRAMES of warm-up. Returns that index and what to add to the later chunk's indices
        to make them the whole video's (0 where its seek landed where it meant to)."""
        if not warm:  # the earlier chunk decoded up to this one's start, this one nothing: its seek failed
            raise CoachError(self._misaligned())
        if not tail:
            return warm[0].index, 0
        by_t = {p.t: p.index for p in tail}
        if warm[0].t in by_t:
            shift = by_t[warm[0].t] - warm[0].index
        else:  # landed before the overlap's first frame: find that frame in the later run
            first = next((p for p in warm if p.t == tail[0].t), None)
            if first is None:
                raise CoachError(self._misaligned())
            shift = tail[0].index - first.index
        earlier = {p.index: p for p in tail}
        common = [(earlier[p.index + shift], p) for p in warm if p.index + shift in earlier]
        if any(a.t != b.t for a, b in common):
            raise CoachError(self._misaligned())
        if not common:
            return warm[0].index + shift, shift
        settled = min(SETTLED_FRAMES, len(common) - 1)
        _, j = min((pose_difference(a, b), a.index) for a, b in common[settled:])  # of equals the earliest
        return j, shift

    def close(self) -> None:
        if self._joining is not None:
            self._joining.close()  # the partial trace being read is closed
        if self._current is not None:
            self._current.close()
        if self._first is not None:  # (stopped before the first chunk began)
            self._first.close()
            self._first = None
        if self._pool is None:
            return
        self._stop.set()  # the workers stop at their next frame
        for future in self._futures:
            future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._events.close()
        shutil.rmtree(self._folder, ignore_errors=True)


def backend_args(model: Optional[str], backend: str, segmentation: bool, stride: str) -> dict:
    """``make_backend``'s arguments for the workers. The Tasks bundle built from the wheel is built
    here first: N workers building it at once would write the same file."""
    if not model and backend == "tasks":
        from coach.pose.taskbundle import bundled_task_path

        model = str(bundled_task_path())
    return {"model": model, "backend": backend, "segmentation": segmentation, "stride": stride}


def start(path: str, source: VideoSource, chunks: list[Chunk], workers: int, backend_args: dict,
          out_dir: str) -> tuple[ChunkedInference, dict]:
    """The chunks started, and the backend's description (the pool shut down again if that fails)."""
    inference = ChunkedInference(path, source, chunks, workers, backend_args, out_dir)
    try:
        return inference, inference.backend()
    except BaseException:
        inference.close()
        raise
