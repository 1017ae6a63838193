"""The definition's measures, read from each frame per channel: levelled, edge-gated and smoothed.

A channel is (measure, side): side "tracked" (the camera-facing side) or the anatomical "left" /
"right", so one-sided exercises can judge the worked leg and the other one. Per frame:

- the picture is levelled by the camera's roll (coach/engine/level.py), followed until counting
  starts from the definition's level line, then kept;
- a channel only fault rules read is not judged while its joints are outside the picture (the key
  measure is gated by the trust gate; a posture condition whose joints are out is not judged);
- each channel goes through the definition's filter ([signal]);
- for fault rules judged only near side-on, the camera's angle over the last second is kept.
"""

from __future__ import annotations

import math
import statistics
from collections import deque

from coach.engine.definition import Exercise, JudgeWhile
from coach.engine.level import levelled, roll_of
from coach.engine.sides import rule_channels
from coach.engine.view import view_deg
from coach.measures import MEASURES, PARTS, joints_in_frame, joints_seen
from coach.pose.frame import PoseFrame
from coach.signal import make_filter

Channel = tuple[str, str]  # (measure, "tracked" | "left" | "right")


class ChannelReader:
    def __init__(self, exercise: Exercise, channels: set[Channel], key: Channel) -> None:
        self.ex, self.key = exercise, key
        signal = dict(exercise.signal)
        kind = signal.pop("filter", "none")
        signal.pop("rate_window_s", None)
        self._filters = {ch: make_filter(kind, **signal) for ch in sorted(channels)}
        posture = {(c.measure, "tracked") for c in exercise.posture}
        self._edge_gated = set(channels) - {key} - posture
        self.off_edge: set[Channel] = set()  # edge-gated channels not seen now: joints out of the picture, or unreadable
        # Channels of fault rules that ask for their landmarks to be seen (min_visibility), and how well.
        self._vis_gated: dict[Channel, float] = {}
        for rule in exercise.faults:
            for ch in rule_channels(rule) if rule.min_visibility is not None else ():
                self._vis_gated[ch] = max(self._vis_gated.get(ch, 0.0), rule.min_visibility)
        # Channels of fault rules judged only while another measure is within limits (judge_while).
        self._cond_gated: dict[Channel, list[JudgeWhile]] = {}
        for rule in exercise.faults:
            for ch in rule_channels(rule) if rule.judge_while is not None else ():
                self._cond_gated.setdefault(ch, []).append(rule.judge_while)
        self.hidden: set[Channel] = set()  # of those, the channels whose landmarks the model does not see now,
        # or whose judge_while condition is not met now
        self.posture_off_edge: set[str] = set()  # posture measures whose joints are out of the picture now
        self.roll = 0.0  # the camera's roll, degrees
        self._rolls: deque[float] = deque(maxlen=30)  # the last second's readings of it
        self._view_gated = any(r.max_view_deg is not None for r in exercise.faults)
        self._view: deque[float] = deque(maxlen=30)
        # The key measure's parts, when it is a sum of them and read unfiltered (the parts are not
        # filtered, so they would not keep step with a filtered sum).
        self._parts = PARTS.get(exercise.phases.measure) if kind == "none" else None
        self.values: dict[Channel, float] = {}  # smoothed, this frame (updated in place: the checker holds it)
        self.raw_key = math.nan  # the key measure before smoothing, this frame

    def read(self, pose: PoseFrame, side: str, t: float, follow_roll: bool) -> PoseFrame:
        """Measure every channel on ``pose`` (trusted, ``side`` facing the camera); returns the
        levelled frame the measures saw. ``follow_roll``: counting has not started yet."""
        if follow_roll:
            self._follow_roll(pose)
        measured = levelled(pose, self.roll)  # the measures see a level picture; the edges stay as filmed
        self.posture_off_edge = {c.measure for c in self.ex.posture if not joints_in_frame(pose, side, c.measure)}
        self.raw_key = math.nan
        for ch, filt in self._filters.items():
            where = side if ch[1] == "tracked" else ch[1]
            if ch in self._edge_gated and not joints_in_frame(pose, where, ch[0]):
                self.off_edge.add(ch)
                continue
            self.off_edge.discard(ch)
            if ch in self._vis_gated and ch != self.key:
                if not joints_seen(pose, where, ch[0], self._vis_gated[ch]):
                    self.hidden.add(ch)
                    continue
                self.hidden.discard(ch)
            if ch in self._cond_gated and ch != self.key:
                if not all(c.met(MEASURES[c.measure](measured, where)) for c in self._cond_gated[ch]):
                    self.hidden.add(ch)
                    continue
                self.hidden.discard(ch)
            raw = MEASURES[ch[0]](measured, where)
            if math.isfinite(raw):
                self.values[ch] = filt(t, raw)
                if ch == self.key:
                    self.raw_key = raw
            elif ch in self._edge_gated:  # unreadable now (a face hidden): not seen, as if off the picture,
                self.off_edge.add(ch)     # so its last reading is not judged as if it were this frame's
        if self._view_gated:
            self._view.append(view_deg(pose))
        return measured

    def parts(self, measured: PoseFrame, side: str) -> tuple[float, ...]:
        """The key measure's parts on the levelled frame (empty when it has none or one is unmeasured)."""
        parts = self._parts(measured, side) if self._parts is not None else ()
        return parts if all(map(math.isfinite, parts)) else ()

    def reset(self) -> None:
        """Forget the smoothing history (tracking was lost)."""
        for f in self._filters.values():
            f.reset()

    def seen(self) -> dict[Channel, float]:
        """This frame's values, less the channels not seen now: joints out of the picture, the measure
        unreadable this frame (NaN), or, for a rule asking to see them, its landmarks hidden."""
        gone = self.off_edge | self.hidden
        return {ch: v for ch, v in self.values.items() if ch not in gone} if gone else self.values

    def view_now(self) -> float:
        """The camera's angle from side-on: the median of the last second's frames (NaN: unknown)."""
        finite = [v for v in self._view if math.isfinite(v)]
        return statistics.median(finite) if finite else math.nan

    def _follow_roll(self, pose: PoseFrame) -> None:
        """Until counting starts, follow the camera's roll from the definition's level line (the
        median of the last second's readings); once it starts, in the starting position, the roll is
        kept, so the movement itself is never taken for one. Seen obliquely, perspective slopes the
        floor line too; levelling by it still makes the floor the measures' horizontal (renders 55 deg
        round, camera 1.2 m up: 0 -> 3 of 3 bridges counted)."""
        roll = roll_of(pose, self.ex.level_line) if self.ex.level_line else None
        if roll is not None:
            self._rolls.append(roll)
            self.roll = statistics.median(self._rolls)
