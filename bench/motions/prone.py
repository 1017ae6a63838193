"""Motion plugin: the face-down (prone) exercises of the catalogue: back_extension, locust, superman.

    make_dataset.py --motions bench/motions/prone.py --spec bench/motions/specs/<exercise>.json --out DIR

Grounded in the handouts and ordinary anatomy, not in the coach's thresholds:

- ``back_extension``: lying face down, hands on the floor beside the shoulders; the chest is pressed
  up by extending the spine (lumbar + thoracic), the pelvis and legs stay on the floor, the neck stays
  in line with the trunk (looking at the floor a little ahead). Full position: about 40 deg of spine
  extension (a sphinx/half press-up; the shoulder-hip line rises ~25-35 deg).
  Faults: ``hips_lifted`` (the pelvis comes off the floor: the whole body pivots up about the feet
  by 7-9 deg, the hips ~10-12 cm up, the arms straighten), ``neck_overextended`` (head thrown back, 35-45 deg of neck
  extension beyond neutral: looking forward or up instead of at the floor).
- ``locust``: face down, arms along the sides, palms down; head and chest lift (about 25 deg of spine
  extension), the arms lift a little off the floor reaching back toward the feet, the shoulder
  blades squeeze, the legs stay straight on the floor. Faults: ``arms_forward`` (the arms reach
  forward past the head instead of back along the body), ``legs_bent`` (knees bent 45-70 deg, the
  feet up off the floor).
- ``superman``: face down, arms straight overhead on the floor, legs straight; arms, chest and legs
  lift together (spine extension ~20 deg, hips extended ~15 deg, arms ~20 deg above level) into a
  long U, neck neutral. Faults: ``knees_bent`` (knees bend 45-65 deg instead of the straight legs
  lifting), ``neck_overextended`` (35-45 deg of neck extension: looking forward/up), ``hold_short``
  (the top held 0.3-0.8 s instead of the asked 2-5 s; give the rep a short ``hold_s``).

State: the FIRST dimension is ``lift`` (0 = lying flat at rest, 1 = the full position): the coach's
bench times a hold as the run of frames within 10 % of the hold's lift (coach.labels.position_band).
The other dimensions are the fault amounts, 0 = none, 1 = the fault's full size (its size drawn
per rep from the range above is applied as a fraction of 1).
Placement: the pitch of the body lying flat is solved once per body (chest and thighs on the floor);
every pose keeps that pitch (plus the hips_lifted pivot) and is lowered until its lowest front
region (chest, belly, thighs, knees, feet, hands, forehead) touches the floor, so the pelvis and
legs stay where they lie while the trunk bends up from them.
"""

NECK_REST = 12.0      # slight neck flexion lying flat: face toward the floor, forehead near the mat
ANKLE = -65.0         # feet pointed: the tops of the feet on the floor
BEXT_SPINE = 40.0     # back extension: spine extension at the full position (deg)
LOCUST_SPINE = 24.0
SUPER_SPINE = 18.0
SUPER_HIP = 15.0      # superman: hip extension of the straight legs
NECK_OVER = 40.0      # neck_overextended: extension beyond neutral at full size
HIPS_PIVOT = 9.0      # hips_lifted: body pitched up about the feet (deg) at full size: the hips rise ~12 cm
KNEE_BENT = 60.0      # legs_bent / knees_bent: knee flexion at full size


def register(api):
    np = api.np
    api.add_kind("prone", head="+x", front="-z", contacts=("chest", "belly", "thighs", "knees", "feet", "hands", "forehead"),
                 doc="lying face down, head toward +X; camera sees the right side unmirrored")

    FRONT = ("chest", "belly", "thighs", "knees", "feet", "forehead")

    class ProneModel:
        kind = "prone"
        exercise = None
        dims = ("lift", "f1", "f2")
        steps = (0.1, 0.25, 0.25)

        def __init__(self, body, clip):
            self.b = body
            self.reg = api.regions(body)
            self.front = np.zeros_like(self.reg["chest"])
            for r in FRONT:
                self.front |= self.reg[r]
            self.pitch0 = 0.0
            self.shoulder = None
            # pitch of the body lying flat: chest and thighs on the floor
            fr = api.build(body, "prone", self.base_pose(0.0), [("chest", 0.0), ("feet", 0.0)], anchor="thighs",
                           anchor_x=-0.3, pitch_range=(-20.0, 20.0), pitch0=0.0, iters=1)
            self.pitch0 = float(fr.pitch)
            self.rest_kps = fr.kps

        def base_pose(self, neck):
            p = api.Pose(neck=NECK_REST + neck)
            api.legs(p, hip_flex=0.0, knee_flex=3.0, ankle=ANKLE, toe=0.0, hip_abd=4.0)
            return p

        def place(self, pose, arms, pivot=0.0):
            p = self.pitch0 + pivot
            contacts = [(self.front, 0.0), (self.reg["feet"], 0.0)]
            return api.build(self.b, "prone", pose, contacts, arms_world=arms, anchor=self.reg["thighs"], anchor_x=-0.3,
                             pitch_range=(p, p), pitch0=p, iters=3 if arms else 1)

        def fn(self, disc, st):
            return api.frame_out(self.frame(*st))

    def lateral(s):
        return 1.0 if s == "L" else -1.0

    # ---------------------------------------------------------------- back extension
    class BackExtModel(ProneModel):
        dims = ("lift", "hips", "neck")   # hips: hips_lifted amount; neck: neck_overextended amount

        def __init__(self, body, clip):
            super().__init__(body, clip)
            k = self.rest_kps
            self.hand_at = {s: np.array([k[f"{'left' if s == 'L' else 'right'}_shoulder"][0] + 0.04,
                                         k[f"{'left' if s == 'L' else 'right'}_shoulder"][1] + lateral(s) * 0.06, 0.06])
                            for s in "LR"}

        def frame(self, lift, hips, neck):
            pivot = -HIPS_PIVOT * hips * lift   # negative pitch raises the head end about the feet
            p = self.base_pose(-NECK_REST * lift - NECK_OVER * neck * lift)
            p.spine = -(BEXT_SPINE * lift + 1.3 * pivot)
            p.spine_w = [0.35, 0.3, 0.2, 0.1, 0.05]
            arms = {s: api.arm_to(self.hand_at[s], [-1.0, lateral(s) * 0.6, 0.8], hand_dir=[1.0, lateral(s) * 0.1, 0.0],
                                  palm=[0, 0, -1.0]) for s in "LR"}
            return self.place(p, arms, pivot)

    # ---------------------------------------------------------------- locust
    class LocustModel(ProneModel):
        dims = ("lift", "arms", "knees")   # arms: arms_forward amount; knees: legs_bent amount

        def frame(self, lift, arms_fwd, knees):
            p = self.base_pose(-NECK_REST * lift - 4.0 * lift)
            p.spine = -LOCUST_SPINE * lift
            p.spine_w = [0.3, 0.3, 0.25, 0.1, 0.05]
            api.legs(p, knee_flex=3.0 + KNEE_BENT * knees)
            arms = {}
            for s in "LR":
                y = lateral(s)
                back = np.array([-1.0, y * 0.22, -0.10 + 0.32 * lift])     # along the body, lifting a little
                fwd = np.array([1.0, y * 0.30, -0.05 + 0.30 * lift])       # reaching past the head
                if arms_fwd <= 0.5:   # swing through the side (no arm through the body)
                    w = arms_fwd / 0.5
                    up = (1 - w) * back + w * np.array([0.0, y * 1.0, 0.05 + 0.2 * lift])
                else:
                    w = (arms_fwd - 0.5) / 0.5
                    up = (1 - w) * np.array([0.0, y * 1.0, 0.05 + 0.2 * lift]) + w * fwd
                hand = up / np.linalg.norm(up)
                arms[s] = api.arm(up, elbow=6.0, hinge=[0, 0, 1.0] if arms_fwd > 0.2 else None,
                                  hand_dir=hand, palm=[0, 0, -1.0])
            return self.place(p, arms)

    # ---------------------------------------------------------------- superman
    class SupermanModel(ProneModel):
        dims = ("lift", "knees", "neck")   # knees: knees_bent amount; neck: neck_overextended amount

        def frame(self, lift, knees, neck):
            p = self.base_pose(-NECK_REST * lift - NECK_OVER * neck * lift)
            p.spine = -SUPER_SPINE * lift
            p.spine_w = [0.3, 0.3, 0.25, 0.1, 0.05]
            # straight legs lift from the hips; a bent-knee rep bends the knees and lifts the thighs less
            api.legs(p, hip_flex=-SUPER_HIP * lift * (1 - 0.6 * knees), knee_flex=3.0 + KNEE_BENT * knees * lift)
            arms = {}
            for s in "LR":
                y = lateral(s)
                up = np.array([1.0, y * 0.28, -0.12 + 0.50 * lift])
                arms[s] = api.arm(up, elbow=4.0, hand_dir=up, palm=[0, 0, -1.0])
            return self.place(p, arms)

    # ---------------------------------------------------------------- timelines
    def make_timeline(fault_dims, hold_range, rest_range=(0.8, 1.3), move_range=(1.0, 1.4), short=None):
        def timeline(clip, rng, model):
            dims = list(fault_dims.values())
            tl = api.Timeline(clip, rng, start={"lift": 0.0, **{d: 0.0 for d in dims}})
            tl.stay("rest", tl.uniform(*rest_range))
            for rep in tl.reps():
                up_s, down_s = tl.uniform(*move_range), tl.uniform(*move_range)
                sizes = {d: tl.uniform(0.75, 1.0) for d in dims}          # drawn for every rep (same draws either way)
                hold = tl.uniform(*hold_range)
                if short and rep.has(short):
                    hold = tl.uniform(0.3, 0.8)
                hold = float(rep.hold_s or hold)
                to = {"lift": 1.0}
                for fault, d in fault_dims.items():
                    to[d] = sizes[d] if rep.has(fault) else 0.0
                tl.move("lifting", up_s, to, rep)
                tl.stay("hold", hold, rep)
                tl.move("lowering", down_s, {"lift": 0.0, **{d: 0.0 for d in dims}}, rep)
                tl.stay("rest", tl.uniform(*rest_range))
                for fault, d in fault_dims.items():
                    rep.extras[f"{d}_amount"] = round(to[d], 2)
            return tl.result()
        return timeline

    api.add_exercise("back_extension", BackExtModel, make_timeline({"hips_lifted": "hips", "neck_overextended": "neck"},
                                                                   (5.0, 7.0)),
                     hold_phases=("hold",), faults=("hips_lifted", "neck_overextended"), sides=(None,),
                     angles={"trunk": ("shoulder", "hip", "knee")},
                     doc="prone press-up to a chest lift, hips on the floor; hips_lifted, neck_overextended")
    api.add_exercise("locust", LocustModel, make_timeline({"arms_forward": "arms", "legs_bent": "knees"}, (5.0, 7.0)),
                     hold_phases=("hold",), faults=("arms_forward", "legs_bent"), sides=(None,),
                     angles={"trunk": ("shoulder", "hip", "knee")},
                     doc="prone chest lift, arms back along the body; arms_forward, legs_bent")
    api.add_exercise("superman", SupermanModel, make_timeline({"knees_bent": "knees", "neck_overextended": "neck"},
                                                              (2.2, 3.5), short="hold_short"),
                     hold_phases=("hold",), faults=("knees_bent", "neck_overextended", "hold_short"), sides=(None,),
                     angles={"trunk": ("shoulder", "hip", "knee")},
                     doc="prone lift of arms, chest and legs; knees_bent, neck_overextended, hold_short")
