"""Instances started together on one PostgreSQL database take turns at the migrations; both come up."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from models import Base

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 10


def _postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL runs migrations from several processes at once")
    return engine


@pytest.fixture
def fresh_schemas(engine):
    """Names of empty schemas on the test server, dropped afterwards."""
    engine = _postgres(engine)
    names = [f"race_{os.getpid()}_{uuid.uuid4().hex[:6]}_{n}" for n in range(TRIALS)]
    with engine.begin() as connection:
        for name in names:
            connection.execute(text(f"CREATE SCHEMA {name}"))
    yield names
    with engine.begin() as connection:
        for name in names:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))


def _tables(engine: Engine, schema: str) -> set[str]:
    return set(inspect(engine).get_table_names(schema=schema))


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_two_db_upgrade_commands_started_together_both_succeed_every_time(engine, fresh_schemas, tmp_path):
    """Ten fresh schemas; for each, two `idea-coach db upgrade` runs (in two processes) start at once."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "PMO_"))}
    env |= {"LOG_LEVEL": "WARNING"}
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.migrate_race", _url(engine), str(tmp_path), *fresh_schemas],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [racer.communicate(timeout=120)[0] for racer in racers]

    expected = "".join(f"{schema} 0 ok: database is at the latest schema\n" for schema in fresh_schemas)
    assert outputs == [expected, expected]
    for schema in fresh_schemas:
        assert set(Base.metadata.tables) <= _tables(engine, schema)
