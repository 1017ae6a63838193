"""The live loop in-process, on scripted frames: a fake camera and pose backend (a synthetic person
doing bridges), keys from a script instead of a keyboard, speech recorded instead of spoken."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Optional

import numpy as np
import pytest

from coach.engine.definition import exercise_ids, load_exercise
from coach.live.capture import CameraLost, Grabbed
from coach.live.display import Headless, action_for, display_problem, line_key
from coach.live.loop import PAIN_MESSAGE, STALL_TEXT, LiveLoop, LiveOptions, StopRequests
from coach.live.setup import SetupConfig
from coach.pose.frame import PoseFrame
from coach.sources import SourceInfo
from synth import FPS, HEIGHT, WIDTH, Profile, bridge_profile, lying_frame

EX = load_exercise("bridge")
REST = 135.0


class FakeGrabber:
    """``frames`` frames at 30 fps on a scripted clock (no thread, no waiting), then the end."""

    def __init__(self, frames: int, is_file: bool = True) -> None:
        self.frames = frames
        self.reader = SimpleNamespace(is_file=is_file, description="camera 0", path="camera:0")
        self.captured = self.dropped = 0
        self.now = 1000.0
        self.image = np.full((HEIGHT // 2, WIDTH // 2, 3), 120, np.uint8)  # small: the overlay is drawn on every frame

    def clock(self) -> float:
        return self.now

    def get(self, timeout: float) -> Optional[Grabbed]:
        if self.captured >= self.frames:
            raise CameraLost("the video ended" if self.reader.is_file else "it stopped sending frames")
        t = 1000.0 + self.captured / FPS
        self.now = t + 0.002
        frame = Grabbed(self.captured, t, self.image.copy())
        self.captured += 1
        return frame

    def stop(self) -> None:
        pass


class ProfileBackend:
    """A person lying side-on whose hip angle follows ``profile`` (by the session clock)."""

    name, model = "fake", "profile"

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.times: list[float] = []

    def process(self, image: np.ndarray, t: float, index: int) -> PoseFrame:
        self.times.append(t)
        return lying_frame(index, t, float(self.profile.value_at(np.array([t]))[0]))

    def close(self) -> None:
        pass


class RecordingSpeaker:
    available, muted, off_reason = True, False, None

    def __init__(self) -> None:
        self.said: list[tuple[str, bool]] = []

    def say(self, text: str, interrupt: bool = False) -> None:
        if not self.muted:
            self.said.append((text, interrupt))

    def toggle_mute(self) -> bool:
        self.muted = not self.muted
        return self.muted


class Keys:
    """Keys pressed while the loop handles given frames (1 = the first frame processed)."""

    def __init__(self, script: dict[int, str]) -> None:
        self.script, self.frames, self.fired = script, 0, set()

    def __call__(self) -> Optional[str]:
        n = self.frames + 1  # the loop asks for a key before it reports the frame done
        if n in self.script and n not in self.fired:
            self.fired.add(n)
            return self.script[n]
        return None

    def frame_done(self, *args: object) -> None:
        self.frames += 1


class KeysByCall:
    """Keys by the count of calls: the loop also asks while paused, when no frame is processed."""

    def __init__(self, script: dict[int, str]) -> None:
        self.script, self.calls = script, 0

    def __call__(self) -> Optional[str]:
        self.calls += 1
        return self.script.get(self.calls)


def run_loop(tmp_path: Path, profile: Profile, frames: Optional[int] = None, keys: Optional[Callable] = None,
             is_file: bool = True, stop: Optional[StopRequests] = None, countdown_s: float = 3.0,
             on_frame: Optional[Callable] = None):  # type: ignore[no-untyped-def]
    n = frames if frames is not None else len(profile.times)
    grabber = FakeGrabber(n, is_file=is_file)
    backend = ProfileBackend(profile)
    speaker = RecordingSpeaker()
    notices: list[str] = []
    source = SourceInfo(path="camera:0", fps=FPS, frames=0, width=WIDTH, height=HEIGHT, kind="camera")
    def frame_done(*args: object) -> None:
        if isinstance(keys, Keys):
            keys.frame_done()
        if on_frame is not None:
            on_frame(*args)

    loop = LiveLoop(LiveOptions(EX, str(tmp_path / "out"), setup=SetupConfig(countdown_s=countdown_s)),
                    grabber, backend, source, {"name": "fake", "model": "profile"}, Headless(), speaker,  # type: ignore[arg-type]
                    keys=keys or (lambda: None), stop=stop, notice=notices.append, on_frame=frame_done)
    result = loop.run()
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved == result.report  # what is on disk is the final report
    return result, speaker, notices, backend


def reps_profile(early: bool = True) -> tuple[Profile, list[dict]]:
    """An early rep during the countdown (0.5-3 s), then three good reps from 5 s."""
    p = Profile(REST).hold(0.5)
    if early:
        p.move(0.8, 180.0).hold(0.8).move(0.8, REST)
    p.hold(5.0 - p.duration_s)
    truth = []
    for _ in range(3):
        start = p.duration_s
        p.move(1.0, 180.0).hold(2.0).move(1.0, REST).hold(1.5)
        truth.append(start)
    return p, truth


def test_counting_starts_after_setup_and_countdown(tmp_path: Path) -> None:
    profile, starts = reps_profile()
    result, speaker, _, _ = run_loop(tmp_path, profile)
    report = result.report
    assert result.ended == "video_ended"
    assert report["summary"]["reps"] == 3  # the rep made during the countdown is not counted
    assert all(r["start_s"] >= report["live"]["counting_from_s"] for r in report["reps"])
    assert 2.9 <= report["live"]["counting_from_s"] <= 3.5
    assert report["phases"][0]["phase"] == "setup" and report["phases"][0]["start_s"] == 0.0
    assert report["source"]["frames"] == len(profile.times)
    assert report["tracking"]["frames_with_pose"] == len(profile.times)
    assert report["live"]["ended"] == "video_ended" and report["warnings"] == []
    said = [text for text, _ in speaker.said]
    assert "Stay there. 3" in said and "Go!" in said
    assert said.index("Go!") > said.index("Stay there. 3")


def test_pain_key_ends_the_set_at_once_and_is_recorded(tmp_path: Path) -> None:
    profile, _ = reps_profile()
    pressed_at = 200  # frame 200: t = 6.63 s, in the middle of the first counted rep
    result, speaker, notices, backend = run_loop(tmp_path, profile, keys=Keys({pressed_at: "p"}))
    report = result.report
    assert result.ended == "pain"
    assert report["stopped"]["reason"] == "pain"
    assert report["stopped"]["t_s"] == pytest.approx((pressed_at - 1) / FPS, abs=0.01)  # (frame 1 is at 0 s)
    assert "pain_stop" in report["warnings"]
    assert report["summary"]["reps"] == 0  # the rep under way is not counted
    assert report["source"]["frames"] == pressed_at  # nothing processed after the key
    assert len(backend.times) <= pressed_at + 3  # (at most the frames already in the pipeline)
    assert notices == [PAIN_MESSAGE] and "stop" in PAIN_MESSAGE.lower() and "pain" in PAIN_MESSAGE.lower()
    assert speaker.said[-1][1] is True  # the advice interrupts whatever was being said


def test_quit_key(tmp_path: Path) -> None:
    profile, _ = reps_profile()
    result, _, _, _ = run_loop(tmp_path, profile, keys=Keys({60: "q"}))
    assert result.ended == "quit" and result.report["live"]["ended"] == "quit"
    assert result.report["source"]["frames"] == 60
    assert "setup_not_finished" in result.report["warnings"]  # quit during the countdown
    assert result.report["phases"] == [{"start_s": 0.0, "end_s": 2.0, "phase": "setup"}]


def test_escape_also_quits(tmp_path: Path) -> None:
    profile, _ = reps_profile()
    result, _, _, _ = run_loop(tmp_path, profile, keys=Keys({10: "\x1b"}))
    assert result.ended == "quit"


def test_pause_stops_the_session_clock(tmp_path: Path) -> None:
    profile, _ = reps_profile(early=False)
    keys = KeysByCall({30: " ", 90: " "})  # paused from ~1 s for 60 frames (2 s)
    result, speaker, _, backend = run_loop(tmp_path, profile, keys=keys)
    report = result.report
    # (the inference thread may be up to 3 frames ahead of the loop when a key is pressed)
    assert report["live"]["paused_s"] == pytest.approx(2.0, abs=0.15)
    assert all(b >= a for a, b in zip(backend.times, backend.times[1:]))  # the clock never steps back
    assert max(np.diff(backend.times)) < 0.15  # nor jumps over the pause
    assert abs(report["source"]["frames"] - (len(profile.times) - 60)) <= 3  # paused frames are not recorded
    trace_t = [json.loads(line)["t"] for line in (tmp_path / "out" / "landmarks.jsonl").read_text().splitlines()[1:]]
    assert all(b > a for a, b in zip(trace_t, trace_t[1:]))  # the session clock stands still while paused
    [pause] = report["live"]["pauses"]
    assert pause["by"] == "key" and pause["t_s"] == pytest.approx(1.0, abs=0.15)
    assert pause["duration_s"] == pytest.approx(2.0, abs=0.15)
    assert ("Paused", False) in speaker.said and ("Carry on", False) in speaker.said


def test_mute_key(tmp_path: Path) -> None:
    profile, _ = reps_profile()
    result, speaker, _, _ = run_loop(tmp_path, profile, keys=Keys({5: "m"}))
    assert speaker.muted and result.report["live"]["speech"] == "muted"


def test_faulty_reps_are_cued_aloud_as_on_screen(tmp_path: Path) -> None:
    profile, _ = bridge_profile(REST, [(160.0, 2.0), (160.0, 2.0)], lead_s=4.0)  # hips never get up
    result, speaker, _, _ = run_loop(tmp_path, profile)
    cue = EX.fault("hips_low").cue
    assert any(c["code"] == "hips_low" for c in result.report["cues"])
    assert (cue, False) in speaker.said


def test_camera_lost_mid_session(tmp_path: Path) -> None:
    profile, _ = reps_profile()
    result, _, _, _ = run_loop(tmp_path, profile, frames=300, is_file=False)  # 10 s
    assert result.ended == "camera_lost" and "camera_lost" in result.report["warnings"]
    assert result.report["source"]["frames"] == 300
    assert result.report["summary"]["reps"] == 1  # the first counted rep ended before the camera went


class StallingGrabber(FakeGrabber):
    """Frames until ``stall_at``, then none, without failing: a camera whose driver stalls. Its clock
    runs on a tenth of a second per 20 ms empty wait, so 25 s of silence take 5 s."""

    def __init__(self, frames: int, stall_at: int) -> None:
        super().__init__(frames, is_file=False)
        self.stall_at = stall_at

    def get(self, timeout: float) -> Optional[Grabbed]:
        if self.captured >= self.stall_at:
            time.sleep(0.02)
            self.now += 0.1
            return None
        return super().get(timeout)


def test_a_stalled_camera_is_said_and_ends_the_session_with_its_report(tmp_path: Path) -> None:
    """A camera that stops sending frames for 25 s without an error: the coach says so on screen and
    aloud after a few seconds, and ends the session after the camera timeout, report written."""
    profile, _ = reps_profile()
    grabber = StallingGrabber(600, stall_at=300)
    speaker = RecordingSpeaker()
    notices: list[str] = []
    source = SourceInfo(path="camera:0", fps=FPS, frames=0, width=WIDTH, height=HEIGHT, kind="camera")
    loop = LiveLoop(LiveOptions(EX, str(tmp_path / "out"), camera_timeout_s=10.0), grabber, ProfileBackend(profile),
                    source, {"name": "fake", "model": "profile"}, Headless(), speaker,  # type: ignore[arg-type]
                    keys=lambda: None, notice=notices.append)
    result = loop.run()
    assert result.ended == "camera_lost" and "no picture for" in result.detail
    assert STALL_TEXT in notices and any(text == STALL_TEXT for text, _ in speaker.said)
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved == result.report and "camera_lost" in saved["warnings"]
    assert saved["source"]["frames"] == 300 and saved["summary"]["reps"] >= 1  # nothing recorded is lost


def test_interrupt_writes_the_report(tmp_path: Path) -> None:
    profile, _ = reps_profile()
    stop = StopRequests()

    class CtrlC(Keys):  # a Ctrl-C arriving at frame 100 (as the signal handler would record it)
        def __call__(self) -> Optional[str]:
            if self.frames + 1 == 100:
                stop.reason = "interrupted"
            return None

    result, _, _, _ = run_loop(tmp_path, profile, keys=CtrlC({}), stop=stop)
    assert result.ended == "interrupted" and "interrupted" in result.report["warnings"]
    assert result.report["source"]["frames"] == 100


def test_the_report_is_on_disk_while_the_session_runs(tmp_path: Path) -> None:
    profile, _ = reps_profile()
    seen: list[dict] = []

    def on_frame(timing, index, pose) -> None:  # type: ignore[no-untyped-def]
        if index in (20, 290, 330):
            seen.append(json.loads((tmp_path / "out" / "report.json").read_text()))

    run_loop(tmp_path, profile, on_frame=on_frame)
    assert len(seen) == 3
    assert all(r["live"]["ended"] is None for r in seen)
    assert seen[0]["summary"]["reps"] == 0 and seen[-1]["summary"]["reps"] == 1  # saved as soon as a rep ends
    trace = (tmp_path / "out" / "landmarks.jsonl").read_text().splitlines()
    assert json.loads(trace[0])["schema"] == "coach.trace/1" and len(trace) == 1 + len(profile.times)


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_every_exercise_runs_live(tmp_path: Path, exercise_id: str) -> None:
    ex = load_exercise(exercise_id)
    profile, _ = reps_profile()
    grabber = FakeGrabber(90)
    source = SourceInfo(path="camera:0", fps=FPS, frames=0, width=WIDTH, height=HEIGHT, kind="camera")
    loop = LiveLoop(LiveOptions(ex, str(tmp_path / "out")), grabber, ProfileBackend(profile), source,  # type: ignore[arg-type]
                    {"name": "fake", "model": "profile"}, Headless(), RecordingSpeaker(), notice=lambda s: None)  # type: ignore[arg-type]
    result = loop.run()
    assert result.ended == "video_ended"
    assert result.report["exercise"]["id"] == exercise_id and result.report["source"]["frames"] == 90


# -- keys and the display check ---------------------------------------------------------------------------

def test_keys_and_what_they_do() -> None:
    assert [action_for(k) for k in ("q", "Q", "\x1b", " ", "m", "p", "P", "x", None)] == [
        "quit", "quit", "quit", "pause", "mute", "pain", "pain", None, None]
    # headless, from the terminal: a line per key
    assert [line_key(line) for line in ("q\n", " \n", "space\n", "pain\n", "mute\n", "\n")] == ["q", " ", " ", "p", "m", None]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is for X on Linux")
def test_display_check() -> None:
    assert "DISPLAY is not set" in (display_problem({}) or "")
    assert "Wayland" in (display_problem({"WAYLAND_DISPLAY": "wayland-0"}) or "")
    assert "cannot reach the display :987" in (display_problem({"DISPLAY": ":987"}) or "")
