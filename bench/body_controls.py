"""Hands-free controls against the exercises' own movements: do sitting-up (pause) or a raised hand
(pain stop) ever fire while someone just does the exercise?

    python bench/body_controls.py                      # every sample and synthetic clip (+ realworld with --realworld)
    python bench/body_controls.py TRACE.jsonl ...      # given landmark traces

Per clip: the frames, whether its first posture lets sitting up pause (lying or kneeling), what the
controls fired (must be nothing), and how close the exercise came to each signal: the highest torso
elevation (upright needs >= 60 deg) and how long the torso was upright at most, the highest
raised-hand score (-inf: never an arm held up straight, away from the knees; needs >= 0.6 torso
lengths) and how long a hand was up at most (needs 2 s). The controls run as live
(``coach.live.body_controls``), ``start`` on the first frame with a pose (as counting would).
Traces come from bench/traces.py's cache (the pose model runs once per clip).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coach.live.body_controls import BodyConfig, BodyControls, hand_up_score, torso_elevation  # noqa: E402
from coach.trace import TraceSource  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def videos(realworld: bool) -> list[Path]:
    found = sorted((ROOT / "samples").glob("*.mp4")) + sorted((SHARED / "synthetic").glob("*.mp4"))
    if realworld:
        found += sorted((SHARED / "realworld" / "videos").glob("*.mp4"))
    return found


def check(trace: Path, config: BodyConfig = BodyConfig()) -> dict:
    """What the controls did on one trace, and the nearest the exercise came to each signal."""
    controls = BodyControls(config)
    started = False
    fired: list[tuple[str, float]] = []
    top_elev, top_hand, frames, upright_s, hand_s = -math.inf, -math.inf, 0, 0.0, 0.0
    for pose in TraceSource(str(trace)):
        frames += 1
        if pose.xy is not None:
            if not started:
                controls.start(pose)
                started = True
            top_elev = max(top_elev, torso_elevation(pose))
            top_hand = max(top_hand, hand_up_score(pose, config))
        s = controls.update(pose.t, pose)
        upright_s, hand_s = max(upright_s, s.upright_s), max(hand_s, s.hand_up_s)
        for name, on in (("pain", s.pain), ("pause", s.pause)):
            if on and (not fired or fired[-1][0] != name or pose.t - fired[-1][1] > 1.0):
                fired.append((name, pose.t))
    return {"frames": frames, "fired": fired, "max_elevation_deg": top_elev, "max_hand_score": top_hand,
            "can_pause": controls.can_pause, "longest_upright_s": upright_s, "longest_hand_up_s": hand_s}


def main(argv: list[str]) -> int:
    realworld = "--realworld" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")]
    if not paths:
        from bench.traces import cached_trace

        paths = [cached_trace(v) for v in videos(realworld)]
    total = 0
    print(f"{'clip':52} {'frames':>6} {'lying':>5} {'torso':>6} {'for s':>5} {'hand':>5} {'for s':>5}  fired")
    for path in paths:
        r = check(path)
        total += len(r["fired"])
        name = path.name.split(".")[0]
        fired = ", ".join(f"{k} at {t:.1f}s" for k, t in r["fired"][:4]) or "nothing"
        print(f"{name[:52]:52} {r['frames']:6d} {str(r['can_pause']):>5} {r['max_elevation_deg']:5.1f}° "
              f"{r['longest_upright_s']:5.1f} {r['max_hand_score']:5.2f} {r['longest_hand_up_s']:5.1f}  {fired}")
    print(f"{len(paths)} clips, {total} false triggers (upright needs >= {90 - BodyConfig().upright_within_deg:.0f} deg "
          f"for {BodyConfig().pause_after_s:g} s; a hand >= {BodyConfig().hand_above_torso:g} torso lengths up for "
          f"{BodyConfig().hand_up_s:g} s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
