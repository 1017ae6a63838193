"""The exercise checker on synthetic PoseFrames: a side-view skeleton whose hip angle follows a script."""

from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as np
import pytest

from coach.engine.checker import SECOND_PERSON_TEXT, UNSEEN_TEXT, ExerciseChecker
from coach.engine.definition import load_exercise
from coach.engine.records import FrameResult, SessionRecord
from coach.measures import MEASURES
from coach.pose.frame import PoseFrame, side_landmark
from synth import FPS, Profile, bridge_profile, empty_frame, lying_frame, standing_frame

EX = load_exercise("bridge")
PH = EX.phases
FRAME = 1.0 / FPS
REST = 135.0
GOOD = [(180.0, 2.0), (178.0, 2.5), (182.0, 2.2)]
SETUP_SAY = EX.posture[0].say


def rule(code: str):
    return EX.fault(code)


def run(frames: list[PoseFrame], ex=EX) -> tuple[list[FrameResult], SessionRecord]:
    checker = ExerciseChecker(ex)
    results = [checker.update(f) for f in frames]
    return results, checker.finish()


def lying(prof: Profile, camera_side: str = "left",
          edit: Optional[Callable[[int, float, float], Optional[PoseFrame]]] = None, t0: float = 0.0,
          i0: int = 0, **kw) -> list[PoseFrame]:
    """Frames of ``prof`` as a lying skeleton; ``edit(i, t, angle)`` may return a replacement frame."""
    frames = []
    for k, (t, v) in enumerate(zip(prof.times, prof.values())):
        i, tt = i0 + k, t0 + t
        frame = edit(i, tt, v) if edit else None
        frames.append(frame if frame is not None else lying_frame(i, tt, v, camera_side=camera_side, **kw))
    return frames


def standing(duration_s: float, t0: float = 0.0, i0: int = 0) -> list[PoseFrame]:
    """A standing person swinging a thigh forward and back (the hip angle changes a lot)."""
    n = int(round(duration_s * FPS))
    return [standing_frame(i0 + k, t0 + k / FPS, hip_flexion_deg=35.0 * (1 - math.cos(2 * math.pi * 0.4 * k / FPS)))
            for k in range(n)]


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


# -- the synthetic skeleton itself ---------------------------------------------------------------------

@pytest.mark.parametrize("camera_side", ["left", "right"])
@pytest.mark.parametrize("angle", [REST, 155.0, 180.0, 198.0])
def test_the_skeleton_has_the_scripted_hip_angle(camera_side: str, angle: float) -> None:
    f = lying_frame(0, 0.0, angle, camera_side=camera_side)
    assert MEASURES["hip_extension"](f, camera_side) == pytest.approx(angle, abs=1e-6)
    assert MEASURES["torso_tilt"](f, camera_side) < 45.0
    if angle == REST:  # knees bent within the definition's start-position limits
        knee = MEASURES["knee_angle"](f, camera_side)
        for r in EX.faults:
            if r.scope == "rest" and r.measure == "knee_angle":
                assert not r.violated(knee)


# -- counting -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("camera_side", ["left", "right"])
def test_good_reps_are_counted_with_their_holds(camera_side: str) -> None:
    prof, truth = bridge_profile(REST, GOOD)
    results, session = run(lying(prof, camera_side))
    assert len(session.reps) == 3
    assert results[-1].reps == 3 and results[-1].good_reps == 3
    assert {r.side for r in results} == {camera_side}
    for rep, tr in zip(session.reps, truth):
        assert rep.faults == [] and rep.good
        assert rep.hold_s == pytest.approx(tr["position_end_s"] - tr["position_start_s"], abs=0.15)  # time in position
        assert overlap(rep.start_s, rep.end_s, tr["start_s"], tr["end_s"]) > 0.8 * (tr["end_s"] - tr["start_s"])
    assert [h.rep for h in session.holds] == [1, 2, 3]
    assert all(h.met_target == (h.duration_s >= EX.hold_target_s) for h in session.holds)
    assert session.frames == session.frames_with_pose == session.frames_trusted == len(results)
    assert session.warnings == []
    # phases: from the start to the last frame, contiguous, in the definition's vocabulary
    assert session.phases[0].start_s == 0.0
    assert session.phases[-1].end_s == pytest.approx(prof.times[-1] + 1 / FPS, abs=1e-3)  # the last frame lasts a frame
    for a, b in zip(session.phases, session.phases[1:]):
        assert a.end_s == b.start_s and a.phase != b.phase
    assert [p.phase for p in session.phases] == ["rest"] + ["rising", "top", "lowering", "rest"] * 3


def test_rep_count_grows_when_each_rep_ends() -> None:
    prof, truth = bridge_profile(REST, GOOD)
    results, session = run(lying(prof))
    for k, rep in enumerate(session.reps):
        # the report's end is dated with hindsight (where the hips reached rest); live, the count grows
        # once the return is seen, soon after
        before = [r.reps for r in results if r.t < rep.end_s - 1e-9]
        assert max(before) == k
        counted = next(r.t for r in results if r.reps == k + 1)
        assert rep.end_s - 1e-9 <= counted <= rep.end_s + 0.5


def test_standing_person_gets_no_reps_and_a_setup_message() -> None:
    results, session = run(standing(10.0))
    assert session.reps == [] and session.holds == []
    assert {r.state for r in results} == {"setup"}
    assert {r.phase for r in results} == {"setup"}
    assert {r.message for r in results} == {SETUP_SAY}
    assert "never_in_position" in session.warnings
    assert [p.phase for p in session.phases] == ["setup"]


def test_reps_count_only_once_lying_in_the_start_position() -> None:
    stand = standing(4.0)
    lie_t = len(stand) / FPS
    prof, truth = bridge_profile(REST, GOOD[:2], lead_s=1.5)
    frames = stand + lying(prof, t0=lie_t, i0=len(stand))
    results, session = run(frames)
    assert len(session.reps) == 2
    assert all(rep.start_s > lie_t for rep in session.reps)
    first_active = next(r.t for r in results if r.state == "active")
    assert lie_t <= first_active <= lie_t + PH.arm_s + 3 * FRAME
    assert all(r.message == SETUP_SAY for r in results if r.t < lie_t)
    assert [p.phase for p in session.phases][:2] == ["setup", "rest"]
    assert "never_in_position" not in session.warnings


@pytest.mark.parametrize("motion", ["thigh_swings", "walking"])
def test_standing_up_after_a_set_stops_counting(motion: str) -> None:
    prof, _ = bridge_profile(REST, GOOD[:2])
    frames = lying(prof)
    up_t = frames[-1].t + FRAME
    if motion == "thigh_swings":
        frames += standing(PH.disarm_s + 4.0, t0=up_t, i0=len(frames))
    else:
        n = int(round((PH.disarm_s + 4.0) * FPS))
        frames += [standing_frame(len(frames) + k, up_t + k / FPS,
                                  hip_flexion_deg=15.0 * math.sin(2 * math.pi * 0.9 * k / FPS)) for k in range(n)]
    results, session = run(frames)
    assert len(session.reps) == 2
    last = results[-1]
    assert last.state == "setup" and last.message == SETUP_SAY
    assert session.phases[-1].phase == "setup"


# -- dropouts ---------------------------------------------------------------------------------------

def _hold_dropout(kind: str, start_after: float, length: float):
    prof, truth = bridge_profile(REST, [(180.0, 3.0)])
    d0 = truth[0]["hold_start_s"] + start_after
    d1 = d0 + length

    def edit(i: int, t: float, v: float) -> Optional[PoseFrame]:
        if d0 <= t < d1:
            return empty_frame(i, t) if kind == "nobody" else lying_frame(i, t, v, hidden=("hip",))
        return None

    return prof, truth, d0, d1, edit


@pytest.mark.parametrize("kind", ["nobody", "hip_hidden"])
def test_dropout_during_the_hold_freezes_the_phase_and_pauses_the_timer(kind: str) -> None:
    prof, truth, d0, d1, edit = _hold_dropout(kind, start_after=1.0, length=0.6)
    results, session = run(lying(prof, edit=edit))
    during = [r for r in results if d0 <= r.t < d1]
    assert len(during) == int(round(0.6 * FPS))
    if kind == "nobody":
        assert {r.state for r in during} == {"no_person"}
        assert {r.message for r in during} == {UNSEEN_TEXT["nobody in view"]}
        assert session.frames_with_pose == len(results) - len(during)
    else:
        assert {r.state for r in during} == {"unseen"}
        assert all("hip" in r.message.lower() for r in during), during[0].message
        assert session.frames_with_pose == len(results)
    assert session.frames_trusted == len(results) - len(during)
    assert {r.phase for r in during} == {EX.phases.hold}  # frozen at the top
    assert {r.status for r in during} == {"unknown"}  # no verdict on what can't be seen
    assert max(r.hold_s for r in during) == pytest.approx(min(r.hold_s for r in during), abs=1e-9)
    assert all(r.active_faults == () for r in during)
    # one rep whose hold lost the unseen time
    assert len(session.reps) == 1
    in_position = truth[0]["position_end_s"] - truth[0]["position_start_s"]
    assert session.reps[0].hold_s == pytest.approx(in_position - 0.6, abs=0.15)
    # once seen again, the hold goes on counting
    after = [r for r in results if d1 <= r.t < truth[0]["hold_end_s"]]
    assert after[-1].hold_s > after[0].hold_s
    assert {r.state for r in after} == {"active"}


@pytest.mark.parametrize("kind", ["nobody", "hip_hidden"])
def test_dropout_at_rest_and_while_rising_changes_nothing(kind: str) -> None:
    prof, truth = bridge_profile(REST, GOOD[:2])
    windows = [(1.0, 1.4), (truth[1]["start_s"] + 0.5, truth[1]["start_s"] + 0.8)]

    def edit(i: int, t: float, v: float) -> Optional[PoseFrame]:
        if any(a <= t < b for a, b in windows):
            return empty_frame(i, t) if kind == "nobody" else lying_frame(i, t, v, hidden=("hip",))
        return None

    results, session = run(lying(prof, edit=edit))
    assert len(session.reps) == 2
    for (a, b), phase in zip(windows, [EX.phases.rest, EX.phases.out]):
        during = [r for r in results if a <= r.t < b]
        assert {r.phase for r in during} == {phase}
        assert {r.state for r in during} == {"no_person" if kind == "nobody" else "unseen"}
    assert session.reps[1].hold_s == pytest.approx(truth[1]["position_end_s"] - truth[1]["position_start_s"], abs=0.15)


def test_phases_tile_from_the_start_when_the_clip_begins_with_nobody() -> None:
    lead = int(1.0 * FPS)
    prof, _ = bridge_profile(REST, GOOD[:1])
    frames = [empty_frame(i, i / FPS) for i in range(lead)]
    frames += lying(prof, t0=lead / FPS, i0=lead)
    _, session = run(frames)
    assert len(session.reps) == 1
    assert session.phases[0].start_s == 0.0


# -- faults -----------------------------------------------------------------------------------------

def _fault_reps() -> list[tuple[float, float]]:
    low = rule("hips_low").below - 12.0
    high = rule("hips_overextended").above + 9.0
    short = rule("hold_short").below * EX.hold_target_s / 2  # half the shortest hold that is not short
    assert low > REST + PH.hold_above_rest + 5.0  # still a rep, just a low one
    return [(180.0, 2.0), (low, 2.0), (high, 2.0), (180.0, short)]


def test_faults_appear_on_the_right_reps() -> None:
    prof, truth = bridge_profile(REST, _fault_reps())
    results, session = run(lying(prof))
    assert [r.faults for r in session.reps] == [[], ["hips_low"], ["hips_overextended"], ["hold_short"]]
    assert [r.good for r in session.reps] == [True, False, False, False]
    assert results[-1].good_reps == 1
    # the hold-scope faults are on the holds too; the short hold is short
    assert [h.faults for h in session.holds] == [[], ["hips_low"], ["hips_overextended"], []]
    assert session.reps[3].hold_s < rule("hold_short").below * EX.hold_target_s
    # each fault was also said, with the definition's words, during or right after its rep
    given = {c.code: c for c in session.cues}
    for k, code in [(1, "hips_low"), (2, "hips_overextended"), (3, "hold_short")]:
        assert code in given, [c.code for c in session.cues]
        assert given[code].text == EX.cue_text(rule(code))
        assert truth[k]["start_s"] <= given[code].t <= truth[k]["end_s"] + 1.0
    # the top of each rep is reported in the report's peak
    peaks = [r.peak.get("hip_extension_deg") for r in session.reps]
    for peak, (top, _) in zip(peaks, _fault_reps()):
        assert peak == pytest.approx(top, abs=1.0)


def test_live_fault_status_during_a_faulty_hold() -> None:
    prof, truth = bridge_profile(REST, _fault_reps()[1:2])
    results, _ = run(lying(prof))
    tr = truth[0]
    settled = [r for r in results if tr["hold_start_s"] + 1.0 <= r.t < tr["hold_end_s"]]
    assert settled and all("hips_low" in r.active_faults and r.status == "fault" for r in settled)
    resting = [r for r in results if r.t < tr["start_s"]]
    assert all(r.active_faults == () and r.status in ("good", "borderline") for r in resting if r.state == "active")


def test_the_hold_bar_and_the_report_agree_on_a_faulted_hold() -> None:
    """An over-arched hold as long as the target: while it lasts the frame says its faults (the bar
    is red, never "met"), and the hold's record says the same; a good hold is met on both."""
    high = rule("hips_overextended").above + 9.0
    prof, truth = bridge_profile(REST, [(high, 2.5), (180.0, 2.5)])
    results, session = run(lying(prof))
    bad, good = session.holds
    in_bad = [r for r in results if bad.start_s <= r.t < bad.end_s and r.phase == PH.hold]
    assert in_bad and all(r.hold_faults == ("hips_overextended",) and not r.hold_met for r in in_bad)
    assert any(r.hold_s >= EX.hold_target_s for r in in_bad)  # long enough: only the form keeps it from its target
    assert bad.faults == ["hips_overextended"] and not bad.met_target
    last_of_good = [r for r in results if good.start_s <= r.t < good.end_s and r.phase == PH.hold][-1]
    assert last_of_good.hold_faults == () and last_of_good.hold_met and good.met_target


def test_counting_starts_only_with_the_hips_down() -> None:
    """Hips already up when the person gets into view (a recording that starts mid-movement): no
    counting and no rest level learned until they come down. Then the hold that was under way is
    counted, as a person would count it, and every rep after it from the true rest level."""
    up_first = Profile(180.0).hold(3.0).move(1.0, REST)
    prof, truth = bridge_profile(REST, GOOD)
    frames = lying(up_first) + lying(prof, t0=up_first.duration_s + FRAME, i0=len(up_first.times))
    results, session = run(frames)
    at_top = [r for r in results if r.t < 3.0]
    hips_down = next(c for c in EX.posture if c.to_start)
    assert at_top and all(r.state == "setup" and r.message == hips_down.say and r.reps == 0 for r in at_top)
    assert len(session.reps) == 1 + len(GOOD)
    first = session.reps[0]
    assert first.start_s == pytest.approx(0.0, abs=0.1) and first.end_s <= up_first.duration_s + 0.5
    assert first.hold_s == pytest.approx(3.0, abs=0.5) and first.faults == []  # judged at the top, from rest
    for rep, tr in zip(session.reps[1:], truth):
        assert rep.start_s == pytest.approx(up_first.duration_s + tr["start_s"], abs=0.3)
    # once counting, the hips leaving the floor do not stop it: the condition is only to start
    assert all(r.state == "active" for r in results if r.t > up_first.duration_s + 1.0)


def _ankle_for_knee_angle(angle_deg: float) -> tuple[float, float]:
    """An ankle position giving the resting skeleton this knee angle (feet toward screen-left)."""
    f = lying_frame(0, 0.0, REST)
    knee, hip = f.xy[side_landmark("left", "knee")], f.xy[side_landmark("left", "hip")]
    u = (hip - knee) / np.linalg.norm(hip - knee)
    best = None
    for sign in (+1, -1):
        a = math.radians(sign * angle_deg)
        r = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        cand = knee + 110.0 * (r @ u)
        if best is None or cand[0] < best[0]:
            best = cand
    assert best is not None
    return float(best[0]), float(best[1])


def test_start_position_fault_is_reported_and_carried_by_the_next_reps() -> None:
    too_far = rule("feet_too_far").above + 10.0
    ankle = _ankle_for_knee_angle(too_far)
    check = lying_frame(0, 0.0, REST, ankle=ankle)
    assert MEASURES["knee_angle"](check, "left") == pytest.approx(too_far, abs=0.5)
    prof, _ = bridge_profile(REST, GOOD[:2])
    results, session = run(lying(prof, ankle=ankle))
    assert [s["code"] for s in session.setup_faults] == ["feet_too_far"]
    assert session.setup_faults[0]["t_s"] < session.reps[0].start_s
    assert all("feet_too_far" in r.faults for r in session.reps)
    assert "feet_too_far" in [c.code for c in session.cues]


# -- more than one person --------------------------------------------------------------------------------

def test_second_person_gets_a_cue_and_a_warning() -> None:
    prof, _ = bridge_profile(REST, GOOD[:2])
    crowd = (5.0, 6.0)
    frames = lying(prof, edit=lambda i, t, v: lying_frame(i, t, v, people=2) if crowd[0] <= t < crowd[1] else None)
    results, session = run(frames)
    assert len(session.reps) == 2
    assert "second_person" in session.warnings
    cues = [c for c in session.cues if c.code == "second_person"]
    assert len(cues) == 1
    assert cues[0].text == SECOND_PERSON_TEXT
    assert crowd[0] <= cues[0].t <= crowd[1] + 1.5
    assert any(r.people == 2 for r in results)


def test_one_person_no_second_person_warning() -> None:
    prof, _ = bridge_profile(REST, GOOD[:2])
    _, session = run(lying(prof))
    assert "second_person" not in session.warnings
    assert all(c.code != "second_person" for c in session.cues)


def test_a_person_too_small_in_the_picture_gets_no_form_verdict() -> None:
    """A 64x48 video: the landmarks are a few pixels apart and angles from them are noise. Reps and
    holds are still counted, but form faults are not judged: the rep says unjudged, the coach says
    once why, and the report warns."""
    import dataclasses

    from coach.engine.judgeable import MIN_TORSO_PX

    high = rule("hips_overextended").above + 9.0
    prof, _ = bridge_profile(REST, [(high, 2.0), (high, 2.0)])
    big = lying(prof)
    _, full = run(big)
    assert [r.faults for r in full.reps] == [["hips_overextended"]] * 2
    shrink = 0.5 * MIN_TORSO_PX / 150.0  # the synthetic torso is 150 px long
    small = [dataclasses.replace(f, xy=f.xy * shrink, z=f.z * shrink, width=64, height=48) for f in big]
    _, session = run(small)
    hold_rules = sorted(f.code for f in EX.faults if f.scope == "hold")  # every form fault of the top
    assert len(session.reps) == 2 and all(r.faults == [] and r.unjudged == hold_rules for r in session.reps)
    said = [c for c in session.cues if "unjudged" in c.code or c.code == "too_small"]
    assert len(said) == 1 and "too small in the picture" in said[0].text  # once, for every fault
    assert "too_small" in session.warnings


@pytest.mark.parametrize("exercise, clip", [("side_knee_drop", "kd_good_01"), ("wall_pushup", "wpu_good_01")])
def test_a_clean_render_is_not_borderline_for_limits_in_body_lengths(exercise: str, clip: str) -> None:
    """"Borderline" (amber) means near a fault's limit in the measure's own unit: 3 degrees, but a few
    hundredths of a torso length (a margin of 3 torso lengths made every held frame of these clean
    renders amber)."""
    from pathlib import Path

    from coach.trace import TraceSource

    trace = Path(__file__).resolve().parents[1] / "samples" / exercise / f"{clip}.landmarks.jsonl.gz"
    checker = ExerciseChecker(load_exercise(exercise))
    statuses = [checker.update(pose).status for pose in TraceSource(str(trace))]
    assert statuses.count("good") > 0.95 * len(statuses) and "fault" not in statuses


def test_a_faulty_plank_is_still_borderline_near_its_limit() -> None:
    from pathlib import Path

    from coach.trace import TraceSource

    trace = Path(__file__).resolve().parents[1] / "samples" / "forearm_plank" / "fplank_faults_05.landmarks.jsonl.gz"
    checker = ExerciseChecker(load_exercise("forearm_plank"))
    statuses = [checker.update(pose).status for pose in TraceSource(str(trace))]
    assert statuses.count("borderline") >= 10 and statuses.count("fault") >= 100
