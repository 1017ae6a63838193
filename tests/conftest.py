"""Shared fixtures. The end-to-end analyses (real MediaPipe, see e2e_runs.py) start in the background
as soon as a collected test needs them, so they overlap with the fast unit tests."""

from __future__ import annotations

import pytest

from e2e_runs import RUNS, SampleRuns

E2E_FIXTURE = "sample_runs"


@pytest.hookimpl(trylast=True)  # after -k / -m deselection: start only what the selected tests need
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    if config.option.collectonly:
        return
    if any(E2E_FIXTURE in getattr(item, "fixturenames", ()) for item in items):
        RUNS.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    RUNS.close()


@pytest.fixture(scope="session")
def sample_runs() -> SampleRuns:
    RUNS.start()
    return RUNS
