"""Shared fixtures. The end-to-end analyses (real MediaPipe, see e2e_runs.py) start in the background
as soon as a collected test needs them, so they overlap with the fast unit tests.

No test writes into the user's own coach folders (history database, settings): COACH_DATA_DIR and
COACH_CONFIG_DIR point into a temporary folder for the whole session (so the e2e subprocesses,
started before any test, inherit it), and into a fresh one for each test (``coach_dirs``)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from e2e_runs import RUNS, SampleRuns

E2E_FIXTURE = "sample_runs"
DATA_ENV, CONFIG_ENV = "COACH_DATA_DIR", "COACH_CONFIG_DIR"
_session_home: dict[str, object] = {}  # the session's folder and the variables' previous values


def pytest_configure(config: pytest.Config) -> None:
    # Runs before collection, hence before RUNS.start(): every subprocess inherits these.
    home = Path(tempfile.mkdtemp(prefix="coach-test-home-"))
    _session_home.update(home=home, previous={k: os.environ.get(k) for k in (DATA_ENV, CONFIG_ENV)})
    os.environ[DATA_ENV] = str(home / "data")
    os.environ[CONFIG_ENV] = str(home / "config")


def pytest_unconfigure(config: pytest.Config) -> None:
    previous: dict = _session_home.get("previous", {})  # type: ignore[assignment]
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if "home" in _session_home:
        shutil.rmtree(str(_session_home["home"]), ignore_errors=True)


@pytest.fixture(autouse=True)
def coach_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """This test's own coach data and config folders (not created: code under test creates what it
    needs), set in the environment of the test and of any coach subprocess it starts."""
    home = tmp_path_factory.mktemp("coach-home")
    dirs = {"data": home / "data", "config": home / "config"}
    monkeypatch.setenv(DATA_ENV, str(dirs["data"]))
    monkeypatch.setenv(CONFIG_ENV, str(dirs["config"]))
    return dirs


@pytest.hookimpl(trylast=True)  # after -k / -m deselection: start only what the selected tests need
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    if config.option.collectonly:
        return
    if any(E2E_FIXTURE in getattr(item, "fixturenames", ()) for item in items):
        RUNS.start()


STRICT_JSON_NAMES = ("report.json", "calibration.json")  # what outside checks read (design.md section 3)


def not_strict_json(roots: list[Path]) -> list[str]:
    """The report files under ``roots`` a strict JSON parser refuses (NaN, Infinity, broken text)."""
    def refuse(name: str) -> float:
        raise ValueError(name)

    bad = []
    for root in roots:
        for name in STRICT_JSON_NAMES:
            for path in root.rglob(name) if root.is_dir() else ():
                try:
                    json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
                except (ValueError, UnicodeDecodeError) as err:
                    bad.append(f"{path}: {err}")
    return bad


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every report the product wrote in the suite's subprocesses is parsed with a strict parser: a
    NaN or Infinity anywhere fails the run (report.json must be strict JSON)."""
    # What the product wrote in subprocesses (the sample analyses and replays, the session's own
    # data folder); a report written in-process is refused at write time (json allow_nan=False). Not
    # the tests' temporary folders: some hold reports broken on purpose, as hostile input.
    roots = [Path(str(_session_home["home"])) if _session_home.get("home") else None, RUNS.root]
    bad = not_strict_json([r for r in roots if r is not None])
    RUNS.close()
    if bad:
        print("\nreports that are not strict JSON:\n  " + "\n  ".join(bad))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def sample_runs() -> SampleRuns:
    RUNS.start()
    return RUNS
