"""Spoken cues: never blocking the caller, newest cue only, mute, interrupt, and no engine / no sound."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from coach.live.speech import Speaker, _playback_problem, default_command
from test_live_capture import wait_until

# A stand-in for espeak-ng: logs "start TEXT", takes DELAY seconds to "speak", logs "end TEXT".
FAKE = """
import sys, time
log, delay, text = sys.argv[1], float(sys.argv[2]), sys.argv[-1]
with open(log, "a") as f: f.write("start " + text + "\\n")
time.sleep(delay)
with open(log, "a") as f: f.write("end " + text + "\\n")
"""


def fake(tmp_path: Path, delay: float = 0.4, stderr: str = "") -> tuple[list[str], Path]:
    log = tmp_path / "spoken.log"
    code = FAKE + (f"\nsys.stderr.write({stderr!r})\n" if stderr else "")
    return [sys.executable, "-c", code, str(log), str(delay)], log


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_say_returns_at_once_while_the_engine_speaks(tmp_path: Path) -> None:
    cmd, log = fake(tmp_path, delay=0.3)
    speaker = Speaker(cmd, notify=lambda s: None)
    try:
        t0 = time.perf_counter()
        speaker.say("Lift your hips")
        assert time.perf_counter() - t0 < 0.1  # a lock and a notify, never the engine
        wait_until(lambda: "end Lift your hips" in lines(log))
    finally:
        speaker.close()


def test_only_the_newest_waiting_cue_is_spoken(tmp_path: Path) -> None:
    cmd, log = fake(tmp_path, delay=0.4)
    speaker = Speaker(cmd, notify=lambda s: None)
    try:
        speaker.say("one")
        wait_until(lambda: "start one" in lines(log))
        speaker.say("two")  # waiting...
        speaker.say("three")  # ...replaced before it was said
        speaker.drain(10.0)
        assert speaker.spoken == ["one", "three"]
        assert lines(log) == ["start one", "end one", "start three", "end three"]
    finally:
        speaker.close()


def test_interrupt_cuts_off_what_is_being_said(tmp_path: Path) -> None:
    cmd, log = fake(tmp_path, delay=3.0)
    speaker = Speaker(cmd, notify=lambda s: None)
    try:
        speaker.say("a long sentence")
        wait_until(lambda: "start a long sentence" in lines(log))
        speaker.say("stop", interrupt=True)
        wait_until(lambda: "start stop" in lines(log))
        assert "end a long sentence" not in lines(log)  # terminated, not waited for
    finally:
        speaker.close()


def test_mute_silences_and_unmute_speaks_again(tmp_path: Path) -> None:
    cmd, log = fake(tmp_path, delay=3.0)
    speaker = Speaker(cmd, notify=lambda s: None)
    try:
        speaker.say("first")
        wait_until(lambda: "start first" in lines(log))
        assert speaker.toggle_mute() is True  # cuts "first" off
        speaker.say("not said")
        speaker.drain(5.0)
        assert "end first" not in lines(log) and not any("not said" in ln for ln in lines(log))
        assert speaker.toggle_mute() is False
        speaker.say("said")
        wait_until(lambda: "start said" in lines(log))
    finally:
        speaker.close()


def test_no_engine_says_once_that_speech_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to find
    monkeypatch.delenv("COACH_TTS", raising=False)
    assert default_command() is None
    notices: list[str] = []
    speaker = Speaker(notify=notices.append)
    for _ in range(5):
        speaker.say("Lift your hips")
    speaker.close()
    assert not speaker.available
    assert notices == ["speech off: espeak-ng is not installed (sudo apt-get install espeak-ng); "
                       "cues are shown on screen only"]  # says how to turn speech on


def test_an_engine_that_cannot_play_sound_turns_speech_off_once(tmp_path: Path) -> None:
    # espeak-ng without a sound device: exit status 0, "error: ..." on stderr
    cmd, log = fake(tmp_path, delay=0.0, stderr="ALSA lib pcm.c: Unknown PCM default\nerror: No such file or directory\n")
    notices: list[str] = []
    speaker = Speaker(cmd, notify=notices.append)
    try:
        speaker.say("one")
        wait_until(lambda: not speaker.available)
        speaker.say("two")
        speaker.drain(2.0)
        assert notices == [f"speech off: {cmd[0]} cannot play sound (error: No such file or directory: check that "
                           "a sound device is connected and not taken by another program); cues are shown on screen only"]
        assert speaker.spoken == ["one"]
    finally:
        speaker.close()


def test_playback_problems() -> None:
    assert _playback_problem(0, "") is None
    assert _playback_problem(-15, "") is None  # cut off on purpose
    assert _playback_problem(1, "no voice\n") == "no voice"
    assert _playback_problem(0, "ALSA lib ...\nerror: No such file or directory\n") == "error: No such file or directory"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_the_real_engine_speaks_through_the_speaker(tmp_path: Path) -> None:
    wav = tmp_path / "cue.wav"
    speaker = Speaker(["espeak-ng", "-w", str(wav)], notify=lambda s: None)  # to a file: no sound card needed
    try:
        speaker.say("Lift your hips until shoulders, hips and knees line up")
        speaker.drain(10.0)
    finally:
        speaker.close()
    assert speaker.available
    assert wav.read_bytes()[:4] == b"RIFF" and wav.stat().st_size > 10_000
