"""Motion plugin: the kneeling per-side stretches, pigeon_pose and hip_flexor_stretch.

    make_dataset.py --motions bench/motions/kneeling.py --spec bench/motions/specs/<exercise>.json --out DIR

Grounded in the handouts' words and ordinary anatomy, not in the coach's thresholds. The rep's
``side`` is the leg that is IN FRONT (pigeon: the bent front leg; hip flexor: the leg with the foot
flat in front, so the stretched hip is the other one, the kneeling leg).

- ``hip_flexor_stretch``: half-kneeling (one knee and shin on the floor, the other foot flat in
  front, the trunk upright, both hands on the front thigh), the person presses the hips forward: the
  kneeling leg's thigh tilts back from vertical (hip extension; REAR_TILT 28 deg is a common, not
  extreme, hip-flexor stretch), the front shin comes to vertical (knee over the ankle, "front knee
  near 90"). One side per clip (the rest between reps is the upright half-kneel). Faults:
  ``leaning_forward`` (the trunk tips 28-38 deg forward from upright, over the front thigh),
  ``front_knee_past_toes`` (the front shin leans 30-38 deg forward: the knee well ahead of the
  toes), ``back_arched`` (the low back arches: 22-26 deg of spine
  extension with the body leaning back 4 deg: the shoulders come behind the hips).
- ``pigeon_pose``: from hands and knees (thighs vertical, arms straight) one knee comes forward
  behind the opposite hand with the shin across in front of the body (hip flexed, abducted 32 deg,
  the shin turned across: the renderer has no hip rotation, so the shin and foot are aimed directly),
  the other leg slides straight back, knee straight, top of the foot on the floor; the hips lower
  to about a hand's height above the floor and the trunk leans forward on straight arms (38 deg
  above horizontal). Both sides in one clip, hands and knees between. Faults: ``back_knee_bent``
  (the back knee bends 55-70 deg, the foot lifting off the floor), ``hips_high`` (the hips stay
  0.16-0.22 m higher: the back thigh 45-55 deg from vertical instead of ~80).

State: the FIRST dimension is the exercise's amount (0 rest, 1 the full position; coach.labels.
position_band times holds on it); the others are the fault amounts (0 none .. 1 full size).
"""

# ---------------------------------------------------------------- hip flexor stretch
REAR_TILT0 = 2.0     # the kneeling leg's thigh from vertical at rest (deg, + = knee behind the hip)
REAR_TILT = 28.0     # ... pressed forward
FRONT_SHIN0 = -10.0  # the front shin's lean at rest (+ = knee ahead of the ankle): the foot is planted
FRONT_SHIN = 2.0     # ... in the stretch the knee comes over the ankle
SHIN_FAULT = 36.0    # front_knee_past_toes: the front shin's lean at full size (0.85-1.0 drawn)
LEAN_FAULT = 35.0    # leaning_forward: trunk lean at full size (0.8-1.0 drawn)
ARCH_SPINE = -26.0   # back_arched: spine extension at full size (0.85-1.0 drawn)
ARCH_TILT = -4.0     # ... and the pelvis's lean (deg, - = back)
PITCH_SIGN = 1.0     # the placement's pitch for a forward lean (checked in the previews)
KNEE_Z = 0.055       # knee joint above the floor with the shin lying on it (m)
ANKLE_Z = 0.075      # ankle joint above the floor, foot flat (m)

# ---------------------------------------------------------------- pigeon
P_BETA = 38.0        # trunk above horizontal in the pigeon (deg)
P_HIP_Z = 0.17       # hip joint height in the pigeon (m)
P_HIGH_Z = 0.19      # hips_high adds this (0.85-1.0 drawn)
P_ABD = 32.0         # front thigh abduction
P_BEND = 65.0        # back_knee_bent: knee flexion at full size (0.85-1.0 drawn)


def register(api):
    np, math = api.np, api.math
    B = api.body

    def rot_a_to_b(a, b):
        a, b = api.unit(a), api.unit(b)
        v = np.cross(a, b)
        c = float(a @ b)
        if np.linalg.norm(v) < 1e-9:
            return np.eye(3)
        vx = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
        return np.eye(3) + vx + vx @ vx * (1.0 / (1.0 + c))

    def patch_shin(body):
        """Let a leg's dict carry ``shin_to`` (body-frame direction) and ``shin_w`` (0..1): the shin
        (and the foot with it) is turned toward that direction by that share: the pigeon's front
        shin lies across the body, which needs hip rotation the renderer does not model."""
        if getattr(body, "_kneel_patched", False):
            return
        orig = body.segment_rotations

        def seg(pose):
            G = orig(pose)
            _, H = body.fk_heads(G)
            for s in "LR":
                lg = pose.legs[s]
                w = float(lg.get("shin_w", 0.0))
                if w <= 0:
                    continue
                kn, an = H[body.idx[f"lowerleg01.{s}"]], H[body.idx[f"foot.{s}"]]
                cur = api.unit(an - kn)
                tgt = api.unit((1 - w) * cur + w * api.unit(lg["shin_to"]))
                R = rot_a_to_b(cur, tgt)
                for name in list(G):
                    if name.startswith((f"lowerleg", "foot", "toe")) and name.endswith(f".{s}"):
                        G[name] = R @ G[name]
            return G

        body.segment_rotations = seg
        body._kneel_patched = True

    def seg_lengths(body):
        h = body.h
        Lt = {s: float(np.linalg.norm(h(f"lowerleg01.{s}") - h(f"upperleg01.{s}"))) for s in "LR"}
        Ls = {s: float(np.linalg.norm(h(f"foot.{s}") - h(f"lowerleg01.{s}"))) for s in "LR"}
        A = {s: float(np.linalg.norm(h(f"lowerarm01.{s}") - h(f"upperarm01.{s}"))
                      + np.linalg.norm(h(f"wrist.{s}") - h(f"lowerarm01.{s}"))) for s in "LR"}
        return Lt, Ls, A

    def theta(f, u):
        """Direction (forward f, up u) as its angle from straight down, + toward forward (deg)."""
        return math.degrees(math.atan2(f, -u))

    # ================================================================ hip flexor stretch
    api.add_kind("half_kneel", head="+z", front="-x", contacts=("knees", "feet"),
                 doc="half-kneeling, facing world -X; camera sees the left side unmirrored")

    class HipFlexorModel:
        """disc: the front leg 'L' or 'R'."""
        kind = "half_kneel"
        dims = ("amount", "lean", "knee", "arch")
        steps = (0.1, 0.25, 0.25, 0.25)

        def __init__(self, body, clip):
            self.b = body
            self.reg = api.regions(body)
            self.Lt, self.Ls, self.A = seg_lengths(body)
            self.thigh = {s: api.bone_region(body, ["upperleg"], 0.5, s) for s in "LR"}

        def design(self, front, amount, lean, knee, arch):
            rear = "R" if front == "L" else "L"
            Lt, Ls = self.Lt, self.Ls
            a = math.radians(REAR_TILT0 + amount * (REAR_TILT - REAR_TILT0))
            # the rear knee at the origin, the hip above it, tilted forward by a
            hip = np.array([Lt[rear] * math.sin(a), KNEE_Z + Lt[rear] * math.cos(a)])
            sig = math.radians(FRONT_SHIN0 + amount * (FRONT_SHIN - FRONT_SHIN0) + knee * SHIN_FAULT)
            kz = ANKLE_Z + Ls[front] * math.cos(sig)
            dz = min(abs(kz - hip[1]), 0.98 * Lt[front])
            kx = hip[0] + math.sqrt(Lt[front] ** 2 - dz ** 2)
            knee_f = np.array([kx, kz])
            tau = lean * LEAN_FAULT                      # the pelvis's (trunk's) lean forward from vertical
            th_rear = theta(-math.sin(a), -math.cos(a))  # hip -> knee of the rear leg
            d = knee_f - hip
            th_front = theta(d[0], d[1])
            p = api.Pose(spine=arch * ARCH_SPINE, neck=-0.3 * arch * ARCH_SPINE + 4.0)
            pel = tau + arch * ARCH_TILT                 # the body's forward lean (the arch tips the pelvis back a little)
            self.pitch0 = PITCH_SIGN * pel
            api.legs(p, rear, hip_flex=th_rear + pel, knee_flex=th_rear - (-90.0), ankle=-72.0, hip_abd=4.0)
            api.legs(p, front, hip_flex=th_front + pel, knee_flex=th_front + math.degrees(sig), ankle=0.0, hip_abd=4.0)
            return p

        def place(self, front, pose, arms_world=None):
            rear = "R" if front == "L" else "L"
            return api.build(self.b, "half_kneel", pose, [(f"knee_{rear}", 0.0), (f"foot_{front}", 0.0)],
                             arms_world=arms_world, flat_feet=(front,), anchor=f"knee_{rear}", anchor_x=0.25,
                             pitch_range=(-60.0, 60.0), pitch0=self.pitch0, iters=3)

        def arms(self, fr, front):
            k = fr.kps
            fs = "left" if front == "L" else "right"
            out = {}
            for s, side in (("L", "left"), ("R", "right")):
                sh = k[f"{side}_shoulder"]
                tgt = 0.35 * k[f"{fs}_hip"] + 0.65 * k[f"{fs}_knee"]
                Tv = fr.V[self.thigh[front]]
                near = Tv[np.abs(Tv[:, 0] - tgt[0]) < 0.04]
                top = near[:, 2].max() if len(near) else tgt[2] + 0.08
                sg = 1.0 if sh[1] < 0 else -1.0
                tgt = np.array([tgt[0] + (0.03 if s == front else -0.03), tgt[1] - sg * 0.05, top + 0.03])
                v = tgt - sh
                L = 0.97 * self.A[s]
                if np.linalg.norm(v) > L:
                    tgt = sh + v * (L / np.linalg.norm(v))
                out[s] = api.arm_to(tgt, [0.3, -sg * 1.0, 0.0], hand_dir=[-1.0, 0.0, -0.4], palm=[0, 0, -1.0])
            return out

        def fn(self, disc, st):
            front = disc if disc in ("L", "R") else "L"
            pose = self.design(front, *st)
            fr = self.place(front, pose)
            out = self.place(front, pose, self.arms(fr, front))
            self.last_pitch = out.pitch
            return api.frame_out(out)

    def hf_timeline(clip, rng, model):
        zero = {"amount": 0.0, "lean": 0.0, "knee": 0.0, "arch": 0.0}
        reps = clip.get("reps") or []
        side0 = reps[0].get("side", "left") if reps else "left"
        tl = api.Timeline(clip, rng, start=zero, disc={"left": "L", "right": "R"}[side0])
        tl.stay("rest", tl.uniform(1.0, 1.5))
        for rep in tl.reps():
            assert rep.side == side0, "hip_flexor_stretch: one front leg per clip"
            press, back = tl.uniform(1.2, 1.7), tl.uniform(1.0, 1.4)
            hold = float(rep.hold_s or tl.uniform(4.0, 6.0))
            to = dict(amount=1.0,
                      lean=round(tl.uniform(0.8, 1.0), 2) if rep.has("leaning_forward") else 0.0,
                      knee=round(tl.uniform(0.85, 1.0), 2) if rep.has("front_knee_past_toes") else 0.0,
                      arch=round(tl.uniform(0.85, 1.0), 2) if rep.has("back_arched") else 0.0)
            tl.move("pressing", press, to, rep)
            tl.stay("hold", hold, rep)
            tl.move("releasing", back, zero, rep)
            tl.stay("rest", tl.uniform(1.0, 1.5))
            rep.extras.update(trunk_lean_deg=round(to["lean"] * LEAN_FAULT, 1),
                              front_shin_lean_deg=round(FRONT_SHIN + to["knee"] * SHIN_FAULT, 1),
                              spine_ext_deg=round(-to["arch"] * ARCH_SPINE, 1), rear_thigh_tilt_deg=REAR_TILT)
        return tl.result()

    def metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        out = {}
        for key in ("left_knee_2d", "right_knee_2d", "left_hip_2d", "right_hip_2d"):
            vals = [f["angles"].get(key) for f in hf if f["angles"].get(key) is not None]
            if vals:
                out["hold_" + key + "_deg"] = round(float(np.median(vals)), 1)
        return out

    api.add_exercise("hip_flexor_stretch", HipFlexorModel, hf_timeline, hold_phases=("hold",),
                     faults=("leaning_forward", "front_knee_past_toes", "back_arched"), sides=("left", "right"),
                     rep_metrics=metrics,
                     doc="half-kneeling hip flexor stretch, hips pressed forward; side = the front leg")

    # ================================================================ pigeon pose
    class PigeonModel:
        """disc: the front (bent) leg 'L' or 'R', or 'rest' (hands and knees)."""
        kind = "quadruped"
        dims = ("amount", "bend", "high")
        steps = (0.1, 0.25, 0.25)

        def __init__(self, body, clip):
            self.b = body
            patch_shin(body)
            self.reg = api.regions(body)
            self.Lt, self.Ls, self.A = seg_lengths(body)
            h = body.h
            self.trunk = float(np.linalg.norm(0.5 * (h("upperarm01.L") + h("upperarm01.R"))
                                              - 0.5 * (h("upperleg01.L") + h("upperleg01.R"))))

        def design(self, front, amount, bend, high):
            rear = "R" if front == "L" else "L"
            w = api.smoothstep(amount)
            z_rest = self.Lt[rear] + KNEE_Z
            hz = z_rest + w * (P_HIP_Z + high * P_HIGH_Z - z_rest)
            # on hands and knees the trunk slopes to shoulders an arm's length above the floor
            beta0 = math.degrees(math.asin(min(max((0.95 * self.A[rear] + 0.05 - z_rest) / self.trunk, -0.9), 0.9)))
            # in the pose: P_BETA, or less where straight arms can't reach that far down (hips high)
            beta1 = min(P_BETA, math.degrees(math.asin(min(max((0.95 * self.A[rear] + 0.05 - hz) / self.trunk, -0.9), 0.9))))
            beta = beta0 + w * (beta1 - beta0)
            bd = 90.0 - beta     # hip_flex = theta(thigh) + bd
            # rear thigh: hip down to the knee on the floor, behind
            # (a straight back leg lies from the hip to the top of the foot on the floor; with the knee
            # bent, the knee is on the floor and the shin lifts)
            reach = self.Lt[rear] + w * (1.0 - bend) * self.Ls[rear]
            ca = min(max((hz - KNEE_Z) / reach, -1.0), 1.0)
            th_rear = -math.degrees(math.acos(ca))
            # front thigh: forward to the knee on the floor, abducted
            abd = 3.0 + w * (P_ABD - 3.0)
            cf = min(max((hz - KNEE_Z - 0.01) / (self.Lt[front] * math.cos(math.radians(abd))), -1.0), 1.0)
            th_front = math.degrees(math.acos(cf)) * w
            p = api.Pose(spine=-6.0 * w, neck=10.0 - 18.0 * w)
            api.legs(p, rear, hip_flex=th_rear + bd, knee_flex=(1 - w) * 90.0 + w * (4.0 + bend * P_BEND),
                     ankle=-75.0 + 5.0 * w, hip_abd=3.0)
            api.legs(p, front, hip_flex=th_front + bd, knee_flex=90.0 + w * 30.0, ankle=-75.0 + 10.0 * w, hip_abd=abd)
            # the front shin lies across the body on the floor, the foot toward the other hip
            b = math.radians(beta)
            F = np.array([0.0, -math.sin(b), math.cos(b)])
            U = np.array([0.0, math.cos(b), math.sin(b)])
            X = np.array([1.0 if front == "L" else -1.0, 0.0, 0.0])   # outward for the front leg
            p.legs[front]["shin_to"] = list(-0.88 * X - 0.30 * F - 0.05 * U)
            p.legs[front]["shin_w"] = w
            return p, beta

        def place(self, front, pose, beta, arms_world):
            rear = "R" if front == "L" else "L"
            contacts = [("hands", 0.0), (f"knee_{rear}", 0.0), (f"shin_{front}", 0.0), (f"foot_{rear}", 0.0)]
            if arms_world is None:
                contacts = contacts[1:]
            # the pitch is the design's (head up by beta: a negative pitch for this kind)
            return api.build(self.b, "quadruped", pose, contacts, arms_world=arms_world,
                             anchor=f"knee_{rear}", anchor_x=-0.2, pitch_range=(-beta, -beta), pitch0=-beta, iters=4)

        def arms(self, fr, beta):
            k = fr.kps
            out = {}
            for s, side in (("L", "left"), ("R", "right")):
                sh = k[f"{side}_shoulder"]
                sg = 1.0 if s == "L" else -1.0
                L = 0.95 * self.A[s]
                dz = max(sh[2] - 0.05, 0.05)
                fwd = math.sqrt(max(L * L - dz * dz, 0.0))
                tgt = np.array([sh[0] + fwd, sh[1] + sg * 0.02, 0.05])
                out[s] = api.arm_to(tgt, [-1.0, sg * 0.3, 0.0], hand_dir=[1.0, sg * 0.1, -0.05], palm=[0, 0, -1.0])
            return out

        def fn(self, disc, st):
            front = disc if disc in ("L", "R") else "L"
            amount = st[0] if disc in ("L", "R") else 0.0
            pose, beta = self.design(front, amount, *st[1:])
            fr = self.place(front, pose, beta, None)
            fr = self.place(front, pose, beta, self.arms(fr, beta))
            return api.frame_out(fr)

        def norm_disc(self, disc, st):
            return "rest" if st[0] <= 1e-9 else disc

    def pigeon_timeline(clip, rng, model):
        zero = {"amount": 0.0, "bend": 0.0, "high": 0.0}
        tl = api.Timeline(clip, rng, start=zero, disc="rest")
        tl.stay("rest", tl.uniform(1.0, 1.4))
        for rep in tl.reps():
            leg = {"left": "L", "right": "R"}[rep.side]
            into, out = tl.uniform(1.8, 2.3), tl.uniform(1.5, 1.9)
            hold = float(rep.hold_s or tl.uniform(4.0, 6.0))
            to = dict(amount=1.0, bend=round(tl.uniform(0.85, 1.0), 2) if rep.has("back_knee_bent") else 0.0,
                      high=round(tl.uniform(0.85, 1.0), 2) if rep.has("hips_high") else 0.0)
            tl.move("moving_in", into, to, rep, disc=leg)
            tl.stay("hold", hold, rep)
            tl.move("moving_out", out, zero, rep)
            tl.stay("rest", tl.uniform(1.0, 1.4), disc="rest")
            rep.extras.update(back_knee_flex_deg=round(4.0 + to["bend"] * P_BEND, 1),
                              hip_height_m=round(P_HIP_Z + to["high"] * P_HIGH_Z, 3))
        return tl.result()

    api.add_exercise("pigeon_pose", PigeonModel, pigeon_timeline, hold_phases=("hold",),
                     faults=("back_knee_bent", "hips_high"), sides=("left", "right"), rep_metrics=metrics,
                     doc="pigeon pose from hands and knees; side = the bent front leg")
