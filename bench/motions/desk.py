"""Motion plugin: two chair exercises of the handouts' office routine: dorsal_arch, seated_knee_raise.

    make_dataset.py --motions bench/motions/desk.py --spec bench/motions/specs/<exercise>.json --out DIR

Grounded in the handouts and ordinary anatomy (the chair and the seated placement follow the
renderer's examples/_props_demo.py), not in the coach's thresholds:

- ``dorsal_arch``: sitting on a chair (0.46 m seat), the hands under the buttocks; from a slump sit up
  tall and pull the shoulders back, hold, slump again. Upright: the shoulder straight above the hip
  (the pelvis tilt solved per body for it), the back a little arched (8 deg of spine extension), the
  head level. The slump, from there: the pelvis rolled back 14 deg, the back rounded (44 deg more
  spine flexion), the head carried forward with the chin poking (18 deg of neck extension to keep the
  eyes level): the hip-to-shoulder line then leans ~15 deg forward and the hip-to-ear line ~20 (the
  COCO keypoints, all three bodies). Faults: ``still_slumped`` (the person straightens only part of
  the way: 30-45 % of the movement, the back still rounded), ``leaning_back`` (sits up but reclines
  the whole trunk 16-22 deg behind upright, rolling back on the pelvis, chin tucked to keep looking
  ahead). The hands: palms down on the seat at the buttocks' sides (the renderer has no collisions,
  so "under the buttocks" is drawn as the hand at the buttock's edge).
- ``seated_knee_raise``: sitting upright, the hands on the thighs; one knee is lifted (30 deg more
  hip flexion, the foot 10-15 cm off the floor, the knee bent 10 deg more), held, lowered; the rep's
  ``side`` is the lifted leg. Faults: ``leaning_back`` (the trunk reclines 16-22 deg as the knee
  comes up), ``trunk_slumped`` (the back rounds into the slump above, 70-100 % of it, as the knee
  comes up).

State: the FIRST dimension is the exercise's amount (0 rest, 1 full position): ``arch`` (slumped ->
upright) or ``lift`` (both feet down -> knee lifted). The others are the fault amounts, 0 = none, 1 =
the fault's full size.

Desk camera: a spec camera may give ``aim_height_m`` (the height the camera looks at, metres above
the floor). The renderer aims at the middle of the body's bounding box, so a close camera at desk
height would cut the head off as much as the feet; a laptop's camera frames the head and trunk and
loses the legs. The plugin re-aims such a clip's camera after the renderer's scene set-up (the
truth's 2D projection uses the same camera).
"""

import sys

SEAT_H = 0.46
# (pelvis posterior tilt, spine flexion, neck flexion), degrees
UPRIGHT_SPINE, UPRIGHT_NECK = -8.0, 2.0   # upright: the pelvis tilt is solved per body (shoulder over hip)
SLUMP = (14.0, 44.0, -18.0)               # the slump, added to the upright pose
LEAN_BACK = (19.0, 0.0, 12.0)   # added at the leaning_back fault's full size: the trunk reclined, chin tucked
KNEE_LIFT = (30.0, 10.0)        # extra hip flexion, extra knee flexion at a full knee raise


def _aim_hook():
    """Wrap the renderer's setup_scene so a clip camera's ``aim_height_m`` sets where it looks."""
    for mod in (sys.modules.get("__main__"), sys.modules.get("make_dataset")):
        orig = getattr(mod, "setup_scene", None)
        if orig is None or getattr(orig, "_desk_aim", False):
            continue

        def setup_scene(clip, cfg, model, V0, jitter_x=0.0, _orig=orig, _mod=mod):
            room, off, M, props = _orig(clip, cfg, model, V0, jitter_x)
            cam = clip["camera"]
            params = clip.get("params") or {}
            aim = cam.get("aim_height_m", params.get("aim_height_m"))
            if aim is not None:
                np = _mod.np
                nat_side, nat_head = _mod.kind_view(model.kind)
                head_dir = nat_head * (-1.0 if cam["camera_side"] != nat_side else 1.0)
                Vc = (V0 + off) @ M.T
                target = 0.5 * (Vc.min(0) + Vc.max(0))
                aim_x = cam.get("aim_x_m", params.get("aim_x_m"))
                if aim_x is not None:   # person-frame x of the aim (e.g. the trunk, not the knees)
                    target[0] = (M @ (np.array([float(aim_x), 0.0, 0.0]) + off))[0]
                target[2] = float(aim)
                room.set_camera_orbit(head_dir * cam["azimuth_deg"], cam["distance_m"], cam["height_m"], target)
            return room, off, M, props

        setup_scene._desk_aim = True
        mod.setup_scene = setup_scene


def register(api):
    np, math = api.np, api.math
    _aim_hook()
    api.add_kind("desk_chair", head="+z", front="-x", contacts=("buttocks", "feet"),
                 doc="sitting on a chair seat (buttocks at the seat height, feet on the floor), facing -x")

    class SeatedModel:
        """Seated on a chair; the placement (pitch, position) is fixed by the upright pose with both
        feet down, so the trunk and the legs move against a still chair."""
        kind = "desk_chair"

        def __init__(self, body, clip):
            self.b = body
            self.reg = api.regions(body)
            self.h = float(clip.get("params", {}).get("seat_height_m", SEAT_H))
            self.knee = self._solve_knee()
            fr = self._place_free(self.legs_pose(api.Pose(), None, 0.0))
            self.R, self.t = fr.R, fr.t
            self.seat_x = float(fr.V[self.reg["buttocks"]][:, 0].mean())
            self.up_tilt = self._solve_upright()

        def trunk_deg(self, pose):
            """The COCO hip-to-shoulder line's angle from vertical, degrees, positive forward (-x)."""
            k = self.place(pose).kps
            d = k["left_shoulder"] - k["left_hip"]
            return math.degrees(math.atan2(-d[0], d[2]))

        def _solve_upright(self):
            """Pelvis tilt that sets the shoulder straight above the hip (sitting up tall), spine a little arched."""
            lo, hi = -30.0, 20.0     # more posterior tilt leans the trunk back
            for _ in range(10):
                mid = 0.5 * (lo + hi)
                pose = self.legs_pose(api.Pose(pelvis_tilt=mid, spine=UPRIGHT_SPINE, neck=UPRIGHT_NECK), None, 0.0)
                if self.trunk_deg(pose) > 0:
                    lo = mid
                else:
                    hi = mid
            return 0.5 * (lo + hi)

        def legs_pose(self, p, side, lift):
            api.legs(p, hip_flex=88.0, knee_flex=self.knee, ankle=0.0, hip_abd=6.0)
            if side and lift > 0:
                s = "L" if side == "left" else "R"
                p.legs[s].update(hip_flex=88.0 + KNEE_LIFT[0] * lift, knee_flex=self.knee + KNEE_LIFT[1] * lift)
            return p

        def _place_free(self, pose):
            return api.build(self.b, "desk_chair", pose, [("buttocks", self.h), ("feet", 0.0)],
                             anchor="buttocks", anchor_x=0.0, pitch_range=(-40, 40), iters=1)

        def _solve_knee(self):
            """Knee flexion that puts the feet on the floor with the trunk upright (pitch 0)."""
            lo, hi = 60.0, 120.0
            for _ in range(10):
                mid = 0.5 * (lo + hi)
                p = api.Pose()
                api.legs(p, hip_flex=88.0, knee_flex=mid, ankle=0.0, hip_abd=6.0)
                if self._place_free(p).pitch < 0:
                    lo = mid
                else:
                    hi = mid
            return 0.5 * (lo + hi)

        def place(self, pose, arms_world=None):
            """The pose in the fixed seated placement, raised or lowered so the buttocks rest on the seat."""
            t = self.t.copy()
            for _ in range(2):
                if arms_world is not None:
                    pose.arms = api.poses._arms_to_body(arms_world, self.R, t)
                V, kps, _ = self.b.forward(pose)
                Vw = V @ self.R.T + t
                dz = self.h - float(Vw[self.reg["buttocks"]][:, 2].min())
                t = t + np.array([0.0, 0.0, dz])
                if abs(dz) < 0.002 and arms_world is None:
                    break
            Vw = V @ self.R.T + t
            kw = {k: self.R @ v + t for k, v in kps.items()}
            return api.Frame(Vw, kw, "desk_chair", pose, self.R, t, 0.0)

        def trunk(self, arch, lean, slump):
            """Pelvis tilt, spine, neck: slumped (arch 0) -> upright (arch 1), plus the faults."""
            upright = (self.up_tilt, UPRIGHT_SPINE, UPRIGHT_NECK)
            slumped = [u + d for u, d in zip(upright, SLUMP)]
            vals = [s + arch * (u - s) for s, u in zip(slumped, upright)]
            vals = [v + slump * (s - v) for v, s in zip(vals, slumped)]
            return [v + lean * d for v, d in zip(vals, LEAN_BACK)]

        def props(self, clip):
            # sitting toward the front of the seat, a low backrest: leaning back reclines the trunk
            # above it (the renderer has no collisions)
            return [api.chair(x=self.seat_x + 0.14, seat_height_m=self.h, facing="-x", back_h=0.3)]

    class DorsalArchModel(SeatedModel):
        dims = ("arch", "lean")
        steps = (0.1, 0.25)

        def arms(self, fr):
            out = {}
            for s, side in (("L", "left"), ("R", "right")):
                hp = fr.kps[f"{side}_hip"]
                sg = 1.0 if hp[1] < 0 else -1.0          # outward for this arm is world -sg*y
                tgt = np.array([hp[0] + 0.02, hp[1] - sg * 0.02, self.h + 0.03])   # palm down beside/under the buttock
                out[s] = api.arm_to(tgt, [0.6, -sg * 0.4, 0.1], hand_dir=[-1.0, 0.0, -0.1], palm=[0.0, 0.0, -1.0])
            return out

        def fn(self, disc, st):
            arch, lean = st
            tilt, spine, neck = self.trunk(arch, lean, 0.0)
            pose = self.legs_pose(api.Pose(pelvis_tilt=tilt, spine=spine, neck=neck), None, 0.0)
            fr = self.place(pose)
            return api.frame_out(self.place(pose, self.arms(fr)))

    class KneeRaiseModel(SeatedModel):
        dims = ("lift", "lean", "slump")
        steps = (0.1, 0.25, 0.25)

        def norm_disc(self, disc, st):
            return disc if st[0] > 0 else None

        def arms(self, fr):
            out = {}
            for s, side in (("L", "left"), ("R", "right")):
                hp, kn = fr.kps[f"{side}_hip"], fr.kps[f"{side}_knee"]
                sg = 1.0 if hp[1] < 0 else -1.0
                tgt = 0.45 * hp + 0.55 * kn
                tgt = tgt + np.array([0.0, 0.0, 0.09])  # on top of the thigh
                out[s] = api.arm_to(tgt, [0.3, -sg * 0.8, -0.2], hand_dir=api.unit(kn - hp) + np.array([0, 0, -0.2]),
                                    palm=[0.0, 0.0, -1.0])
            return out

        def fn(self, disc, st):
            lift, lean, slump = st
            tilt, spine, neck = self.trunk(1.0, lean, slump)
            pose = self.legs_pose(api.Pose(pelvis_tilt=tilt, spine=spine, neck=neck), disc, lift)
            fr = self.place(pose)
            return api.frame_out(self.place(pose, self.arms(fr)))

    # ------------------------------------------------------------------ timelines
    def arch_timeline(clip, rng, model):
        tl = api.Timeline(clip, rng, start={"arch": 0.0, "lean": 0.0})
        tl.stay("slumped", tl.uniform(1.2, 1.6))
        for rep in tl.reps():
            up, down = tl.uniform(1.3, 1.8), tl.uniform(1.3, 1.8)
            hold = float(rep.hold_s or tl.uniform(5.0, 7.0))
            part = tl.uniform(0.30, 0.45)
            lean = tl.uniform(0.85, 1.15)
            to = {"arch": part if rep.has("still_slumped") else 1.0, "lean": lean if rep.has("leaning_back") else 0.0}
            tl.move("sitting_up", up, to, rep)
            tl.stay("hold", hold, rep)
            tl.move("slumping", down, {"arch": 0.0, "lean": 0.0}, rep)
            tl.stay("slumped", tl.uniform(1.2, 1.6))
            rep.extras["arch_amount"] = round(to["arch"], 2)
            rep.extras["lean_back_deg"] = round(to["lean"] * LEAN_BACK[0], 1)
        return tl.result()

    def knee_timeline(clip, rng, model):
        tl = api.Timeline(clip, rng, start={"lift": 0.0, "lean": 0.0, "slump": 0.0}, disc=None)
        tl.stay("rest", tl.uniform(1.0, 1.4))
        for rep in tl.reps():
            up, down = tl.uniform(1.0, 1.4), tl.uniform(1.0, 1.4)
            hold = float(rep.hold_s or tl.uniform(4.0, 6.0))
            lean = tl.uniform(0.85, 1.15)
            slump = tl.uniform(0.7, 1.0)
            to = {"lift": 1.0, "lean": lean if rep.has("leaning_back") else 0.0,
                  "slump": slump if rep.has("trunk_slumped") else 0.0}
            tl.move("lifting", up, to, rep, disc=rep.side)
            tl.stay("hold", hold, rep)
            tl.move("lowering", down, {"lift": 0.0, "lean": 0.0, "slump": 0.0}, rep)
            tl.stay("rest", tl.uniform(1.0, 1.4))
            rep.extras["lean_back_deg"] = round(to["lean"] * LEAN_BACK[0], 1)
            rep.extras["slump_amount"] = round(to["slump"], 2)
        return tl.result()

    def trunk_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        med = lambda key: round(float(np.median([f["angles"][f"{cs}_{key}"] for f in hf])), 1)
        return {"hold_hip_angle_2d_deg": med("hip_2d"), "hold_knee_angle_2d_deg": med("knee_2d")}

    api.add_exercise("dorsal_arch", DorsalArchModel, arch_timeline, hold_phases=("hold",),
                     faults=("still_slumped", "leaning_back"), sides=(None,), rep_metrics=trunk_metrics,
                     doc="seated slump -> upright with the shoulders back, held; still_slumped (30-45 % of the way), "
                         "leaning_back (trunk reclined 16-22 deg)")
    api.add_exercise("seated_knee_raise", KneeRaiseModel, knee_timeline, hold_phases=("hold",),
                     faults=("leaning_back", "trunk_slumped"), sides=("left", "right"), rep_metrics=trunk_metrics,
                     doc="seated, one knee lifted and held (rep side = the lifted leg); leaning_back (16-22 deg), "
                         "trunk_slumped (the back rounds, 70-100 % of a slump)")
