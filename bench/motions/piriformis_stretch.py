"""Motion plugin: the lying piriformis (figure-four) stretch (catalogue ``piriformis_stretch``).

    make_dataset.py --motions bench/motions/piriformis_stretch.py --spec SPEC --out DIR
    spec clip: {"exercise": "piriformis_stretch", "reps": [{"side": "right", "faults": [], "hold_s": 6}], ...}

What the handouts describe: lie on the back, knees bent, feet on the floor; cross one ankle onto the
other knee (a figure four), then pull the other thigh toward the chest with the hands behind it;
hold 30 s per side. The stretched side is the crossed leg's: a rep's ``side`` is the leg crossed.

Rep: ``crossing`` (the crossed leg's ankle lifts onto the other knee) -> ``pulling`` (the hands
take the back of the supporting thigh and pull it in, its foot leaves the floor) -> ``hold`` ->
``releasing`` -> ``uncrossing`` -> ``rest`` (knees bent, feet flat).
State: ``amount`` (the pull, 0 foot on the floor .. 1 thigh pulled in: the first dimension, as
coach.labels.position_band expects) x ``cross`` (0 both feet side by side .. 1 ankle on the knee)
x ``head`` (0 resting .. 1 head and shoulders curled up).

Grounding (normal anatomy, not the checker's limits):
- rest: knees bent 95 deg, feet flat (hip flexion solved per body so the feet touch the floor);
- the figure four: the crossed hip flexed, abducted and turned out so that the outside of the ankle
  rests on the front of the other thigh just above the knee (solved per body and pull: the ankle
  point sits 6 cm up the thigh from the knee and 10 cm in front of the thigh's axis), knee ~100;
- the pull: the supporting hip flexes to ~95 deg (the thigh a little past vertical), knee ~90;
- not_crossed: both knees are pulled in together, side by side (no ankle on the knee: a knee hug);
- head_lifted: the head and shoulders curl up off the floor (as the built-in knee-to-chest's fault).
"""

KNEE_REST = 95.0
PULL_HIP = 95.0
PULL_KNEE = 88.0
CROSS_KNEE = 100.0


def register(api):
    np, math = api.np, api.math
    P = api.poses
    from scipy.optimize import minimize

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
        have flexion and abduction only; a figure four needs the thigh turned out."""
        if getattr(body, "_hip_rot_patched", False):
            return
        orig = body.segment_rotations
        bones = {s: leg_bones(body, s) for s in "LR"}

        def segment_rotations(pose):
            G = orig(pose)
            rot = getattr(pose, "hip_rot", None) or {}
            for s, deg in rot.items():
                if abs(deg) < 1e-6:
                    continue
                Gf, _ = body.fk_heads(G)
                hip, knee = body.h(f"upperleg01.{s}"), body.h(f"lowerleg01.{s}")
                axis = api.unit(G[f"upperleg01.{s}"] @ (knee - hip))
                R = api.axis_angle(axis, deg)
                for i in bones[s]:
                    G[body.labels[i]] = R @ Gf[i]
            return G

        body.segment_rotations = segment_rotations
        body._hip_rot_patched = True

    class PiriformisModel:
        kind = "supine"
        dims = ("amount", "cross", "head")
        steps = (0.05, 0.1, 0.25)

        def __init__(self, body, clip):
            self.b = body
            patch_hip_rotation(body)
            self.reg = api.regions(body)
            p = api.Pose()
            p.arms = P._arms_to_body(P._supine_arms_world(), api.body_to_world_base("supine"))
            _, H = body.fk_heads(body.segment_rotations(p))
            self.wrist_off = {s: H[body.idx[f"wrist.{s}"]] - H[body.idx[f"upperarm01.{s}"]] for s in "LR"}
            self.rest_hip, self.rest_ankle = P.solve_hip_for_foot_contact(body, P._supine_base(), "L", KNEE_REST)
            self.solved = {}
            self.base = {}

        # -------------------------------------------------------------- legs
        def support(self, amount):
            return dict(hip_flex=self.rest_hip + amount * (PULL_HIP - self.rest_hip),
                        knee_flex=KNEE_REST + amount * (PULL_KNEE - KNEE_REST),
                        ankle=self.rest_ankle + amount * (-10.0 - self.rest_ankle), hip_abd=4.0)

        def figure_four(self, which, amount):
            """(hip_flex, hip_abd, rot, knee_flex, miss m) of the crossed leg with its ankle on the other knee."""
            key = (which, round(amount, 4))
            if key in self.solved:
                return self.solved[key]
            other = "R" if which == "L" else "L"
            b = self.b
            pose = api.Pose(neck=8.0)
            pose.legs[other].update(self.support(amount))
            G = b.segment_rotations(pose)
            _, H = b.fk_heads(G)
            hp, kn, an = (H[b.idx[f"{n}.{other}"]] for n in ("upperleg01", "lowerleg01", "foot"))
            th = api.unit(hp - kn)
            ant = -(th + api.unit(an - kn))
            ant = api.unit(ant - th * (ant @ th))
            target = kn + 0.06 * th + 0.10 * ant
            sgn = 1.0 if which == "L" else -1.0

            def ankle(x):
                q = api.Pose(neck=8.0)
                q.legs[other].update(self.support(amount))
                q.legs[which].update(hip_flex=x[0], hip_abd=x[1], knee_flex=x[3], ankle=0.0)
                q.hip_rot = {which: x[2]}
                _, Hq = b.fk_heads(b.segment_rotations(q))
                return Hq[b.idx[f"foot.{which}"]]

            sup_hf = self.support(amount)["hip_flex"]

            def cost(x):
                # the ankle on the target, in a natural figure four: the thigh turned out about 40 deg
                # and flexed about as much as the supporting one (a prior worth 3 cm per 15-20 deg)
                prior = ((x[1] - 40.0) / 15.0) ** 2 + ((x[0] - sup_hf - 10.0) / 20.0) ** 2 + ((x[3] - CROSS_KNEE) / 20.0) ** 2
                return float(np.sum((ankle(x) - target) ** 2)) + 0.03 ** 2 * prior

            if which == "R":   # the mirror image of the left leg's figure four (rotation turns the other way)
                hf, ab, rot, kf, miss = self.figure_four("L", amount)
                self.solved[key] = (hf, ab, -rot, kf, miss)
                return self.solved[key]
            grid = [(hf, ab, r, kf) for hf in (sup_hf - 10.0, sup_hf + 10.0, sup_hf + 30.0) for ab in (25.0, 40.0, 55.0)
                    for r in range(-180, 180, 30) for kf in (90.0, 110.0, 130.0)]
            starts = sorted(grid, key=cost)[:3]
            best = None
            for x0 in starts:
                res = minimize(cost, list(map(float, x0)), method="Nelder-Mead",
                               options=dict(xatol=0.2, fatol=1e-8, maxiter=800))
                if best is None or res.fun < best.fun:
                    best = res
            best.fun = float(np.sum((ankle(best.x) - target) ** 2))
            self.solved[key] = tuple(float(v) for v in best.x) + (float(math.sqrt(max(best.fun, 0.0))),)
            return self.solved[key]

        def _pose(self, which, amount, cross, head):
            pose = api.Pose(neck=8.0 + 30.0 * head)
            other = "R" if which == "L" else "L"
            sup = self.support(amount)
            pose.legs[other].update(sup)
            if cross > 0:
                hf, ab, rot, kf, _ = self.figure_four(which, amount)
                # from the support leg's own position (feet side by side) up and over onto the knee
                arc = math.sin(math.pi * min(cross, 1.0))
                c = api.smoothstep(cross)
                pose.legs[which].update(hip_flex=(1 - c) * sup["hip_flex"] + c * hf + 15.0 * arc,
                                        hip_abd=(1 - c) * sup["hip_abd"] + c * ab + 10.0 * arc,
                                        knee_flex=(1 - c) * sup["knee_flex"] + c * kf,
                                        ankle=(1 - c) * sup["ankle"])
                pose.hip_rot = {which: c * rot}
            else:
                pose.legs[which].update(sup)   # not crossed: the two knees side by side
            if head > 0:
                pose.spine = 34.0 * head
                pose.spine_w = [0.0, 0.0, 0.2, 0.4, 0.4]
            # hands: from the sides to the back of the supporting thigh as the pull starts
            b = self.b
            G = b.segment_rotations(pose)
            _, H = b.fk_heads(G)
            grab_leg = other if cross > 0.5 else which
            hp, kn = H[b.idx[f"upperleg01.{grab_leg}"]], H[b.idx[f"lowerleg01.{grab_leg}"]]
            d = api.unit(kn - hp)
            post = api.unit(np.cross([1.0, 0.0, 0.0], d))
            w = api.smoothstep(amount / 0.5)
            arms = {}
            for s in "LR":
                sg = 1.0 if s == "L" else -1.0
                grab = hp + 0.6 * (kn - hp) + 0.08 * post + np.array([sg * 0.06, 0.0, 0.0])
                start = H[b.idx[f"upperarm01.{s}"]] + G["spine01"] @ self.wrist_off[s]
                arms[s] = dict(hand_target=start + w * (grab - start), pole=[sg * 1.0, 0.6, -0.3],
                               upper=[0, 0, -1.0], hinge=[1.0, 0, 0], elbow=0.0)
            pose.arms = arms
            return pose

        def _frame(self, which, amount, cross, head):
            pose = self._pose(which, amount, cross, head)
            if head > 0:
                # the upper trunk curls up about the pelvis: keep the placement of the same pose, head down
                key = (which, round(amount, 4), round(cross, 4))
                if key not in self.base:
                    self.base[key] = self._frame(which, amount, cross, 0.0)
                base = self.base[key]
                V, kps, _ = self.b.forward(pose)
                V = V @ base.R.T + base.t
                kw = {k: base.R @ v + base.t for k, v in kps.items()}
                return api.Frame(V, kw, "supine", pose, base.R, base.t, base.pitch)
            flat = tuple(s for s in "LR" if amount <= 0.0 and (s != which or cross <= 0.0))
            return api.build(self.b, "supine", pose, ("upper_back", "buttocks"), head_rest=True, flat_feet=flat,
                             anchor="upper_back", anchor_x=0.45)

        def fn(self, disc, st):
            amount, cross, head = st
            which = disc if disc in ("L", "R") else "L"
            if disc not in ("L", "R"):
                amount = cross = head = 0.0
            return api.frame_out(self._frame(which, amount, cross, head))

        def norm_disc(self, disc, st):
            return "rest" if st[0] <= 1e-9 and st[1] <= 0 and st[2] <= 0 else disc

    def timeline(clip, rng, model):
        zero = {"amount": 0.0, "cross": 0.0, "head": 0.0}
        tl = api.Timeline(clip, rng, start=zero, disc="rest")
        tl.stay("rest", tl.uniform(1.5, 2.2))
        for rep in tl.reps():
            leg = {"left": "L", "right": "R"}.get(rep.side, "L")   # not_crossed: no side (both knees in)
            cross_s, pull, rel, unc = tl.uniform(1.0, 1.4), tl.uniform(1.0, 1.5), tl.uniform(1.0, 1.4), tl.uniform(0.9, 1.3)
            hold = float(rep.hold_s or tl.uniform(4.0, 6.0))
            crossed = 0.0 if rep.has("not_crossed") else 1.0
            head = 1.0 if rep.has("head_lifted") else 0.0
            if crossed:
                tl.move("crossing", cross_s, {"cross": 1.0}, rep, disc=leg)
            tl.move("pulling", pull, {"amount": 1.0, "head": head}, rep, disc=leg)
            tl.stay("hold", hold, rep)
            tl.move("releasing", rel, {"amount": 0.0, "head": 0.0}, rep)
            if crossed:
                tl.move("uncrossing", unc, {"cross": 0.0}, rep)
            tl.stay("rest", tl.uniform(1.0, 1.6), disc="rest")
            rep.extras.update(crossed=bool(crossed), head_curl=head)
        return tl.result()

    api.add_exercise("piriformis_stretch", PiriformisModel, timeline, hold_phases=("hold",),
                     faults=("not_crossed", "head_lifted"), sides=(None, "left", "right"),
                     doc="lying figure-four stretch: one ankle on the other knee, the other thigh pulled in")
