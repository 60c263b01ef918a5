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


def test_two_processes_migrating_one_schema_together_both_succeed_every_time(engine, fresh_schemas, tmp_path):
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.migrate_race", _url(engine), str(tmp_path), *fresh_schemas],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [racer.communicate(timeout=120)[0] for racer in racers]

    expected = "".join(f"{schema} ok\n" for schema in fresh_schemas)
    assert outputs == [expected, expected]
    for schema in fresh_schemas:
        assert set(Base.metadata.tables) <= _tables(engine, schema)


def test_two_db_upgrade_commands_started_together_both_succeed(engine, fresh_schemas):
    schema = fresh_schemas[0]
    url = f"{_url(engine)}?options=-csearch_path%3D{schema}"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "PMO_"))}
    commands = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"],
            cwd=ROOT,
            env=env | {"DATABASE_URL": url},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(command.wait(timeout=120), command.stdout.read(), command.stderr.read()) for command in commands]

    assert [(code, out) for code, out, _ in results] == [(0, "ok: database is at the latest schema\n")] * 2, results
    assert set(Base.metadata.tables) <= _tables(engine, schema)
