"""Accuracy bench: every labelled clip through the exercise checker, beside a naive baseline counter.

    /work/venv/bin/python bench/accuracy.py [--exercise bridge] [--only synthetic|realworld|samples]

Clips, each only where present (an absent folder is skipped with a note):

- ``../shared/synthetic/*.labels.json`` (origin ``synthetic``): rendered clips with exact labels.
  The negatives (exercise ``none``) go through every exercise's checker and expect 0 reps.
- ``samples/*.labels.json`` and ``samples/*/*.labels.json`` (origin ``samples``): a sample with the file name of a synthetic clip is
  a copy of it and is scored once, under ``synthetic`` (unless synthetic clips are left out).
- ``../shared/realworld/labels.json``: ``videos/`` (origin ``realworld``) and ``suspected_synthetic/``
  (origin ``suspected_synthetic``). Evaluation only: the clips are read where they are.

Only clips of exercises with a definition in ``poses/`` are kept. Landmarks come from
``bench/traces.py`` (real MediaPipe once per video, then a cached trace), so the two counters see
the very same landmarks.

The two counters:

- ``ours``: ``ExerciseChecker`` with the exercise definition (side selection, trust gate,
  smoothing, starting-posture check, phase machine with hysteresis, fault rules).
- ``naive``: ``NaiveCounter`` below, the single-threshold technique of typical open-source trainers.
  It is given the definition's fault limits (applied to the raw value at its peak, and to its hold
  time), so the fault columns compare the technique, not the limits.

Figures per clip:

- ``exp``: labelled rep count (``?`` after it: the realworld label is medium/low confidence, the
  count may be off by one). ``n``: reps counted. ``err`` = counted - expected.
- ``hold``: median over matched reps of |labelled hold - our rep hold_s| in seconds. A hold is time
  in the position: on synthetic clips the labelled hold is the time the truth file's angle or state
  stays within the band the definition times holds with (``coach.labels.position_band``), not the
  labels' motionless ``hold_s``. Reps are
  matched one-to-one by time overlap (largest overlap first). Realworld labels have hold intervals
  instead: there the labelled [start, end] intervals are matched to our holds by overlap and
  their durations compared; a labelled hold that none of ours overlaps counts with its whole
  length (we timed 0 s of it), so a setting that loses holds does not look better for it (the
  threshold fitter, bench/fit.py, compares settings by this). ``-``: nothing matched.
- ``flt P`` / ``flt R``: fault precision / recall as hits/found and hits/labelled, where a fault is
  a (rep, code) pair: a hit is a code on one of our reps that the matched labelled rep also has; a
  code on an unmatched rep of ours is a false alarm, a code on an unmatched labelled rep a miss.
  Only for clips with per-rep fault codes (synthetic ones; realworld faults are free text).
- ``side``: for one-sided exercises, matched reps whose worked side (left, right, both) equals
  the labelled side, over matched reps with a labelled side.
- ``phase``: share of frames whose phase (the report's ``phases`` segments at the frame's time)
  equals the labelled phase. Synthetic clips only; ``setup`` never equals a labelled phase. For a
  negative clip whose labelled phase is not one of the exercise's (``standing``), ``setup`` and
  the rest phase count as agreeing (nothing was seen to move).

Totals per exercise and origin (duplicates left out; counts only where a count is labelled):

- ``exact``: share of clips counted exactly; ``MAE``: mean |counted - expected|; ``+-1``: share of
  clips with |err| <= 1; ``hold``: median |hold error| over all matched reps (holds) of the origin;
  ``P`` / ``R``: fault precision / recall over all (rep, code) pairs of the origin; ``phase``:
  frame-weighted phase agreement.
"""

from __future__ import annotations

import argparse
import dataclasses
import filecmp
import functools
import math
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.traces import cached_trace  # noqa: E402
from calibration.camera import view_angle  # noqa: E402
from coach.engine.checker import ExerciseChecker  # noqa: E402
from coach.engine.definition import Exercise, exercise_ids, load_exercise  # noqa: E402
from coach.engine.records import FrameResult, PhaseSegment  # noqa: E402
from coach.errors import CoachError  # noqa: E402
from coach.labels import ClipLabels, LabelRep, load_labels, load_realworld  # noqa: E402
from coach.measures import MEASURES, UNITS  # noqa: E402
from coach.pose.frame import PoseFrame, side_landmark  # noqa: E402
from coach.live.setup import side_on_score  # noqa: E402
from coach.trace import TraceSource  # noqa: E402

SHARED = ROOT.parent / "shared"
SYNTHETIC_DIR = SHARED / "synthetic"
REALWORLD_DIR = SHARED / "realworld"
SAMPLES_DIR = ROOT / "samples"
ORIGINS = ("synthetic", "samples", "realworld", "suspected_synthetic")
ORIGIN_SHORT = {"synthetic": "synth", "samples": "sample", "realworld": "real", "suspected_synthetic": "susp"}
NEGATIVE = "none"  # the exercise id of the negative synthetic clips
START_VIEW_S = 1.0  # the starting position's view: this long after counting began (renders move off at about 1 s)

# Which clips the thresholds were tuned on, per exercise (printed with the results).
TUNED_ON = {
    "bridge": "fault limits come from the physio brief's fault definitions, not fitted to clips; hips_overextended's "
              "max_view_deg (20) from the synthetic renders (0 deg cameras read 8-17, 30 deg ones 19-29 on the two lines "
              "averaged; on the shoulder line alone since, 2-9 and 15-26, which judges bridge_mixed_03's, right; and the truth "
              "files' projection error), not from the realworld clips (though it is what clears trajnovd's arch); "
              "the report's phases are refined with hindsight (coach/engine/hindsight.py), TOL_FRACTION 0.03 chosen "
              "among 0.02/0.03/0.05 on these synthetic clips (phase 88 -> 91 %, knee to chest 91 -> 93 %): their "
              "phase figures are in-sample; the eased-start fit where a still phase is left (hindsight._onset; "
              "its reach and look-back set beforehand) was chosen over fitting the arrivals too on these clips "
              "(bridge 90.8 -> 94.7 % leaving only, 93.5 % both; knee to chest 92.7 -> 94.5 / 95.6 %) and checked "
              "on the 25 other exercises' renders in samples/, never used to choose (84.2 -> 86.0 % of frames, "
              "better on 23 of them); the level beside the boundary (hindsight.LEVEL_WINDOW_S, 1 s) was chosen among "
              "0.5/0.75/1/1.5/2 s and the whole phase's median on these synthetic clips (bridge 94.85 -> 95.08/95.29/"
              "95.41/95.20/95.02 %): in-sample; the settled start of a still phase (SETTLE_S 0.2 s, set beforehand) and "
              "the counter-movement start (hindsight._onset) were made for knee to chest's unsigned hip angle, seen "
              "folding through 180 on its synthetic clips; all three checked on the 25 other exercises' renders in "
              "samples/ (86.0 -> 86.9 % of frames; the level alone 87.05 %: settling and the counter-movement cost "
              "them 0.15 points, and gain knee to chest 1.9); "
              "phase-machine constants were set on the synthetic clips, except return_fraction (0.5, "
              "after the real heel_floor_bridges clip) and rate_window_s (0.25 s, compared on synthetic "
              "and real clips): the realworld figures are therefore not fully independent; bench/fit.py "
              "(fit on synthetic, check on realworld) left every value as it was",
    "pelvic_tilt": "phases on pt_good_lifted_01, pt_lifted_good_04, pt_notilt_good_03; checked on 02, 05, 06, 07 "
                   "and the realworld clip (looked at before choosing the measure: not independent); "
                   "no_tilt's hides_rep from the header's finding (its reps read within "
                   "the drift on 02 and 03), not a fitted value; no_tilt's max_view_deg moved 22 -> 17 when view_deg "
                   "came to read the shoulder line alone (between the real clip, 14, and pt_lifted_good_04, 20, as "
                   "before: in-sample)",
    "back_extension": "fault limits halfway between a good position and the mildest rendered fault (render design, "
                      "anatomy), not fitted; neck -65 set after seeing bext_good_01 (-84), checked on bext_faults_02 "
                      "and superman_faults_08; hips_lifted -4 checked on bext_faults_02 and bext_mixed_03; face-down "
                      "posture (nose_lift 0.10) set on supine samples and good renders' rest frames; phase constants "
                      "set beforehand",
    "locust": "knee 150 and arms_forward 0 halfway between good and the mildest rendered fault, checked on "
              "locust_faults_05 and locust_mixed_06; phase constants set beforehand",
    "superman": "knee 150 checked on superman_faults_08/09; neck -65 as back_extension; FACE_SEEN 0.08 (nose too near "
                "the ear to read the face) set on superman_good_07 against bext_good_01 and locust_good_04",
    "side_knee_drop": "phase levels set on kd_good_01/02 (start_above_rest lowered after kd_faults_03); the side's "
                      "0.12 set on kd_good_01/02, right on the 3 fault clips and kd_feet_06; shoulder_rise +-0.08 set "
                      "on kd_good_01/02, kd_faults_04 and tr_faults_04; the head_lift way found on kd_faults_05, "
                      "checked on kd_faults_03; knees_apart 0.2 from geometry before any fault clip; kd_feet_06 "
                      "rendered after every value was set (held out)",
    "lying_trunk_rotation": "phase values copied from side_knee_drop; the side's 0.04 lowered after tr_faults_03 "
                            "(in-sample), checked on tr_good_01; straight_leg_bent 155 set on tr_faults_04, checked "
                            "on tr_faults_03; tr_feet_05 held out",
    "hamstring_stretch": "knee_bent 155, leg_rise 10, worked 30 deg from anatomy, handouts or knee_to_chest (not "
                         "fitted); in-sample: hips_lifted absolute 0.08 (after the realworld straight_leg_hugs, "
                         "ham_faults_03, ham_mixed_05), the leg_rise key measure and other_leg_lifted by leg_rise "
                         "(after ham_mixed_04); ham_faults_02 changed nothing; knee_bent not judged while a hand is at "
                         "the raised knee (judge_while hand_to_knee above 0.4) after looking at the realworld "
                         "straight_leg_hugs (hands 0.19-0.30 from the knee, knee misread 134-150): in-sample; the 0.4 "
                         "checked against every hold of the four renders (0.52-1.06), none of which it changes",
    "piriformis_stretch": "cross_gap 0.55, worked 0.3, min_visibility 0.5 not fitted; in-sample: the starting "
                          "position rule (after pir_mixed_03) and the visibility gate (after the realworld "
                          "figure_four_stretch)",
    "high_plank": "sag 174 set on hplank_faults_02 and hplank_good_01, checked on the other plank clips; pike 198 "
                  "set on the real forearm planks (one 'correct' clip reads 195: in-sample); head_dropped set on "
                  "hplank_faults_02 only",
    "forearm_plank": "as high_plank; elbows_forward from the render design, checked on fplank_faults_05; knee_lift "
                     "levels set after seeing the real clips (in-sample)",
    "side_plank": "hips_dropped 165 set on the real TomNotch clip, checked on splank_left_07, missed splank_right_10's "
                  "drop (165.0-165.5): 168 set after seeing it (in-sample); "
                  "hips_piked 186 set on splank_right_08 missed splank_left_09's pike (182 from the feet's side): 180 set "
                  "after seeing both (in-sample); the side rule (lower_side_lift) "
                  "and time_within (3 deg) set on splank_left_07/right_08, checked on splank_left_09/right_10 (top "
                  "arm raised) and the real clips; the posture shoulder_stack (0.3) chosen after looking at "
                  "TomNotch's arming (in-sample)",
    "downward_dog": "knees_bent (knee 160) and back_rounded (mask curve +0.045 from the flat back) set on dog_mixed_01 "
                    "and dog_check_04 (0 deg), knees_bent checked on dog_mixed_02 (+30) and dog_faults_03 (-35); "
                    "back_rounded's max_view_deg 15 set after seeing those two (the oblique mask shows no curve); "
                    "the hold band (knee_lift, time_within 0.03) set on the same two; hold_above_rest 0.22 and "
                    "still_per_s 0.15 after dog_faults_03's bent-knee rise paused half way (its hold timing "
                    "in-sample); the real clip (starts in the V) not looked at before the limits were set",
    "childs_pose": "hips_high (knee 55, on what MediaPipe reads) set on childs_mixed_01, checked on childs_faults_03, "
                   "the prayer clips and the realworld clips; arms_not_extended 160 set on childs_mixed_02/faults_03; "
                   "the hold band 0.25 chosen after looking at both realworld clips (in-sample)",
    "prayer_pose": "childs_pose's limits, checked on prayer_forward_01 and prayer_back_02",
    "horse_back_stretch": "phases, shallow and head_up set on horse_mixed_01/02, checked on horse_faults_03 and "
                          "horse_check_04",
    "hip_flexor_stretch": "press 14, leaning_forward 18, back_arched -8, front_knee_past_toes 20 from anatomy before any "
                          "render; every clip hipflex_mixed_01/02, faults_03/04 was looked at while the measures were "
                          "built (trunk_lean_mid's mid-points after mixed_02, the facing's nose weight after faults_03, "
                          "own_rest_within 20 and the leg-swap guard after mixed_01: in-sample); rear_thigh_tilt's floor "
                          "at 0 after the realworld ndnam set-up (in-sample); hipflex_check_05 rendered after (held out)",
    "pigeon_pose": "hold 35 deg and hips_high 0.45 from the render design before the renders; back_knee_bent 145 lowered "
                   "to 135 after the realworld Goondoc clip (141-149: in-sample); the posture (trunk + hands, not the "
                   "knees) and the side from both knees (knee_lead) after pigeon_faults_04 (in-sample); checked on "
                   "pigeon_mixed_01/03, pigeon_mixed_02 and pigeon_check_05 rendered after (held out)",
    "knee_to_chest": "fault limits from the physio brief's fault definitions; phase constants and the "
                     "worked-side rule (30 deg and 60 % of the most-pulled leg) set on the synthetic clips; "
                     "bench/fit.py (fit on synthetic, check on realworld) left every value as it was; the "
                     "position hold, the hidden-leg guard and the rep split where alternating legs cross were "
                     "built after looking at both realworld clips: their realworld figures are not independent; "
                     "other_leg_lifted's leg_rise way (above 10 deg) was added after looking at lay_back_knee_hugs, "
                     "its limit from the set-up check's 10 deg roll allowance, not fitted; timing the hug while the knee is "
                     "more than half way in (the definition's existing position band, leave_hold_fraction 0.5, now also "
                     "where the hold starts and ends) was chosen after seeing knee_hug_turns start 0.8 s late: its "
                     "realworld hold figure is in-sample; the report's phases: see bridge (hindsight.py; the settled "
                     "start of a still phase and the counter-movement start were made after seeing its synthetic "
                     "clips' hip angle fold through 180: phase figure in-sample, 94.5 -> 95.6 %)",
    "seated_spinal_twist": "TWIST_SCALE (2.2, coach/measures/rotations.py) fitted on twist_good_01 + rot_desk_01, checked on "
                           "the other renders (bench/rotation.py); phase levels in true degrees from the handouts' "
                           "40-50 deg twist, leave_hold 9 chosen among 5-10 on twist_good_01, twist_faults_02 and "
                           "rot_desk_01 (7 cut a misread hold short); hips_turned (thigh_turn 8) and leaning toward the turn "
                           "(picture lean 9) set on twist_good_01, twist_faults_02, rot_desk_01; leaning away from it "
                           "(-5) set after rot_full_04 missed it at -9 (in-sample); twist_faults_03, twist_mixed_04 "
                           "rendered after, held out. The phases' measure then changed to the room turn either way (shoulder_yaw, "
                           "YAW_SCALE 1.5 fitted as TWIST_SCALE on twist_good_01 + rot_desk_01) and a hold-required "
                           "overshoot settling far out became a hold, both after twist_faults_03 rep 1 was missed "
                           "(in-sample for that clip; the levels were not re-chosen)",
    "seated_rotation": "seated_spinal_twist's values (the same measures), set on rot_desk_01 with the floor clips; "
                       "rot_desk_02, rot_full_03, rot_full_04 rendered after, held out, except the lean-away limit "
                       "(-5), set after rot_full_04; the room-turn phases (see seated_spinal_twist) came after all four",
    "cat_cow": "spine_flexion's scale and the phase constants set on catcow_clean_11 + catcow_rushing_14 (0 deg); "
               "catcow_clean_12 + catcow_shallow_13 kept for checking, but the machine's logic was revised after "
               "looking at shallow_13's failures (running median, stillness relative to the movement); the realworld "
               "clips were looked at for the back profile (deep cat), for counting a cycle that reached both poles "
               "when the clip ends, and for 'held near the pole it reached' (BloomFit's last cat): the realworld "
               "figures are therefore not independent; pole_beyond (0.14) fitted on all synthetic clips "
               "by bench/fit.py (checked on realworld); fault limits: the seed (rushing < 1.5 s) and the labels' "
               "definition (shallow: a pole under 60 % of the session's deepest); stillness judged on the "
               "measure's parts: chosen among four variants on all synthetic clips (no constant changed); "
               "own_neutral_within (0.5) set on the synthetic neutrals (-0.40..+0.42), then checked on the realworld "
               "clips, which were seen while building it (trajnovd starts in a cow): in-sample",
    "dorsal_arch": "still_slumped 11 (slump_lean) midway between the upright holds (2.9-5.8) and the part-way ones "
                   "(15.4-18.0) on da_good_01, da_faults_02, da_desk_04; leaning_back -10 (trunk_lean) between upright "
                   "(-3.4..+0.3) and reclined (-19.8) on the same clips; still_per_s 4, leave_hold 1.5 and "
                   "leave_hold_fraction 0.2 set on the shallow holds of da_faults_02 and da_desk_04 (hold error "
                   "0.8 -> 0.16 s); da_mixed_03 rendered after all values were set (held out)",
    "seated_knee_raise": "phase levels (knee_rise) from the renderer's geometry before any clip; leaning_back -8 "
                         "(trunk_lean_3d, change from rest) set on skr_good_01, skr_desk_04, skr_desk_05, "
                         "skr_faults_02 (in-sample); trunk_slumped 11 is dorsal_arch's still_slumped (set on its "
                         "clips); skr_mixed_03 and skr_lean_06 rendered after every value was set (held out). trunk_slumped is not "
                         "judged from the front (max_view_deg 50): skr_desk_05's slumped lift counts as missed",
    "seated_forward_bend": "phase levels (fold_lean) set beforehand from anatomy; knees_bent 160 set on fb_mixed_02 "
                           "(bent 143-148, straight 176-178), checked on fb_faults_03; back_rounded spine_flexion 1.2 set "
                           "on fb_mixed_01, fb_faults_03 and shs_mixed_01; fb_check_04 held out (its rounded back missed); the set-up "
                           "limit side_within_deg 45 set on these renders' view as read sitting up (fb_faults_03, +35 deg, "
                           "reads 44): in-sample, and no render further round",
    "seated_hamstring_stretch": "as seated_forward_bend; the side (knee_angle_3d at rest, 15 deg, a general [sides] "
                                "by = 'rest') set on shs_mixed_01; knee_bent (knee_angle_max 160) the forward bend's "
                                "limit; shs_faults_03, shs_check_04 and shs_front_05 held out; shs_mixed_02 (camera "
                                "behind) and shs_front_05 (40 deg toward the front) are known limits; side_within_deg stays 35 "
                                "because sitting up shs_faults_03 (+35, right) reads 44 and shs_front_05 (+40, "
                                "wrong) 42: no limit separates them",
    "chair_squat": "fault limits set on samples csq_good_01 (side-on) and csq_faults_02 (35 deg front-oblique): "
                   "trunk_forward torso_tilt < 75 (good stands 86-89, a 28-38 deg lean 65), hands_used wrist_drop > "
                   "0.7 (folded 0.36-0.45, hands at the thighs 1.03); checked on csq_mixed_03 (35 deg from behind) "
                   "and csq_faults_04 (40 deg from behind); phase levels (knee_angle) chosen from anatomy (sitting 85-105, "
                   "standing 165-180), not fitted; no real clips",
    "wall_pushup": "key measure arm_reach chosen over the elbow angle after looking at the real BloomFit clip "
                   "(MediaPipe misplaces its elbow); hold_above_rest 0.1 and arm_s 1.2 set on that real clip's set-up "
                   "(it steps back into its lean after arming) and checked on the renders: in-sample for BloomFit; "
                   "hips limits 172/195 set on wpu_faults_02 (side-on sag), wpu_mixed_03 (35 deg pike) and the real "
                   "clips' good holds (177-188, in-sample); shallow (reach change above -0.23) on wpu_faults_02; "
                   "checked on wpu_good_01 (clean) and wpu_faults_04 (20 deg from behind: sag missed, one false "
                   "shallow); side_within_deg / max_view_deg 20 from wpu_mixed_03's view (23 deg read on both lines averaged; 27 on the shoulder line alone, coach/engine/view.py, which leaves its piked rep's false shallow unjudged)",
}

# The joints whose visibility picks the naive counter's side, frame by frame: the body's main joints,
# fixed, so the baseline does not move when a definition's key_joints (our trust gate) change.
NAIVE_SIDE_JOINTS = ("shoulder", "hip", "knee")

# Nominal resting value of each exercise's key measure, for the naive threshold. Bridge: lying with
# the knees bent ~90 deg, the thighs rise ~40 deg from the floor: shoulder-hip-knee ~140 deg.
NAIVE_REST = {"bridge": 140.0}


# -- clips ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Clip:
    labels: ClipLabels
    origin: str  # one of ORIGINS
    exercise: str  # the checker it runs through (a negative clip: each exercise in turn)
    video: Path  # the file the landmarks are extracted from (a sample's identical synthetic twin)

    @property
    def name(self) -> str:
        return self.labels.name

    @property
    def negative(self) -> bool:
        return self.labels.exercise == NEGATIVE

    @property
    def display(self) -> str:
        """A short name: realworld files are ``exercise__owner_repo__file``."""
        parts = self.name.split("__")
        return f"{parts[2]} ({parts[1].split('_')[0]})" if len(parts) == 3 else self.name


def exercises_of(labels: ClipLabels, exercises: Sequence[str]) -> list[str]:
    """The exercises a labelled clip is scored for: its own, or every one for a negative clip."""
    return list(exercises) if labels.exercise == NEGATIVE else [e for e in exercises if e == labels.exercise]


def synthetic_clips(exercises: Sequence[str], notes: list[str]) -> list[Clip]:
    if not SYNTHETIC_DIR.is_dir():
        notes.append(f"synthetic: {SYNTHETIC_DIR} not found, skipped")
        return []
    clips = []
    for path in sorted(SYNTHETIC_DIR.glob("*.labels.json")):
        labels = load_labels(path)
        targets = exercises_of(labels, exercises)
        clips += [Clip(labels, "synthetic", ex, labels.video) for ex in targets]
    return clips


def sample_clips(exercises: Sequence[str], with_synthetic: bool, notes: list[str]) -> list[Clip]:
    if not SAMPLES_DIR.is_dir():
        notes.append(f"samples: {SAMPLES_DIR} not found, skipped")
        return []
    clips = []
    for path in sorted(SAMPLES_DIR.rglob("*.labels.json")):  # samples/<exercise>/: the catalogue's renders
        labels = load_labels(path)
        targets = exercises_of(labels, exercises)
        twin = SYNTHETIC_DIR / labels.video.name
        identical = twin.exists() and labels.video.exists() and filecmp.cmp(twin, labels.video, shallow=False)
        duplicate = f"synthetic/{labels.name}" if with_synthetic and twin.exists() else ""
        if duplicate:
            notes.append(f"samples/{labels.name}: copy of {duplicate} (same file name), scored once, under synthetic")
            continue
        clips += [Clip(labels, "samples", ex, twin if identical else labels.video) for ex in targets]
    return clips


# Realworld labels whose exercise_id is not a catalogue id: what the clips show (their descriptions say
# "plank (forearm)").
REALWORLD_IDS = {"plank": "forearm_plank"}


def realworld_clips(exercises: Sequence[str], notes: list[str]) -> list[Clip]:
    if not (REALWORLD_DIR / "labels.json").is_file():
        notes.append(f"realworld: {REALWORLD_DIR / 'labels.json'} not found, skipped")
        return []
    clips, skipped = [], 0
    for labels in load_realworld(REALWORLD_DIR):
        labels = dataclasses.replace(labels, exercise=REALWORLD_IDS.get(labels.exercise, labels.exercise))
        if labels.exercise not in exercises:
            skipped += 1
            continue
        if not labels.video.exists():
            notes.append(f"realworld: {labels.video} missing, skipped")
            continue
        origin = "suspected_synthetic" if labels.video.parent.name == "suspected_synthetic" else "realworld"
        clips.append(Clip(labels, origin, labels.exercise, labels.video))
    suspected = sum(c.origin == "suspected_synthetic" for c in clips)
    notes.append(f"realworld: {len(clips) - suspected} clips in videos/ and {suspected} in suspected_synthetic/ "
                 f"of {', '.join(exercises)}; {skipped} clips of exercises without a definition left out")
    return clips


def find_clips(exercises: Sequence[str], only: Optional[str], notes: list[str]) -> list[Clip]:
    clips: list[Clip] = []
    if only in (None, "synthetic"):
        clips += synthetic_clips(exercises, notes)
    if only in (None, "samples"):
        clips += sample_clips(exercises, with_synthetic=only is None, notes=notes)
    if only in (None, "realworld"):
        clips += realworld_clips(exercises, notes)
    return clips


# -- what a counter found ------------------------------------------------------------------------

@dataclass(frozen=True)
class Rep:
    start_s: float
    end_s: float
    hold_s: float
    faults: tuple[str, ...] = ()
    side: Optional[str] = None
    unjudged: tuple[str, ...] = ()  # faults the camera's angle kept from being judged (ours only)
    top_s: Optional[float] = None  # time in the position however it was held (ours; hold_s: in good form)


@dataclass(frozen=True)
class Hold:
    start_s: float
    end_s: float
    duration_s: float
    side: Optional[str] = None


@dataclass
class Outcome:
    reps: list[Rep]
    holds: list[Hold]
    phases: Optional[list[PhaseSegment]] = None  # None: the counter has no phases
    diagnosis: dict = field(default_factory=dict)  # ours only: what the checker saw (see diagnose)


def run_checker(exercise: Exercise, frames: Sequence[PoseFrame]) -> Outcome:
    checker = ExerciseChecker(exercise)
    results = [checker.update(pose) for pose in frames]
    s = checker.finish()
    return Outcome(reps=[Rep(r.start_s, r.end_s, r.hold_s, tuple(r.faults), r.side, tuple(r.unjudged), r.top_s)
                         for r in s.reps],
                   holds=[Hold(h.start_s, h.end_s, h.duration_s, h.side) for h in s.holds], phases=s.phases,
                   diagnosis=diagnose(results, s.warnings, frames))


def diagnose(results: Sequence[FrameResult], warnings: Sequence[str], frames: Sequence[PoseFrame]) -> dict:
    """What the checker saw, for the failures table: the share of frames it could not trust and the
    most common reason, when counting began, its warnings, and the view (degrees from side-on): over
    the clip, and in the starting position (up to ``START_VIEW_S`` after counting began, or the clip's
    first seconds if it never did), which is where the live set-up check reads it."""
    unseen = Counter(r.message for r in results if r.state in ("unseen", "no_person"))
    armed = next((r.t for r in results if r.state == "active"), None)
    start_until = (armed if armed is not None else frames[0].t if frames else 0.0) + START_VIEW_S

    def median_view(poses: Iterable[PoseFrame]) -> float:
        views = [v for v in (side_on_score(p) for p in poses if p.xy is not None) if math.isfinite(v)]
        return view_angle(statistics.median(views)) if views else math.nan

    return {"untrusted": len([r for r in results if r.state in ("unseen", "no_person")]) / max(len(results), 1),
            "why_untrusted": unseen.most_common(1)[0][0] if unseen else "", "armed_at": armed,
            "warnings": list(warnings), "view_deg": median_view(frames),
            "start_view_deg": median_view(p for p in frames if p.t <= start_until)}


def most_visible_side(pose: PoseFrame, joints: Sequence[str]) -> str:
    """The side whose joints MediaPipe rates more visible, frame by frame (no memory)."""
    assert pose.visibility is not None
    vis = {s: sum(pose.visibility[side_landmark(s, j)] for j in joints) for s in ("left", "right")}
    return max(vis, key=lambda s: vis[s])


class NaiveCounter:
    """THE BASELINE TECHNIQUE: a single-threshold angle counter like those of typical open-source trainers.

    Per frame: the side whose key joints MediaPipe rates more visible, the raw key measure (no
    smoothing), a rep each time it crosses ``threshold`` outward and then back (no hysteresis, no
    starting-posture check, no trust gate); the hold is the time spent past the threshold. Faults:
    the definition's hold-scope limits tested at the frame where the key measure peaks, and its
    rep-scope limits on the hold time."""

    def __init__(self, exercise: Exercise, threshold: float, origin: float = 0.0) -> None:
        self.ex, self.threshold = exercise, threshold
        self.measure = exercise.phases.measure
        # A movement out either way (``either_way``: a signed turn) is thresholded on its distance from
        # ``origin``, the clip's first second, as the checker's machine follows its distance from rest.
        self.origin = origin if getattr(exercise.phases, "either_way", False) else None
        self.sign = float(exercise.phases.direction)
        self.reps: list[Rep] = []
        self._start: Optional[float] = None  # past the threshold since
        self._peak = -math.inf
        self._at_peak: dict[str, float] = {}

    def update(self, pose: PoseFrame) -> None:
        if pose.xy is None:
            return
        side = most_visible_side(pose, NAIVE_SIDE_JOINTS)
        value = MEASURES[self.measure](pose, side)
        if not math.isfinite(value):
            return
        if self.origin is not None:
            value = abs(value - self.origin)
        out = self.sign * (value - self.threshold) > 0
        if out and self._start is None:
            self._start, self._peak = pose.t, -math.inf
        if out and self.sign * value > self._peak:
            self._peak = self.sign * value
            self._at_peak = {r.measure: MEASURES[r.measure](pose, side) for r in self.ex.faults if r.scope == "hold"}
        if not out and self._start is not None:
            self._count(self._start, pose.t)
            self._start = None

    def _count(self, start: float, end: float) -> None:
        hold = end - start
        target = self.ex.hold_target_s
        stats = {"hold_s": hold, "hold_share": hold / target if target > 0 else math.nan, "top_s": hold,
                 "duration_s": hold}
        faults = [r.code for r in self.ex.faults
                  if r.scope == "hold" and r.measure in self._at_peak and r.violated(self._at_peak[r.measure])
                  or r.scope == "rep" and r.violated(stats[r.measure])]
        self.reps.append(Rep(start, end, hold, tuple(faults)))

    def finish(self) -> Outcome:
        """Like ours, a rep still out when the clip ends is not counted."""
        return Outcome(reps=list(self.reps), holds=[Hold(r.start_s, r.end_s, r.hold_s) for r in self.reps])


def good_top(ex: Exercise, rest: float = 0.0) -> Optional[float]:
    """The middle of the good band of the key measure at the top, from the hold-scope fault limits; a
    relative limit (a change from the person's rest) is taken from ``rest``."""
    rules = [r for r in ex.faults if r.scope == "hold" and r.measure == ex.phases.measure]
    limits = [x + (rest if r.relative else 0.0) for r in rules for x in (r.below, r.above) if x is not None]
    return (min(limits) + max(limits)) / 2 if limits else None


def first_second(ex: Exercise, frames: Sequence[PoseFrame]) -> float:
    """The key measure's median over the clip's first second (0 without any value)."""
    measure = MEASURES[ex.phases.measure]
    early = [measure(p, most_visible_side(p, NAIVE_SIDE_JOINTS)) for p in frames if p.xy is not None and p.t < 1.0]
    early = [v for v in early if math.isfinite(v)]
    return statistics.median(early) if early else 0.0


def naive_threshold(ex: Exercise, frames: Sequence[PoseFrame]) -> float:
    """Halfway between rest and the good top (bridge: (140 + 178.5) / 2 -> 160), rounded to 5 like a
    hand-picked constant. An exercise without a nominal rest value uses the clip's first second; one
    that moves out either way (``either_way``) is thresholded on the distance from it (rest 0)."""
    rest = NAIVE_REST.get(ex.id)
    if getattr(ex.phases, "either_way", False):
        rest = 0.0
    if rest is None:
        rest = first_second(ex, frames)
    top = good_top(ex, rest)
    if top is None:  # out-and-back: twice the hold threshold; two-way (cat-cow): twice the pole threshold
        out = getattr(ex.phases, "hold_above_rest", None) or getattr(ex.phases, "pole_beyond")
        top = rest + ex.phases.direction * 2 * out
    # spine_flexion runs about -1..1; a pelvic tilt's press moves the mask's edge 0.02 torso lengths
    step = 5.0 if UNITS.get(ex.phases.measure) == "deg" else 0.05 if abs(top - rest) >= 0.2 else 0.002
    return step * round((rest + top) / 2 / step)


def run_naive(ex: Exercise, frames: Sequence[PoseFrame], threshold: float) -> Outcome:
    either_way = getattr(ex.phases, "either_way", False)  # only then is the first second the origin
    naive = NaiveCounter(ex, threshold, first_second(ex, frames) if either_way else 0.0)
    for pose in frames:
        naive.update(pose)
    return naive.finish()


# -- scoring -------------------------------------------------------------------------------------

Interval = tuple[float, float]


def overlap(a: Interval, b: Interval) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def match(ours: Sequence[Interval], truth: Sequence[Interval]) -> dict[int, int]:
    """One-to-one matching by time overlap, largest overlap first: {our index: label index}."""
    pairs = sorted(((overlap(a, b), i, j) for i, a in enumerate(ours) for j, b in enumerate(truth)), reverse=True)
    matched: dict[int, int] = {}
    used: set[int] = set()
    for ov, i, j in pairs:
        if ov > 0 and i not in matched and j not in used:
            matched[i] = j
            used.add(j)
    return matched


@dataclass
class Score:
    expected: Optional[int]
    counted: int
    hold_errors: list[float] = field(default_factory=list)
    faults: Optional[tuple[int, int, int]] = None  # hits, found, labelled
    phase: Optional[tuple[int, int]] = None  # agreeing frames, frames
    sides: Optional[tuple[int, int]] = None  # matched reps whose side is right, matched reps with a labelled side
    # Labelled hold intervals (realworld) and the hold of ours matched to each (None: missed).
    hold_timing: list[tuple[Interval, Optional[Hold]]] = field(default_factory=list)
    rep_faults: list[tuple[str, ...]] = field(default_factory=list)  # the faults of each rep found
    diagnosis: dict = field(default_factory=dict)  # what the checker saw (ours only)
    reps_found: list[Rep] = field(default_factory=list)
    # Labelled reps too small to see (``hidden_reps``) left uncounted: (start s, hiding codes).
    hidden: list[tuple[Optional[float], tuple[str, ...]]] = field(default_factory=list)

    @property
    def error(self) -> Optional[int]:
        return None if self.expected is None else self.counted - self.expected


def label_intervals(labels: ClipLabels) -> list[Interval]:
    return [(r.start_s, r.end_s) for r in labels.reps if r.start_s is not None and r.end_s is not None]


def hold_errors(labels: ClipLabels, found: Outcome, rep_match: dict[int, int]) -> list[float]:
    """|labelled - our| hold time: per matched rep when the labels time each rep's hold, else per
    labelled hold interval (realworld; one none of ours overlaps: its whole length)."""
    if any(r.hold_s is not None for r in labels.reps):
        return [abs(labelled_hold(labels.reps[j]) - position_time(found.reps[i], labels.reps[j]))
                for i, j in rep_match.items() if labels.reps[j].hold_s is not None]
    # A labelled hold none of ours matches was timed 0 s: all of it is error.
    return [abs((b - a) - (h.duration_s if h is not None else 0.0)) for (a, b), h in hold_timing(labels, found)]


def position_time(ours: Rep, labelled: LabelRep) -> float:
    """Our time in the position, to set against the label's: a rep labelled with a fault may have had
    its hold timer paused while the fault lasted (hold_s: time in good form, what the report counts
    toward the target), so its time at the top (top_s) is compared; a good rep's hold_s."""
    return ours.top_s if labelled.faults and ours.top_s is not None else ours.hold_s


def labelled_hold(rep: LabelRep) -> float:
    """The labelled hold a rep's hold is scored against: the time in the position from the truth
    file (``coach.labels.position_times``, in the definition's band: ``position_band``) where there is
    one, else the labels' ``hold_s``."""
    return rep.position_s if rep.position_s is not None else rep.hold_s


def hold_timing(labels: ClipLabels, found: Outcome) -> list[tuple[Interval, Optional[Hold]]]:
    """Each labelled hold interval with the hold of ours that overlaps it most (realworld labels)."""
    if any(r.hold_s is not None for r in labels.reps):
        return []
    held = {j: i for i, j in match([(h.start_s, h.end_s) for h in found.holds], labels.holds).items()}
    return [(tuple(iv), found.holds[held[j]] if j in held else None) for j, iv in enumerate(labels.holds)]


@functools.lru_cache(maxsize=None)
def label_vocabulary(exercise_id: str) -> frozenset[str]:
    """The fault codes the rendered labels of an exercise use anywhere (../shared/synthetic and the
    project's own renders in samples/). A hold-length code they never use (knee to chest's hold_short:
    the renders' 3-5 s hugs were not made against the 10 s target) is not scored against them: it
    judges our target, not what the renderer made."""
    clips = synthetic_clips([exercise_id], []) + sample_clips([exercise_id], False, [])
    return frozenset(code for clip in clips for rep in clip.labels.reps for code in rep.faults)


def fault_counts(labels: ClipLabels, found: Outcome, rep_match: dict[int, int],
                 unscored: frozenset[str] = frozenset(),
                 excused: frozenset[tuple[int, str]] = frozenset()) -> tuple[int, int, int]:
    """(hits, found, labelled) over (rep, code) pairs; ``unscored`` codes found are left out, and so
    are the ``excused`` (labelled rep, code) pairs (a rep too small to see, left uncounted: ``hidden_reps``)."""
    ours = [set(r.faults) - unscored for r in found.reps]
    hits = sum(len(ours[i] & set(labels.reps[j].faults)) for i, j in rep_match.items())
    labelled = sum(len({c for c in set(r.faults) if (j, c) not in excused}) for j, r in enumerate(labels.reps))
    return hits, sum(len(f) for f in ours), labelled


def hidden_reps(labels: ClipLabels, ex: Exercise) -> dict[int, tuple[str, ...]]:
    """Labelled reps carrying a fault the definition says makes a rep too small for the camera to see
    (``hides_rep``: a pelvic tilt of a quarter of the full one), with those codes: the coach counts no
    rep for them, so they are not expected; one ours did count is scored as any rep."""
    hiding = {f.code for f in ex.faults if f.hides_rep}
    out = {j: tuple(c for c in r.faults if c in hiding) for j, r in enumerate(labels.reps)}
    return {j: codes for j, codes in out.items() if codes}


def side_counts(labels: ClipLabels, found: Outcome, rep_match: dict[int, int]) -> Optional[tuple[int, int]]:
    """(right, judged): matched reps whose worked side equals the labelled one, over matched reps
    that have a labelled side (one-sided exercises only)."""
    judged = [(found.reps[i].side, labels.reps[j].side) for i, j in rep_match.items() if labels.reps[j].side]
    return (sum(a == b for a, b in judged), len(judged)) if judged else None


# Labelled phases that ours name otherwise: the labels split "moving" by direction.
LABEL_PHASE_ALIASES = {"to_cat": "moving", "to_cow": "moving", "to_neutral": "moving"}


def phase_at(segments: Sequence, t: float, key: Callable) -> Optional[str]:
    """The phase of the segment holding ``t`` (segments tile time in order; the last one runs on)."""
    for seg in segments:
        start, end, name = key(seg)
        if start <= t < end or seg is segments[-1] and t >= start:
            return name
    return None


def phase_agreement(clip: Clip, ex: Exercise, found: Outcome, frames: Sequence[PoseFrame]) -> Optional[tuple[int, int]]:
    if found.phases is None or not clip.labels.phases:
        return None
    p = ex.phases
    vocabulary = (set(p.names) | {seg.phase for seg in found.phases}) - {"setup"}
    agree = 0
    for pose in frames:
        truth = phase_at(clip.labels.phases, pose.t, lambda s: (s["start_s"], s["end_s"], s["phase"]))
        truth = LABEL_PHASE_ALIASES.get(truth, truth)
        ours = phase_at(found.phases, pose.t, lambda s: (s.start_s, s.end_s, s.phase)) or "setup"
        accepted = {truth} if truth in vocabulary else {"setup", p.rest}
        agree += ours in accepted
    return agree, len(frames)


def score(clip: Clip, ex: Exercise, found: Outcome, frames: Sequence[PoseFrame]) -> Score:
    expected = 0 if clip.negative else clip.labels.rep_count
    rep_match = match([(r.start_s, r.end_s) for r in found.reps], label_intervals(clip.labels))
    # Labelled reps too small to see (hides_rep) that ours did not count: not expected, their hiding
    # fault not scored (the count is the test: counting one anyway is scored as any rep).
    hidden = {j: codes for j, codes in hidden_reps(clip.labels, ex).items() if j not in rep_match.values()}
    if expected is not None and not clip.negative:
        expected -= len(hidden)
    s = Score(expected=expected, counted=len(found.reps), hold_errors=hold_errors(clip.labels, found, rep_match),
              rep_faults=[r.faults for r in found.reps], reps_found=list(found.reps),
              hidden=[(clip.labels.reps[j].start_s, codes) for j, codes in sorted(hidden.items())])
    if clip.labels.fault_codes_known:
        unscored = frozenset(f.code for f in ex.faults if f.judges_hold_length) - label_vocabulary(ex.id)
        excused = frozenset((j, c) for j, codes in hidden.items() for c in codes)
        s.faults = fault_counts(clip.labels, found, rep_match, unscored, excused)
    s.phase = phase_agreement(clip, ex, found, frames)
    s.sides = side_counts(clip.labels, found, rep_match)
    s.hold_timing = hold_timing(clip.labels, found)
    s.diagnosis = found.diagnosis
    return s


# -- running -------------------------------------------------------------------------------------

@dataclass
class Result:
    clip: Clip
    ours: Score
    naive: Score
    threshold: float


def load_frames(video: Path, notes: list[str]) -> list[PoseFrame]:
    started = time.perf_counter()
    trace = cached_trace(video)
    if time.perf_counter() - started > 2.0:
        notes.append(f"landmarks of {video.name} extracted ({time.perf_counter() - started:.0f} s, cached now)")
    return list(TraceSource(str(trace)))


def clip_frames(clips: Sequence[Clip], notes: list[str]) -> dict[Path, list[PoseFrame]]:
    """The landmarks of every clip's video, each video read once; a clip whose landmarks can't be
    had is left out with a note (bench/fit.py loads its clips through this too)."""
    frames_of: dict[Path, list[PoseFrame]] = {}
    for clip in clips:
        if clip.video in frames_of:
            continue
        try:
            progress(f"landmarks of {clip.name} ...")
            frames_of[clip.video] = load_frames(clip.video, notes)
        except (CoachError, OSError, ValueError) as err:
            notes.append(f"{clip.name}: no landmarks ({err}), skipped")
    progress("")
    return frames_of


def score_ours(clip: Clip, ex: Exercise, frames: Sequence[PoseFrame]) -> Score:
    """The exercise checker with definition ``ex`` on one clip, scored against its labels (the
    threshold fitter, bench/fit.py, scores every parameter set with this)."""
    return score(clip, ex, run_checker(ex, frames), frames)


def evaluate(clips: Sequence[Clip], exercises: dict[str, Exercise], notes: list[str]) -> list[Result]:
    frames_of = clip_frames(clips, notes)
    results = []
    for clip in clips:
        if clip.video not in frames_of:
            continue
        ex, frames = exercises[clip.exercise], frames_of[clip.video]
        threshold = naive_threshold(ex, frames)
        results.append(Result(clip, score_ours(clip, ex, frames),
                              score(clip, ex, run_naive(ex, frames, threshold), frames), threshold))
    order = {ex: i for i, ex in enumerate(exercises)}
    return sorted(results, key=lambda r: (order[r.clip.exercise], ORIGINS.index(r.clip.origin)))


def progress(text: str) -> None:
    """A transient status line on a terminal (the first run extracts landmarks: minutes)."""
    if sys.stderr.isatty():
        print(f"\r{text[:79]:79s}", end="" if text else "\r", file=sys.stderr, flush=True)


# -- printing ------------------------------------------------------------------------------------

def _ratio(hits: int, total: int) -> str:
    return f"{hits}/{total}"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _secs(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f}" if values else "-"


def _frac(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "-"


def clip_cells(s: Score) -> list[str]:
    err = "-" if s.error is None else f"{s.error:+d}" if s.error else "0"
    f = s.faults
    return [str(s.counted), err, _secs(s.hold_errors), _ratio(f[0], f[1]) if f else "", _ratio(f[0], f[2]) if f else "",
            _ratio(*s.sides) if s.sides else "", _pct(*s.phase) if s.phase else ""]


def table(header: list[str], rows: list[list[str]], left: int, gap_after: Iterable[int] = ()) -> list[str]:
    """Aligned text: the first ``left`` columns left-aligned, the rest right-aligned; a ``|`` after
    the columns in ``gap_after``."""
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    gaps = set(gap_after)

    def line(cells: list[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths)):
            out.append(c.ljust(w) if i < left else c.rjust(w))
            if i in gaps:
                out.append("|")
        return "  ".join(out).rstrip()

    return [line(header)] + [line(r) for r in rows]


def clip_table(results: Sequence[Result]) -> list[str]:
    header = ["exercise", "clip", "origin", "exp", "n", "err", "hold", "flt P", "flt R", "side", "phase",
              "thr", "n", "err", "hold", "flt P", "flt R"]
    rows = []
    for r in results:
        exp = "-" if r.ours.expected is None else str(r.ours.expected)
        if r.clip.labels.confidence in ("medium", "low") and not r.clip.negative:
            exp += "?"
        rows.append([r.clip.exercise, r.clip.display, ORIGIN_SHORT[r.clip.origin], exp] + clip_cells(r.ours)
                    + [f"{r.threshold:g}"] + clip_cells(r.naive)[:-2])
    lines = table(header, rows, left=3, gap_after=(3, 10))
    bar = lines[0].index("|")
    title = " " * (bar + 2) + "ours".ljust(lines[0].rindex("|") - bar - 2) + "| naive (single threshold)"
    return [title] + lines


@dataclass
class Totals:
    clips: int = 0
    counted_clips: int = 0
    exact: int = 0
    abs_err: int = 0
    within_one: int = 0
    hold_errors: list[float] = field(default_factory=list)
    hits: int = 0
    found: int = 0
    labelled: int = 0
    phase_agree: int = 0
    phase_frames: int = 0
    sides_right: int = 0
    sides_judged: int = 0

    def add(self, s: Score) -> None:
        self.clips += 1
        if s.error is not None:
            self.counted_clips += 1
            self.exact += s.error == 0
            self.abs_err += abs(s.error)
            self.within_one += abs(s.error) <= 1
        self.hold_errors += s.hold_errors
        if s.faults:
            self.hits, self.found, self.labelled = (a + b for a, b in zip((self.hits, self.found, self.labelled), s.faults))
        if s.phase:
            self.phase_agree += s.phase[0]
            self.phase_frames += s.phase[1]
        if s.sides:
            self.sides_right += s.sides[0]
            self.sides_judged += s.sides[1]

    def cells(self, with_phase: bool = True) -> list[str]:
        n = self.counted_clips
        faults = self.labelled or self.found
        cells = [f"{self.exact}/{n} {_pct(self.exact, n)}" if n else "-", _frac(self.abs_err, n),
                 _pct(self.within_one, n), _secs(self.hold_errors),
                 _frac(self.hits, self.found) if faults else "", _frac(self.hits, self.labelled) if faults else ""]
        return cells + ([_pct(self.sides_right, self.sides_judged) if self.sides_judged else "",
                         _pct(self.phase_agree, self.phase_frames) if self.phase_frames else ""] if with_phase else [])


def totals_table(results: Sequence[Result]) -> list[str]:
    groups: dict[tuple[str, str], tuple[Totals, Totals]] = {}
    for r in results:
        ours, naive = groups.setdefault((r.clip.exercise, r.clip.origin), (Totals(), Totals()))
        ours.add(r.ours)
        naive.add(r.naive)
    header = ["exercise", "origin", "clips", "exact", "MAE", "+-1", "hold", "P", "R", "side", "phase",
              "exact", "MAE", "+-1", "hold", "P", "R"]
    order = sorted(groups, key=lambda k: (k[0], ORIGINS.index(k[1])))
    rows = [[ex, origin, str(groups[ex, origin][0].clips)] + groups[ex, origin][0].cells()
            + groups[ex, origin][1].cells(with_phase=False) for ex, origin in order]
    lines = table(header, rows, left=2, gap_after=(2, 10))
    bar = lines[0].index("|")
    title = " " * (bar + 2) + "ours".ljust(lines[0].rindex("|") - bar - 2) + "| naive"
    return [title] + lines


def hold_timing_table(results: Sequence[Result], within_s: float = 1.0) -> list[str]:
    """Realworld clips: each labelled hold against the hold of ours that overlaps it most, boundary by boundary."""
    rows = [(r, iv, h) for r in results if r.clip.origin == "realworld"
            for iv, h in r.ours.hold_timing]
    if not rows:
        return []
    out = [f"realworld holds, timed (d = ours - labelled, s; ok = start and end within {within_s:g} s)"]
    ok = 0
    for r, (a, b), h in rows:
        if h is None:
            out.append(f"  {r.clip.exercise}  {r.clip.display}: labelled {a:.1f}-{b:.1f}  ours: none")
            continue
        ds, de, dd = h.start_s - a, h.end_s - b, h.duration_s - (b - a)
        good = abs(ds) <= within_s and abs(de) <= within_s
        ok += good
        out.append(f"  {r.clip.exercise}  {r.clip.display}: labelled {a:.1f}-{b:.1f}  ours {h.start_s:.2f}-{h.end_s:.2f} {h.side or '-'}"
                   f"  d start {ds:+.2f}  d end {de:+.2f}  d held {dd:+.2f}  {'ok' if good else 'off'}")
    return out + [f"  {ok} of {len(rows)} labelled holds found with start and end within {within_s:g} s", ""]


def realworld_faults(results: Sequence[Result], exercises: dict[str, Exercise]) -> list[str]:
    """Realworld clips: the form faults we flag, beside what the annotator saw (free text, so not
    scored). On a clip the annotator saw no fault in, every one is a false alarm. Faults on the
    hold's length (measure ``hold_s``) are left out: they judge timing against our limit, which the
    annotator did not."""
    rows = [r for r in results if r.clip.origin == "realworld" and not r.clip.negative]
    if not rows:
        return []
    out = ["realworld form faults: ours (how many reps) beside the annotator's notes (hold-length faults left out)"]
    clean = flagged = reps = 0
    by_code: Counter = Counter()
    for r in rows:
        timing = {f.code for f in exercises[r.clip.exercise].faults if f.judges_hold_length}
        per_rep = [set(faults) - timing for faults in r.ours.rep_faults]
        codes = sorted(set().union(*per_rep))
        said = ", ".join(f"{c} on {sum(c in f for f in per_rep)}" for c in codes) or "none"
        seen = "; ".join(r.clip.labels.faults_seen)
        out.append(f"  {r.clip.exercise}  {r.clip.display}: {len(per_rep)} reps, flagged: {said}"
                   f"  | annotator: {seen or 'none seen'}")
        if not seen:
            clean, flagged, reps = clean + 1, flagged + sum(bool(f) for f in per_rep), reps + len(per_rep)
            for faults in per_rep:
                by_code.update(faults)
    out.append(f"  false alarms: {flagged} of {reps} reps flagged with a form fault on the {clean} clips "
               "the annotator saw none in")
    codes = sorted({f.code for ex in exercises.values() for f in ex.faults if not f.judges_hold_length})
    out.append("  per fault code (reps flagged / reps on those clips): "
               + ", ".join(f"{c} {by_code[c]}/{reps} {_pct(by_code[c], reps)}" for c in codes if reps))
    return out + [""]


def hold_short_on_long_holds(results: Sequence[Result], exercises: dict[str, Exercise]) -> list[str]:
    """Realworld clips: reps flagged with a hold-length fault although the hold the annotator timed
    (the labelled hold interval the rep overlaps most) is at least that fault's limit, or the target."""
    lines, wrong, judged = [], 0, 0
    for r in results:
        if r.clip.origin != "realworld" or not r.clip.labels.holds:
            continue
        ex = exercises[r.clip.exercise]
        rules = [f for f in ex.faults if f.judges_hold_length and f.below is not None]
        for rule in rules:
            for (a, b), hold in r.ours.hold_timing:
                rep = next((x for x, faults in zip(r.ours.reps_found, r.ours.rep_faults)
                            if hold is not None and x.start_s <= hold.start_s <= x.end_s), None)
                limit = rule.below * ex.hold_target_s if rule.measure == "hold_share" else rule.below
                if rep is None or b - a < limit:
                    continue
                judged += 1
                if rule.code in rep.faults:
                    wrong += 1
                    lines.append(f"  {r.clip.display}: labelled hold {b - a:.1f} s, ours {hold.duration_s:.2f} s: {rule.code}")
    head = (f"realworld hold-length faults on holds the annotator timed at or past the fault's limit: "
            f"{wrong} of {judged}")
    return [head] + lines + [""]


def failures_table(results: Sequence[Result], exercises: dict[str, Exercise], within_s: float = 1.0) -> list[str]:
    """Realworld clips where ours went wrong (count off, a labelled hold missed or timed more than
    ``within_s`` off at either end, a form fault on a clip the annotator saw none in), each with
    what the checker saw: the likely cause."""
    out = ["realworld failures of ours, and what the checker saw (untrusted = frames it could not judge)"]
    for r in results:
        if r.clip.origin != "realworld":
            continue
        what = []
        if r.ours.error:
            what.append(f"count {r.ours.error:+d}")
        off = [iv for iv, h in r.ours.hold_timing
               if h is None or abs(h.start_s - iv[0]) > within_s or abs(h.end_s - iv[1]) > within_s]
        if off:
            what.append(f"{len(off)} hold(s) missed or > {within_s:g} s off")
        timing = {f.code for f in exercises[r.clip.exercise].faults if f.judges_hold_length}
        form = set().union(*map(set, r.ours.rep_faults)) - timing if r.ours.rep_faults else set()
        if not r.clip.labels.faults_seen and form:
            what.append("form faults on a clean clip: " + ", ".join(sorted(form)))
        if not what:
            continue
        d = r.ours.diagnosis
        armed = "never" if d.get("armed_at") is None else f"{d['armed_at']:.1f} s"
        why = f" ({d['why_untrusted']})" if d.get("why_untrusted") else ""
        out.append(f"  {r.clip.exercise}  {r.clip.display}: {'; '.join(what)}  | view {d.get('view_deg', math.nan):.0f} deg, "
                   f"untrusted {100 * d.get('untrusted', 0):.0f}%{why}, counting from {armed}, "
                   f"warnings: {', '.join(d.get('warnings', [])) or 'none'}")
    if len(out) == 1:
        out.append("  none")
    return out + [""]


def unjudged_table(results: Sequence[Result]) -> list[str]:
    """Faults ours left unjudged (the camera's angle, ``max_view_deg``; landmarks hidden, ``min_visibility``;
    a condition unmet, ``judge_while``; the person too small), beside the labels: a fault labelled on
    such a rep counts as missed in the fault recall above."""
    out = ["faults left unjudged for the camera's angle, hidden landmarks or an unmet judge_while (neither flagged "
           "nor cleared; a labelled one counts as missed)"]
    for r in results:
        for rep in r.ours.reps_found:
            if rep.unjudged:
                out.append(f"  {r.clip.exercise}  {r.clip.display} ({ORIGIN_SHORT[r.clip.origin]}, view "
                           f"{r.ours.diagnosis.get('view_deg', math.nan):.0f} deg): rep at {rep.start_s:.1f} s: "
                           + ", ".join(rep.unjudged))
    if len(out) == 1:
        out.append("  none")
    return out + [""]


def placement_table(results: Sequence[Result], definitions: dict[str, Exercise]) -> list[str]:
    """Clips filmed from where the live set-up check would ask the person to move the camera: a side-view
    exercise whose ``side_within_deg`` the clip's view in the starting position (ours, median; the
    set-up check reads it there, before counting) is beyond. They stay in every
    figure above, scored against their labels (the labels are not changed to suit the coach): this
    says which of the misses come from a placement the coach itself refuses."""
    out = ["clips from a camera the set-up check asks to move (view read in the starting position beyond the "
           "definition's side_within_deg; kept in the figures above)"]
    for r in results:
        ex = definitions.get(r.clip.exercise)
        limit = ex.side_within_deg if ex is not None else None
        view = r.ours.diagnosis.get("start_view_deg", math.nan)
        if limit is None or not math.isfinite(view) or view <= limit:
            continue
        err = r.ours.error
        hits = r.ours.faults
        out.append(f"  {r.clip.exercise}  {r.clip.display} ({ORIGIN_SHORT[r.clip.origin]}): view {view:.1f} deg "
                   f"> {limit:g}; count error {'-' if err is None else f'{err:+d}'}"
                   + (f", faults {hits[0]}/{hits[1]} found right, {hits[0]}/{hits[2]} labelled found" if hits else ""))
    if len(out) == 1:
        out.append("  none")
    return out + [""]


def hidden_table(results: Sequence[Result]) -> list[str]:
    """Labelled reps a definition says are too small to see (a fault with ``hides_rep``), which ours
    did not count: left out of the expected count and of the fault figures, listed here."""
    out = ["labelled reps too small to see (a hides_rep fault), not counted by ours: not expected, their fault "
           "not scored"]
    for r in results:
        for start, codes in r.ours.hidden:
            out.append(f"  {r.clip.exercise}  {r.clip.display} ({ORIGIN_SHORT[r.clip.origin]}): rep at "
                       f"{start if start is not None else math.nan:.1f} s: " + ", ".join(codes))
    if len(out) == 1:
        out.append("  none")
    return out + [""]


def report(results: Sequence[Result], definitions: dict[str, Exercise], notes: Sequence[str]) -> str:
    exercises = list(definitions)
    out = [f"coach accuracy bench: {', '.join(exercises)}; {len(results)} clip runs "
           f"(negatives run through every exercise)", ""]
    if notes:
        out += ["notes:"] + [f"  {n}" for n in notes] + [""]
    out += ["per clip (hold in s; flt P = hits/found, flt R = hits/labelled; side = reps whose worked side is right; "
            "exp? = count may be off by 1; "
            "thr = naive threshold, deg)"]
    out += clip_table(results) + [""]
    out += ["totals per origin (exact = count exact, MAE = mean |count error|, +-1 = |err| <= 1, "
            "hold = median |hold error| s, P/R = fault precision/recall)"]
    out += totals_table(results) + [""]
    out += hold_timing_table(results)
    out += realworld_faults(results, definitions)
    out += hold_short_on_long_holds(results, definitions)
    out += failures_table(results, definitions)
    out += unjudged_table(results)
    out += placement_table(results, definitions)
    out += hidden_table(results)
    out += ["tuned on:"] + [f"  {ex}: {TUNED_ON.get(ex, 'not recorded')}" for ex in exercises]
    return "\n".join(out)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exercise", help="one exercise id (default: every exercise defined in poses/)")
    ap.add_argument("--only", choices=("synthetic", "realworld", "samples"), help="one source of clips")
    args = ap.parse_args(argv)
    ids = exercise_ids()
    if args.exercise and args.exercise not in ids:
        ap.error(f"unknown exercise {args.exercise!r}; defined: {', '.join(ids)}")
    chosen = [args.exercise] if args.exercise else ids
    exercises = {ex_id: load_exercise(ex_id) for ex_id in chosen}
    notes: list[str] = []
    clips = find_clips(chosen, args.only, notes)
    results = evaluate(clips, exercises, notes)
    print(report(results, exercises, notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
