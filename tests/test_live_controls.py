"""The live loop's hands-free controls, status line and end-of-session pain rating, in-process on
scripted frames (the fakes of test_live_loop): a hand held up stops for pain, sitting up pauses and
lying back down carries on, the terminal's status line says what is going on, and the pain rating
is asked once at the end when someone can answer."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import pytest

from coach.live.display import Headless
from coach.live.loop import LiveLoop, LiveOptions, StopRequests
from coach.live.setup import SetupConfig
from coach.live.status_line import StatusLine
from coach.pose.frame import PoseFrame
from coach.sources import SourceInfo
from synth import FPS, HEIGHT, WIDTH, lying_frame, standing_frame
from test_live_body_controls import hand_up
from test_live_loop import EX, REST, FakeGrabber, Keys, KeysByCall, RecordingSpeaker, reps_profile


class WallBackend:
    """The person as a function of the camera's time (not the session clock, which stands still while
    paused): ``pose(i, t_camera)``."""

    name, model = "fake", "wall"

    def __init__(self, grabber: FakeGrabber, pose: Callable[[int, float], PoseFrame]) -> None:
        self.grabber, self.pose = grabber, pose

    def process(self, image: np.ndarray, t: float, index: int) -> PoseFrame:
        camera_t = (self.grabber.captured - 1) / FPS
        frame = self.pose(index, camera_t)
        return PoseFrame(index=index, t=t, width=frame.width, height=frame.height, xy=frame.xy, z=frame.z,
                         visibility=frame.visibility, people=frame.people)

    def close(self) -> None:
        pass


class Recorder(Headless):
    def __init__(self) -> None:
        self.shown: list[np.ndarray] = []

    def show(self, image: np.ndarray) -> None:
        self.shown.append(image.copy())


class Asker:
    def __init__(self, answer: Optional[int]) -> None:
        self.answer, self.asked = answer, 0

    def ask(self, image: Optional[np.ndarray], cancelled: Callable[[], bool] = lambda: False) -> Optional[int]:
        self.asked += 1
        return self.answer


def run(tmp_path: Path, pose: Callable[[int, float], PoseFrame], seconds: float, keys: Optional[Callable] = None,
        status: Optional[StatusLine] = None, asker: Optional[Asker] = None, display: Optional[Headless] = None,
        stop: Optional[StopRequests] = None, body_controls: bool = True):  # type: ignore[no-untyped-def]
    grabber = FakeGrabber(int(seconds * FPS))
    speaker = RecordingSpeaker()
    source = SourceInfo(path="camera:0", fps=FPS, frames=0, width=WIDTH, height=HEIGHT, kind="camera")
    frame_done = keys.frame_done if isinstance(keys, Keys) else None
    loop = LiveLoop(LiveOptions(EX, str(tmp_path / "out"), setup=SetupConfig(countdown_s=1.0), body_controls=body_controls),
                    grabber, WallBackend(grabber, pose), source, {"name": "fake", "model": "wall"},  # type: ignore[arg-type]
                    display or Headless(), speaker, keys=keys or (lambda: None), stop=stop,  # type: ignore[arg-type]
                    notice=lambda s: None, on_frame=frame_done, status=status, pain_rating=asker)  # type: ignore[arg-type]
    result = loop.run()
    assert json.loads((tmp_path / "out" / "report.json").read_text()) == result.report
    return result, speaker


def lying(i: int, t: float) -> PoseFrame:
    return lying_frame(i, t, REST)


# -- the pain stop by a raised hand ---------------------------------------------------------------------

def test_a_hand_held_up_for_two_seconds_stops_for_pain(tmp_path: Path) -> None:
    result, speaker = run(tmp_path, lambda i, t: hand_up(i, t) if t >= 4.0 else lying(i, t), 10.0)
    report = result.report
    assert result.ended == "pain" and report["stopped"]["reason"] == "pain" and report["stopped"]["by"] == "hand_up"
    assert report["stopped"]["t_s"] == pytest.approx(6.0, abs=0.15)  # 2 s after the hand went up
    assert "pain_stop" in report["warnings"] and speaker.said[-1][1] is True


def test_the_pain_key_is_recorded_as_the_key(tmp_path: Path) -> None:
    result, _ = run(tmp_path, lying, 5.0, keys=Keys({60: "p"}))
    assert result.report["stopped"]["by"] == "key"


def test_a_hand_up_also_stops_while_paused(tmp_path: Path) -> None:
    keys = Keys({45: " "})  # paused at 1.5 s, then the hand goes up at 3 s
    result, _ = run(tmp_path, lambda i, t: hand_up(i, t) if t >= 3.0 else lying(i, t), 10.0, keys=keys)
    assert result.ended == "pain" and result.report["stopped"]["by"] == "hand_up"
    assert result.report["live"]["pauses"][0]["by"] == "key"


def test_without_body_controls_a_raised_hand_does_nothing(tmp_path: Path) -> None:
    result, _ = run(tmp_path, lambda i, t: hand_up(i, t) if t >= 2.0 else lying(i, t), 6.0, body_controls=False)
    assert result.ended == "video_ended" and "stopped" not in result.report


# -- pausing by sitting up ----------------------------------------------------------------------------------

def test_sitting_up_pauses_and_lying_back_down_carries_on(tmp_path: Path) -> None:
    # counting from ~1 s; sits up from 3 s to 6 s; lies back down until 10 s
    result, speaker = run(tmp_path, lambda i, t: standing_frame(i, t) if 3.0 <= t < 6.0 else lying(i, t), 10.0)
    report = result.report
    [pause] = report["live"]["pauses"]
    assert pause["by"] == "body"
    assert pause["t_s"] == pytest.approx(4.0, abs=0.2)  # upright for 1 s
    assert pause["duration_s"] == pytest.approx(3.5, abs=0.2)  # until lying again for 1.5 s (7.5 s)
    assert report["live"]["paused_s"] == pytest.approx(pause["duration_s"], abs=0.01)
    assert result.ended == "video_ended"
    said = [text for text, _ in speaker.said]
    assert "Paused" in said and "Carry on" in said and said.index("Carry on") > said.index("Paused")


def test_sitting_up_during_set_up_is_not_a_pause(tmp_path: Path) -> None:
    result, _ = run(tmp_path, lambda i, t: standing_frame(i, t) if t < 3.0 else lying(i, t), 6.0)
    assert result.report["live"]["pauses"] == []


def test_the_exercise_itself_triggers_no_control(tmp_path: Path) -> None:
    profile, _ = reps_profile()
    result, _ = run(tmp_path, lambda i, t: lying_frame(i, t, float(profile.value_at(np.array([t]))[0])),
                    profile.duration_s)
    assert result.ended == "video_ended" and result.report["live"]["pauses"] == []
    assert result.report["summary"]["reps"] == 3 and "stopped" not in result.report


# -- on screen from the start ---------------------------------------------------------------------------------

def test_the_controls_are_on_screen_while_setting_up(tmp_path: Path) -> None:
    display = Recorder()
    run(tmp_path, lying, 3.0, display=display)
    bottom = [float(img[-8:].mean()) for img in display.shown]
    assert bottom[0] < 60  # the dark box of the controls along the bottom (the picture is grey 120)
    assert bottom[-1] > 100  # gone once counting has started


# -- the status line ---------------------------------------------------------------------------------------------

def test_headless_status_lines_say_what_is_going_on(tmp_path: Path) -> None:
    out = io.StringIO()
    profile, _ = reps_profile(early=False)
    keys = KeysByCall({20: "m", 200: " ", 230: " "})
    run(tmp_path, lambda i, t: lying_frame(i, t, float(profile.value_at(np.array([t]))[0])), profile.duration_s,
        keys=keys, status=StatusLine(out, interactive=False))
    lines = out.getvalue().splitlines()
    assert any(line.startswith("set-up: Good. Stay like that. 1") for line in lines)  # the countdown
    assert "muted (m to unmute)" in lines and "paused (space to carry on)" in lines and "carrying on" in lines
    counting = [line for line in lines if line.startswith("reps ")]
    assert any(line.startswith("reps 1 (good 1) | ") for line in counting)
    assert any("| top | hold " in line for line in counting)
    assert len(lines) < 60  # one line per change, not per frame


def test_the_terminal_status_line_updates_in_place() -> None:
    from coach.live.status_line import Status

    out = io.StringIO()
    line = StatusLine(out, interactive=True)
    for k in range(5):
        line.update(Status(f"reps 1 | top | hold {k / 10:.1f} / 2.0 s", "same"))
    line.say("paused")
    line.close()
    text = out.getvalue()
    assert "paused" in text and "hold 0.4 / 2.0 s" in text
    assert "\x1b[" in text  # redrawn with terminal control codes (rich), not printed line after line


# -- the pain rating -----------------------------------------------------------------------------------------------

def test_the_pain_rating_is_asked_at_the_end_and_recorded(tmp_path: Path) -> None:
    asker = Asker(7)
    result, speaker = run(tmp_path, lying, 3.0, asker=asker)
    assert asker.asked == 1
    rating = result.report["pain_rating"]
    assert rating["value"] == 7 and rating["asked_at_s"] == pytest.approx(3.0, abs=0.1)
    assert "How is your pain now, 0 to 10?" in [text for text, _ in speaker.said]


def test_the_pain_rating_after_a_pain_stop(tmp_path: Path) -> None:
    result, _ = run(tmp_path, lying, 5.0, keys=Keys({60: "p"}), asker=Asker(8))
    assert result.report["stopped"]["reason"] == "pain" and result.report["pain_rating"]["value"] == 8


def test_no_pain_rating_when_skipped_interrupted_or_nobody_can_answer(tmp_path: Path) -> None:
    result, _ = run(tmp_path / "a", lying, 2.0, asker=Asker(None))
    assert "pain_rating" not in result.report
    result, _ = run(tmp_path / "b", lying, 2.0, asker=None)
    assert "pain_rating" not in result.report
    stop = StopRequests()

    class CtrlC(Keys):
        def __call__(self) -> Optional[str]:
            if self.frames + 1 == 30:
                stop.reason = "interrupted"
            return None

    asker = Asker(5)
    result, _ = run(tmp_path / "c", lying, 3.0, keys=CtrlC({}), asker=asker, stop=stop)
    assert result.ended == "interrupted" and asker.asked == 0 and "pain_rating" not in result.report


def test_a_raised_hand_shows_how_long_until_the_pain_stop(tmp_path: Path) -> None:
    display = Recorder()
    result, _ = run(tmp_path, lambda i, t: hand_up(i, t) if t >= 2.0 else lying(i, t), 6.0, display=display)
    assert result.ended == "pain"
    h = display.shown[0].shape[0]

    def banner_high_up(img: np.ndarray) -> bool:  # a row dark from edge to edge, above the middle
        return bool(((img[: h // 2].max(axis=2) < 70).mean(axis=1) > 0.97).any())

    marked = [banner_high_up(img) for img in display.shown]
    assert not any(marked[: int(2.2 * FPS)])  # nothing before the hand went up
    assert all(marked[int(2.6 * FPS): int(3.8 * FPS)])  # then the countdown, until the stop


# -- the pain rating's question, answered ---------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class KeyWindow(Headless):
    """A window whose keys come from a list; each wait advances the clock by the time waited."""

    def __init__(self, keys: list[Optional[str]], clock: Clock, closed_after: int = 10_000) -> None:
        self.keys, self.clock, self.waits, self.closed_after = list(keys), clock, 0, closed_after
        self.shown: list[np.ndarray] = []

    def show(self, image: np.ndarray) -> None:
        self.shown.append(image)

    def wait_key(self, seconds: float) -> Optional[str]:
        self.waits += 1
        self.clock.now += seconds
        return self.keys.pop(0) if self.keys else None

    def closed(self) -> bool:
        return self.waits >= self.closed_after


@pytest.mark.parametrize("keys,answer", [(["7"], 7), (["x", None, "t"], 10), (["0"], 0), (["\x1b"], None),
                                         (["\r", "5"], None), ([], None)])
def test_the_window_question_takes_a_key(keys: list, answer: Optional[int]) -> None:
    from coach.live.pain_rating import WindowAsker

    clock = Clock()
    window = KeyWindow(keys, clock)
    image = np.full((240, 320, 3), 120, np.uint8)
    assert WindowAsker(window, timeout_s=15.0, clock=clock).ask(image) == answer
    assert window.shown and not np.array_equal(window.shown[0], image)  # the question drawn over the picture
    assert np.all(image == 120)  # (on a copy)
    if not keys:
        assert clock.now == pytest.approx(15.0)  # no answer: skipped after the timeout


def test_a_closed_window_is_not_waited_for() -> None:
    from coach.live.pain_rating import WindowAsker

    clock = Clock()
    assert WindowAsker(KeyWindow([], clock, closed_after=0), clock=clock).ask(None) is None and clock.now == 0.0


@pytest.mark.parametrize("lines,answer", [(["4\n"], 4), (["10\n"], 10), (["eleven\n", "11\n", " 3 \n"], 3),
                                          (["\n", "6\n"], None), ([], None)])
def test_the_terminal_question_takes_a_number_and_enter(lines: list, answer: Optional[int]) -> None:
    from coach.live.pain_rating import QUESTION, TerminalAsker

    clock = Clock()
    said: list[str] = []

    def read_line(timeout: float) -> Optional[str]:
        if lines:
            return lines.pop(0)
        clock.now += timeout
        return None

    assert TerminalAsker(read_line, said.append, timeout_s=15.0, clock=clock).ask(None) == answer
    assert said[0].startswith(QUESTION)


def test_ctrl_c_while_the_question_is_asked_skips_it_and_keeps_the_report(tmp_path: Path) -> None:
    from coach.live.pain_rating import WindowAsker

    stop = StopRequests()

    class CtrlCWindow(Headless):
        waits = 0

        def wait_key(self, seconds: float) -> Optional[str]:
            self.waits += 1
            if self.waits == 2:
                stop.reason = "interrupted"  # as the signal handler records it
            return None

    window = CtrlCWindow()
    result, _ = run(tmp_path, lying, 2.0, asker=WindowAsker(window, timeout_s=1000.0), display=window, stop=stop)  # type: ignore[arg-type]
    assert window.waits == 2 and "pain_rating" not in result.report
    assert json.loads((tmp_path / "out" / "report.json").read_text())["live"]["ended"] == "video_ended"


def test_typed_keys_are_not_echoed_into_the_status_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a terminal, echo is off while coaching (a typed ``p`` would stand in the redrawn line) and back
    on for the pain rating's number and at the end."""
    import os
    import pty
    import termios

    from coach.live.display import TerminalKeys

    master, slave = pty.openpty()
    with os.fdopen(slave, "r") as tty:
        monkeypatch.setattr("sys.stdin", tty)
        keys = TerminalKeys()
        assert termios.tcgetattr(slave)[3] & termios.ECHO
        keys.echo(False)
        assert not termios.tcgetattr(slave)[3] & termios.ECHO
        os.write(master, b"p\n")
        deadline = 50
        while deadline and (key := keys()) is None:
            import time

            time.sleep(0.02)
            deadline -= 1
        assert key == "p"
        keys.echo(True)
        assert termios.tcgetattr(slave)[3] & termios.ECHO
        os.close(master)
