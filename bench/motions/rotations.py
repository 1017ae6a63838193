"""Motion plugin: the seated rotations, seen from the FRONT: seated_spinal_twist (on the floor) and
seated_rotation (on a chair, the handouts' office routine).

    make_dataset.py --motions bench/motions/rotations.py --spec bench/motions/specs/<exercise>.json --out DIR

What the handouts ask (../shared/catalogue.md), and how it is posed here (normal anatomy, not any
checker's thresholds):

* seated_spinal_twist: sit on the floor with the legs straight; twist the upper body to one side,
  hips and legs still; hold 30 s per side. Posed: sitting upright on the floor, legs straight
  forward (knees 4 deg), hands resting on the thighs; turning to a side the hand on that side goes
  to the floor behind the hip and the other hand to the outside of the opposite knee (the yoga
  twist's usual hands); the head turns a little further than the chest (looking over the shoulder).
* seated_rotation: sit upright on a chair, arms folded over the chest; rotate sideways to a
  comfortable stretch; hold; 2-3 per side. Posed: on a 0.46 m seat (kind as the renderer's
  examples/_props_demo.py seated_chair: buttocks on the seat, feet flat on the floor), forearms
  crossed in front of the chest, the folded arms turning with the chest.

The turn: the trunk's rotation about its long axis, spread over the spine the way it happens (the
lumbar spine turns little, 5-10 %, the thoracic spine most), so the shoulder line turns against the
hip line. A full seated twist turns the shoulders 40-50 deg against the pelvis (normal thoracolumbar
axial rotation 35-50 deg); a comfortable chair rotation 35-45 deg. Rep ``side`` = the side turned
TO (turning left: the left shoulder goes back, the face turns to the person's left).

Faults (each rep draws its size in the range):
* hips_turned: the pelvis turns with the trunk (the whole body swings round, legs too: on the floor
  the straight legs swing sideways, on the chair the knees swing round), 18-25 deg toward the turn;
  the shoulders reach about the same place, so the twist between shoulders and hips is smaller.
* leaning: the trunk bends sideways (lateral flexion of the lumbar and thoracic spine, the pelvis
  level), 14-20 deg, toward the side turned to (leaning onto the hand behind, or sagging into the
  turn on the chair) or, with spec ``"lean": "away"``, away from it.

State dims (the first is the exercise's amount, 0 rest .. 1 full turn, as coach/labels.py's
position_band expects): ``turn`` (share of the rep's full turn), ``hips`` (0..1 of the hips_turned
size), ``lean`` (0..1 of the leaning size), ``reach`` (0..1: arms raised overhead at the very start
of a desk-camera clip only, see below). disc: the side turned to, "L" / "R" ("rest" at rest); the
leaning direction rides on the disc ("L+" / "L-": toward / away from the turn).

Truth angle: the renderer's keypoints give the true shoulder line against the true hip line about
the trunk's axis (``twist_deg`` in bench/rotation.py); each rep's label also gets its commanded
turn (``turn_deg``, ``hips_deg``, ``lean_deg``) and the truth keypoints' twist in the middle of the
hold (``hold_twist_deg``).

The desk camera (close, at desk height): the renderer aims the camera at the centre of the first
frame's body, which for a seated person is low (the legs count): a close camera would cut the head
and show the feet. A desk clip (clip ``params.desk_start``: true) therefore starts with the arms
stretched overhead (``reach`` 1) and lowers them into the starting position in its first second,
so the aim point is at chest height and the legs are partly out of the picture, as on a laptop on a
desk. The lowering is part of the rest before the first turn.
"""

import copy

TURN = {"floor": (40.0, 50.0), "chair": (35.0, 45.0)}   # full shoulder turn against the pelvis, deg
HIPS = (18.0, 25.0)        # hips_turned: the pelvis turns this far toward the turn
LEAN = (14.0, 20.0)        # leaning: lateral flexion of the trunk
SEAT_H = 0.46
# how the turn and the lean spread over the spine (pelvis up): shares of the total at each bone
TWIST_W = {"spine05": 0.04, "spine04": 0.08, "spine03": 0.25, "spine02": 0.28, "spine01": 0.35}
LEAN_W = {"spine05": 0.25, "spine04": 0.25, "spine03": 0.2, "spine02": 0.15, "spine01": 0.15}
NECK_W = {"neck01": 0.05, "neck02": 0.05, "neck03": 0.05, "head": 0.05}   # the head turns 20 % further
ARM_BONES = ("clavicle", "shoulder01", "upperarm", "lowerarm", "wrist", "finger", "metacarpal", "thumb")


def register(api):
    np = api.np
    B = api.body

    api.add_kind("twist_floor", head="+z", front="-x", contacts=("buttocks", "feet"),
                 doc="sitting on the floor, legs straight forward, facing world -X (front camera: azimuth 90)")
    api.add_kind("rotation_chair", head="+z", front="-x", contacts=("buttocks", "feet"),
                 doc="sitting on a chair seat, feet on the floor, facing world -X (front camera: azimuth 90)")

    def make_body_class(base):
        class TurnBody(base):
            """The render's Body with the trunk turned about its long axis (pose.tw): the pelvis (with
            the legs) by ``hips``, the spine on top by ``twist`` (spread as TWIST_W), a sideways bend
            ``lean`` (LEAN_W); + = toward the person's left. Arms turn with the chest; an arm given a
            ``hand_target`` with ``tw["world_hands"]`` keeps its wrist on that body-frame point."""

            def segment_rotations(self, pose):
                tw = getattr(pose, "tw", None)
                if not tw:
                    return base.segment_rotations(self, pose)
                G = base.segment_rotations(self, pose)
                targets = {s: a for s, a in pose.arms.items() if "hand_target" in a}
                if not (targets and tw.get("world_hands")):
                    return self._turn(G, tw)
                # wrists on fixed points while the chest turns: aim each arm, in the unturned body, at
                # the target seen from the turned shoulder and turned back (the turn then puts it there)
                _, P0 = self.fk_heads(G)
                _, P1 = self.fk_heads(self._turn(dict(G), tw))
                Rc = self._chest(tw)
                moved = copy.copy(pose)
                moved.arms = dict(pose.arms)
                for s, a in targets.items():
                    i = self.idx[f"upperarm01.{s}"]
                    T = np.asarray(a["hand_target"], float)
                    moved.arms[s] = dict(a, hand_target=P0[i] + Rc.T @ (T - P1[i]),
                                         pole=Rc.T @ np.asarray(a.get("pole", [1.0, 0, 0]), float))
                    for key in ("hand_dir", "palm"):
                        if key in a:
                            moved.arms[s][key] = Rc.T @ np.asarray(a[key], float)
                return self._turn(base.segment_rotations(self, moved), tw)

            @staticmethod
            def _chest(tw):
                return B.rz(tw["hips"]) @ B.ry(tw["lean"]) @ B.rz(tw["twist"])

            def _turn(self, G, tw):
                hips, twist, lean = tw["hips"], tw["twist"], tw["lean"]
                Rh = B.rz(hips)
                out = {}
                for bone, g in G.items():
                    out[bone] = Rh @ g           # the whole body turns with the pelvis
                ct = cl = 0.0
                for bone in ("spine05", "spine04", "spine03", "spine02", "spine01"):
                    ct += TWIST_W[bone]
                    cl += LEAN_W[bone]
                    out[bone] = Rh @ B.ry(cl * lean) @ B.rz(ct * twist) @ G[bone]
                chest = Rh @ B.ry(lean) @ B.rz(twist)
                nt = 1.0
                for bone in ("neck01", "neck02", "neck03", "head"):
                    nt += NECK_W[bone]
                    if bone in G:
                        out[bone] = Rh @ B.ry(lean) @ B.rz(nt * twist) @ G[bone]
                for bone, g in G.items():
                    if bone.startswith(ARM_BONES):
                        out[bone] = chest @ g
                for s in "LR":   # bones the base leaves to inherit: pin them to the turned chest
                    for b in (f"clavicle.{s}", f"shoulder01.{s}"):
                        if b not in G:
                            out[b] = chest @ G["spine01"]
                return out

        return TurnBody

    class TurnModel:
        dims = ("turn", "hips", "lean", "reach")
        steps = (0.05, 0.25, 0.25, 0.25)
        place_kind = "floor"

        def __init__(self, body, clip):
            b = copy.copy(body)
            b.__class__ = make_body_class(type(body))
            self.b = b
            self.reg = api.regions(b)
            rng = np.random.default_rng(int(clip.get("seed", 0)) + 1601)
            self.full = float(rng.uniform(*TURN[self.place_kind]))
            self.hips_full = float(rng.uniform(*HIPS))
            self.lean_full = float(rng.uniform(*LEAN))
            self.params = clip.get("params", {})
            self.setup()

        # -- per exercise: the legs, the placement, the arms
        def setup(self):
            raise NotImplementedError

        def turn_of(self, disc, st):
            turn, hips, lean, reach = st
            if disc in (None, "rest"):
                return 0.0, 0.0, 0.0, 0.0, reach
            s = 1.0 if disc[0] == "L" else -1.0
            lsgn = -1.0 if disc.endswith("-") else 1.0
            total = s * turn * self.full
            h = s * hips * self.hips_full
            return s, total - h, h, lsgn * s * lean * self.lean_full, reach

        def fn(self, disc, st):
            s, twist, hips, lean, reach = self.turn_of(disc, st)
            p = self.pose(s, st[0], reach)
            p.tw = dict(twist=twist, hips=hips, lean=lean, world_hands=self.world_hands)
            return api.frame_out(self.place(p))

        def norm_disc(self, disc, st):
            return "rest" if max(st[:3]) <= 1e-9 else disc

    class FloorTwistModel(TurnModel):
        kind = "twist_floor"
        place_kind = "floor"
        world_hands = True

        def setup(self):
            b = self.b
            self.hip_flex = self._solve_hip()
            fr = self.place(self.pose(0.0, 0.0, 0.0), arms=False)
            k = fr.kps
            self.sh = {s: np.asarray(k[f"{n}_shoulder"]) for s, n in (("L", "left"), ("R", "right"))}
            self.hipw = {s: np.asarray(k[f"{n}_hip"]) for s, n in (("L", "left"), ("R", "right"))}
            self.knee = {s: np.asarray(k[f"{n}_knee"]) for s, n in (("L", "left"), ("R", "right"))}
            self.arm_len = {s: float(np.linalg.norm(b.h(f"lowerarm01.{s}") - b.h(f"upperarm01.{s}"))
                                     + np.linalg.norm(b.h(f"wrist.{s}") - b.h(f"lowerarm01.{s}"))) for s in "LR"}

        def legs(self, p, hip_flex):
            api.legs(p, hip_flex=hip_flex, knee_flex=4.0, ankle=-10.0, hip_abd=4.0)

        def pose(self, s, turn, reach, hip_flex=None):
            p = api.Pose(neck=4.0)
            self.legs(p, self.hip_flex if hip_flex is None else hip_flex)
            return p

        def _solve_hip(self):
            """Hip flexion that seats the trunk upright (pitch 0) with the buttocks and heels on the floor."""
            lo, hi = 70.0, 110.0
            for _ in range(9):
                mid = 0.5 * (lo + hi)
                fr = self.place(self.pose(0.0, 0.0, 0.0, hip_flex=mid), arms=False)
                if fr.pitch > 0:   # reclined: flex the hips more
                    lo = mid
                else:
                    hi = mid
            print(f"seated_spinal_twist: hip flexion {0.5 * (lo + hi):.1f}, pitch {fr.pitch:.1f}")
            return 0.5 * (lo + hi)

        def hands(self, s, turn):
            """World wrist targets and elbow poles: on the thighs at rest; turned to side s (+1 left), the
            hand on that side on the floor behind its hip, the other on the outside of that knee."""
            out = {}
            for arm, sg in (("L", 1.0), ("R", -1.0)):   # sg: + for the left (world -y is the person's left)
                hp, kn = self.hipw[arm], self.knee[arm]
                rest = hp + 0.45 * (kn - hp) + np.array([0.0, 0.0, 0.07])
                pole = np.array([0.3, -sg * 1.0, -0.3])
                if s == 0 or turn <= 0:
                    out[arm] = (rest, pole)
                    continue
                turned_to = "L" if s > 0 else "R"
                if arm == turned_to:   # behind the hip, on the floor, a little out to the side
                    goal = hp + np.array([0.22, -sg * 0.14, 0.0])
                    goal[2] = 0.05
                    bulge = np.array([0.0, -sg * 0.12, 0.06])
                    pole = np.array([0.6, -sg * 1.0, 0.0])
                else:                  # the outside of the other knee
                    ok = self.knee[turned_to]
                    goal = ok + np.array([0.05, (-0.08 if turned_to == "L" else 0.08), 0.06])
                    bulge = np.array([-0.05, 0.0, 0.08])
                    pole = np.array([0.0, -sg * 1.0, -0.6])
                a = api.smoothstep(turn)
                out[arm] = (rest + a * (goal - rest) + np.sin(np.pi * a) * bulge, pole)
            return out

        def place(self, pose, arms=True):
            arms_world = None
            if arms:
                s = getattr(pose, "_s", 0.0)
                arms_world = {}
                for arm, (pt, pole) in self.hands(s, pose._turn).items():
                    sg = 1.0 if arm == "L" else -1.0
                    behind = s != 0 and (arm == "L") == (s > 0)
                    a = min(max(pose._turn, 0.0), 1.0) if behind else 0.0
                    # the hand flat on the thigh (fingers forward), or flat on the floor behind (fingers back)
                    hand_dir = (1 - a) * np.array([-1.0, 0.0, -0.25]) + a * np.array([0.7, -sg * 0.5, -0.1])
                    arms_world[arm] = api.arm_to(pt, pole, hand_dir=hand_dir, palm=[0.0, 0.0, -1.0])
            return api.build(self.b, "twist_floor", pose, [("buttocks", 0.0), ("feet", 0.0)], arms_world=arms_world,
                             anchor="buttocks", anchor_x=0.0, pitch_range=(-30, 30), iters=3 if arms else 1)

        def fn(self, disc, st):
            s, twist, hips, lean, reach = self.turn_of(disc, st)
            p = self.pose(s, st[0], reach)
            p._s, p._turn = s, st[0]
            p.tw = dict(twist=twist, hips=hips, lean=lean, world_hands=True)
            return api.frame_out(self.place(p))

    class ChairRotationModel(TurnModel):
        kind = "rotation_chair"
        place_kind = "chair"
        world_hands = False

        def setup(self):
            self.h = float(self.params.get("seat_height_m", SEAT_H))
            self.knee = self._solve_knee()
            fr = self.place(self.pose(0.0, 0.0, 0.0), arms=False)
            self.kps0 = fr.kps

        def legs(self, p, knee):
            api.legs(p, hip_flex=88.0, knee_flex=knee, ankle=0.0, hip_abd=7.0)

        def pose(self, s, turn, reach, knee=None):
            p = api.Pose(neck=3.0)
            self.legs(p, self.knee if knee is None else knee)
            return p

        def _solve_knee(self):
            """Knee flexion that puts the feet on the floor with the trunk upright (pitch 0)."""
            lo, hi = 60.0, 120.0
            for _ in range(9):
                mid = 0.5 * (lo + hi)
                fr = self.place(self.pose(0.0, 0.0, 0.0, knee=mid), arms=False)
                if fr.pitch < 0:
                    lo = mid
                else:
                    hi = mid
            return 0.5 * (lo + hi)

        def folded(self, reach):
            """Arms folded over the chest (each wrist in front of the other arm's upper arm), blended
            toward arms stretched overhead by ``reach``; world points from the unturned seated pose."""
            k = self.kps0
            out = {}
            for arm, n, other, sg in (("L", "left", "right", 1.0), ("R", "right", "left", -1.0)):
                sh, osh = np.asarray(k[f"{n}_shoulder"]), np.asarray(k[f"{other}_shoulder"])
                mid = 0.5 * (sh + osh)
                # the wrist in front of the other shoulder's upper arm, 0.14-0.16 m below the shoulders;
                # the left forearm a little above the right
                fold = osh + np.array([-0.17, 0.0, -0.15 + (0.025 if arm == "L" else -0.01)])
                fold[1] = osh[1] + 0.3 * (mid[1] - osh[1])
                up = sh + np.array([-0.05, sg * -0.04, 0.62])
                a = api.smoothstep(reach)
                pt = fold + a * (up - fold)
                pole = (1 - a) * np.array([0.2, -sg * 1.0, -1.0]) + a * np.array([0.0, -sg * 1.0, 0.0])
                out[arm] = (pt, pole)
            return out

        def place(self, pose, arms=True):
            arms_world = None
            if arms:
                arms_world = {arm: api.arm_to(pt, pole) for arm, (pt, pole) in self.folded(pose._reach).items()}
            return api.build(self.b, "rotation_chair", pose, [("buttocks", self.h), ("feet", 0.0)],
                             arms_world=arms_world, anchor="buttocks", anchor_x=0.0, pitch_range=(-30, 30),
                             iters=3 if arms else 1)

        def fn(self, disc, st):
            s, twist, hips, lean, reach = self.turn_of(disc, st)
            p = self.pose(s, st[0], reach)
            p._reach = reach
            p.tw = dict(twist=twist, hips=hips, lean=lean, world_hands=False)
            fr = self.place(p)
            return api.frame_out(fr)

        def props(self, clip):
            fr = self.place(self.pose(0.0, 0.0, 0.0), arms=False)
            bx = fr.V[self.reg["buttocks"]][:, 0]
            return [api.chair(x=float(bx.mean()) + 0.06, seat_height_m=self.h, facing="-x")]

    def _side(rep):
        if rep.side not in ("left", "right"):
            raise ValueError(f"rep {rep.index}: give side left or right")
        return "L" if rep.side == "left" else "R"

    def timeline(clip, rng, model):
        zero = {"turn": 0.0, "hips": 0.0, "lean": 0.0, "reach": 0.0}
        desk = bool(clip.get("params", {}).get("desk_start"))
        tl = api.Timeline(clip, rng, start=dict(zero, reach=1.0 if desk else 0.0), disc="rest")
        if desk:
            tl.move("rest", 1.0, {"reach": 0.0}, disc="rest")
        tl.stay("rest", tl.uniform(1.4, 1.8), disc="rest")
        for rep in tl.reps():
            d = _side(rep)
            away = rep.spec.get("lean") == "away" if hasattr(rep, "spec") else False
            disc = d + ("-" if away else "+")
            amount = tl.uniform(0.9, 1.0)
            hold = float(rep.hold_s or tl.uniform(5.0, 7.0))
            out_s, back_s = tl.uniform(1.6, 2.2), tl.uniform(1.4, 1.9)
            top = {"turn": amount, "hips": 1.0 if rep.has("hips_turned") else 0.0,
                   "lean": 1.0 if rep.has("leaning") else 0.0}
            tl.move("turning", out_s, top, rep, disc=disc)
            tl.stay("hold", hold, rep)
            tl.move("returning", back_s, {"turn": 0.0, "hips": 0.0, "lean": 0.0}, rep)
            tl.stay("rest", tl.uniform(1.2, 1.6), disc="rest")
            if model is not None:
                rep.extras.update(turn_deg=round(amount * model.full, 1),
                                  hips_deg=round(model.hips_full, 1) if rep.has("hips_turned") else 0.0,
                                  lean_deg=round(model.lean_full, 1) if rep.has("leaning") else 0.0,
                                  lean_dir="away" if away else "toward", toward=rep.side)
        return tl.result()

    def rep_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        w = hf[len(hf) // 2]["landmarks_3d"]
        return {"hold_twist_deg": round(twist_deg(w), 1)}

    def twist_deg(w):
        """The shoulder line's turn against the hip line about the trunk's axis, + = to the left (world z up)."""
        P = {n: np.asarray(w[i], float) for n, i in (("ls", 11), ("rs", 12), ("lh", 23), ("rh", 24))}
        S, H = P["ls"] - P["rs"], P["lh"] - P["rh"]
        up = 0.5 * (P["ls"] + P["rs"]) - 0.5 * (P["lh"] + P["rh"])
        up = up / np.linalg.norm(up)
        S = S - up * (S @ up)
        H = H - up * (H @ up)
        return float(np.degrees(np.arctan2(up @ np.cross(H, S), H @ S)))

    api.add_exercise("seated_spinal_twist", FloorTwistModel, timeline, hold_phases=("hold",),
                     faults=("hips_turned", "leaning"), sides=("left", "right"), rep_metrics=rep_metrics,
                     doc="sitting on the floor, legs straight, the trunk turned to one side and held; side = turned to")
    api.add_exercise("seated_rotation", ChairRotationModel, timeline, hold_phases=("hold",),
                     faults=("hips_turned", "leaning"), sides=("left", "right"), rep_metrics=rep_metrics,
                     doc="sitting on a chair, arms folded, the trunk turned to one side and held; side = turned to")
