"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from models import Base

# The text search for similar ideas lives outside the models: SQLite's FTS5 table (and its shadow
# tables), made by migration 0007, and PostgreSQL's stored tsvector column and its index, made by 0010.
TEXT_SEARCH = ("ideas_fts", "ix_ideas_text_search", "text_search")


def _modelled(name, type_, parent_names) -> bool:
    return not (name or "").startswith(TEXT_SEARCH)


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _modelled})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_exists_after_upgrade(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
