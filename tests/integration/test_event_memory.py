"""Event ids are remembered long enough to drop Slack's retries, and then forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.services.coaching import forget_old_events
from models import ProcessedEvent

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
