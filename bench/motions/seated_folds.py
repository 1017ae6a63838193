"""Motion plugin: the floor-sitting folds: seated_hamstring_stretch, seated_forward_bend.

    make_dataset.py --motions bench/motions/seated_folds.py --spec bench/motions/specs/<exercise>.json --out DIR

Grounded in the handouts and ordinary anatomy, not in the coach's thresholds:

- ``seated_forward_bend``: sitting on the floor with both legs straight out in front, the trunk
  upright; bend forward from the hips reaching for the toes with the spine long, hold, come back up.
  A flexible-enough adult folds 35-45 deg forward at the hips (hip flexion 125-135 deg with the
  knees straight), the spine only gently curved (~8 deg in all), the hands sliding along the shins
  toward the feet.
- ``seated_hamstring_stretch``: the same with one leg straight and the other bent in (hip flexed,
  abducted and turned out, knee bent, the sole against the inner thigh of the straight leg, the
  outside of the knee resting low by the floor); the trunk folds over the straight leg, both hands
  reaching for its foot. The rep's ``side`` is the straight leg (the one stretched). Between sides
  the legs change over (the bent leg straightens, the other bends in).

Faults, as people do them wrongly:
- ``back_rounded``: the reach comes from the spine instead of the hips: the pelvis stays back (the
  hips fold only 10-18 deg), the spine flexes 45-55 deg in all and the head drops (neck 20 deg
  flexed). The shoulders come forward about as far as in the good fold: the shoulder-hip line alone
  shows little difference, the back's curve does.
- ``knee_bent`` / ``knees_bent``: the straight leg(s) bend 35-50 deg at the knee (the heel slides in,
  the knee comes up) to reach further; the hips fold as in the good fold.

State: the FIRST dimension is the exercise's amount: ``fold`` (0 sitting upright .. 1 the full fold);
then ``round`` and ``knee`` (the fault amounts, 0 = none .. 1 = the fault's full size, applied through
the fold) and ``tuck_l``/``tuck_r`` (0 the leg straight .. 1 bent in). The sizes are per clip, chosen
in the spec's ``params`` from the ranges above (``lean_good``, ``lean_round``, ``spine_round``,
``knee_bent``); each rep's label records the ones it used.
"""

LEAN_GOOD = (35.0, 45.0)      # hip fold (deg) in the good fold
SPINE_GOOD = 8.0              # gentle curve of a long spine in the fold
NECK_GOOD = 5.0
LEAN_ROUND = (10.0, 18.0)     # back_rounded: hips fold this little ...
SPINE_ROUND = (45.0, 55.0)    # ... the spine this much
NECK_ROUND = 20.0
KNEE_BENT = (35.0, 50.0)      # knee(s)_bent: knee flexion
SPINE_REST = 4.0              # sitting upright


def register(api):
    np, math = api.np, api.math
    from scipy.optimize import minimize

    api.add_kind("seated_floor", head="+z", front="-x", contacts=("buttocks", "feet"),
                 doc="sitting on the floor, legs forward along -x; the camera sees the left side unmirrored")

    def leg_bones(body, s):
        root = body.idx[f"upperleg01.{s}"]
        out, todo = [], [root]
        while todo:
            i = todo.pop()
            out.append(i)
            todo += body.children(i)
        return out

    def patch_hip_rotation(body):
        """Hip rotation about the thigh's own axis (``pose.hip_rot = {"L": deg}``): the renderer's legs
        have flexion and abduction only; a leg bent in with the sole on the other thigh is turned out."""
        if getattr(body, "_hip_rot_patched", False):
            return
        orig = body.segment_rotations
        bones = {s: leg_bones(body, s) for s in "LR"}

        def segment_rotations(pose):
            G = orig(pose)
            for s, deg in (getattr(pose, "hip_rot", None) or {}).items():
                if abs(deg) < 1e-6:
                    continue
                Gf, _ = body.fk_heads(G)
                hip, knee = body.h(f"upperleg01.{s}"), body.h(f"lowerleg01.{s}")
                R = api.axis_angle(api.unit(G[f"upperleg01.{s}"] @ (knee - hip)), deg)
                for i in bones[s]:
                    G[body.labels[i]] = R @ Gf[i]
            return G

        body.segment_rotations = segment_rotations
        body._hip_rot_patched = True

    STRAIGHT = dict(hip_flex=90.0, hip_abd=5.0, knee_flex=0.0, ankle=-25.0)

    class SeatedFoldModel:
        kind = "seated_floor"
        dims = ("fold", "round", "knee", "tuck_l", "tuck_r")
        steps = (0.1, 1.0, 1.0, 0.5, 0.5)

        def __init__(self, body, clip):
            self.b = body
            patch_hip_rotation(body)
            self.reg = api.regions(body)
            h = body.h
            self.arm_len = {s: float(np.linalg.norm(h(f"lowerarm01.{s}") - h(f"upperarm01.{s}"))
                                     + np.linalg.norm(h(f"wrist.{s}") - h(f"lowerarm01.{s}"))) for s in "LR"}
            self.leg_mask = {s: api.bone_region(body, ["upperleg", "lowerleg", "foot", "toe"], 0.3, s) for s in "LR"}
            self.sizes = clip.get("params", {})
            self._tuck = {}

        # -------------------------------------------------------------- legs
        def tuck_params(self, s):
            """(hip_flex, hip_abd, hip_rot, knee_flex) of leg ``s`` bent in, its sole against the inner
            thigh of the other (straight) leg, its knee resting low by the floor; solved per body."""
            if s in self._tuck:
                return self._tuck[s]
            b = self.b
            o = "R" if s == "L" else "L"
            base = api.Pose(spine=SPINE_REST)
            api.legs(base, **STRAIGHT)
            fr0 = self.place(base, o)
            R, t = fr0.R, fr0.t
            _, k0, H0 = b.forward(base)
            ohip = R @ H0[b.idx[f"upperleg01.{o}"]] + t
            oknee = R @ H0[b.idx[f"lowerleg01.{o}"]] + t
            ship = R @ H0[b.idx[f"upperleg01.{s}"]] + t
            inward = api.unit(np.array([0.0, ohip[1] - ship[1], 0.0]))
            target = ohip + 0.45 * (oknee - ohip) - 0.07 * inward
            target[2] = 0.07
            mask = self.leg_mask[s]

            def cost(x):
                q = api.Pose(spine=SPINE_REST)
                api.legs(q, **STRAIGHT)
                q.legs[s].update(hip_flex=x[0], hip_abd=x[1], knee_flex=x[3], ankle=0.0)
                q.hip_rot = {s: x[2]}
                V, k, H = b.forward(q)
                an = R @ H[b.idx[f"foot.{s}"]] + t
                kn = R @ H[b.idx[f"lowerleg01.{s}"]] + t
                low = float((V[mask] @ R.T + t)[:, 2].min())
                c = float(np.sum((an - target) ** 2)) * 100.0 + 30.0 * (kn[2] - 0.09) ** 2
                c += 2000.0 * max(0.0, 0.005 - low) ** 2
                return c

            best = None
            for rot0 in (35.0, -35.0):
                r = minimize(cost, np.array([95.0, 45.0, rot0, 130.0]), method="Nelder-Mead",
                             options=dict(maxiter=220, xatol=0.5, fatol=1e-5))
                if best is None or r.fun < best.fun:
                    best = r
            self._tuck[s] = tuple(float(v) for v in best.x)
            return self._tuck[s]

        def leg(self, s, tuck, knee):
            """Leg ``s``: straight (knee bent by ``knee`` deg) blended toward bent in (``tuck``)."""
            d = dict(STRAIGHT, knee_flex=knee)
            rot = 0.0
            if tuck > 0:
                hf, ab, rt, kf = self.tuck_params(s)
                w = tuck
                d = dict(hip_flex=(1 - w) * d["hip_flex"] + w * hf, hip_abd=(1 - w) * d["hip_abd"] + w * ab,
                         knee_flex=(1 - w) * d["knee_flex"] + w * kf, ankle=(1 - w) * d["ankle"])
                rot = w * rt
            return d, rot

        def place(self, pose, heel_side, arms_world=None, lean=0.0):
            heel = self.reg[f"foot_{heel_side}"]
            return api.build(self.b, "seated_floor", pose, [("buttocks", 0.0), (heel, 0.0)], arms_world=arms_world,
                             anchor="buttocks", anchor_x=0.0, pitch_range=(-80.0, 40.0), pitch0=-lean,
                             iters=3 if arms_world else 1)

        def pose(self, st):
            fold, rnd, knee, tl, tr = st
            sz = self.sizes
            lean_good = sz.get("lean_good", 40.0)
            lean_round = sz.get("lean_round", 14.0)
            spine_round = sz.get("spine_round", 50.0)
            knee_bent = sz.get("knee_bent", 42.0)
            # bent knees raise the thighs (the heels stay down): the hips fold that much more to keep
            # the trunk's forward lean (about half the knee flexion)
            lean = fold * ((1 - rnd) * lean_good + rnd * lean_round) + 0.5 * knee * knee_bent * fold
            spine = SPINE_REST + fold * ((1 - rnd) * (SPINE_GOOD - SPINE_REST) + rnd * (spine_round - SPINE_REST))
            neck = fold * ((1 - rnd) * NECK_GOOD + rnd * NECK_ROUND)
            p = api.Pose(spine=spine, neck=neck)
            rot = {}
            for s, tuck in (("L", tl), ("R", tr)):
                d, r = self.leg(s, tuck, knee * knee_bent * fold)
                d["hip_flex"] += lean
                p.legs[s].update(d)
                rot[s] = r
            p.hip_rot = rot
            heel_side = "L" if tl <= tr else "R"
            return p, heel_side, lean

        def arms(self, fr, fold, straight):
            """Wrists from resting on the thighs (fold 0) to reaching along the straight leg(s) toward the
            feet (fold 1), as far as the arms reach."""
            k = fr.kps
            w = api.smoothstep(fold)
            out = {}
            legs = straight or ["left", "right"]
            foot = np.mean([k[f"{lg}_ankle"] for lg in legs], axis=0)
            for s, side in (("L", "left"), ("R", "right")):
                sh = k[f"{side}_shoulder"]
                hp, kn = k[f"{side}_hip"], k[f"{side}_knee"]
                L = 0.95 * self.arm_len[s]
                lat = 0.5 * (sh[1] - np.mean([k["left_shoulder"][1], k["right_shoulder"][1]]))
                rest = hp + 0.55 * (kn - hp)
                rest[2] = max(rest[2], 0.0) + 0.13
                rest[1] = 0.7 * rest[1] + 0.3 * sh[1]
                reach = foot + np.array([0.0, lat, 0.10])
                v = reach - sh
                if np.linalg.norm(v) > L:
                    reach = sh + v * (L / np.linalg.norm(v))
                tgt = (1 - w) * rest + w * reach
                v = tgt - sh
                if np.linalg.norm(v) > L:
                    tgt = sh + v * (L / np.linalg.norm(v))
                sg = 1.0 if sh[1] < np.mean([k["left_shoulder"][1], k["right_shoulder"][1]]) else -1.0
                pole = api.unit(np.array([0.2, -sg * 1.0, -0.3 + 0.8 * w]))
                out[s] = api.arm_to(tgt, pole, hand_dir=[-1.0, 0.0, -0.3], palm=[0, 0, -1.0])
            return out

        def fn(self, disc, st):
            fold, rnd, knee, tl, tr = st
            p, heel_side, lean = self.pose(st)
            fr = self.place(p, heel_side, lean=lean)
            straight = [side for side, tk in (("left", tl), ("right", tr)) if tk < 0.5]
            out = self.place(p, heel_side, self.arms(fr, fold, straight), lean=lean)
            return api.frame_out(out)

    def fold_timeline(exercise):
        knee_fault = "knee_bent" if exercise == "seated_hamstring_stretch" else "knees_bent"

        def timeline(clip, rng, model):
            tuck0 = {"left": (0.0, 1.0), "right": (1.0, 0.0), None: (0.0, 0.0)}
            reps = clip.get("reps", [])
            first = reps[0].get("side") if (reps and exercise == "seated_hamstring_stretch") else None
            tl0, tr0 = tuck0[first]
            tl = api.Timeline(clip, rng, start={"fold": 0.0, "round": 0.0, "knee": 0.0, "tuck_l": tl0, "tuck_r": tr0})
            tl.stay("sitting", tl.uniform(1.0, 1.4))
            cur = first
            for rep in tl.reps():
                side = rep.side if exercise == "seated_hamstring_stretch" else None
                if side != cur:
                    a, b2 = tuck0[side]
                    tl.move("switching", tl.uniform(1.2, 1.5), {"tuck_l": 0.0, "tuck_r": 0.0}, side=None)
                    tl.move("switching", tl.uniform(1.2, 1.5), {"tuck_l": a, "tuck_r": b2}, side=None)
                    tl.stay("sitting", tl.uniform(0.8, 1.0), side=None)
                    cur = side
                down, up = tl.uniform(1.3, 1.7), tl.uniform(1.1, 1.5)
                hold = float(rep.hold_s or tl.uniform(5.0, 8.0))
                rnd = 1.0 if rep.has("back_rounded") else 0.0
                kn = 1.0 if rep.has(knee_fault) else 0.0
                tl.move("folding", down, {"fold": 1.0, "round": rnd, "knee": kn}, rep)
                tl.stay("hold", hold, rep)
                tl.move("rising", up, {"fold": 0.0, "round": 0.0, "knee": 0.0}, rep)
                tl.stay("sitting", tl.uniform(0.9, 1.3))
                prm = clip.get("params", {})
                rep.extras["back_rounded_amount"] = rnd
                rep.extras["knee_bent_amount"] = kn
                rep.extras["hip_fold_deg"] = round(prm.get("lean_round", 14.0) if rnd else prm.get("lean_good", 40.0), 1)
                rep.extras["spine_flexion_deg"] = round(prm.get("spine_round", 50.0) if rnd else SPINE_GOOD, 1)
                rep.extras["knee_flexion_deg"] = round(prm.get("knee_bent", 42.0) if kn else 0.0, 1)
            return tl.result()
        return timeline

    def fold_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        med = lambda key: round(float(np.median([f["angles"][key] for f in hf])), 1)
        out = {"hold_hip_angle_2d_deg": med(f"{cs}_hip_2d"), "hold_knee_angle_2d_deg": med(f"{cs}_knee_2d")}
        for s in ("left", "right"):
            out[f"hold_{s}_knee_angle_sag_deg"] = med(f"{s}_knee_sag")
        return out

    api.add_exercise("seated_forward_bend", SeatedFoldModel, fold_timeline("seated_forward_bend"),
                     hold_phases=("hold",), faults=("knees_bent", "back_rounded"), sides=(None,),
                     rep_metrics=fold_metrics,
                     doc="seated forward bend hold; knees_bent (35-50 deg), back_rounded (spine 45-55 deg, hips 10-18)")
    api.add_exercise("seated_hamstring_stretch", SeatedFoldModel, fold_timeline("seated_hamstring_stretch"),
                     hold_phases=("hold",), faults=("knee_bent", "back_rounded"), sides=("left", "right"),
                     rep_metrics=fold_metrics,
                     doc="seated one-leg hamstring stretch; rep side = the straight leg; knee_bent, back_rounded")
