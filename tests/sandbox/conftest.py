"""A sandbox (stand-in for Slack, page and real bot) per test, on a database of its own and port 0."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import make_engine, upgrade
from sandbox.run import Sandbox, start
from tests.conftest import turn

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def migrated_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the latest schema, made once: each sandbox starts on a copy, and start()'s own migration
    finds nothing to do (150 ms a test otherwise). Starting on a fresh file is tested in test_start.py and
    test_demo.py."""
    path = tmp_path_factory.mktemp("sandbox-template") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    with turn(request.config):  # made outside any test's turn (tests/conftest.py)
        upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def sandbox(tmp_path: Path, migrated_database: Path) -> Iterator[Sandbox]:
    db_path = tmp_path / "idea-coach-sandbox.db"
    shutil.copyfile(migrated_database, db_path)
    running = start(port=0, db_path=db_path, strategy_file=ROOT / "strategy.yml", scheduler=False)
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
