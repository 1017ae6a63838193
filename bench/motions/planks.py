"""Motion plugin: the planks of the catalogue: high_plank, forearm_plank (and side_plank, see below).

    make_dataset.py --motions bench/motions/planks.py --spec bench/motions/specs/<exercise>.json --out DIR

Built from the ideas of the render example ``examples/high_plank.py`` and grounded in the handouts and
ordinary anatomy, NOT in the coach's thresholds:

- ``high_plank``: push-up position: hands under the shoulders, arms straight, a straight line from
  head to heels (shoulder-hip-ankle 180), neck in line with the trunk (looking at the floor a little
  ahead of the hands). Entered from and released to a kneeling plank (hands and knees on the floor,
  hips extended, toes tucked).
  Faults: ``hips_sagging`` (the low back sags: hips 12-20 deg below the line, half at the hip and
  half lumbar extension), ``hips_piked`` (hips flexed 20-32 deg, raised above the line),
  ``head_dropped`` (the neck flexes 35-45 deg beyond neutral: the head hangs, looking at the feet).
- ``forearm_plank``: the same, on the forearms: upper arms vertical (elbows under the shoulders),
  forearms flat on the floor pointing forward, palms down. Faults as the high plank's sag and pike,
  plus ``elbows_forward`` (the elbows placed 25-35 deg in front of the shoulders: the upper arm
  slopes forward, the forearms still flat; it is set as the body rises and kept through the hold).

- ``side_plank``: kinds ``side_plank_L/R`` face the camera (the body's plane parallel to the picture;
  the contact pitch about the camera axis is the side plank's elevation), rest = lying on the side
  propped on the forearm (elbow under the shoulder, forearm pointing at the camera), the hips lowered
  by a side bend at the hips (solved per body: the lower thigh touches the floor); the side plank
  straight (solved: the supporting side's shoulder-hip-ankle 180 in the picture's plane); the legs
  adducted 5.5 deg each so the feet stack (the first preview had them a hip width apart); the top
  arm along the body. Faults ``hips_dropped`` / ``hips_piked``: a 10-15 deg side bend at the hips
  below / above the straight line (a pike by hip flexion, hips pushed back, is out of the picture's
  plane and not rendered). Clip param ``top_arm``: ``body`` (default: along the body) or ``up`` (raised
  to the ceiling, as many people hold it: where support_lift named the wrong side). Checked in
  previews and the frames of its clips.

State: the FIRST dimension is ``up`` (0 = kneeling plank at rest, 1 = the full plank): the coach's
bench times a hold as the run of frames within 10 % of the hold's ``up`` (coach.labels.position_band).
``hip`` is the hip offset in degrees (+ piked, - sagging; 0 = shoulder-hip-ankle straight, solved per
body); ``f`` the third fault's amount (head_dropped / elbows_forward), 0 = none, 1 = its full size
(its size drawn per rep from the range above).
"""

ANKLE_DOWN = -15.0    # ankle (dorsiflexion +) with the knees down; the knee flexion is solved
ANKLE_UP = -8.0       # ankle in the plank
TOE = 70.0            # toes tucked under (toe extension)
NECK = -6.0           # slight neck extension: looking at the floor a little ahead of the hands
STACK = 5.5           # side plank: each leg's adduction that stacks the feet (hip width over leg length)


def register(api):
    np = api.np
    api.add_kind("plank", head="+x", front="-z", contacts=("hands", "toes"),
                 doc="prone support on hands (or forearms, or knees) and toes; camera sees the right side unmirrored")

    def hand_arms():
        return {s: dict(upper=[-0.12, sg * 0.05, -1.0], hinge=[0, -1.0, 0], elbow=3.0,
                        hand_dir=[1.0, sg * 0.12, -0.05], palm=[0, 0, -1.0]) for s, sg in (("L", 1.0), ("R", -1.0))}

    def forearm_arms(fwd_deg):
        a = np.radians(fwd_deg)
        out = {}
        for s, sg in (("L", 1.0), ("R", -1.0)):
            out[s] = api.arm([np.sin(a), sg * 0.06, -np.cos(a)], elbow=ELBOW_FLEX_SIGN * (90.0 - fwd_deg),
                             hinge=[0, -1.0, 0], hand_dir=[1.0, -sg * 0.15, -0.02], palm=[0, 0, -1.0])
        return out

    class PlankModel:
        kind = "plank"
        dims = ("up", "hip", "f")   # up: 0 knees down .. 1 full plank; hip: deg, + piked / - sagging; f: 3rd fault
        steps = (0.1, 2.0, 0.25)
        forearm = False
        f_size = 40.0               # head_dropped: neck flexion at f = 1 (deg); elbows_forward: upper-arm slope

        def __init__(self, body, clip):
            self.b = body
            self.reg = api.regions(body)
            self.support = self.reg["forearms"] if self.forearm else self.reg["hands"]
            self.toes_or_knees = self.reg["toes"] | self.reg["knees"]
            self.h0, self.knee_down = 0.0, 45.0
            self.h0 = self._straight_offset()        # needs no knee_down (up = 1)
            self.knee_down = self._solve_knee_down()

        def pose(self, up, hip, f, knee_down=None):
            neck = NECK + (f * self.f_size if not self.forearm else 0.0)
            p = api.Pose(neck=neck)
            h = self.h0 + hip
            knee = (1 - up) * (self.knee_down if knee_down is None else knee_down) + up * 2.0
            ankle = (1 - up) * ANKLE_DOWN + up * ANKLE_UP
            if h >= 0:   # pike: flex at the hips
                api.legs(p, hip_flex=h, knee_flex=knee, ankle=ankle, toe=TOE, hip_abd=2.0)
            else:        # sag: hip extension + lumbar extension
                api.legs(p, hip_flex=0.45 * h, knee_flex=knee, ankle=ankle, toe=TOE, hip_abd=2.0)
                p.spine = 0.55 * h
                p.spine_w = [0.4, 0.35, 0.2, 0.05, 0.0]
            return p

        def arms(self, f):
            return forearm_arms(f * self.f_size) if self.forearm else hand_arms()

        def place(self, pose, f, contacts):
            anchor = "forearms" if self.forearm else "hands"
            return api.build(self.b, "plank", pose, contacts, arms_world=self.arms(f), anchor=anchor, anchor_x=0.6, iters=3)

        def _solve_knee_down(self):
            """Knees down: the knee flexion that puts the tucked toes on the floor as well."""
            lo, hi = 15.0, 90.0
            for _ in range(10):
                mid = 0.5 * (lo + hi)
                fr = self.place(self.pose(0.0, 0.0, 0.0, knee_down=mid), 0.0, [(self.support, 0.0), ("knees", 0.0)])
                if api.lowest(fr, self.reg["toes"]) < 0.0:   # toes through the floor: bend the knees more
                    lo = mid
                else:
                    hi = mid
            return 0.5 * (lo + hi)

        def body_line(self, fr):
            k = fr.kps
            P = [np.array([k[f"right_{j}"][0], k[f"right_{j}"][2]]) for j in ("shoulder", "hip", "ankle")]
            a = api.angle3(*P)
            sh, hp, an = P
            z_line = sh[1] + (hp[0] - sh[0]) * (an[1] - sh[1]) / (an[0] - sh[0])
            return 360.0 - a if hp[1] < z_line else a   # hip below the shoulder-ankle line: sag, > 180

        def _straight_offset(self):
            """Hip offset (deg) at which shoulder-hip-ankle is straight (180) in the full plank."""
            lo, hi = -12.0, 12.0
            for _ in range(10):
                mid = 0.5 * (lo + hi)
                self.h0 = mid
                a = self.body_line(self.frame(1.0, 0.0, 0.0))
                if a > 180.0:   # sagging: more flexion
                    lo = mid
                else:
                    hi = mid
            return 0.5 * (lo + hi)

        def frame(self, up, hip, f):
            return self.place(self.pose(up, hip, f), f, [(self.support, 0.0), (self.toes_or_knees, 0.0)])

        def fn(self, disc, st):
            return api.frame_out(self.frame(*st))

    class ForearmPlankModel(PlankModel):
        forearm = True
        f_size = 30.0

    def make_timeline(third):
        def timeline(clip, rng, model):
            tl = api.Timeline(clip, rng, start={"up": 0.0, "hip": 0.0, "f": 0.0})
            tl.stay("rest", tl.uniform(0.8, 1.2))
            for rep in tl.reps():
                rise, low = tl.uniform(0.8, 1.2), tl.uniform(0.8, 1.2)
                hold = float(rep.hold_s or tl.uniform(3.0, 5.0))
                if rep.has("hips_sagging"):
                    h = -tl.uniform(12.0, 20.0)
                elif rep.has("hips_piked"):
                    h = tl.uniform(20.0, 32.0)
                else:
                    h = tl.uniform(-3.0, 3.0)
                if third == "head_dropped":
                    f3 = tl.uniform(35.0, 45.0) / 40.0 if rep.has(third) else 0.0
                else:
                    f3 = tl.uniform(25.0, 35.0) / 30.0 if rep.has(third) else 0.0
                ramp = min(0.8, hold / 3)
                if third == "elbows_forward":   # the elbows are placed where they are as the body rises
                    tl.move("rising", rise, {"up": 1.0, "hip": 0.0, "f": f3}, rep)
                    tl.move("hold", ramp, {"hip": h}, rep)
                else:
                    tl.move("rising", rise, {"up": 1.0, "hip": 0.0}, rep)
                    tl.move("hold", ramp, {"hip": h, "f": f3}, rep)
                tl.stay("hold", hold - ramp, rep)
                tl.move("lowering", low, {"up": 0.0, "hip": 0.0, "f": 0.0}, rep)
                tl.stay("rest", tl.uniform(0.8, 1.2))
                rep.extras["target_hip_offset_deg"] = round(h, 1)
                rep.extras[f"target_{third}_amount"] = round(f3, 2)
            return tl.result()
        return timeline

    def rep_metrics(rep, frames, cs):
        hf = [f for f in frames if f["phase"] == "hold"]
        if not hf:
            return {}
        med = lambda k: round(float(np.median([f["angles"][f"{cs}_{k}"] for f in hf])), 1)  # noqa: E731
        return {"hold_body_line_sag_signed_deg": med("body_line_sag_signed"), "hold_body_line_2d_deg": med("body_line_2d")}

    api.add_exercise("high_plank", PlankModel, make_timeline("head_dropped"), hold_phases=("hold",),
                     faults=("hips_sagging", "hips_piked", "head_dropped"), sides=(None,),
                     angles={"body_line": ("shoulder", "hip", "ankle")}, rep_metrics=rep_metrics,
                     doc="high plank hold from a kneeling plank; hips_sagging 12-20 deg, hips_piked 20-32 deg, "
                         "head_dropped: neck flexed 35-45 deg")
    api.add_exercise("forearm_plank", ForearmPlankModel, make_timeline("elbows_forward"), hold_phases=("hold",),
                     faults=("hips_sagging", "hips_piked", "elbows_forward"), sides=(None,),
                     angles={"body_line": ("shoulder", "hip", "ankle")}, rep_metrics=rep_metrics,
                     doc="forearm plank hold from a kneeling forearm plank; sag/pike as high_plank, "
                         "elbows_forward: upper arms 25-35 deg forward of vertical")


    # ---------------------------------------------------------------- side plank (facing the camera)
    # Kind per supporting side: the body lies along X facing the camera (-Y); head +x puts the LEFT
    # side down, head -x the RIGHT side. The camera must not be mirrored (that would turn the person's
    # back to it), so each kind's camera_side is its supporting side and a spec gives camera_side =
    # params.support. The contact pitch about the camera axis is the side plank's own elevation.
    api.add_kind("side_plank_L", head="+x", front="-y", camera_side="left", head_dir=1.0,
                 contacts=("forearm_L", "foot_L"), doc="side plank on the left forearm, facing the -Y camera")
    api.add_kind("side_plank_R", head="-x", front="-y", camera_side="right", head_dir=-1.0,
                 contacts=("forearm_R", "foot_R"), doc="side plank on the right forearm, facing the -Y camera")

    class SidePlankModel:
        dims = ("up", "hip")   # up: 0 lying on the side propped on the forearm, hips on the floor .. 1 side plank;
        steps = (0.1, 2.0)     # hip: deg of side bend at the hips, + hips raised above the line / - dropped

        def __init__(self, body, clip):
            self.b = body
            self.s = "L" if (clip.get("params") or {}).get("support", "left") == "left" else "R"
            self.o = "R" if self.s == "L" else "L"
            self.kind = f"side_plank_{self.s}"
            self.top_arm = (clip.get("params") or {}).get("top_arm", "body")   # "body" (along it) or "up" (to the ceiling)
            self.reg = api.regions(body)
            self.theta0 = 0.0
            self.theta0 = self._solve(lambda fr: self.line(fr) > 180.0, up=1.0)        # straight line
            self.theta_rest = self._solve(lambda fr: api.lowest(fr, self.reg["thighs"]) > 0.0, up=0.0, lo=-45.0, hi=0.0,
                                          floor=True)

        def pose(self, theta):
            p = api.Pose(neck=0.0)
            api.legs(p, hip_flex=2.0, knee_flex=3.0, ankle=-5.0, toe=0.0)
            # a side bend at the hips: both legs turn together by theta toward the lower side's
            # outside (+: hips up); each leg also adducts STACK deg so the feet are stacked, not a hip
            # width apart
            api.legs(p, self.s, hip_abd=theta - STACK)
            api.legs(p, self.o, hip_abd=-theta - STACK)
            return p

        def arms(self):
            down = "L" if self.s == "L" else "R"
            up = self.o
            hx = 1.0 if self.s == "L" else -1.0   # world x of the head
            top = (api.arm([-hx, -0.05, 0.12], elbow=8.0, hand_dir=[-hx, -0.1, 0.0], palm=[0, 0, -1.0])
                   if self.top_arm == "body" else
                   api.arm([0.0, -0.08, 1.0], elbow=5.0, hand_dir=[0.0, -0.05, 1.0], palm=[0, -1.0, 0]))
            return {down: api.arm([0.0, 0.0, -1.0], elbow=90.0, hinge=[-1.0, 0, 0], hand_dir=[0.15 * hx, -1.0, 0.0],
                                  palm=[0, 0, -1.0]),
                    up: top}

        def frame_theta(self, theta, contacts=None):
            c = contacts or [(f"forearm_{self.s}", 0.0), (f"foot_{self.s}", 0.0)]
            return api.build(self.b, self.kind, self.pose(theta), c, arms_world=self.arms(),
                             anchor=f"forearm_{self.s}", anchor_x=0.0, iters=3)

        def line(self, fr):
            """Shoulder-hip-ankle of the supporting side in the picture's plane (x, z): > 180 hips above."""
            side = "left" if self.s == "L" else "right"
            k = fr.kps
            P = [np.array([k[f"{side}_{j}"][0], k[f"{side}_{j}"][2]]) for j in ("shoulder", "hip", "ankle")]
            a = api.angle3(*P)
            sh, hp, an = P
            z_line = sh[1] + (hp[0] - sh[0]) * (an[1] - sh[1]) / (an[0] - sh[0])
            return 360.0 - a if hp[1] > z_line else a

        def _solve(self, too_far, up, lo=-20.0, hi=20.0, floor=False):
            """The side bend at which ``too_far`` (hips too high) flips, by bisection."""
            for _ in range(9):
                mid = 0.5 * (lo + hi)
                fr = self.frame_theta(mid)
                if too_far(fr):
                    hi = mid
                else:
                    lo = mid
            return 0.5 * (lo + hi)

        def fn(self, disc, st):
            up, hip = st
            theta = (1 - up) * self.theta_rest + up * self.theta0 + up * hip
            return api.frame_out(self.frame_theta(theta))

    def side_timeline(clip, rng, model):
        tl = api.Timeline(clip, rng, start={"up": 0.0, "hip": 0.0})
        tl.stay("rest", tl.uniform(0.8, 1.2))
        for rep in tl.reps():
            rise, low = tl.uniform(1.0, 1.4), tl.uniform(1.0, 1.4)
            hold = float(rep.hold_s or tl.uniform(3.0, 5.0))
            if rep.has("hips_dropped"):
                h = -tl.uniform(10.0, 15.0)
            elif rep.has("hips_piked"):
                h = tl.uniform(10.0, 15.0)
            else:
                h = tl.uniform(-2.0, 2.0)
            ramp = min(0.8, hold / 3)
            tl.move("rising", rise, {"up": 1.0, "hip": 0.0}, rep)
            tl.move("hold", ramp, {"hip": h}, rep)
            tl.stay("hold", hold - ramp, rep)
            tl.move("lowering", low, {"up": 0.0, "hip": 0.0}, rep)
            tl.stay("rest", tl.uniform(0.8, 1.2))
            rep.extras["target_hip_offset_deg"] = round(h, 1)
        return tl.result()

    api.add_exercise("side_plank", SidePlankModel, side_timeline, hold_phases=("hold",),
                     faults=("hips_dropped", "hips_piked"), sides=("left", "right"),
                     angles={"body_line": ("shoulder", "hip", "ankle")},
                     doc="side plank on one forearm facing the camera, from lying on the side propped on it; "
                         "hips_dropped / hips_piked: a 10-15 deg side bend at the hips below / above the line")


ELBOW_FLEX_SIGN = 1.0
