"""What a long session keeps is compact, and the report it gives is the one it gave before (issue 13).

The checker keeps the key measure of every counted frame for the report's phases (``Track``: times
as 4-byte ticks, values as doubles) where it once kept a list of (t, value) tuples; the live loop
keeps its latency figures as a histogram where it once kept every frame's. On shipped traces of
several kinds of exercise, replayed a few times over as one session, the report from the compact
record is the report from the plain list, to the byte. (How much memory that saves is measured by
bench/record_memory.py, not here.)"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise
from coach.engine.hindsight import Track
from coach.live.stats import FrameTiming, Histogram, LoopStats, percentile
from coach.report import build_report
from coach.trace import TraceSource

ROOT = Path(__file__).resolve().parents[1]
# A rep, a timed hold, one side then the other (per side), and alternating sides.
SHIPPED = [
    ("chair_squat", "samples/chair_squat/csq_mixed_03.landmarks.jsonl.gz"),
    ("forearm_plank", "samples/forearm_plank/fplank_faults_05.landmarks.jsonl.gz"),
    ("piriformis_stretch", "samples/piriformis_stretch/pir_good_01.landmarks.jsonl.gz"),
    ("side_knee_drop", "samples/side_knee_drop/kd_faults_03.landmarks.jsonl.gz"),
    ("back_extension", "samples/back_extension/bext_mixed_03.landmarks.jsonl.gz"),
]
LOOPS = 3


def replay_report(exercise_id: str, trace: Path, plain_track: bool) -> str:
    """The report (its times left out) of ``trace`` played LOOPS times over as one session, its times
    at a trace's precision as live and analyze give them; ``plain_track``: the checker keeps its
    track as the plain list of (t, value) tuples it kept before ``Track``."""
    exercise = load_exercise(exercise_id)
    source = TraceSource(str(trace))
    frames = list(source)
    period = frames[-1].t + 1.0 / source.info.fps
    checker = ExerciseChecker(exercise)
    if plain_track:
        assert isinstance(checker._series, Track)
        checker._series = []  # type: ignore[assignment]
    for k in range(LOOPS):
        for f in frames:
            checker.update(dataclasses.replace(f, t=round(f.t + k * period, 5), index=f.index + k * len(frames)))
    if not plain_track:
        assert isinstance(checker._series, Track) and checker._series._ticks is not None  # kept as ticks
    session = checker.finish()
    source.info.frames, source.info.duration_s = LOOPS * len(frames), LOOPS * period
    report = build_report(exercise, source.info, session, source.backend, ())
    report.pop("times")
    assert report["summary"]["reps"] > 0 and len(report["phases"]) > 3 * LOOPS
    return json.dumps(report, sort_keys=True)


@pytest.mark.parametrize("exercise_id,trace", SHIPPED, ids=[e for e, _ in SHIPPED])
def test_the_compact_record_gives_the_report_of_the_plain_one(exercise_id: str, trace: str) -> None:
    path = ROOT / trace
    if not path.is_file():
        pytest.skip(f"{trace} is not shipped")
    compact = replay_report(exercise_id, path, plain_track=False)
    plain = replay_report(exercise_id, path, plain_track=True)
    assert compact == plain


def test_track_keeps_every_pair_exactly() -> None:
    rng = np.random.default_rng(3)
    pairs = [(round(float(t), 5), float(v)) for t, v in zip(np.cumsum(rng.uniform(0.01, 0.05, 5000)), rng.normal(0, 50, 5000))]
    track = Track()
    for p in pairs:
        track.append(p)
    assert list(track) == pairs and len(track) == len(pairs)
    assert track._ticks is not None  # every time a whole tick: kept in 4 bytes each
    # A time that is not a whole tick (a checker fed unrounded times), or past the ticks' range:
    # the times turn into doubles, every pair still as it came.
    for odd in (pairs[-1][0] + 1.0 / 3.0, 30000.0):
        t2 = Track()
        more = pairs + [(odd, 1.5), (odd + 0.1, 2.5)]
        for p in more:
            t2.append(p)
        assert t2._ticks is None and list(t2) == more


def test_histogram_percentiles_are_those_of_the_durations_to_a_tenth_of_a_millisecond() -> None:
    rng = np.random.default_rng(4)
    xs = list(rng.gamma(4.0, 0.012, 3000)) + [2.7, 0.0, 5.25]  # a few past the dense bins (a stall)
    h = Histogram()
    for x in xs:
        h.add(x)
    binned = [round(x / Histogram.BIN_S) * Histogram.BIN_S for x in xs]
    for q in (0, 5, 50, 95, 99, 100):
        assert h.percentile(q) == pytest.approx(percentile(binned, q), abs=1e-9)
        assert abs(h.percentile(q) - percentile(xs, q)) <= Histogram.BIN_S / 2 + 1e-9
    assert h.count == len(xs)
    assert math.isnan(Histogram().percentile(50))


def test_loop_stats_summary_reads_the_histogram() -> None:
    stats = LoopStats()
    latencies = [0.030 + 0.001 * (k % 40) for k in range(400)]
    for k, lat in enumerate(latencies):
        shown = k / 30
        stats.add(FrameTiming(shown - lat, shown - lat + 0.002, shown - lat + 0.025, shown))
    summary = stats.summary()
    assert summary["latency_ms"]["p50"] == pytest.approx(round(1000 * percentile(latencies, 50), 1), abs=0.1)
    assert summary["latency_ms"]["p95"] == pytest.approx(round(1000 * percentile(latencies, 95), 1), abs=0.1)
    assert summary["inference_ms"]["p50"] == pytest.approx(23.0, abs=0.1)
