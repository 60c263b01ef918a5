"""Fixtures shared by every test: databases (SQLite and PostgreSQL), the fake Slack and the app.

Every test that asks for `session_factory` (directly or through `slack`) runs once on SQLite and once
on PostgreSQL. PostgreSQL comes from TEST_POSTGRES_URL (default: the local server); when it cannot be
reached those runs are skipped with the reason, unless REQUIRE_POSTGRES=1, when they fail.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import gc
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.app import create_app, wsgi_app
from bot.config import Settings, load_strategy
from bot.db import make_engine, make_session_factory, upgrade
from models import Base
from tests.support import connection_guard
from tests.support.driver import SlackDriver, TrackingExecutor
from tests.support.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SIGNING_SECRET = "test-signing-secret-8f14e45fceea167a"
PMO_CHANNEL = "CPMO00001"
COACH = "UCOACH0001"
COACH_2 = "UCOACH0002"
SUBMITTER = "USUBMIT001"
OUTSIDER = "UOUTSIDE01"

_engines: dict[str, Engine] = {}

# Digest charts are drawn in this process (matplotlib imported once), not in a child per chart as in
# production; tests/unit/test_nudge_views.py draws one in a child.
os.environ.setdefault("IDEA_COACH_CHART_IN_PROCESS", "1")


# --- taking turns under pytest-xdist -----------------------------------------------------------------
# The suite runs on several worker processes (`-n` in pyproject.toml's addopts). A test marked `exclusive`
# measures wall-clock time against a bound (acks within 1 s while Slack is slow) and must not share the CPU
# with another worker's test: it runs alone. Every test takes a shared lock on one file for its whole
# setup, call and teardown; an exclusive test takes that lock exclusively. A second file is the turnstile
# in front of it: a test passes through it before taking its shared lock, and an exclusive test holds it
# while it waits for the other workers' running tests to end, so they cannot keep slipping in ahead of it.
# Once its timed part is over, an exclusive test may share the rest (`taking_turns.share()`).


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject.toml): one worker more than the CPUs, since much of a test's time is spent waiting
    (on the fake Slack, PostgreSQL, a child process); on 2 CPUs, 3 workers took 107 s where 2 took 125 s.
    PYTEST_XDIST_AUTO_NUM_WORKERS still decides when it is set (pytest-xdist's own hook reads it)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return len(os.sched_getaffinity(0)) + 1


def pytest_configure(config: pytest.Config) -> None:
    connection_guard.install()
    if not hasattr(config, "workerinput"):  # the controller (or a run in one process)
        config.stash[_TURNS] = Path(tempfile.mkdtemp(prefix="idea-coach-turns-"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist: every worker gets the controller's lock folder."""
    node.workerinput["idea_coach_turns"] = str(node.config.stash[_TURNS])


def pytest_unconfigure(config: pytest.Config) -> None:
    if folder := config.stash.get(_TURNS, None):
        shutil.rmtree(folder, ignore_errors=True)


_TURNS = pytest.StashKey[Path]()


class Turn:
    """A worker's turn, shared or exclusive (tests/conftest.py: taking turns)."""

    def __init__(self, turnstile=None, held=None) -> None:
        self._turnstile, self._held = turnstile, held

    def share(self) -> None:
        """An exclusive turn's timed part is over: the other workers' tests may run alongside the rest."""
        if self._turnstile is not None:
            fcntl.flock(self._held, fcntl.LOCK_SH)  # nobody else can take it meanwhile: we hold the turnstile
            fcntl.flock(self._turnstile, fcntl.LOCK_UN)
            self._turnstile = None


@contextlib.contextmanager
def turn(config: pytest.Config, *, exclusive: bool = False) -> Iterator[Turn]:
    """Hold this worker's turn: shared with the other workers' tests, or alone with `exclusive`. Every test
    holds one (`taking_turns`); a fixture of wider scope holds one while it starts or stops something, since
    it does that outside any test's turn."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:  # one process: no other test runs meanwhile
        yield Turn()
        return
    folder = Path(workerinput["idea_coach_turns"])
    with (folder / "turnstile").open("a") as turnstile, (folder / "turn").open("a") as held:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        fcntl.flock(held, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        if not exclusive:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        yield Turn(turnstile, held) if exclusive else Turn()  # closing the files releases the locks


@pytest.fixture(autouse=True)
def taking_turns(request: pytest.FixtureRequest) -> Iterator[Turn]:
    """Every test's turn: exclusive for a test marked so, shared for the others."""
    with turn(request.config, exclusive=request.node.get_closest_marker("exclusive") is not None) as taken:
        yield taken


@pytest.fixture(autouse=True)
def _fresh_heap(taking_turns: Turn, request: pytest.FixtureRequest) -> Iterator[None]:
    """An exclusive test starts as a fresh server process would, without hundreds of earlier tests' objects for
    the garbage collector to walk: a full collection among them paused every thread for 0.3 s in the middle of a
    burst. They are collected, and what survives is frozen (left out of collections) until the test ends."""
    if request.node.get_closest_marker("exclusive") is None:
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.fixture(autouse=True)
def _no_slack_call_holds_a_connection() -> Iterator[None]:
    """Fails a test in which the product called the Web API from a thread holding a database connection
    (tests/support/connection_guard.py)."""
    connection_guard.take()
    yield
    if found := connection_guard.take():
        pytest.fail("Web API called while holding a database connection:\n" + "\n".join(found))


# --- databases ------------------------------------------------------------------------------------


def _postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _migrated_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    if backend in _engines:
        return _engines[backend]
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "idea-coach-test.db"
        engine = make_engine(f"sqlite:///{path}")
    else:
        # A schema of its own per test run, so runs on one server (a developer's and CI's) never collide.
        schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        # The production engine and pool, with a schema of its own; no ping before each use, which would
        # add a round trip to every transaction of every test against a server that never restarts under them.
        engine = make_engine(_postgres_url(), search_path=schema, pre_ping=False)
        try:
            with engine.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            atexit.register(_drop_schema, engine, schema)
        except Exception as error:
            engine.dispose()
            reason = f"PostgreSQL unreachable at {_postgres_url()}: {str(error).splitlines()[0]}"
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
    upgrade(engine)
    _engines[backend] = engine
    return engine


def _drop_schema(engine: Engine, schema: str) -> None:
    engine.dispose()
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def _empty(engine: Engine) -> None:
    """Every table emptied, children first, and on PostgreSQL every id sequence back at 1. Not TRUNCATE ...
    RESTART IDENTITY: it gives each table new files and took 70 ms per test; DELETE on a test's few rows and
    setval take 3 ms."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        for table in tables:
            connection.execute(text(f"DELETE FROM {table}"))
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(
                    "SELECT setval(oid, 1, false) FROM pg_class"
                    " WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace"
                )
            )


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = _migrated_engine(request.param, tmp_path_factory)
    _empty(engine)
    return engine


@pytest.fixture
def session_factory(engine: Engine):
    return make_session_factory(engine)


@pytest.fixture(scope="session")
def strategy():
    return load_strategy(ROOT / "strategy.yml")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(fake_slack: FakeSlack) -> Settings:
    return Settings(
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.url,
        database_url="sqlite://",
        pmo_channel_id=PMO_CHANNEL,
        pmo_staff_ids=frozenset({COACH, COACH_2}),
        strategy_file=ROOT / "strategy.yml",
        # Home refreshes only when a test asks (app.runtime.home_refresher.refresh()), so other tests'
        # recorded calls stay exactly what they did.
        home_refresh_seconds=0,
    )


@pytest.fixture
def app(settings, strategy, session_factory):
    executor = TrackingExecutor()  # listeners and post-ack work alike, so `settle` waits for both
    yield create_app(
        settings, strategy, session_factory=session_factory, listener_executor=executor, post_ack_executor=executor
    )
    executor.shutdown(wait=False)  # its threads end, instead of idling on for the rest of the run


@pytest.fixture
def slack(app, fake_slack) -> Iterator[SlackDriver]:
    """The real app served over HTTP, driven by signed Slack requests; the fake Web API records calls."""
    driver = SlackDriver(wsgi_app(app), SIGNING_SECRET, app.listener_runner.listener_executor, fake_slack)
    fake_slack.reset()
    yield driver
    driver.stop()
