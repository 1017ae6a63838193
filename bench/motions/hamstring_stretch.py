"""Motion plugin: the lying hamstring stretch (catalogue ``hamstring_stretch``).

    make_dataset.py --motions bench/motions/hamstring_stretch.py --spec SPEC --out DIR
    spec clip: {"exercise": "hamstring_stretch", "reps": [{"side": "left", "faults": [], "hold_s": 6}], ...}

What the handouts describe: lie on the back on a firm surface, both legs straight; grab the back of
one leg and pull it toward you, knee straight, both hips on the floor; hold 20-30 s, twice per leg.

Rep: ``pulling`` (the hands travel from the sides to the back of the thigh while the straight leg
rises) -> ``hold`` -> ``releasing`` -> ``rest`` (both legs straight on the floor).
State (the first dimension is the amount: 0 rest, 1 the full position, as coach.labels.position_band
expects): ``amount`` x ``knee`` (extra knee flexion, 0..1 of KNEE_BENT) x ``lift`` (the other leg's
hip flexion off the floor, deg) x ``hips`` (0..1: the pelvis pushed up off the floor).

Grounding (normal anatomy, not the checker's limits):
- a passive straight-leg raise reaches 70-90 deg of hip flexion in adults with ordinary hamstrings
  (HIP = 80); the pelvis tilts back a little as the leg comes up (PELVIS_TILT 8 deg);
- knee_bent: the knee bent 35-50 deg (a clear bend, what people do when the hamstrings are tight);
- other_leg_lifted: the other leg, knee straight, raised 20-30 deg off the floor (as the built-in
  knee-to-chest's fault);
- hips_lifted: the pelvis pushed up off the floor with the upper back and the other heel down: the
  other hip extends 14-20 deg past the trunk line, lifting the buttocks roughly a hand's width.
"""

HIP = 80.0         # hip flexion of the pulled leg in the full position (deg)
PELVIS_TILT = 8.0  # posterior pelvic tilt that comes with it
KNEE_BENT = 48.0   # knee flexion at knee = 1 (the knee_bent fault draws 0.75-1.0 of it)
HIPS_EXT = 20.0    # the other hip's extension at hips = 1 (the hips_lifted fault draws 0.7-1.0)
ANKLE0 = -15.0


def register(api):
    np, math = api.np, api.math
    P = api.poses

    class HamstringModel:
        kind = "supine"
        dims = ("amount", "knee", "lift", "hips")
        steps = (0.05, 0.25, 5.0, 0.25)

        def __init__(self, body, clip):
            self.b = body
            self.reg = api.regions(body)
            p = api.Pose()
            p.arms = P._arms_to_body(P._supine_arms_world(), api.body_to_world_base("supine"))
            _, H = body.fk_heads(body.segment_rotations(p))
            self.wrist_off = {s: H[body.idx[f"wrist.{s}"]] - H[body.idx[f"upperarm01.{s}"]] for s in "LR"}
            self.h0 = 0.0
            self.cache = {}
            fr = self._build(None, 0.0, 0.0, 0.0, 0.0, 0.0)
            self.h0 = self._ext_corr(fr, "LR", 0.0)

        def _ext_corr(self, fr, sides, h):
            z = min(fr.V[self.reg[f"foot_{s}"]][:, 2].min() for s in sides)
            return h - math.degrees(math.atan2(z - 0.002, 0.85))

        def _pose(self, which, amount, knee, ext_hip, lift, hips):
            pose = api.Pose(neck=10.0)
            h0 = self.h0
            for s in "LR":
                if s == which:
                    pose.legs[s].update(hip_flex=h0 + amount * (HIP - h0), knee_flex=3.0 + knee * KNEE_BENT,
                                        ankle=ANKLE0 + 10.0 * amount, hip_abd=3.0)
                else:
                    pose.legs[s].update(hip_flex=ext_hip + lift - HIPS_EXT * hips, knee_flex=3.0, ankle=ANKLE0,
                                        hip_abd=3.0)
            pose.pelvis_tilt = PELVIS_TILT * amount
            if which is None:
                return pose
            # hands: from the sides of the body to the back of the thigh, a little above the knee
            G = self.b.segment_rotations(pose)
            _, H = self.b.fk_heads(G)
            hp, kn = H[self.b.idx[f"upperleg01.{which}"]], H[self.b.idx[f"lowerleg01.{which}"]]
            d = api.unit(kn - hp)
            post = api.unit(np.cross([1.0, 0.0, 0.0], d))
            w = api.smoothstep(amount / 0.6)
            arms = {}
            for s in "LR":
                sgn = 1.0 if s == "L" else -1.0
                leg_sgn = 1.0 if which == "L" else -1.0
                grab = hp + 0.45 * (kn - hp) + 0.075 * post + np.array([leg_sgn * 0.02 + sgn * 0.045, 0.0, 0.0])
                start = H[self.b.idx[f"upperarm01.{s}"]] + G["spine01"] @ self.wrist_off[s]
                arms[s] = dict(hand_target=start + w * (grab - start), pole=[sgn * 1.0, 0.6, -0.5],
                               upper=[0, 0, -1.0], hinge=[1.0, 0, 0], elbow=0.0)
            pose.arms = arms
            return pose

        def _build(self, which, amount, knee, ext_hip, lift, hips):
            pose = self._pose(which, amount, knee, ext_hip, lift, hips)
            if hips > 0 and which is not None:
                other = "R" if which == "L" else "L"
                # pelvis up: shoulder blades and the other heel stay on the floor
                return api.build(self.b, "supine", pose, [("upper_back", 0.0), (f"foot_{other}", 0.0)],
                                 head_rest=True, anchor="upper_back", anchor_x=0.45)
            return api.build(self.b, "supine", pose, ("upper_back", "buttocks"), head_rest=True,
                             anchor="upper_back", anchor_x=0.45)

        def _ext(self, which, amount):
            """The other leg's hip flexion that keeps its heel on the floor (it changes with the tilt)."""
            key = (which, round(amount, 4))
            if key not in self.cache:
                h = self.h0
                fr = None
                if which is not None:
                    other = "R" if which == "L" else "L"
                    fr = self._build(which, amount, 0.0, h, 0.0, 0.0)
                    for _ in range(2):
                        z = fr.V[self.reg[f"foot_{other}"]][:, 2].min()
                        if abs(z - 0.002) < 0.006:
                            break
                        h = self._ext_corr(fr, other, h)
                        fr = self._build(which, amount, 0.0, h, 0.0, 0.0)
                self.cache[key] = h
            return self.cache[key]

        def fn(self, disc, st):
            amount, knee, lift, hips = st
            which = disc if disc in ("L", "R") else None
            if which is None or (amount <= 1e-9 and knee <= 0 and lift <= 0 and hips <= 0):
                return api.frame_out(self._build(None, 0.0, 0.0, self.h0, 0.0, 0.0))
            h = self._ext(which, amount)
            return api.frame_out(self._build(which, amount, knee, h, lift, hips))

        def norm_disc(self, disc, st):
            return "rest" if st[0] <= 1e-9 and st[1] <= 0 and st[2] <= 0 and st[3] <= 0 else disc

    def timeline(clip, rng, model):
        zero = {"amount": 0.0, "knee": 0.0, "lift": 0.0, "hips": 0.0}
        tl = api.Timeline(clip, rng, start=zero, disc="rest")
        tl.stay("rest", tl.uniform(1.5, 2.2))
        for rep in tl.reps():
            leg = {"left": "L", "right": "R"}[rep.side]
            pull, rel = tl.uniform(1.2, 1.8), tl.uniform(1.0, 1.5)
            hold = float(rep.hold_s or tl.uniform(4.0, 6.0))
            knee = round(tl.uniform(0.75, 1.0), 2) if rep.has("knee_bent") else 0.0
            lift = round(tl.uniform(20.0, 30.0), 1) if rep.has("other_leg_lifted") else 0.0
            hips = round(tl.uniform(0.7, 1.0), 2) if rep.has("hips_lifted") else 0.0
            top = {"amount": 1.0, "knee": knee, "lift": 0.0, "hips": 0.0}
            tl.move("pulling", pull, top, rep, disc=leg)
            if lift or hips:
                ramp = min(0.7, hold / 4)
                bad = dict(top, lift=lift, hips=hips)
                tl.move("hold", ramp, bad, rep)
                tl.stay("hold", hold - 2 * ramp, rep)
                tl.move("hold", ramp, top, rep)
            else:
                tl.stay("hold", hold, rep)
            tl.move("releasing", rel, zero, rep)
            tl.stay("rest", tl.uniform(1.0, 1.6), disc="rest")
            rep.extras.update(knee_flex_deg=round(3.0 + knee * KNEE_BENT, 1), other_leg_lift_deg=lift,
                              other_hip_ext_deg=round(HIPS_EXT * hips, 1))
        return tl.result()

    def rep_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        side = rep.get("side")
        out = {}
        for key in (f"{side}_knee_3d", f"{side}_hip_3d"):
            vals = [f["angles"].get(key) for f in hf if f["angles"].get(key) is not None]
            if vals:
                out["hold_" + key + "_deg"] = round(float(np.median(vals)), 1)
        return out

    api.add_exercise("hamstring_stretch", HamstringModel, timeline, hold_phases=("hold",),
                     faults=("knee_bent", "other_leg_lifted", "hips_lifted"), sides=("left", "right"),
                     rep_metrics=rep_metrics,
                     doc="lying hamstring stretch, one straight leg pulled up by the hands behind the thigh")
