"""What an exercise is, as the engine runs it: the dataclasses an exercise definition
(``poses/*.toml``) is loaded into (``coach.engine.definition`` reads and validates the files), and
the vocabularies their fields draw on.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Optional, Union

from coach.errors import CoachError

SCHEMA = "coach.exercise/1"
# Figures a scope="rep" or "session" fault may test; hold_share is the hold as a share of the hold
# target, so one limit holds for every target (--hold, presets).
REP_STATS = ("hold_s", "hold_share", "top_s", "duration_s")
SWITCH_SAY = "Now switch sides: your {side} side"  # per-side exercises; {side} = the side to do next
TARGET = "{target}"  # in a cue text: the hold target in seconds ("Hold a little longer: {target} seconds")
# Two-way phases add, per pole, e.g. cat_depth / cow_depth and cat_hold_s / cow_hold_s: POLE_STATS.
POLE_STATS = ("depth", "hold_s")
# rest | hold: judged live on a measure; rep: once per rep on its own figures (REP_STATS); session: once
# per rep on its figures relative to the session's best rep (re-judged when the session ends).
SCOPES = ("rest", "hold", "rep", "session")
SIDES = ("left", "right")
NEEDS = ("segmentation",)  # what an exercise may ask of the pose backend beyond landmarks
PHASE_KINDS = ("out_and_back", "two_way")


@dataclass(frozen=True)
class Phases:
    measure: str
    rest: str
    out: str
    hold: str
    back: str
    start_above_rest: float
    rest_within: float
    hold_above_rest: float
    still_per_s: float
    direction: int
    hold_min_s: float
    leave_hold: float
    return_fraction: float
    settle_s: float
    arm_s: float
    disarm_s: float
    kind: str = "out_and_back"
    # A hold that is a *position* (a knee hugged to the chest, moving a little) rather than a still
    # pose: it ends only once the value is back out by this share of the hold's depth below rest
    # (or ``leave_hold``, whichever is more), and has stayed out ``leave_confirm_s``. 0: off.
    leave_hold_fraction: float = 0.0
    leave_confirm_s: float = 0.0
    # A hold exercise (one rep = one hold): a movement out and back that never held still at the top
    # is no rep (lying trunk rotation's change of legs passes the knees through the out position).
    hold_required: bool = False
    # A movement that goes out from rest either way (a trunk turned to the left or to the right, read
    # on a signed measure): the machine follows the distance from the person's rest, whichever way.
    either_way: bool = False
    # Where rest is on the measure's own scale, and how far out from it (in the movement's direction)
    # the value may be when counting starts and still be the person's rest; further out, they are
    # already in the position (a recording that starts mid-plank) and the machine starts from this
    # rest, so the position is timed from the start. None: rest is wherever counting starts.
    absolute_rest: Optional[float] = None
    own_rest_within: float = math.inf
    # How near its level the value must be for the hold to be TIMED as in the position (its first and
    # last moments there), where ``leave_hold`` is wide so that a fault that moves the key measure (a
    # side plank's dropped hips) stays a fault of the hold, not its end. None: the hold's band.
    time_within: Optional[float] = None

    def name(self, key: str) -> str:
        """The definition's name of a phase key of the machine (rest | out | hold | back)."""
        return {"rest": self.rest, "out": self.out, "hold": self.hold, "back": self.back}[key]

    @property
    def names(self) -> tuple[str, ...]:
        """Every phase name the report may use (besides "setup")."""
        return (self.rest, self.out, self.hold, self.back)

    @property
    def rep_stats(self) -> tuple[str, ...]:
        return REP_STATS


@dataclass(frozen=True)
class TwoWayPhases:
    """A movement between two opposite poles through a neutral position (cat-cow): ``plus`` is the
    pole the measure rises to, ``minus`` the one it falls to. Levels are relative to the person's
    neutral (the machine follows it); see coach/engine/two_way.py for what each setting does."""

    measure: str
    neutral: str
    moving: str
    plus: str
    minus: str
    start_beyond: float
    neutral_within: float
    pole_beyond: float
    leave_pole: float
    still_per_s: float
    still_fraction: float
    hold_min_s: float
    settle_s: float
    arm_s: float
    disarm_s: float
    # Where neutral is on the measure's own scale, and how far from it a starting posture may be and
    # still be the person's neutral; beyond, they start in a pole and the machine starts from this one.
    absolute_neutral: float = 0.0
    own_neutral_within: float = math.inf
    kind: str = "two_way"
    direction: int = 1

    @property
    def rest(self) -> str:
        return self.neutral

    def name(self, key: str) -> str:
        """The definition's name of a phase key of the machine (rest | out | plus | minus)."""
        return {"rest": self.neutral, "out": self.moving, "plus": self.plus, "minus": self.minus}[key]

    @property
    def names(self) -> tuple[str, ...]:
        """Every phase name the report may use (besides "setup")."""
        return (self.neutral, self.moving, self.plus, self.minus)

    @property
    def rep_stats(self) -> tuple[str, ...]:
        return REP_STATS + tuple(f"{pole}_{stat}" for pole in (self.plus, self.minus) for stat in POLE_STATS)


@dataclass(frozen=True)
class PostureCondition:
    measure: str
    min: Optional[float]
    max: Optional[float]
    say: str
    # Only to start counting: the starting position proper (bridge: hips down, knees bent), which
    # the movement itself leaves; the other conditions (lying, on hands and knees) hold throughout.
    to_start: bool = False


@dataclass(frozen=True)
class JudgeWhile:
    """A condition for judging a fault on a frame: ``measure`` (on the side the fault's value is read
    from) below ``below`` and/or above ``above``. An unreadable value (NaN) does not block."""
    measure: str
    below: Optional[float] = None
    above: Optional[float] = None

    def met(self, value: float) -> bool:
        return not ((self.below is not None and value >= self.below) or (self.above is not None and value <= self.above))


@dataclass(frozen=True)
class FaultRule:
    code: str
    scope: str  # rest | hold | rep | session
    measure: str
    below: Optional[float]
    above: Optional[float]
    cue: str
    priority: int
    for_s: float
    pauses_hold: bool
    of: str = "tracked"  # tracked (the camera side) | worked (the side(s) being worked) | other (the side at rest)
    relative: bool = False  # judge the change from the person's own resting value, not the value itself
    applies_to: str = "any"  # any | single (one-sided reps only) | both
    also: tuple[str, ...] = ()  # rep and session rules: more rep figures judged alike (the worst counts)
    # The limit marks "short of the full range": a personal profile (calibration/) moves it to the
    # person's own comfortable best. Limits that guard safety (over-arching) never follow a profile.
    follows_range: bool = False
    # Other ways the same fault shows (hold and rest scopes; ``[[faults.either]]``): each judged like
    # this rule on its own measure, side and limit, sharing code, cue and timing. The fault is
    # raised when any way is violated.
    either: tuple["FaultRule", ...] = ()
    # Judged only while the camera is within this many degrees of side-on (``coach.engine.view``):
    # beyond it an image-plane angle can be off by more than the fault's margin, and the coach says
    # it can't judge instead of guessing (the rep's ``unjudged``). None: judged from any view.
    max_view_deg: Optional[float] = None
    # Judged only on the hold frames where the pose model sees the landmarks the rule's measure reads
    # with at least this visibility (0..1; ``coach.measures.joints_seen``): a leg hidden behind the
    # other is guessed, not seen. Seen in under half the hold: the coach says it can't judge (the
    # rep's ``unjudged``) instead of guessing. None: judged whatever the model's visibility.
    min_visibility: Optional[float] = None
    # Judged only on the hold frames where another measure, on the same side, is within limits
    # (``JudgeWhile``): a knee's angle is not judged while a hand holds the knee (the pose model puts
    # the knee on the grasp). Met in under half the hold: can't judge, as for ``min_visibility``.
    judge_while: Optional["JudgeWhile"] = None
    # Plain words for the report (``label``: "hips too low"; the code stays in report.json and the
    # CSV), and for a rule judging several rep figures, the cue for each one (``cues``: cat-cow's
    # "shallow" says which pose to deepen). Optional: ``name`` falls back to the code in words.
    label: str = ""
    cues: tuple[tuple[str, str], ...] = ()
    # A rep with this fault moves too little for the camera to see at all (a pelvic tilt of a quarter
    # of the full one reads within the landmarks' drift): the coach counts no rep for it and says so
    # in the report (``coach.reporting.about``); the accuracy bench does not expect such a labelled
    # rep to be counted. scope="hold" only.
    hides_rep: bool = False

    @property
    def name(self) -> str:
        """The fault in plain words: the definition's ``label``, else its code without underscores."""
        return self.label or self.code.replace("_", " ")

    def cue_for(self, measure: str) -> str:
        """The cue for this fault seen on ``measure`` (one of ``measures``): its own, else the rule's."""
        return dict(self.cues).get(measure, self.cue)

    @property
    def gated_per_frame(self) -> bool:
        """Judged only on some of the hold's frames (``min_visibility``, ``judge_while``)."""
        return self.min_visibility is not None or self.judge_while is not None

    @property
    def judges_hold_length(self) -> bool:
        """A fault on the hold's length (hold_short), not on form."""
        return self.measure in ("hold_s", "hold_share")

    def violated(self, value: float) -> bool:
        return (self.below is not None and value < self.below) or (self.above is not None and value > self.above)

    @property
    def measures(self) -> tuple[str, ...]:
        return (self.measure,) + self.also

    @property
    def ways(self) -> tuple["FaultRule", ...]:
        """This rule and the other ways its fault shows (``either``)."""
        return (self,) + self.either


@dataclass(frozen=True)
class About:
    """One line about a measure the report shows (a rep's range of motion): what it is and which way
    is better; the target range comes from the fault limits on it (``judged_by``: their codes)."""

    what: str
    better: str  # "higher" | "lower"
    judged_by: tuple[str, ...] = ()
    name: str = ""  # a short name for the table ("hip angle at the top"); "": the measure's own in words


@dataclass(frozen=True)
class SidesRule:
    """How to tell which side is worked: the side whose ``measure`` moves ``worked_beyond`` from rest
    (``by = "moved"``: a leg pulled in), or, ``by = "rest"``, the side whose resting value lies
    ``worked_beyond`` above the other side's: a side set up before the movement and kept through it
    (one leg straight and the other bent in, seated_hamstring_stretch), read where the pose model
    sees it best."""

    measure: str
    worked_beyond: float
    # False: the measure is read on its own scale, where 0 means neither side (a knee ahead of its hip:
    # the front leg of a lunge), not as a change from rest. For a position the person may start in
    # or rest in one-sided (half-kneeling before the hip flexor stretch's press; a recording that
    # starts in the pigeon), where the change from rest would show no side at all.
    from_rest: bool = True
    # False: the worked side cannot change within a rep (a held one-sided position: the legs are
    # swapped only by going back to rest), so the rep is never split where the other side seems to
    # take over; a pose model that swaps the legs' labels for a while (MediaPipe, a lunge seen from
    # the side) then cannot cut a hold in pieces. True: alternating sides with no rest between
    # (knee_to_chest's alternating hugs), where the other leg coming in starts the next rep.
    alternating: bool = True
    by: str = "moved"


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    view: str
    instructions: str
    key_joints: tuple[str, ...]
    hold_target_s: float
    reps_min: int
    reps_max: int
    signal: dict
    phases: Union[Phases, TwoWayPhases]
    posture: tuple[PostureCondition, ...]
    faults: tuple[FaultRule, ...]
    sides: Optional[SidesRule] = None
    presets: dict = field(default_factory=dict)  # name -> {hold_s, reps_min, reps_max}
    # Done on the left and the right: reps_min/reps_max are per side, the report sums up per side, and
    # when one side has its reps_min (and the other not yet) the coach says ``switch_say`` ({side}: the
    # side to do next).
    per_side: bool = False
    switch_say: str = SWITCH_SAY
    path: str = field(default="", compare=False)
    needs: tuple[str, ...] = ()  # of NEEDS: e.g. "segmentation" (the person mask, for the back's profile)
    # Two joints that lie on the floor in the starting position (lying: shoulder and ankle; on hands
    # and knees: wrist and knee): the checker follows the camera's roll from them until counting
    # starts and levels the picture's measures by it (coach/engine/level.py). Empty: no levelling.
    level_line: tuple[str, ...] = ()
    # view = "side": how far from side-on (degrees, as the set-up checks measure it) the checker was
    # measured to work; the set-up checks (live and calibrate) ask for at least this. None: their
    # general side-on limit (coach/live/setup.py SIDE_MAX_DEG).
    side_within_deg: Optional[float] = None
    # The personal profile whose thresholds replaced the definition's (calibration/profile.py), as
    # the report shows it; None: the definition's own.
    profile: Optional[dict] = field(default=None, compare=False)
    # Lines about the measures the report shows, keyed by measure (or two-way rep figure, e.g.
    # cat_depth): ``[about.hip_extension]``. Optional: without one the report shows no line.
    about: dict = field(default_factory=dict, compare=False)

    @property
    def needs_segmentation(self) -> bool:
        return "segmentation" in self.needs

    def with_targets(self, preset: Optional[str] = None, hold_s: Optional[float] = None) -> "Exercise":
        """The exercise with a named preset's targets, then an explicit hold target, applied (the
        command line's --preset and --hold)."""
        ex = self.with_preset(preset) if preset else self
        if hold_s is not None:
            if hold_s <= 0:
                raise CoachError(f"--hold must be a number of seconds above 0, got {hold_s:g}")
            ex = dataclasses.replace(ex, hold_target_s=hold_s)
        return ex

    def with_preset(self, name: str) -> "Exercise":
        """The exercise with the targets of a named preset (e.g. knee-to-chest's 30 s holds)."""
        if name not in self.presets:
            known = ", ".join(sorted(self.presets)) or "none"
            raise CoachError(f"exercise {self.id!r} has no preset {name!r}; its presets: {known}")
        p = self.presets[name]
        return dataclasses.replace(self, hold_target_s=p.get("hold_s", self.hold_target_s),
                                   reps_min=p.get("reps_min", self.reps_min), reps_max=p.get("reps_max", self.reps_max))

    def cue_text(self, rule: FaultRule) -> str:
        """The rule's cue, with the hold target (``{target}``) as this session sets it."""
        return rule.cue.replace(TARGET, f"{self.hold_target_s:g}")

    def switch_text(self, side: str) -> str:
        """What the coach says when one side's reps are done: the other side, ``side``, is next."""
        return self.switch_say.replace("{side}", side)

    def fault(self, code: str) -> FaultRule:
        return next(f for f in self.faults if f.code == code)
