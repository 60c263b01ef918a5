"""Engine, session factory and migrations."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
CONFLICTS = ("40001", "40P01")
"""PostgreSQL's serialization failure and deadlock: the transaction was rolled back and may simply be run again."""

log = logging.getLogger(__name__)
T = TypeVar("T")


POOL_SIZE = 5
"""Connections to PostgreSQL per process, and no more. A process runs one thread of Python at a time and
its transactions last milliseconds, so more at once only add contention: in a burst of 30 commands and 30
submissions, 10 connections plus 10 overflow (opened for the burst, closed after it) put the slowest ack at
0.9-1.2 s; 5 and no overflow at 0.6-0.8 s. Nothing holds a connection while it waits on Slack, so a slow
Slack cannot leave requests waiting for one."""


def make_engine(database_url: str, *, search_path: str | None = None, pre_ping: bool = True) -> Engine:
    """The engine for `database_url`; on PostgreSQL, `search_path` picks a schema, and `pre_ping` tests each
    connection as it leaves the pool (a round trip that spares a request the error of a connection the
    server dropped, after a restart or a failover)."""
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"options": f"-csearch_path={search_path}"} if search_path else {}
    return create_engine(
        database_url, connect_args=connect_args, pool_pre_ping=pre_ping, pool_size=POOL_SIZE, max_overflow=0
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with session_factory() as session, session.begin():
        yield session


def engine_of(session_factory: sessionmaker[Session]) -> Engine:
    return session_factory.kw["bind"]


@contextmanager
def plain_transaction(session_factory: sessionmaker[Session]) -> Iterator[Connection]:
    """A transaction on a connection, no ORM session: for hot paths that run only Core statements, where a
    session's set-up and tear-down would cost more CPU than the statements."""
    with engine_of(session_factory).begin() as connection:
        yield connection


def alembic_config(engine: Engine) -> Config:
    # alembic (with mako and pygments) is imported only where migrations run, not in the server
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations. On PostgreSQL an advisory lock (one per schema) makes instances that start
    together take turns: the first migrates, the others then find nothing left to do."""
    from alembic import command

    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), revision)
        return
    with engine.connect() as lock:
        key = lock.scalar(text("SELECT hashtext('idea-coach migrations ' || coalesce(current_schema(), ''))"))
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        lock.commit()
        try:
            command.upgrade(alembic_config(engine), revision)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            lock.commit()


def retrying(work: Callable[[], T], attempts: int = 3) -> T:
    """Run `work` (one whole transaction), again when PostgreSQL rolled it back for a deadlock or a
    serialization failure: the loser of such a race has changed nothing and only needs another turn."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) not in CONFLICTS or attempt == attempts:
                raise
            log.warning("transaction conflict (%s), retrying (%d of %d)", error.orig.sqlstate, attempt, attempts - 1)
            time.sleep(random.uniform(0.005, 0.05) * attempt)
    raise AssertionError("unreachable")


def is_healthy(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
