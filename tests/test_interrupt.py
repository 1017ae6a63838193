"""Ctrl-C mid-analysis loses nothing: the report covers what was analysed and says it was interrupted."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "bridge_clean_01.mp4"


def test_ctrl_c_writes_the_report_of_what_was_analysed(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "coach", "analyze", str(SAMPLE), "--exercise", "bridge",
                             "--out", str(out), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    trace = out / "landmarks.jsonl"
    deadline = time.time() + 120
    # Wait until inference is under way (some frames in the trace), then interrupt.
    while time.time() < deadline and (not trace.exists() or trace.read_text().count("\n") < 31):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().count("\n") == 0 and err.startswith("coach: interrupted")
    report = json.loads((out / "report.json").read_text())
    frames_in_trace = trace.read_text().count("\n") - 1
    assert "interrupted" in report["warnings"]
    assert 29 <= report["source"]["frames"] < 610  # stopped part-way through the 610-frame clip
    assert report["tracking"]["frames_with_pose"] == frames_in_trace
