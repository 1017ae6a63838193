"""Motion plugin: supine pelvic tilt (posterior tilt, low back flattened into the floor), held.

    make_dataset.py --motions bench/motions/pelvic_tilt.py --spec bench/motions/specs/pelvic_tilt.json --out D

Grounded in the handouts and normal anatomy, not in any checker threshold:
- start: lying on the back, knees bent (~100 deg), feet flat, hands resting on the stomach.
- the tilt: the pelvis rotates backward (tailbone curls up, the top of the pelvis toward the floor)
  while the chest stays on the floor, so the lumbar spine flexes by the same amount: the lordosis
  flattens and the low back comes down to the floor. Supine posterior pelvic tilt in healthy adults
  spans roughly 8-15 deg from rest (TILT_DEG = 14 for a full tilt); it is not a hip lift: the
  buttocks stay on the floor.
- state ``tilt`` (first dim, the exercise's amount: 0 rest, 1 full tilt) x ``lift`` (bridge amount:
  0 hips on the floor; hips_lifted raises them 0.35-0.5 of the way to a full bridge top: "it turns
  into a bridge"). Contacts: upper back + buttocks while lift = 0, upper back + feet once lifted.
- faults: ``hips_lifted`` (tilt, then the hips leave the floor), ``no_tilt`` (the person goes
  through the rep - tightens, holds, lets go - but the pelvis hardly moves: a quarter to a third of a
  tilt, 3.5-5 deg, the low back does not come down to the floor). A rep in which nothing at all moves
  is not rendered: no camera can tell it from lying still (see poses/pelvic_tilt.toml).
Note on the renderer: ``api.Pose(pelvis_tilt=t)`` alone is NOT a pelvic tilt: body.py's root
rotation carries the whole spine and head with it, and the floor placement pitches the body back
(male_avg: low-back gap 3.5 -> 3.6 cm, nothing flattens). The tilt needs the spine to take the
rotation back (``spine`` = flexion of at least the tilt), as done here.
Checked on the mesh (male_avg): the full tilt brings the low back's deepest gap above the floor
from 3.5 to ~2 cm (female_heavy's lowest lumbar point 1.4 -> 0.5 cm) while the hip joint rises
3-5 mm and the shoulder-hip line turns under 0.5 deg: a flattening, not a bridge (hips_lifted
raises the hip 6-7 cm and turns the line ~10 deg).
"""

TILT_DEG = 14.0          # full posterior tilt (pelvis rotation), deg
KNEE = 100.0             # knee flexion at rest (feet flat), as the bridge's start
# The spine flexes by SPINE_GAIN x the tilt, spread over the lumbar and low thoracic bones (spine05 ..
# spine02): the pelvis' rotation is taken up in the low back (lordosis flattened), the abdominals'
# tightening curls the lower ribs a little (0.3 x 14 = 4 deg), the chest stays on the floor. With the
# tilt alone taken up at the lumbosacral joint (gain 1, weights on spine05/04) the renderer's skinning
# flattens the low back by only 0.6 of its 3.5 cm gap (male_avg); with these the gap goes 3.5 -> ~2 cm.
LUMBAR_W = [0.2, 0.3, 0.3, 0.2, 0.0]
SPINE_GAIN = 1.3


def register(api):
    np = api.np
    P = api.poses

    class PelvicTiltModel:
        kind = "supine"
        dims = ("tilt", "lift")
        steps = (0.1, 0.05)

        def __init__(self, body, clip):
            self.b = body
            self.reg = api.regions(body)
            self.params = P.bridge_params(body, knee_flex_down=KNEE)
            # feet stay planted through the tilt: the hip flexion that keeps the foot on the floor, full tilt
            self.hip_full, self.ankle_full = P.solve_hip_for_foot_contact(body, self.pose(1.0, 0.0), "L", KNEE)
            # the low back: the lumbar bones' vertices on the back (+Y in the body frame is the back)
            L = body.labels
            w = body.dense_w
            ids = [i for i, n in enumerate(L) if n.startswith(("spine04", "spine03"))]
            rv = body.rest_vertices
            self.lumbar = (w[:, ids].sum(1) > 0.5) & (rv[:, 1] > np.median(rv[:, 1]))
            self.belly = self.reg["belly"]
            self._hands = None

        def pose(self, tilt, lift):
            p = P._supine_base()
            t = TILT_DEG * tilt
            p.pelvis_tilt = t
            p.spine = SPINE_GAIN * t         # chest stays: lumbar flexion = pelvic tilt
            p.spine_w = LUMBAR_W
            pr = self.params
            down = pr["hip_down"] + tilt * (getattr(self, "hip_full", pr["hip_down"]) - pr["hip_down"])
            hip = (1 - lift) * down + lift * pr["hip_up"]
            knee = (1 - lift) * pr["knee_down"] + lift * (pr["knee_down"] - 8.0)
            api.legs(p, hip_flex=hip, knee_flex=knee, ankle=pr["ankle_down"], hip_abd=4.0)
            return p

        def arms(self):
            """Hands resting on the stomach: wrists on the belly's top, elbows out to the floor."""
            if self._hands is None:
                fr = api.build(self.b, "supine", self.pose(0.0, 0.0), ("upper_back", "buttocks"),
                               arms_world=api.supine_arms_world(), flat_feet=("L", "R"), head_rest=True)
                V = fr.V[self.belly]
                top = V[V[:, 2] > np.percentile(V[:, 2], 80)].mean(0)
                self._hands = top
            c = self._hands
            return {"L": api.arm_to([c[0] + 0.02, c[1] - 0.07, c[2] + 0.03], [0.0, -1.0, -0.6]),
                    "R": api.arm_to([c[0] + 0.02, c[1] + 0.07, c[2] + 0.03], [0.0, 1.0, -0.6])}

        def frame(self, tilt, lift):
            p = self.pose(tilt, lift)
            contacts = ("upper_back", "buttocks") if lift <= 0.0 else ("upper_back", "feet")
            fr = api.build(self.b, "supine", p, contacts, arms_world=self.arms(), flat_feet=("L", "R"),
                           head_rest=True, anchor="feet", anchor_x=0.0)
            if lift > 0 and api.lowest(fr, self.reg["buttocks"]) < -0.002:
                fr = api.build(self.b, "supine", p, ("upper_back", "buttocks"), arms_world=self.arms(),
                               flat_feet=("L", "R"), head_rest=True, anchor="feet", anchor_x=0.0)
            return fr

        def fn(self, disc, st):
            tilt, lift = st
            fr = self.frame(tilt, lift)
            out = api.frame_out(fr)
            return out

        def lumbar_gap(self, fr):
            return float(fr.V[self.lumbar][:, 2].min())

    def timeline(clip, rng, model):
        tl = api.Timeline(clip, rng, start={"tilt": 0.0, "lift": 0.0})
        tl.stay("rest", tl.uniform(1.2, 1.8))
        for rep in tl.reps():
            into, out = tl.uniform(1.0, 1.5), tl.uniform(1.0, 1.5)
            hold = float(rep.hold_s or tl.uniform(4.0, 6.0))
            amount = tl.uniform(0.25, 0.35) if rep.has("no_tilt") else tl.uniform(0.85, 1.0)
            lift = tl.uniform(0.35, 0.5) if rep.has("hips_lifted") else 0.0
            if lift:
                ramp = min(1.2, hold / 3)
                tl.move("tilting", into, {"tilt": amount}, rep)
                tl.move("hold", ramp, {"lift": lift}, rep)
                tl.stay("hold", hold - ramp, rep)
                tl.move("releasing", out, {"tilt": 0.0, "lift": 0.0}, rep)
            else:
                tl.move("tilting", into, {"tilt": amount}, rep)
                tl.stay("hold", hold, rep)
                tl.move("releasing", out, {"tilt": 0.0}, rep)
            tl.stay("rest", tl.uniform(1.2, 1.8))
            rep.extras["target_tilt_deg"] = round(TILT_DEG * amount, 1)
            rep.extras["target_lift"] = round(lift, 2)
        return tl.result()

    api.add_exercise("pelvic_tilt", PelvicTiltModel, timeline, hold_phases=("hold",),
                     faults=("hips_lifted", "no_tilt"), sides=(None,),
                     angles={"trunk_line": ("shoulder", "hip", "knee")},
                     doc="supine posterior pelvic tilt hold; hips_lifted: turns into a bridge (lift 0.35-0.5), "
                         "no_tilt: a quarter to a third of a tilt (3.5-5 deg)")
