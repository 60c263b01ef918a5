"""Event ids are remembered long enough to drop Slack's retries, and then forgotten; so are old decision previews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.services import decisions
from bot.services.coaching import forget_old_events
from models import DecisionDraft, ProcessedEvent, Stage
from tests.conftest import COACH
from tests.support.nudging import make_idea

NOW = datetime(2027, 3, 2, 15, 0, tzinfo=UTC)


def test_old_event_ids_are_forgotten_and_recent_ones_kept(app, session_factory):
    with session_factory.begin() as session:
        session.add_all(
            [
                ProcessedEvent(event_id="EvOld", received_at=NOW - timedelta(days=3)),
                ProcessedEvent(event_id="EvRecent", received_at=NOW - timedelta(hours=1)),
            ]
        )

    forgotten = forget_old_events(app.runtime, NOW)

    assert forgotten == 1
    with session_factory() as session:
        assert session.scalars(select(ProcessedEvent.event_id)).all() == ["EvRecent"]


def test_decision_previews_older_than_a_week_are_forgotten_and_recent_ones_kept(app, session_factory):
    idea_id = make_idea(session_factory, Stage.READY_FOR_DECISION, NOW - timedelta(days=10), coach=COACH)
    with session_factory.begin() as session:
        for age in (timedelta(days=8), timedelta(days=6)):
            session.add(DecisionDraft(idea_id=idea_id, decider_id=COACH, payload={}, created_at=NOW - age))

    assert decisions.forget_old_drafts(app.runtime, NOW) == 1
    with session_factory() as session:
        assert session.scalars(select(DecisionDraft.created_at)).all() == [NOW - timedelta(days=6)]
