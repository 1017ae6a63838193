"""Motion plugin: the standing desk exercises of the catalogue with props: chair_squat (a chair) and
wall_pushup (a wall).

    make_dataset.py --motions bench/motions/standing.py --spec bench/motions/specs/<exercise>.json --out DIR

Built from the ideas of the render example ``examples/_props_demo.py`` (kinds seated_chair and
standing_wall) and grounded in the handouts and ordinary anatomy, NOT in the coach's thresholds.
Both kinds face -x (head +z); the body's left side faces the -Y camera unmirrored.

- ``chair_squat`` (sit-to-stand): sitting upright on a chair (hips and knees about 90 / 100 deg, shins
  a little back, feet flat), arms folded over the chest (each hand on the other upper arm). Rising,
  the trunk first pitches forward from the hips (the normal sit-to-stand "flexion-momentum" lean,
  about 30 deg at seat-off), then hips and knees extend to standing upright; a held stand; sitting
  back down the same way. Feet flat and still throughout; the chair is placed under the buttocks.
  Faults: ``trunk_forward``: standing with the trunk still leaning 28-38 deg forward from the hips
  (knees straight) through the hold; ``hands_used``: before rising the hands leave the chest for the
  front of the thighs, push there as the body rises, rest on the front of the thighs while standing,
  and go back to the chest only once seated again.
- ``wall_pushup``: standing facing a wall, feet a little further back than an arm's length, hands flat
  on the wall at shoulder height and shoulder width, arms straight (rest: the body leans ~15-20 deg).
  Leaning in, the body pivots about the ankles as one straight line while the elbows bend (down and
  out, about 45 deg from the body) to ~115 deg of flexion, the chest near the wall; held; pushed back.
  The hands stay where they are on the wall (two-link IK to fixed points); the feet stay flat up to
  20 deg of ankle dorsiflexion, beyond it the heels rise. Faults: ``hips_sagging`` (the hips drop
  toward the wall, 12-18 deg: half at the hips, half lumbar extension, as the plank's sag),
  ``hips_piked`` (hips bent 18-28 deg, pushed back away from the wall), ``shallow`` (the elbows bend
  only 60-75 deg, about half the full bend: the chest stays far from the wall).

Cameras: the wall push-up's oblique views stand behind the person (a camera in front of them is behind
the wall: the first spec had one at +35 deg and the clip showed only the wall; it was re-rendered side-on).

State: the FIRST dimension is the exercise's amount (``up`` 0 sitting .. 1 standing; ``bend`` 0 arms
straight .. 1 full bend), as the coach's bench times a hold from it (coach.labels.position_band).
"""

ELBOW_FULL = 115.0    # wall push-up: elbow flexion at the full bend (chest near the wall; real clips read 45-80 deg
                      # of elbow angle there, i.e. 100-135 of flexion)
ELBOW_REST = 6.0      # arms straight, elbows not locked
REST_LEAN = -17.0     # wall push-up: the body's lean toward the wall at rest (pitch, deg; - = toward -x)
ANKLE_MAX = 20.0      # dorsiflexion with the knee straight; beyond it the heels lift
SIT_HIP, SIT_KNEE = 90.0, 100.0   # sitting: thighs level, shins 10 deg back (feet a little under the knees)
RISE_LEAN = 32.0      # the normal forward lean of the trunk while rising (deg from vertical, at its peak)


def register(api):
    np = api.np
    api.add_kind("chair_stand", head="+z", front="-x", contacts=("buttocks", "feet"),
                 doc="sitting on / rising from a chair facing -x, feet on the floor (placed by the feet)")
    api.add_kind("wall_lean", head="+z", front="-x", contacts=("feet", "hands"),
                 doc="standing facing a wall at -x, leaning on the hands (placed by the feet)")

    def place(body, kind, pose, pitch, feet_mask, anchor_x=0.0):
        """Rigid placement: pitch about the world Y axis (- = head toward -x), the feet's lowest point on
        the floor and their mean x at ``anchor_x``. Returns a Frame."""
        V, kps, heads = body.forward(pose)
        R = api.ry(pitch) @ api.body_to_world_base(kind)
        W = V @ R.T
        t = np.array([anchor_x - W[feet_mask][:, 0].mean(), 0.0, -W[feet_mask][:, 2].min()])
        fr = api.Frame(W + t, {k: R @ v + t for k, v in kps.items()}, kind, pose, R, t, pitch)
        fr.heads = heads
        return fr

    # ------------------------------------------------------------------------------------ chair squat
    class ChairSquatModel:
        kind = "chair_stand"
        dims = ("up", "lean", "hands")   # up: 0 sitting .. 1 standing; lean: extra trunk lean (deg) of a
        steps = (0.05, 2.5, 0.25)        # trunk_forward stand; hands: 0 folded on the chest .. 1 on the thighs

        def __init__(self, body, clip):
            self.b = body
            self.reg = api.regions(body)
            fr = self.frame(0.0, 0.0, 0.0)
            self.seat_h = float(api.lowest(fr, self.reg["buttocks"]))
            self.seat_x = float(fr.V[self.reg["buttocks"]][:, 0].mean()) + 0.06

        def legs_pose(self, up, lean):
            u = float(up)
            hip = SIT_HIP * (1 - u)
            knee = hip + (SIT_KNEE - SIT_HIP) * (1 - u)
            # the trunk pitches forward from the hips (pelvis tilt forward) early in the rise, upright at
            # the top; ``lean`` adds a lean that stays (trunk_forward)
            nat = RISE_LEAN * np.sin(np.pi * min(1.0, np.sqrt(max(u, 0.0)))) if u < 1 else 0.0
            p = api.Pose(pelvis_tilt=-(nat + lean), neck=0.0)
            api.legs(p, hip_flex=hip, knee_flex=knee, ankle=knee - hip, hip_abd=5.0)
            return p

        def arms(self, p, hands):
            """Wrist targets (body frame): folded over the chest (0) blended to the front of the thighs (1)."""
            V, k, _ = self.b.forward(p)
            sh = 0.5 * (k["left_shoulder"] + k["right_shoulder"])
            hp = 0.5 * (k["left_hip"] + k["right_hip"])
            torso = float(np.linalg.norm(sh - hp))
            down = (hp - sh) / torso
            lateral = np.array([1.0, 0.0, 0.0])
            front = np.cross(down, lateral)           # trunk's forward direction (body -Y when upright)
            if front[1] > 0:
                front = -front
            chest = V[self.reg["chest"]]
            depth = float(np.max((chest - sh) @ front))   # how far the chest's front sits ahead of the shoulders
            out = {}
            for s, sg, lvl in (("L", 1.0, 0.30), ("R", -1.0, 0.38)):
                side = "left" if s == "L" else "right"
                folded = sh + lvl * torso * down + (depth + 0.05) * front - sg * 0.13 * lateral
                kn, hi = k[f"{side}_knee"], k[f"{side}_hip"]
                th = kn - hi
                n = np.cross(th, lateral)
                n = n / np.linalg.norm(n)
                if n[2] + (-n[1]) < 0:                # the thigh's top/front surface
                    n = -n
                thigh = hi + 0.55 * th + 0.10 * n + sg * 0.02 * lateral
                w = api.smoothstep(float(hands))
                target = (1 - w) * folded + w * thigh
                pole = (1 - w) * np.array([sg * 1.0, -0.4, -1.0]) + w * np.array([sg * 0.8, 0.6, 0.2])
                out[s] = dict(hand_target=list(target), pole=list(pole / np.linalg.norm(pole)))
            return out

        def frame(self, up, lean, hands):
            p = self.legs_pose(up, lean)
            p.arms = self.arms(p, hands)
            return place(self.b, self.kind, p, 0.0, self.reg["feet"])

        def fn(self, disc, st):
            return api.frame_out(self.frame(*st))

        def props(self, clip):
            return [api.chair(x=self.seat_x, seat_height_m=round(self.seat_h, 3), facing="-x")]

    def chair_timeline(clip, rng, model):
        tl = api.Timeline(clip, rng, start={"up": 0.0, "lean": 0.0, "hands": 0.0})
        tl.stay("rest", tl.uniform(0.9, 1.1))
        for rep in tl.reps():
            rise, down = tl.uniform(1.4, 1.7), tl.uniform(1.5, 1.8)
            hold = float(rep.hold_s or tl.uniform(2.5, 3.5))
            lean = tl.uniform(28.0, 38.0) if rep.has("trunk_forward") else tl.uniform(0.0, 3.0)
            if rep.has("hands_used"):
                tl.move("rest", tl.uniform(0.5, 0.7), {"hands": 1.0}, None)   # hands to the thighs
            tl.move("rising", rise, {"up": 1.0, "lean": lean}, rep)
            tl.stay("hold", hold, rep)
            tl.move("sitting", down, {"up": 0.0, "lean": 0.0}, rep)
            if rep.has("hands_used"):
                tl.move("rest", tl.uniform(0.5, 0.7), {"hands": 0.0}, None)   # arms folded again
            tl.stay("rest", tl.uniform(0.8, 1.1))
            rep.extras["target_trunk_lean_deg"] = round(lean, 1)
        return tl.result()

    def trunk_rep_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        med = lambda k: round(float(np.median([f["angles"][f"{cs}_{k}"] for f in hf])), 1)  # noqa: E731
        return {"hold_hip_sag_deg": med("hip_sag"), "hold_knee_sag_deg": med("knee_sag")}

    api.add_exercise("chair_squat", ChairSquatModel, chair_timeline, hold_phases=("hold",),
                     faults=("trunk_forward", "hands_used"), sides=(None,), rep_metrics=trunk_rep_metrics,
                     doc="sit-to-stand from a chair, arms folded; trunk_forward: standing with the trunk 28-38 deg "
                         "forward; hands_used: hands on the thighs to push up, kept there standing")

    # ------------------------------------------------------------------------------------ wall push-up
    class WallPushupModel:
        kind = "wall_lean"
        dims = ("bend", "hip")   # bend: 0 arms straight .. 1 full (ELBOW_FULL); hip: deg, + piked / - sagging
        steps = (0.1, 2.0)

        def __init__(self, body, clip):
            self.b = body
            self.reg = api.regions(body)
            self.idx = body.idx
            self.a = float(np.linalg.norm(body.h("lowerarm01.L") - body.h("upperarm01.L")))
            self.c = float(np.linalg.norm(body.h("wrist.L") - body.h("lowerarm01.L")))
            # rest: lean REST_LEAN, the hands at shoulder height straight ahead, arms nearly straight
            fr = self.placed(0.0, REST_LEAN)
            self.hands = {}
            for s, sg in (("L", -1.0), ("R", 1.0)):
                shw = fr.R @ fr.heads[self.idx[f"upperarm01.{s}"]] + fr.t
                reach = self.reach(ELBOW_REST)
                drop = 0.08                                          # hands a little below the shoulders
                dx = -np.sqrt(max(reach ** 2 - drop ** 2 - 0.05 ** 2, 0.01))
                self.hands[s] = shw + np.array([dx, sg * 0.05, -drop])
            self.wall_x = float(min(h[0] for h in self.hands.values())) - 0.035   # palm surface

        def reach(self, elbow_flex):
            return float(np.sqrt(self.a ** 2 + self.c ** 2 + 2 * self.a * self.c * np.cos(np.radians(elbow_flex))))

        def pose(self, hip, pitch):
            p = api.Pose(neck=-3.0)
            ankle = min(-pitch, ANKLE_MAX)
            if hip >= 0:
                api.legs(p, hip_flex=hip, knee_flex=2.0, ankle=ankle + hip * 0.0, hip_abd=4.0)
            else:
                api.legs(p, hip_flex=0.45 * hip, knee_flex=2.0, ankle=ankle, hip_abd=4.0)
                p.spine = 0.55 * hip
                p.spine_w = [0.4, 0.35, 0.2, 0.05, 0.0]
            return p

        def placed(self, hip, pitch, arms=None):
            p = self.pose(hip, pitch)
            if arms is not None:
                p.arms = arms
            return place(self.b, self.kind, p, pitch, self.reg["feet"])

        def shoulder_dist(self, hip, pitch):
            fr = self.placed(hip, pitch)
            return max(np.linalg.norm(self.hands[s] - (fr.R @ fr.heads[self.idx[f"upperarm01.{s}"]] + fr.t))
                       for s in "LR"), fr

        def frame(self, bend, hip):
            want = self.reach(ELBOW_REST + bend * (ELBOW_FULL - ELBOW_REST))
            lo, hi = -60.0, 5.0   # pitch: more lean (more negative) brings the shoulders nearer the hands
            for _ in range(11):
                mid = 0.5 * (lo + hi)
                d, _ = self.shoulder_dist(hip, mid)
                if d > want:
                    hi = mid
                else:
                    lo = mid
            pitch = 0.5 * (lo + hi)
            fr = self.placed(hip, pitch)
            arms = {}
            for s, sg in (("L", -1.0), ("R", 1.0)):
                T = fr.R.T @ (self.hands[s] - fr.t)             # body-frame wrist target
                pole = fr.R.T @ np.array([0.55, sg * 0.75, -0.6])   # elbows down, out and back
                hand_dir = fr.R.T @ np.array([-0.15, sg * 0.15, 1.0])
                palm = fr.R.T @ np.array([-1.0, 0.0, 0.0])
                arms[s] = dict(hand_target=list(T), pole=list(pole), hand_dir=list(hand_dir), palm=list(palm))
            return self.placed(hip, pitch, arms)

        def fn(self, disc, st):
            return api.frame_out(self.frame(*st))

        def props(self, clip):
            # narrow (1.6 m): an oblique camera from the front sees past its edge
            return [api.wall(x=round(self.wall_x, 3), facing="+x", width_m=1.6)]

    def wall_timeline(clip, rng, model):
        tl = api.Timeline(clip, rng, start={"bend": 0.0, "hip": 0.0})
        tl.stay("rest", tl.uniform(1.4, 1.7))
        for rep in tl.reps():
            down, up = tl.uniform(1.1, 1.4), tl.uniform(1.0, 1.3)
            hold = float(rep.hold_s or tl.uniform(1.8, 2.5))
            if rep.has("hips_sagging"):
                h = -tl.uniform(12.0, 18.0)
            elif rep.has("hips_piked"):
                h = tl.uniform(18.0, 28.0)
            else:
                h = tl.uniform(-2.0, 2.0)
            depth = tl.uniform(60.0, 75.0) / ELBOW_FULL if rep.has("shallow") else tl.uniform(0.95, 1.0)
            tl.move("lowering", down, {"bend": depth, "hip": h}, rep)
            tl.stay("hold", hold, rep)
            tl.move("pushing", up, {"bend": 0.0, "hip": 0.0}, rep)
            tl.stay("rest", tl.uniform(0.8, 1.1))
            rep.extras["target_hip_offset_deg"] = round(h, 1)
            rep.extras["target_elbow_flex_deg"] = round(ELBOW_REST + depth * (ELBOW_FULL - ELBOW_REST), 1)
        return tl.result()

    def wall_rep_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        med = lambda k: round(float(np.median([f["angles"][f"{cs}_{k}"] for f in hf])), 1)  # noqa: E731
        return {"hold_body_line_sag_signed_deg": med("body_line_sag_signed"), "hold_body_line_2d_deg": med("body_line_2d"),
                "hold_elbow_sag_deg": med("elbow_sag"), "hold_elbow_2d_deg": med("elbow_2d")}

    api.add_exercise("wall_pushup", WallPushupModel, wall_timeline, hold_phases=("hold",),
                     faults=("hips_sagging", "hips_piked", "shallow"), sides=(None,),
                     angles={"body_line": ("shoulder", "hip", "ankle"), "elbow": ("shoulder", "elbow", "wrist")},
                     rep_metrics=wall_rep_metrics,
                     doc="wall push-up: lean in bending the elbows to ~115 deg, hold, push back; hips_sagging 12-18 deg, "
                         "hips_piked 18-28 deg, shallow: elbows bent 60-75 deg")
