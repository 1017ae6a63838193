"""Motion plugin: the "knee drops", lying on the back: `side_knee_drop` and `lying_trunk_rotation`.

    make_dataset.py --motions bench/motions/knee_drops.py --spec bench/motions/specs/side_knee_drop.json --out D

What the handouts ask (../shared/catalogue.md), and how it is posed here:

* side_knee_drop: on the back, knees bent, feet on the floor, shoulders flat; drop both knees to one
  side as far as comfortable; hold 30-45 s per side. Rep `side` = the side the knees drop TOWARD.
* lying_trunk_rotation: on the back, one leg straight, the other knee bent; guide the bent knee across
  the body toward the floor, shoulders flat; hold 30 s per side. Rep `side` = the BENT leg (the leg
  worked, as knee_to_chest names it); it drops toward the other side.

Anatomy (normal ranges, not any checker's thresholds): the feet stay where they are on the floor and
the knees swing sideways, so each bent leg turns about its own hip-to-ankle line; the pelvis rolls
with the legs (about a third of the legs' turn in the knee drop, half in the trunk rotation, where
the knee crosses the body), the lumbar and lower thoracic spine take the roll back out, and with the
shoulders flat the chest does not roll at all. The feet roll onto their edges by a share of the turn
(the rest is the ankle's and hip's rotation). A full knee drop turns the legs' plane 55-62 deg from
vertical (the lower knee comes within a hand of the floor); a full trunk rotation 70-78 deg (the knee
near the floor across the body).

State dims (the first is the exercise's amount, 0 rest .. 1 full position, as coach/labels.py's
position_band expects):
  drop      0..1 share of the full turn
  shoulder  0..1 the shoulder fault: the chest rolls with the legs, up to CHEST_ROLL deg, so the
            shoulder on the side away from the drop comes off the floor (10-15 cm)
  gap       0..1 knees_apart (knee drop): the upper leg lags the lower one by up to GAP deg, the
            knees part by 20-30 cm
  sleg      0..1 straight_leg_bent (trunk rotation): the straight leg's knee bends up to 45 deg
  bend_L, bend_R  0..1 how bent each leg is (1: knee bent, foot on the floor; 0: straight on the
            floor). The knee drop keeps both at 1; the trunk rotation bends the rep's leg and switches
            legs in the rest between sides.
disc: the side the knees drop toward, "L" / "R" ("rest" when nothing is turned).

Faults develop with the movement (a person who lets a shoulder come up or the knees part does it on
the way down) and are held through the hold.
"""

import copy

CHEST_ROLL = 24.0   # deg: the chest rolling with the legs (shoulder_lifted)
GAP = 34.0          # deg: the upper leg lagging (knees_apart)
KNEE_BENT = 100.0   # knee flexion with the foot flat (hook lying)
STRAIGHT_KNEE = 3.0
FOOT_SHARE = 0.35   # the foot rolls onto its edge by this share of the leg's turn
MODES = {
    # full turn of the legs (deg), pelvis roll as a share of it
    "kd": dict(full=(55.0, 62.0), pelvis=0.35),
    "tr": dict(full=(70.0, 78.0), pelvis=0.5),
}


def register(api):
    np = api.np
    B = api.body

    def make_body_class(base):
        class KneeDropBody(base):
            """The render's Body with a roll about the body's long axis: pelvis, spine, legs (pose.kd)."""

            def segment_rotations(self, pose):
                kd = getattr(pose, "kd", None)
                G = base.segment_rotations(self, pose)
                if not kd:
                    return G
                targets = {s: a for s, a in pose.arms.items() if "hand_target" in a}
                if not targets:
                    return self._roll(G, kd)
                # A hand resting on the floor stays there while the chest rolls: aim each arm from the
                # unrolled shoulder at the target less the shoulder's move, then roll (the directions hold)
                _, P0 = self.fk_heads(G)
                _, P1 = self.fk_heads(self._roll(dict(G), kd))
                moved = copy.copy(pose)
                moved.arms = dict(pose.arms)
                for s, a in targets.items():
                    i = self.idx[f"upperarm01.{s}"]
                    moved.arms[s] = dict(a, hand_target=np.asarray(a["hand_target"], float) - (P1[i] - P0[i]))
                return self._roll(base.segment_rotations(self, moved), kd)

            def _roll(self, G, kd):
                s = kd["dir"]                   # +1: toward the person's left (body +X), -1: right
                p, c = kd["pelvis"], kd["chest"]
                _, P0 = self.fk_heads(G)        # unrolled positions: the legs' hip-to-ankle lines
                roll = {"root": p, "spine05": 0.7 * p + 0.0 * c, "spine04": 0.4 * p + 0.2 * c,
                        "spine03": 0.15 * p + 0.5 * c, "spine02": 0.85 * c, "spine01": c,
                        "neck01": 0.7 * c, "neck02": 0.45 * c, "neck03": 0.25 * c, "head": 0.1 * c}
                for bone, deg in roll.items():
                    if bone in G and deg:
                        G[bone] = B.rz(s * deg) @ G[bone]
                    elif deg and bone == "root":
                        G[bone] = B.rz(s * deg)
                for side in "LR":
                    G[f"clavicle.{side}"] = G["spine01"]
                    G[f"shoulder01.{side}"] = G["spine01"]
                    th = kd["legs"][side]
                    if not th:
                        continue
                    H = P0[self.idx[f"upperleg01.{side}"]]
                    A = P0[self.idx[f"foot.{side}"]]
                    Hr = B.rz(s * p) @ H              # the hip joint, moved by the pelvis's roll
                    # the ankle stays where it was: first turn the leg so it reaches from the moved hip
                    # to the same ankle, then turn it about that hip-to-ankle line
                    u0, u1 = B.unit(A - H), B.unit(A - Hr)
                    cr = np.cross(u0, u1)
                    ang = np.degrees(np.arctan2(np.linalg.norm(cr), float(u0 @ u1)))
                    align = B.axis_angle(cr, ang) if np.linalg.norm(cr) > 1e-9 else np.eye(3)
                    # +deg about the hip->ankle line (pointing toward the feet, body -Z) turns the
                    # knee toward body -X (the right): a turn toward the left is negative
                    R = B.axis_angle(u1, -s * th) @ align
                    Rf = B.axis_angle(u1, -s * th * FOOT_SHARE) @ align
                    for bone in (f"upperleg01.{side}", f"lowerleg01.{side}"):
                        G[bone] = R @ G[bone]
                    G[f"foot.{side}"] = Rf @ G[f"foot.{side}"]
                    for k in range(1, 6):
                        if f"toe{k}-1.{side}" in G:
                            G[f"toe{k}-1.{side}"] = Rf @ G[f"toe{k}-1.{side}"]
                return G

        return KneeDropBody

    class KneeDropModel:
        kind = "supine"
        dims = ("drop", "shoulder", "gap", "sleg", "bend_L", "bend_R")
        steps = (0.05, 0.25, 0.25, 0.25, 0.25, 0.25)
        mode = "kd"

        def __init__(self, body, clip):
            b = copy.copy(body)
            b.__class__ = make_body_class(type(body))
            self.b = b
            self.reg = api.regions(b)
            rng = np.random.default_rng(int(clip.get("seed", 0)) + 77)
            lo, hi = MODES[self.mode]["full"]
            self.full = float(rng.uniform(lo, hi))
            self.pelvis_share = MODES[self.mode]["pelvis"]
            # hook lying: the hip flexion that puts the foot flat on the floor with the knee at KNEE_BENT
            self.hip_bent, self.ankle_bent = api.poses.solve_hip_for_foot_contact(b, api.Pose(neck=8.0), "L", KNEE_BENT)
            # straight leg: the hip flexion that lays the heel on the floor (both legs straight)
            self.hip_straight = 0.0
            self.arms = api.supine_arms_world()
            fr = self.place(self.pose(0, 0, 0, 0, 0.0, 0.0, None), feet=False)
            z = min(api.lowest(fr, self.reg[f"foot_{s}"]) for s in "LR")
            self.hip_straight = -np.degrees(np.arctan2(z - 0.002, 0.85))
            # the hands rest on the floor where they lie in hook lying, whatever the trunk does
            fr = self.place(self.pose(0, 0, 0, 0, 1.0, 1.0, None), feet=False)
            self.arms = {s: api.arm_to(fr.kps[f"{n}_wrist"], [-0.3, sg * 1.0, 0.5], hand_dir=[-1.0, sg * 0.1, -0.05],
                                       palm=[0, 0, -1.0])
                         for s, n, sg in (("L", "left", -1.0), ("R", "right", 1.0))}

        def pose(self, drop, shoulder, gap, sleg, bend_L, bend_R, disc):
            p = api.Pose(neck=8.0)
            bend = {"L": bend_L, "R": bend_R}
            for side in "LR":
                w = bend[side]
                knee = STRAIGHT_KNEE + w * (KNEE_BENT - STRAIGHT_KNEE)
                hip = self.hip_straight + w * (self.hip_bent - self.hip_straight)
                ankle = -15.0 + w * (self.ankle_bent + 15.0)
                if w < 0.5:   # the straight leg: straight_leg_bent lifts its knee, the heel stays down
                    knee += 45.0 * sleg
                    hip += 24.0 * sleg
                api.legs(p, side, hip_flex=hip, knee_flex=knee, ankle=ankle, hip_abd=2.0 + 2.0 * w)
            if disc in ("L", "R") and (drop > 0 or shoulder > 0):
                th = drop * self.full
                s = 1.0 if disc == "L" else -1.0
                lower, upper = disc, ("R" if disc == "L" else "L")
                legs = {}
                for side in "LR":
                    # a straight leg does not turn with the bent one (it lies on the floor)
                    t = th * min(1.0, bend[side] * 2.0) if bend[side] > 0 else 0.0
                    if side == upper:
                        t = max(0.0, t - gap * GAP)
                    legs[side] = t
                p.kd = dict(dir=s, pelvis=self.pelvis_share * th, chest=shoulder * CHEST_ROLL, legs=legs)
            return p

        def place(self, pose, feet=True):
            """On the floor by the upper back and the buttocks; then each foot back onto the floor
            (a rolled pelvis or chest pitches the body a little): its hip flexion, 3 rounds."""
            fr = None
            for _ in range(3 if feet else 1):
                fr = api.build(self.b, "supine", pose, ("upper_back", "buttocks"), arms_world=self.arms,
                               head_rest=True, anchor="upper_back", anchor_x=0.45, iters=3)
                pose = fr.pose
                off = {s: api.lowest(fr, self.reg[f"foot_{s}"]) + 0.002 for s in "LR"}
                if all(abs(v) < 0.006 for v in off.values()):
                    break
                for s, dz in off.items():
                    reach = 0.85 if pose.legs[s]["knee_flex"] < 30 else 0.45   # hip to foot, m
                    pose.legs[s]["hip_flex"] += float(np.degrees(-dz / reach))
            return fr

        def fn(self, disc, st):
            return api.frame_out(self.place(self.pose(*st, disc)))

        def norm_disc(self, disc, st):
            return "rest" if st[0] <= 1e-9 and st[1] <= 1e-9 else disc

    class TrunkRotationModel(KneeDropModel):
        mode = "tr"

    def _side(rep):
        if rep.side not in ("left", "right"):
            raise ValueError(f"rep {rep.index}: give side left or right")
        return "L" if rep.side == "left" else "R"

    def kd_timeline(clip, rng, model):
        zero = {"drop": 0.0, "shoulder": 0.0, "gap": 0.0, "sleg": 0.0, "bend_L": 1.0, "bend_R": 1.0}
        tl = api.Timeline(clip, rng, start=zero, disc="rest")
        tl.stay("rest", tl.uniform(1.4, 1.8))
        for rep in tl.reps():
            d = _side(rep)
            amount = tl.uniform(0.88, 1.0)
            hold = float(rep.hold_s or tl.uniform(5.0, 7.0))
            down, up = tl.uniform(1.5, 2.2), tl.uniform(1.3, 1.8)
            top = {"drop": amount, "shoulder": 1.0 if rep.has("shoulder_lifted") else 0.0,
                   "gap": 1.0 if rep.has("knees_apart") else 0.0}
            tl.move("dropping", down, top, rep, disc=d)
            tl.stay("hold", hold, rep)
            tl.move("returning", up, {"drop": 0.0, "shoulder": 0.0, "gap": 0.0}, rep)
            tl.stay("rest", tl.uniform(1.2, 1.6), disc="rest")
            rep.extras.update(drop_deg=round(amount * (model.full if model else 0.0), 1), toward=rep.side)
        return tl.result()

    def tr_timeline(clip, rng, model):
        reps = clip.get("reps", [])
        first = reps[0].get("side") if reps else "left"
        bent = "L" if first == "left" else "R"
        zero = {"drop": 0.0, "shoulder": 0.0, "gap": 0.0, "sleg": 0.0,
                "bend_L": 1.0 if bent == "L" else 0.0, "bend_R": 1.0 if bent == "R" else 0.0}
        tl = api.Timeline(clip, rng, start=zero, disc="rest")
        tl.stay("rest", tl.uniform(1.4, 1.8))
        for rep in tl.reps():
            leg = _side(rep)
            if leg != bent:   # switch legs at rest: straighten one, bend the other
                tl.move("rest", tl.uniform(1.5, 1.8), {f"bend_{bent}": 0.0, f"bend_{leg}": 1.0}, disc="rest")
                tl.stay("rest", tl.uniform(0.8, 1.2))
                bent = leg
            toward = "R" if leg == "L" else "L"
            amount = tl.uniform(0.88, 1.0)
            hold = float(rep.hold_s or tl.uniform(5.0, 7.0))
            down, up = tl.uniform(1.5, 2.2), tl.uniform(1.3, 1.8)
            top = {"drop": amount, "shoulder": 1.0 if rep.has("shoulder_lifted") else 0.0,
                   "sleg": 1.0 if rep.has("straight_leg_bent") else 0.0}
            tl.move("dropping", down, top, rep, disc=toward)
            tl.stay("hold", hold, rep)
            tl.move("returning", up, {"drop": 0.0, "shoulder": 0.0, "sleg": 0.0}, rep)
            tl.stay("rest", tl.uniform(1.2, 1.6), disc="rest")
            rep.extras.update(drop_deg=round(amount * (model.full if model else 0.0), 1),
                              toward="left" if toward == "L" else "right")
        return tl.result()

    def rep_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        w = hf[len(hf) // 2]["landmarks_3d"]   # world, z up, MediaPipe's landmark order
        idx = {"left_shoulder": 11, "right_shoulder": 12, "left_knee": 25, "right_knee": 26}
        return {f"hold_{n}_height_m": round(float(w[i][2]), 3) for n, i in idx.items() if w[i] is not None}

    api.add_exercise("side_knee_drop", KneeDropModel, kd_timeline, hold_phases=("hold",),
                     faults=("shoulder_lifted", "knees_apart"), sides=("left", "right"), rep_metrics=rep_metrics,
                     doc="knees bent, both knees dropped to one side and held; side = the side the knees drop toward")
    api.add_exercise("lying_trunk_rotation", TrunkRotationModel, tr_timeline, hold_phases=("hold",),
                     faults=("shoulder_lifted", "straight_leg_bent"), sides=("left", "right"), rep_metrics=rep_metrics,
                     doc="one leg straight, the other bent and guided across the body; side = the bent leg")
