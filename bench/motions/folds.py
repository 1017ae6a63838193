"""Motion plugin: the kneeling folds and the held cat: childs_pose, prayer_pose, horse_back_stretch.

    make_dataset.py --motions bench/motions/folds.py --spec bench/motions/specs/<exercise>.json --out DIR

Grounded in the handouts and ordinary anatomy (ideas from the renderer's examples/childs_pose.py and
its built-in cat-cow quadruped), not in the coach's thresholds:

- ``childs_pose``: kneeling, sitting back on the heels (knees fully bent, ~150 deg of flexion), the
  trunk folds forward over the thighs until the forehead rests on the floor, the arms reach forward
  straight on the floor, the back rounds gently. Faults: ``hips_high`` (the hips stay up off the
  heels: knees flexed only 105-118 deg, as in the example), ``arms_not_extended`` (the hands rest on
  the floor near the head with the elbows bent, ~60-80 deg of elbow angle, instead of reaching).
- ``prayer_pose``: the same fold with the hands together (palms touching) reaching forward, or (per
  rep, spec ``"arms": "back"``) the arms lying back beside the legs toward the feet, palms up.
  Fault ``hips_high`` as above.
- ``horse_back_stretch``: on hands and knees with a flat back, looking down; the back rounds up like
  a cat (posterior pelvic tilt, ~40 deg of spine flexion, the head drops: the built-in cat-cow's cat)
  and is held. Faults: ``shallow`` (the back rounds only 30-45 % of the full cat), ``head_up`` (the
  back rounds fully but the head is held up looking forward: ~25 deg of neck extension from the flat
  back's neutral instead of the cat's 22 deg of flexion).

State: the FIRST dimension is the exercise's amount (0 rest, 1 full position): ``fold`` (kneeling
upright on the heels -> the full fold) or ``cat`` (flat back -> full cat). The others are the fault
amounts, 0 = none, 1 = the fault's full size (each rep draws its size from the range above).
"""

K_SIT = 150.0     # knee flexion sitting on the heels (deg)
K_HIGH = 105.0    # knee flexion with the hips high (hips_high at full size)
SPINE = 26.0      # rounded back in the full fold
NECK = 10.0       # slight neck flexion in the full fold
ANKLE = -72.0     # feet pointed: the tops of the feet on the floor
BENT_REACH = 0.50  # arms_not_extended: the wrist at this share of the arm's length from the shoulder

CATCOW_NEUTRAL = (0.0, 10.0, 0.0)   # spine, neck, pelvic tilt (the renderer's poses.CATCOW)
CATCOW_CAT = (40.0, 32.0, 15.0)
HEAD_UP_NECK = -25.0                # head_up: neck extension at full size (looking forward)


def register(api):
    np, math = api.np, api.math
    api.add_kind("kneel_fold", head="+z", front="-x", contacts=("knees", "feet"),
                 doc="kneeling with the shins on the floor, facing world -X; camera sees the left side unmirrored")

    class FoldModel:
        """Kneeling fold (child's pose / prayer). disc: arm variant 'reach' (forward, shoulder-width),
        'together' (forward, palms together), 'back' (beside the legs toward the feet)."""
        kind = "kneel_fold"
        dims = ("fold", "high", "bend")   # fold 0 upright .. 1 folded; high: hips_high amount; bend: arms_not_extended amount
        steps = (0.1, 0.25, 0.25)

        def __init__(self, body, clip):
            self.b = body
            self.reg = api.regions(body)
            h = body.h
            self.arm_len = {s: float(np.linalg.norm(h(f"lowerarm01.{s}") - h(f"upperarm01.{s}"))
                                     + np.linalg.norm(h(f"wrist.{s}") - h(f"lowerarm01.{s}"))) for s in "LR"}
            self.thigh = {s: api.bone_region(body, ["upperleg"], 0.5, s) for s in "LR"}
            self._h0, self._h1 = {}, {}

        def knee(self, high):
            return K_SIT - high * (K_SIT - K_HIGH)

        def pose(self, fold, high, H):
            p = api.Pose(spine=SPINE * fold, neck=NECK * fold)
            api.legs(p, hip_flex=H, knee_flex=self.knee(high), ankle=ANKLE, hip_abd=7.0)
            return p

        def place(self, pose, arms_world=None):
            _, k, _ = self.b.forward(pose)
            d = api.body_to_world_base("kneel_fold") @ (k["left_ankle"] - k["left_knee"])
            p0 = math.degrees(math.atan2(d[2], d[0]))
            return api.build(self.b, "kneel_fold", pose, [("knees", 0.0), ("feet", 0.0)], arms_world=arms_world,
                             anchor="knees", anchor_x=0.0, pitch_range=(p0 - 25, p0 + 25), pitch0=p0,
                             iters=2 if arms_world else 1)

        def h_upright(self, high):
            if high not in self._h0:
                lo, hi = 0.0, 120.0
                for _ in range(9):
                    mid = 0.5 * (lo + hi)
                    k = self.place(self.pose(0.0, high, mid)).kps
                    if k["left_shoulder"][0] < k["left_hip"][0]:
                        hi = mid
                    else:
                        lo = mid
                self._h0[high] = 0.5 * (lo + hi)
            return self._h0[high]

        def h_folded(self, high):
            """Hip flexion at which the forehead touches the floor in the full fold."""
            if high not in self._h1:
                lo, hi = self.h_upright(high), 178.0
                for _ in range(10):
                    mid = 0.5 * (lo + hi)
                    fr = self.place(self.pose(1.0, high, mid))
                    if api.lowest(fr, self.reg["head"]) > 0.0:
                        lo = mid
                    else:
                        hi = mid
                self._h1[high] = 0.5 * (lo + hi)
            return self._h1[high]

        def arms(self, fr, fold, bend, variant, lift=0.0):
            k = fr.kps
            w = api.smoothstep(fold)
            out = {}
            for s, side in (("L", "left"), ("R", "right")):
                sh = k[f"{side}_shoulder"]
                L = 0.96 * self.arm_len[s]
                thigh = 0.6 * k[f"{side}_knee"] + 0.4 * k[f"{side}_hip"]
                Tv = fr.V[self.thigh[s]]
                near = Tv[np.abs(Tv[:, 0] - thigh[0]) < 0.04]
                thigh[2] = (near[:, 2].max() if len(near) else thigh[2] + 0.08) + 0.025
                sg = 1.0 if sh[1] < 0 else -1.0      # outward for this arm is world -sg*y
                if variant == "back":
                    an = k[f"{side}_ankle"]
                    hp = k[f"{side}_hip"]
                    floor = np.array([an[0] - 0.02, hp[1] - sg * 0.10, 0.035 + lift])   # beside the feet, outside the shins
                    tgt = (1 - w) * thigh + w * floor
                    tgt[1] -= sg * 0.12 * math.sin(math.pi * w)    # around the outside of the thigh on the way
                    tgt[2] += 0.10 * math.sin(math.pi * w)
                    v = tgt - sh
                    if np.linalg.norm(v) > L:
                        tgt = sh + v * (L / np.linalg.norm(v))
                    pole = api.unit((1 - w) * np.array([1.0, -0.6 * sg, 0.0]) + w * np.array([-0.3, -0.5 * sg, 1.0]))
                    out[s] = api.arm_to(tgt, pole, hand_dir=[1.0, 0.0, -0.1 * w],
                                        palm=[0, -sg, -1.0] if w < 0.5 else [0, 0, 1.0])
                    continue
                reach_L = L * (1.0 - bend * (1.0 - BENT_REACH))
                dz = max(sh[2] - 0.035, 0.0)
                reach = math.sqrt(max(reach_L * reach_L - dz * dz, 0.01))
                y = 1.05 * sh[1] if variant == "reach" else -sg * 0.035
                floor = np.array([sh[0] - reach, y, 0.035 + lift])
                tgt = (1 - w) * thigh + w * floor
                v = tgt - sh
                if np.linalg.norm(v) > L:
                    tgt = sh + v * (L / np.linalg.norm(v))
                pole = api.unit((1 - w) * np.array([1.0, -0.6 * sg, 0.0]) + w * np.array([0.0, -(0.3 + 0.7 * bend) * sg, 1.0 - 0.5 * bend]))
                if variant == "together":
                    palm = [0, -sg, -1.0] if w < 0.5 else [0, sg, -0.3]
                else:
                    palm = [0, 0, -1.0] if w > 0.5 else [0, -sg, -1.0]
                out[s] = api.arm_to(tgt, pole, hand_dir=[-1.0, 0.0, -0.15 * w], palm=palm)
            return out

        def fn(self, disc, st):
            fold, high, bend = st
            variant = disc or "reach"
            H = self.h_upright(high) + fold * (self.h_folded(high) - self.h_upright(high))
            pose = self.pose(fold, high, H)
            fr = self.place(pose)
            out = self.place(pose, self.arms(fr, fold, bend, variant))
            low = api.lowest(out, self.reg["hands"])
            if low < -0.002:
                out = self.place(pose, self.arms(fr, fold, bend, variant, lift=-low))
            return api.frame_out(out)

    def fold_timeline(exercise):
        def timeline(clip, rng, model):
            tl = api.Timeline(clip, rng, start={"fold": 0.0, "high": 0.0, "bend": 0.0}, disc="reach")
            tl.stay("kneeling", tl.uniform(0.8, 1.3))
            for rep in tl.reps():
                down, up = tl.uniform(1.2, 1.8), tl.uniform(1.2, 1.8)
                hold = float(rep.hold_s or tl.uniform(4.0, 8.0))
                high = tl.uniform(0.75, 1.0)
                bend = tl.uniform(0.75, 1.0)
                to = {"fold": 1.0, "high": high if rep.has("hips_high") else 0.0,
                      "bend": bend if rep.has("arms_not_extended") else 0.0}
                variant = "reach" if exercise == "childs_pose" else ("back" if rep.spec.get("arms") == "back" else "together")
                tl.move("folding", down, to, rep, disc=variant)
                tl.stay("hold", hold, rep)
                tl.move("rising", up, {"fold": 0.0, "high": 0.0, "bend": 0.0}, rep)
                tl.stay("kneeling", tl.uniform(0.8, 1.3))
                rep.extras["hips_high_amount"] = round(to["high"], 2)
                rep.extras["arms_bent_amount"] = round(to["bend"], 2)
                rep.extras["arms"] = variant
            return tl.result()
        return timeline

    def fold_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        med = lambda key: round(float(np.median([f["angles"][f"{cs}_{key}"] for f in hf])), 1)
        return {"hold_hip_angle_2d_deg": med("hip_2d"), "hold_knee_angle_2d_deg": med("knee_2d"),
                "hold_knee_angle_sag_deg": med("knee_sag"), "hold_elbow_angle_2d_deg": med("elbow_2d")}

    api.add_exercise("childs_pose", FoldModel, fold_timeline("childs_pose"), hold_phases=("hold",),
                     faults=("hips_high", "arms_not_extended"), sides=(None,), rep_metrics=fold_metrics,
                     angles={"elbow": ("shoulder", "elbow", "wrist")},
                     doc="child's pose hold; hips_high (knees 105-118 deg), arms_not_extended (elbows bent, hands by the head)")
    api.add_exercise("prayer_pose", FoldModel, fold_timeline("prayer_pose"), hold_phases=("hold",),
                     faults=("hips_high",), sides=(None,), rep_metrics=fold_metrics,
                     angles={"elbow": ("shoulder", "elbow", "wrist")},
                     doc="child's pose with the palms together forward or the arms back (rep 'arms': 'back'); hips_high")

    # ------------------------------------------------------------------ horse back stretch (held cat)
    class HeldCatModel:
        kind = "quadruped"
        dims = ("cat", "head")     # cat 0 flat back .. 1 full cat; head: head_up amount
        steps = (0.1, 0.25)

        def __init__(self, body, clip):
            self.b = body

        def fn(self, disc, st):
            c, head = st
            spine, neck, tilt = (n + c * (e - n) for n, e in zip(CATCOW_NEUTRAL, CATCOW_CAT))
            neck = (1 - head) * neck + head * HEAD_UP_NECK
            pose = api.Pose(pelvis_tilt=tilt, spine=spine, neck=neck)
            api.legs(pose, hip_flex=90.0, knee_flex=90.0, ankle=-75.0, hip_abd=3.0)
            arms_world = {s: dict(upper=[0.0, sg * 0.06, -1.0], hinge=[0, -1.0, 0], elbow=4.0,
                                  hand_dir=[1.0, sg * 0.12, -0.05], palm=[0, 0, -1.0])
                          for s, sg in (("L", 1.0), ("R", -1.0))}
            fr = api.build(self.b, "quadruped", pose, ("hands", "knees"), arms_world=arms_world, vertical_thighs=True,
                           anchor="knees", anchor_x=-0.3, iters=6)
            return api.frame_out(fr)

    def cat_timeline(clip, rng, model):
        tl = api.Timeline(clip, rng, start={"cat": 0.0, "head": 0.0})
        tl.stay("rest", tl.uniform(1.2, 1.8))
        for rep in tl.reps():
            up, down = tl.uniform(1.2, 1.8), tl.uniform(1.2, 1.8)
            hold = float(rep.hold_s or tl.uniform(4.0, 7.0))
            depth = tl.uniform(0.30, 0.45) if rep.has("shallow") else tl.uniform(0.9, 1.0)
            head = tl.uniform(0.8, 1.0) if rep.has("head_up") else 0.0
            tl.move("rounding", up, {"cat": depth, "head": head}, rep)
            tl.stay("hold", hold, rep)
            tl.move("releasing", down, {"cat": 0.0, "head": 0.0}, rep)
            tl.stay("rest", tl.uniform(1.0, 1.6))
            rep.extras["cat_depth"] = round(depth, 2)
            rep.extras["head_up_amount"] = round(head, 2)
        return tl.result()

    api.add_exercise("horse_back_stretch", HeldCatModel, cat_timeline, hold_phases=("hold",),
                     faults=("shallow", "head_up"), sides=(None,),
                     doc="cat-cow's cat, held; shallow (30-45 % of the cat), head_up (head held up looking forward)")
