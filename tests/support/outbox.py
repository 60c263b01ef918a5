"""Running the outbox's worker on a fake clock, and checking that every message went out exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.outbox import EVENT_TYPE
from models import OutboxKind, OutboxMessage, OutboxStatus
from tests.support.fake_slack import FakeSlack


def rows(session_factory) -> list[OutboxMessage]:
    with session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def pending(session_factory) -> list[OutboxMessage]:
    return [row for row in rows(session_factory) if row.status == OutboxStatus.PENDING]


def drain(
    outbox, *, start: datetime | None = None, step: timedelta = timedelta(seconds=31), rounds: int = 30
) -> datetime:
    """Run the worker at start, start+step, ... (no real waiting) until nothing is pending; the last time."""
    now = start or datetime.now(UTC)
    for _ in range(rounds):
        outbox.run_once(now=now)
        if not pending(outbox.session_factory):
            return now
        now += step
    raise AssertionError(
        f"still pending after {rounds} rounds: {[(r.id, r.last_error) for r in pending(outbox.session_factory)]}"
    )


def tagged_posts(fake: FakeSlack) -> Counter:
    """How many times Slack accepted each outbox row's post (by the metadata on it)."""
    return Counter(
        message["metadata"]["event_payload"]["outbox_id"]
        for message in fake.posted_to()
        if (message.get("metadata") or {}).get("event_type") == EVENT_TYPE
    )


def assert_each_post_once(fake: FakeSlack, session_factory) -> list[OutboxMessage]:
    """Every outbox post was accepted by Slack exactly once and recorded as sent with Slack's ts."""
    everything = rows(session_factory)
    posts = [row for row in everything if row.kind == OutboxKind.POST]
    assert all(row.status == OutboxStatus.SENT for row in everything), [
        (row.id, row.status, row.last_error) for row in everything if row.status != OutboxStatus.SENT
    ]
    counts = tagged_posts(fake)
    assert dict(counts) == {row.id: 1 for row in posts}
    by_id = {m["metadata"]["event_payload"]["outbox_id"]: m for m in fake.posted_to() if m.get("metadata")}
    assert all(row.posted_ts == by_id[row.id]["ts"] for row in posts)
    return everything
