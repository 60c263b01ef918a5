"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, text

from bot.db import make_engine, make_session_factory, upgrade
from bot.services.similar import similar_to
from models import Base, Idea, Stage
from models.decision_rules import rationale_key
from tests.support.pipeline import flushed_idea, idea_values, seed

# The text search for similar ideas lives outside the models: SQLite's FTS5 table (and its shadow
# tables), made by migration 0007, and PostgreSQL's stored tsvector column and its index, made by 0010.
NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
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


@pytest.fixture
def unmigrated(engine, tmp_path) -> Iterator[Engine]:
    """An empty database of the same kind as `engine`: a new SQLite file, or a new PostgreSQL schema."""
    if engine.dialect.name == "sqlite":
        fresh = make_engine(f"sqlite:///{tmp_path / 'unmigrated.db'}")
        yield fresh
        fresh.dispose()
        return
    schema = f"unmigrated_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    fresh = make_engine(engine.url.render_as_string(hide_password=False), search_path=schema)
    try:
        yield fresh
    finally:
        fresh.dispose()
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


def test_a_pipeline_from_before_0010_is_searchable_and_its_decisions_get_their_rationale_key(unmigrated):
    upgrade(unmigrated, "0009")
    seed(make_session_factory(unmigrated), 3)  # no Go among them: their decisions come next, as 0009 wrote them
    loan = {"title": "Text members when a loan document is missing", "problem": "Loan files stall for days."}
    rationales = ["Fits the loan goal, cheap to try.", "  fits the LOAN goal; cheap to try!", "..."]
    with unmigrated.begin() as connection:
        ideas = connection.execute(text("SELECT id FROM ideas ORDER BY id")).scalars().all()
        [loan_idea] = connection.execute(
            insert(Idea.__table__).returning(Idea.__table__.c.id), [idea_values(3, Stage.SUBMITTED, NOW, **loan)]
        ).scalars()
        for idea_id, rationale in zip(ideas, rationales, strict=True):
            connection.execute(
                text(
                    "INSERT INTO decisions (idea_id, outcome, decided_by, decided_at, scores, weighted_score, "
                    "goals_considered, rationale) VALUES (:idea, 'go', 'UDECIDER1', :at, '[]', 3.0, '[]', :rationale)"
                ),
                {"idea": idea_id, "at": datetime(2027, 3, 1, tzinfo=UTC), "rationale": rationale},
            )

    upgrade(unmigrated)

    with unmigrated.connect() as connection:
        keys = dict(connection.execute(text("SELECT rationale, rationale_key FROM decisions")).all())
    assert keys[rationales[0]] == keys[rationales[1]] == rationale_key(rationales[0]) is not None
    assert keys["..."] is None
    with make_session_factory(unmigrated)() as session:  # the ideas written before 0010 are searched too
        idea = flushed_idea(session, "Remind members about a missing loan document", "Loans stall for days.", NOW)
        assert [found.id for found in similar_to(session, idea)] == [loan_idea]
