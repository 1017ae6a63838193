"""Motion plugin: downward dog (the inverted V), from and back to all fours.

    make_dataset.py --motions bench/motions/inversions.py --spec bench/motions/specs/downward_dog.json --out DIR

Grounded in the handout (ten-minute yoga routine: "from all fours lift the hips up and back into an
inverted V, spine straight, hands shoulder-width; hold 30") and ordinary anatomy, NOT in the coach's
thresholds; ideas from the renderer's built-in quadruped and examples/high_plank.py:

- rest: all fours (hands under the shoulders, knees under the hips: hip and knee flexion 90, the tops
  of the feet on the floor, neck slightly flexed, as the renderer's quadruped).
- ``downward_dog``: the knees leave the floor and straighten, the hips rise up and back: hip flexion
  100 deg (the trunk-thigh angle of the V about 80), knees nearly straight (2 deg), the heels toward
  the floor (ankle dorsiflexed 5 deg, toes extended 40 on the floor), the spine long (5 deg of
  extension), the head hanging in line between the arms, the arms in line with the trunk (their
  world direction is the hip-to-shoulder line continued, solved per frame), hands on the floor.
- faults: ``knees_bent`` (tight hamstrings: the knees flex 35-50 deg, the heels lift 15 deg more, the
  hips flex 10 deg more), ``back_rounded`` (the spine flexes 30-40 deg with a 15 deg posterior pelvic
  tilt, as the renderer's cat, instead of the long back; the knees stay straight). Both are reached
  as the body rises (the person lifts into the faulty V) and kept through the hold.

State: the FIRST dimension is ``up`` (0 all fours, 1 the V): the coach's bench times a hold as the run
of frames within 10 % of the hold's ``up`` (coach.labels.position_band). ``knee`` and ``round`` are the
faults' amounts (0 none, 1 the largest size of the range above; each rep draws its size).
"""

H_V = 100.0        # hip flexion in the V (the trunk-thigh angle about 80)
ANKLE_V = 5.0      # ankle dorsiflexion in the V (heels toward the floor)
TOE_V = 40.0       # toes extended on the floor in the V
SPINE_V = -5.0     # a long back: slight extension
KNEE_MAX = 50.0    # knees_bent at full amount (knee flexion, deg)
ROUND_MAX = 40.0   # back_rounded at full amount (spine flexion, deg)
TILT_ROUND = 15.0  # posterior pelvic tilt with the rounded back


def register(api):
    np = api.np

    class DownDogModel:
        kind = "quadruped"          # head +x, face down; the camera sees the right side unmirrored
        dims = ("up", "knee", "round")
        steps = (0.1, 0.25, 0.25)

        def __init__(self, body, clip):
            self.b = body
            reg = api.regions(body)
            self.hands = reg["hands"]
            self.low = reg["knees"] | reg["feet"] | reg["toes"]

        def pose(self, up, knee, rnd):
            w = api.smoothstep(up)
            p = api.Pose(pelvis_tilt=w * rnd * TILT_ROUND,
                         spine=w * (SPINE_V + rnd * (ROUND_MAX - SPINE_V)),
                         neck=(1 - w) * 10.0)
            kb = knee * KNEE_MAX
            api.legs(p, hip_flex=90.0 + up * (H_V - 90.0 + 10.0 * knee),
                     knee_flex=(1 - up) * 90.0 + up * (2.0 + kb),
                     ankle=(1 - up) * -75.0 + up * (ANKLE_V - 15.0 * knee),
                     toe=up * TOE_V, hip_abd=3.0)
            return p

        def arms(self, up, trunk):
            w = api.smoothstep(up)
            out = {}
            for s, sg in (("L", 1.0), ("R", -1.0)):
                d = (1 - w) * np.array([0.0, sg * 0.06, -1.0]) + w * (trunk + np.array([0.0, sg * 0.06, 0.0]))
                out[s] = api.arm(d, elbow=4.0 * (1 - w), hinge=[0, -1.0, 0], hand_dir=[1.0, sg * 0.12, -0.05],
                                 palm=[0, 0, -1.0])
            return out

        def build(self, pose, arms):
            return api.build(self.b, "quadruped", pose, (self.hands, self.low), arms_world=arms,
                             anchor=self.hands, anchor_x=0.6, iters=4)

        def fn(self, disc, st):
            up, knee, rnd = st
            pose = self.pose(up, knee, rnd)
            trunk = np.array([1.0, 0.0, -1.0]) / np.sqrt(2.0)
            fr = None
            for _ in range(3):   # the arms continue the trunk line, which depends on the placement
                fr = self.build(pose, self.arms(up, trunk))
                k = fr.kps
                sh = 0.5 * (k["left_shoulder"] + k["right_shoulder"])
                hp = 0.5 * (k["left_hip"] + k["right_hip"])
                d = sh - hp
                d[1] = 0.0
                trunk = d / max(np.linalg.norm(d), 1e-9)
            return api.frame_out(fr)

    def timeline(clip, rng, model):
        tl = api.Timeline(clip, rng, start={"up": 0.0, "knee": 0.0, "round": 0.0})
        tl.stay("rest", tl.uniform(1.0, 1.4))
        for rep in tl.reps():
            rise, low = tl.uniform(1.4, 1.8), tl.uniform(1.4, 1.8)
            hold = float(rep.hold_s or tl.uniform(4.0, 6.0))
            kn = tl.uniform(35.0, 50.0) / KNEE_MAX if rep.has("knees_bent") else 0.0
            rd = tl.uniform(30.0, 40.0) / ROUND_MAX if rep.has("back_rounded") else 0.0
            tl.move("rising", rise, {"up": 1.0, "knee": kn, "round": rd}, rep)
            tl.stay("hold", hold, rep)
            tl.move("lowering", low, {"up": 0.0, "knee": 0.0, "round": 0.0}, rep)
            tl.stay("rest", tl.uniform(1.0, 1.4))
            rep.extras["knee_flexion_deg"] = round(kn * KNEE_MAX, 1)
            rep.extras["spine_flexion_deg"] = round(rd * ROUND_MAX, 1)
        return tl.result()

    def rep_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        med = lambda k: round(float(np.median([f["angles"][f"{cs}_{k}"] for f in hf])), 1)  # noqa: E731
        return {"hold_hip_angle_2d_deg": med("hip_2d"), "hold_knee_angle_2d_deg": med("knee_2d"),
                "hold_body_line_2d_deg": med("body_line_2d")}

    api.add_exercise("downward_dog", DownDogModel, timeline, hold_phases=("hold",),
                     faults=("knees_bent", "back_rounded"), sides=(None,),
                     angles={"body_line": ("shoulder", "hip", "ankle")}, rep_metrics=rep_metrics,
                     doc="downward dog (inverted V) from all fours; knees_bent: knees flexed 35-50 deg; "
                         "back_rounded: spine flexed 30-40 deg with a posterior pelvic tilt")
