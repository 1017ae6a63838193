"""``coach analyze``: a recorded video (or a landmark trace) through the whole pipeline into DIR.

video -> pose backend -> trace (landmarks.jsonl) -> checker -> overlay -> annotated.mp4; report.json
at the end. A trace input skips inference (and has no pictures, so no annotated video). Ctrl-C
stops early and still writes the report from what was analysed.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Iterator, Optional

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import Exercise
from coach.errors import CoachError
from coach.pose.frame import PoseFrame
from coach.report import build_report, write_report
from coach.run_folder import disk_full
from coach.reporting import write_readable_report
from coach.sources import SourceInfo, VideoSource
from coach.stopping import StopSignals
from coach.trace import TraceSource, TraceWriter, quantize

REPORT, VIDEO, TRACE = "report.json", "annotated.mp4", "landmarks.jsonl"
TRUNCATED_SHARE = 0.95  # fewer of the frames the container announces decoded: the file is cut short


@dataclass
class StageTimes:
    """Seconds spent per pipeline stage: decode, inference, trace (rounding the landmarks to the
    trace's precision and writing them), engine (the checker), overlay, encode."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - since
        return now


@dataclass
class AnalysisResult:
    report: dict
    out_dir: str
    files: dict[str, str]
    interrupted: bool = False
    times: StageTimes = field(default_factory=StageTimes)
    # The human-readable report beside report.json ("html", "csv" -> path); empty if it could not be written.
    readable: dict[str, str] = field(default_factory=dict)
    exit_status: Optional[int] = None  # stopped by a signal: 128 + its number (SIGTERM 143, SIGHUP 129)


TRACE_SUFFIXES = (".jsonl", ".jsonl.gz")  # a landmark trace, plain or gzipped


def is_trace(path: str) -> bool:
    return path.endswith(TRACE_SUFFIXES)


def analyze(path: str, exercise: Exercise, out_dir: str, model: Optional[str] = None, backend: str = "solution",
            write_video: bool = True, progress: bool = True, history_db: Optional[str] = None,
            count_under_way: bool = True, workers: int = 1, stride: str = "off") -> AnalysisResult:
    """``count_under_way``: a movement already under way at the first frame counts (a recording that
    starts mid-rep); False where the first frame is a cut (a recognised stretch of a longer recording,
    whose start may hold the end of the exercise before). A video of 3 minutes or more is inferred in
    chunks (coach/chunks.py), on ``workers`` processes; the report is the same whatever ``workers``
    (a trace, or a shorter video, is one pass). ``stride``: ``auto`` infers fewer frames while the
    pose is held, ``off`` every frame (coach/pose/stride.py)."""
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as err:
        raise CoachError(f"cannot create the output folder {out_dir} ({err.strerror or err}): choose another --out") from None
    times = StageTimes()
    files = {"report": os.path.join(out_dir, REPORT)}
    checker = ExerciseChecker(exercise, count_under_way=count_under_way)
    interrupted = False
    if is_trace(path):
        trace = TraceSource(path)
        info, backend_desc = trace.info, {**trace.backend, "replayed_from": os.path.abspath(path)}
        frames: Iterator[tuple[Optional[object], PoseFrame]] = ((None, p) for p in trace)
        pose_backend = writer = video = overlay = None
    else:
        from coach import chunks
        from coach.heap import settle_for_long_session

        # Before MediaPipe's threads start: a long recording allocates frames as a long live session
        # does, and its chunks build and drop a graph a minute (coach/heap.py).
        settle_for_long_session()
        source = VideoSource(path)
        info = source.info
        from coach.pose.backends import backend_info, make_backend

        # An exercise that needs the person mask (cat-cow: the back's curve) gets it; the backend
        # turns it into PoseFrame.back right away, and the trace keeps that profile.
        parts = chunks.plan(info)
        if parts:  # a long video: inferred in chunks (on ``workers`` processes), joined here (coach/chunks.py)
            args = chunks.backend_args(model, backend, exercise.needs_segmentation, stride)
            pose_backend, backend_desc = chunks.start(path, source, parts, workers, args, out_dir)
            frames = pose_backend.frames(write_video, times)
        else:
            pose_backend = make_backend(model=model, backend=backend, segmentation=exercise.needs_segmentation,
                                        stride=stride)
            backend_desc = backend_info(pose_backend)
            frames = _infer(source, pose_backend, times)
        files["trace"] = os.path.join(out_dir, TRACE)
        try:
            writer = TraceWriter(files["trace"], info, backend_desc, exercise)
        except BaseException:
            pose_backend.close()  # (a pool of workers would otherwise carry on)
            raise
        video = overlay = None
        if write_video:
            from coach.overlay import Overlay
            from coach.video_out import VideoWriter

            files["video"] = os.path.join(out_dir, VIDEO)
            video = VideoWriter(files["video"], info.fps, info.width, info.height)
            overlay = Overlay(exercise)
    bar = _progress(info, progress)
    done, last_t, full, nothing = 0, None, False, False
    with_back = 0  # frames that carried the back's profile (exercises that need the person mask)

    def take(image: Optional[object], pose: PoseFrame) -> None:
        nonlocal done, last_t, with_back
        t0 = time.perf_counter()
        if writer is not None:  # a trace's frames are at the trace's precision already
            pose = quantize(pose)  # the checker sees what the trace keeps: a replay gives the same report
            writer.write(pose, quantized=True)
        t0 = times.add("trace", t0)
        result = checker.update(pose)
        t0 = times.add("engine", t0)
        if video is not None and image is not None:
            overlay.annotate(image, checker.pose or pose, result)  # as judged: a hidden leg carried
            t0 = times.add("overlay", t0)
            video.write(image)
            times.add("encode", t0)
        done, last_t = done + 1, pose.t
        with_back += pose.back is not None
        if bar is not None:
            bar.update(1)

    with StopSignals() as stop:  # SIGTERM/SIGHUP end the run as Ctrl-C does
        try:
            for image, pose in frames:
                take(image, pose)
        except (KeyboardInterrupt, OSError) as err:  # Ctrl-C, SIGTERM/SIGHUP (coach.stopping.Stopped), a full disk
            if isinstance(err, OSError) and not disk_full(err):
                raise
            interrupted, full = True, isinstance(err, OSError)
            held = getattr(pose_backend, "held", None)  # chunks: inferred frames that waited for a seam
            if held is not None and not full:
                try:
                    for pose in held():
                        take(None, pose)  # (not drawn: the annotated video ends where the join stopped)
                except KeyboardInterrupt:  # pressed again: what was taken is kept
                    pass
            info.frames = done  # what was analysed, not what the container announced
            info.duration_s = (last_t + 1.0 / info.fps) if last_t is not None else 0.0
        except CoachError:  # an input that gave nothing (no decodable frame): no header-only trace or
            nothing = done == 0  # unplayable video is left behind (and a folder picked for it is removed)
            raise
        finally:
            stop.finishing()  # a signal from now on waits until the report is written
            if bar is not None:
                bar.close()
            for closer in (writer, video, pose_backend):
                if closer is not None:
                    try:
                        closer.close()
                    except OSError as err:  # the last buffered bytes hit the full disk too
                        if not disk_full(err):
                            raise
                        full = True
            if nothing:
                for kind in ("trace", "video"):
                    if kind in files and os.path.exists(files[kind]):
                        os.remove(files[kind])
        describe = getattr(pose_backend, "describe", None)  # how many frames were inferred (and chunks)
        if describe is not None:
            backend_desc.update(describe())
        return _conclude(path, exercise, out_dir, info, checker, backend_desc, files, times, history_db,
                         interrupted or stop.signum is not None, with_back, stop.exit_status, full)


def _conclude(path: str, exercise: Exercise, out_dir: str, info: SourceInfo, checker: ExerciseChecker,
              backend_desc: dict, files: dict[str, str], times: StageTimes, history_db: Optional[str],
              interrupted: bool, with_back: int, exit_status: Optional[int], full: bool) -> AnalysisResult:
    """The report of what was analysed, and the human-readable one beside it. After the disk filled
    (``full``) the report (a few kB) is still tried: freed temporary files may have made room."""
    session = checker.finish()
    warnings = ("interrupted",) if interrupted else ()
    warnings += ("disk_full",) if full else ()
    if not interrupted and info.announced_frames and info.frames < TRUNCATED_SHARE * info.announced_frames:
        warnings += ("truncated",)  # a copy or upload cut short: the rest of the session is missing
    if exercise.needs_segmentation and session.frames_with_pose and not with_back:
        warnings += ("no_back_profile",)  # e.g. a trace recorded without the person mask: nothing to measure
    report = build_report(exercise, info, session, backend_desc, warnings)
    try:
        write_report(report, files["report"])
    except OSError as err:
        if not disk_full(err):
            raise
        trace = files.get("trace")
        kept = f"; the landmark trace {trace} keeps what was analysed: replay it once there is space" if trace else ""
        raise CoachError(f"the disk is full: the report could not be written to {files['report']}{kept}") from None
    readable = write_readable_report(out_dir, report, exercise, files.get("trace", path if is_trace(path) else None),
                                     history_db=history_db)  # the page compares with the previous session there
    return AnalysisResult(report=report, out_dir=out_dir, files=files, interrupted=interrupted, times=times,
                          readable=readable, exit_status=exit_status)


def _infer(source: VideoSource, backend: object, times: StageTimes) -> Iterator[tuple[object, PoseFrame]]:
    t0 = time.perf_counter()
    for frame in source:
        t0 = times.add("decode", t0)
        pose = backend.process(frame.image, frame.t, frame.index)  # type: ignore[attr-defined]
        times.add("inference", t0)
        yield frame.image, pose
        t0 = time.perf_counter()


def _progress(info: SourceInfo, enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=info.frames or None, unit="frame", desc="analysing", leave=False, dynamic_ncols=True)


def check_found_someone(result: AnalysisResult, path: str) -> None:
    """A run that never saw a person has nothing to report on: say so, as an error."""
    if result.report["tracking"]["frames_with_pose"] == 0:
        raise CoachError(f"nobody was found in {path}: make sure the whole body is in view and well lit "
                         f"(report written to {result.files['report']})")
