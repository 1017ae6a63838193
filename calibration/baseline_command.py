"""``coach calibrate baseline --exercise ID --profile NAME [--camera N|PATH | --video PATH]``.

Records the person's resting and best comfortable positions for the exercise (guided and live from
a camera, or from a recording of them doing it: a video or a landmark trace), and writes the
personal thresholds into the profile NAME (calibration/profile.py). ``coach analyze/live
--profile NAME`` then uses them.
"""

from __future__ import annotations

import argparse

from calibration.profile import make_profile, profile_path, save_profile
from calibration.record import GuideConfig, baseline_from_camera, baseline_from_poses, poses_of_file
from coach.cli_options import seconds
from coach.engine.definition import load_exercise


def add_baseline_parser(group: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    p = group.add_parser(
        "baseline", help="record your own range of motion for an exercise into a profile",
        description="Records your resting position and your best comfortable position for an exercise, and keeps "
                    "thresholds that fit you in a profile. Live from the camera it guides you: get into the "
                    "starting position, relax, then go to your best comfortable position and back a few times. "
                    "Or give a recording of you doing that (--video).")
    p.add_argument("--exercise", "-e", required=True, help="exercise id (see 'coach exercises')")
    p.add_argument("--profile", "-p", required=True, help="profile name (or a .json path) to write")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--camera", "-c", default="0",
                       help="camera index or a video file played as a camera (default 0)")
    where.add_argument("--video", help="a recording (video, or a landmarks.jsonl trace) instead of the camera")
    p.add_argument("--seconds", "-s", type=seconds(above=True), default=GuideConfig.move_s,
                   help=f"live: seconds of moving to your best position and back (default {GuideConfig.move_s:g})")
    p.add_argument("--headless", action="store_true", help="live: no window; the steps are printed")
    p.add_argument("--model", help="a pose_landmarker_*.task file: run the MediaPipe Tasks API on it")
    p.set_defaults(func=run_baseline)
    return p


def run_baseline(args: argparse.Namespace) -> int:
    exercise = load_exercise(args.exercise)
    path = profile_path(args.profile)  # a bad name is refused before anything is recorded
    if args.video:
        baseline = baseline_from_poses(exercise, poses_of_file(args.video, exercise.needs_segmentation, args.model))
        source = args.video
    else:
        config = GuideConfig(move_s=args.seconds)
        baseline = baseline_from_camera(exercise, args.camera, config, args.headless, args.model)
        source = f"camera {args.camera}"
    profile = make_profile(args.profile, exercise, baseline, source)
    save_profile(profile, path)
    levels = ", ".join(f"{k} {v:g}" for k, v in baseline.levels.items())
    print(f"{exercise.name}: {baseline.measure} {levels} ({baseline.samples} frames)")
    changed = [f"{k} {v:g}" for k, v in profile["thresholds"]["phases"].items()]
    changed += [f"{code} {'/'.join(f'{k} {v:g}' for k, v in lim.items())}"
                for code, lim in profile["thresholds"]["faults"].items()]
    print("personal thresholds: " + (", ".join(changed) if changed else "the exercise's own (your range covers them)"))
    print(f"wrote profile {path}; use it with --profile {args.profile}")
    return 0
