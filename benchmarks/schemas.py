"""Throwaway databases for the benchmarks: a SQLite file in a temporary folder, or a PostgreSQL schema,
each run a fresh one, removed at the end."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from bot.db import make_engine


@contextmanager
def fresh_schemas(url: str, schema: str) -> Iterator:
    """Yields `fresh()`, which (re)creates `schema` empty and returns an engine bound to it; the caller
    disposes each engine. The schema is dropped when the block ends, however it ends."""
    admin = create_engine(url)

    def fresh() -> Engine:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        return create_engine(url, connect_args={"options": f"-csearch_path={schema}"}, pool_size=5)

    try:
        yield fresh
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@contextmanager
def fresh_database(database: str, postgres_url: str, name: str) -> Iterator[Engine]:
    """An engine on an empty database: `database` is "sqlite" (a file in a temporary folder) or
    "postgresql" (a schema on `postgres_url`); disposed and removed when the block ends."""
    if database == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                yield engine
            finally:
                engine.dispose()
        return
    with fresh_schemas(postgres_url, f"bench_{name.replace('-', '_')}_{os.getpid()}") as fresh:
        engine = fresh()
        try:
            yield engine
        finally:
            engine.dispose()
