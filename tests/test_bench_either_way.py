"""bench/accuracy.py's side of the seated twists' changes: the naive baseline thresholds an either_way
measure (shoulder_yaw, signed) on its distance from the clip's first second, as the checker does; and the
report lists the clips filmed from where the live set-up check would ask for another camera placement."""

from __future__ import annotations

from pathlib import Path

from coach.engine.definition import load_exercise
from coach.trace import TraceSource
from rendered import trace_of

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_the_naive_counter_counts_a_signed_turn_either_way() -> None:
    from bench.accuracy import naive_threshold, run_naive

    ex = load_exercise("seated_spinal_twist")
    frames = list(TraceSource(str(trace_of(SAMPLES / "seated_spinal_twist" / "twist_good_01.labels.json"))))
    threshold = naive_threshold(ex, frames)
    assert threshold == ex.phases.hold_above_rest  # halfway between rest (0) and twice the count level
    # one turn to each side: on the signed value, thresholded one way, the other side's turn is never out
    assert len(run_naive(ex, frames, threshold).reps) == 2


def test_the_report_lists_clips_from_a_camera_the_set_up_check_refuses() -> None:
    from bench.accuracy import evaluate, placement_table, sample_clips

    ex = load_exercise("wall_pushup")
    assert ex.side_within_deg == 20.0
    clips = [c for c in sample_clips(["wall_pushup"], False, []) if c.labels.name in ("wpu_good_01", "wpu_mixed_03")]
    lines = placement_table(evaluate(clips, {"wall_pushup": ex}, []), {"wall_pushup": ex})
    listed = [line for line in lines[1:] if line.strip() and line.strip() != "none"]
    assert len(listed) == 1 and "wpu_mixed_03" in listed[0] and "count error -1" in listed[0]  # 35 deg from behind
