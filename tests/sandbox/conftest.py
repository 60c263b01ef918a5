"""A sandbox (stand-in for Slack, page and real bot) per test, on a database of its own and port 0."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.run import Sandbox, start
from tests.conftest import turn

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    running = start(
        port=0, db_path=tmp_path / "idea-coach-sandbox.db", strategy_file=ROOT / "strategy.yml", scheduler=False
    )
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest):
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        with turn(request.config):  # started and stopped outside any test's turn (tests/conftest.py)
            playwright = stack.enter_context(sync_playwright())
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        with turn(request.config):
            launched.close()
            stack.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Where screenshots go: test-artifacts/<test name>/ (CI keeps the folder)."""
    folder = ROOT / "test-artifacts" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
