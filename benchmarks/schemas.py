"""Throwaway PostgreSQL schemas for the benchmarks: each run gets a fresh one, dropped at the end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text


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
