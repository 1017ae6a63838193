"""Pelvic tilt (issue 14, the lying exercises): the definition, the mask's lower edge and the
low_back_press measure on made-up masks, the trace keeping that edge, and the checker on the
rendered clips of samples/pelvic_tilt/ (shipped landmark traces, no inference) against their truth."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from coach.engine.checker import ExerciseChecker
from coach.engine.definition import load_exercise, parse_exercise
from coach.errors import CoachError
from coach.labels import position_band, position_times
from coach.measures import MEASURES, low_back_press
from coach.pose.back_profile import N_SAMPLES, under_profile, with_back
from coach.pose.frame import PoseFrame
from coach.sources import SourceInfo
from coach.trace import TraceSource, TraceWriter

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "pelvic_tilt"
CLIPS = sorted(p.name[: -len(".labels.json")] for p in SAMPLES.glob("*.labels.json"))
HOLD_TARGET_S = 3.0  # the handout's first target; the rendered holds last 5-6 s

W, H = 640, 480
SHOULDER = np.array([250.0, 250.0])
HIP = np.array([400.0, 250.0])  # torso 150 px, horizontal, head to the left
TORSO = 150.0


# -- the definition -------------------------------------------------------------------------------

def test_definition_loads_with_the_handout_targets_and_the_catalogue_faults() -> None:
    ex = load_exercise("pelvic_tilt")
    assert ex.hold_target_s == 3.0 and ex.presets["long"]["hold_s"] == 20.0
    assert ex.needs_segmentation and ex.phases.measure == "low_back_press"
    assert {f.code for f in ex.faults} >= {"hips_lifted", "no_tilt"}
    assert any(p.to_start for p in ex.posture)
    assert "worse" in ex.instructions


def _toml_data() -> dict:
    import tomllib

    with open(ROOT / "poses" / "pelvic_tilt.toml", "rb") as fh:
        return tomllib.load(fh)


@pytest.mark.parametrize("change, words", [
    (lambda d: d["phases"].update(measure="low_back_pres"), "unknown measure"),
    (lambda d: d["faults"][1].update(below=20.0), "must be from"),
    (lambda d: d["phases"].update(rest_within=0.01), "hysteresis"),
    (lambda d: d.update(needs=["depth"]), "unknown need"),
    (lambda d: d["faults"][2].update(hides_rep=True), "hides_rep"),
])
def test_bad_definitions_are_refused(change, words: str) -> None:  # type: ignore[no-untyped-def]
    data = _toml_data()
    change(data)
    with pytest.raises(CoachError, match=words):
        parse_exercise(data, "pelvic_tilt.toml")


# -- the lower edge of the person mask -----------------------------------------------------------

def lying_mask(gap_px: float, floor_y: float = 300.0, top_y: float = 200.0) -> np.ndarray:
    """A body lying along the shoulder-hip line: from ``top_y`` down to the floor at ``floor_y``,
    except under the low back (60-95 % of the way to the hip), where it stops ``gap_px`` short of the
    floor (the lordosis' gap; 0 = pressed flat)."""
    m = np.zeros((H, W), np.float32)
    for x in range(int(SHOULDER[0]) - 20, int(HIP[0]) + 60):
        u = (x - SHOULDER[0]) / (HIP[0] - SHOULDER[0])
        bottom = floor_y - (gap_px * math.sin(math.pi * (u - 0.5) / 0.5) if 0.5 < u < 1.0 else 0.0)
        m[int(top_y): int(round(bottom)), x] = 1.0
    return m


def test_the_lower_edge_is_where_the_body_meets_the_floor() -> None:
    under = under_profile(lying_mask(0.0), SHOULDER, HIP)
    assert under is not None and under.shape == (N_SAMPLES,)
    assert under == pytest.approx(np.full(N_SAMPLES, -(300.0 - 250.0) / TORSO), abs=1.5 / TORSO)


def test_pressing_the_low_back_down_raises_low_back_press() -> None:
    def press(gap: float) -> float:
        pose = PoseFrame(0, 0.0, W, H, xy=np.zeros((33, 2)), under=under_profile(lying_mask(gap), SHOULDER, HIP))
        return low_back_press(pose, "left")

    arched, flat = press(8.0), press(0.0)
    assert flat > arched
    assert flat - arched == pytest.approx(8.0 * 0.8 / TORSO, rel=0.35)  # most of the gap, in torso lengths


def test_low_back_press_needs_the_mask() -> None:
    assert math.isnan(MEASURES["low_back_press"](PoseFrame(0, 0.0, W, H, xy=np.zeros((33, 2))), "left"))


def test_with_back_sets_both_edges_and_the_trace_keeps_the_lower_one(tmp_path: Path) -> None:
    xy = np.zeros((33, 2))
    xy[11], xy[12], xy[23], xy[24] = SHOULDER, SHOULDER, HIP, HIP  # left/right shoulder, hip
    pose = PoseFrame(0, 0.0, W, H, xy=xy, z=np.zeros(33), visibility=np.ones(33), people=1,
                     mask=lying_mask(6.0))
    pose = with_back(pose)
    assert pose.back is not None and pose.under is not None
    path = tmp_path / "t.jsonl"
    w = TraceWriter(str(path), SourceInfo(path="x.mp4", fps=30.0, frames=1, width=W, height=H), {"name": "t", "model": "m"})
    w.write(dataclasses.replace(pose, mask=None))
    w.close()
    (back,) = list(TraceSource(str(path)))
    assert back.under == pytest.approx(np.round(pose.under, 4))
    assert back.back == pytest.approx(np.round(pose.back, 4))


def test_a_trace_without_the_lower_edge_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    w = TraceWriter(str(path), SourceInfo(path="x.mp4", fps=30.0, frames=1, width=W, height=H), {"name": "t", "model": "m"})
    w.write(PoseFrame(0, 0.0, W, H, xy=np.zeros((33, 2)), z=np.zeros(33), visibility=np.ones(33), people=1,
                      back=np.zeros(9)))
    w.close()
    assert "under" not in path.read_text().splitlines()[1]
    (back,) = list(TraceSource(str(path)))
    assert back.under is None and math.isnan(low_back_press(back, "left"))


# -- the rendered clips ---------------------------------------------------------------------------

def _run(clip: str):  # type: ignore[no-untyped-def]
    ex = load_exercise("pelvic_tilt").with_targets(hold_s=HOLD_TARGET_S)
    checker = ExerciseChecker(ex)
    for pose in TraceSource(str(SAMPLES / f"{clip}.landmarks.jsonl.gz")):
        checker.update(pose)
    return checker.finish()


def _labels(clip: str) -> dict:
    return json.loads((SAMPLES / f"{clip}.labels.json").read_text())


def test_the_rendered_clips_are_shipped_with_their_traces() -> None:
    assert len(CLIPS) >= 6
    for clip in CLIPS:
        for suffix in (".mp4", ".truth.json.gz", ".landmarks.jsonl.gz"):
            assert (SAMPLES / f"{clip}{suffix}").is_file(), clip + suffix
    bodies = {_labels(c)["body"] for c in CLIPS}
    azimuths = {_labels(c)["view"]["azimuth_deg"] for c in CLIPS}
    faults = {f for c in CLIPS for r in _labels(c)["reps"] for f in r["faults"]}
    assert len(bodies) >= 2 and 0 in azimuths and any(abs(a) >= 30 for a in azimuths)
    assert faults == {"hips_lifted", "no_tilt"}


# Full tilts the coach does not see, by clip and labelled rep index: the heavier body filmed from
# -35 deg (toward the feet) moves the mask's lower edge by 0.005 torso lengths, under the 0.006 a
# rep needs (poses/pelvic_tilt.toml). A known limit, kept here so a change that finds it (or loses
# another) shows.
# pt_good_lifted_06's first tilt is pressed in slower than still_per_s and the resting level follows it
# (poses/pelvic_tilt.toml's header says why that stays).
KNOWN_MISSED = {"pt_good_lifted_06": {1}}
HIDING = {f.code for f in load_exercise("pelvic_tilt").faults if f.hides_rep}


def _visible(labels: dict) -> list[dict]:
    """The labelled reps the coach sees: a no_tilt rep moves the pelvis a quarter to a third of a
    tilt, which reads within the measure's drift (poses/pelvic_tilt.toml): the definition says so
    (hides_rep) and it is not counted."""
    missed = KNOWN_MISSED.get(Path(labels["video"]).stem, set())
    return [r for r in labels["reps"] if not HIDING & set(r["faults"]) and r["index"] not in missed]


def test_no_tilt_is_declared_too_small_to_see_and_the_report_says_so() -> None:
    from coach.reporting.about import measure_notes

    assert HIDING == {"no_tilt"}
    note = next(n for n in measure_notes(load_exercise("pelvic_tilt")) if n.key == "low_back_press")
    assert "not counted" in note.target


def _overlaps(rep, label: dict) -> bool:  # type: ignore[no-untyped-def]
    return min(rep.end_s, label["end_s"]) - max(rep.start_s, label["start_s"]) > 0


@pytest.mark.parametrize("clip", CLIPS)
def test_every_visible_rep_is_counted_once_and_nothing_else(clip: str) -> None:
    labels = _labels(clip)
    session = _run(clip)
    visible = _visible(labels)
    assert len(session.reps) == len(visible)
    for rep, want in zip(session.reps, visible):
        assert _overlaps(rep, want)
        assert not any(_overlaps(rep, r) and not _overlaps(rep, want) for r in visible)


@pytest.mark.parametrize("clip", CLIPS)
def test_hips_lifted_is_said_of_the_lifted_holds_only(clip: str) -> None:
    session = _run(clip)
    for rep, want in zip(session.reps, _visible(_labels(clip))):
        assert ("hips_lifted" in rep.faults) == ("hips_lifted" in want["faults"])


@pytest.mark.parametrize("clip", CLIPS)
def test_no_full_tilt_is_called_no_tilt(clip: str) -> None:
    """no_tilt has no true positive on the renders (see the definition); a full tilt is never called one."""
    for rep in _run(clip).reps:
        assert "no_tilt" not in rep.faults


def test_no_tilt_is_left_unjudged_from_an_oblique_camera() -> None:
    oblique = [c for c in CLIPS if _labels(c)["view"]["azimuth_deg"] == 35 and _labels(c)["body"] == "female_heavy"]
    assert oblique
    for clip in oblique:
        assert all("no_tilt" in rep.unjudged for rep in _run(clip).reps)


def test_median_hold_error_over_the_rendered_holds() -> None:
    errors = []
    for clip in CLIPS:
        labels = _labels(clip)
        truth = position_times(SAMPLES / f"{clip}.truth.json.gz", labels["holds"], position_band("pelvic_tilt"))
        session = _run(clip)
        for rep, want in zip(session.reps, _visible(labels)):
            errors.append(abs(rep.hold_s - truth[want["index"]]))
    assert len(errors) >= 8
    assert float(np.median(errors)) <= 0.5


def test_the_bench_does_not_expect_a_rep_too_small_to_see_but_scores_one_counted() -> None:
    """bench/accuracy.py: a labelled rep with a hides_rep fault (no_tilt) that ours did not count is
    neither expected nor scored as a missed fault; one ours counted is scored as any rep."""
    from bench.accuracy import Clip, Outcome, Rep, score
    from coach.labels import load_labels

    ex = load_exercise("pelvic_tilt")
    video = SAMPLES / "pt_good_notilt_02.mp4"
    clip = Clip(labels=load_labels(video.with_name("pt_good_notilt_02.labels.json")), origin="samples",
                exercise="pelvic_tilt", video=video)
    good, weak = clip.labels.reps  # the second is the no_tilt rep
    one = Rep(good.start_s, good.end_s, 5.0, (), None, (), 5.0)
    s = score(clip, ex, Outcome(reps=[one], holds=[]), [])
    assert (s.expected, s.counted, s.faults) == (1, 1, (0, 0, 0))
    assert [codes for _, codes in s.hidden] == [("no_tilt",)]
    both = score(clip, ex, Outcome(reps=[one, Rep(weak.start_s, weak.end_s, 4.0, (), None, (), 4.0)], holds=[]), [])
    assert (both.expected, both.counted, both.faults) == (2, 2, (0, 0, 1)) and not both.hidden
