"""Several workers on one database: each row is leased by one of them and posted once, in order."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bot.db import transaction
from bot.delivery import Post
from bot.outbox import Outbox, store
from bot.slack import SlackGateway, make_web_client
from models import Idea, OutboxStatus, Stage
from tests.conftest import PMO_CHANNEL, SUBMITTER
from tests.support.outbox import assert_each_post_once, rows

CONVERSATIONS = 6
PER_CONVERSATION = 8


def an_outbox(session_factory, fake_slack) -> Outbox:
    gateway = SlackGateway(make_web_client("xoxb-test", fake_slack.url))
    return Outbox(gateway, session_factory, lambda: datetime.now(UTC), PMO_CHANNEL)


def due(session, messages) -> None:
    """Rows due and leased to nobody, as a sender leaves them when it could not send them at once."""
    store.rows_for(session, messages, datetime.now(UTC))


def ideas(session_factory, count: int) -> list[int]:
    now = datetime.now(UTC)
    with transaction(session_factory) as session:
        made = [
            Idea(
                title=f"Idea {n}",
                problem="p",
                proposal="q",
                success_signal="s",
                help_offer="no",
                submitter_id=SUBMITTER,
                stage=Stage.SUBMITTED,
                stage_entered_at=now,
                created_at=now,
                updated_at=now,
            )
            for n in range(count)
        ]
        session.add_all(made)
        session.flush()
        return [idea.id for idea in made]


def test_two_workers_post_every_row_once_and_each_conversation_in_order(session_factory, fake_slack):
    idea_ids = ideas(session_factory, CONVERSATIONS)
    with transaction(session_factory) as session:
        for step in range(PER_CONVERSATION):
            due(session, [Post(PMO_CHANNEL, f"{idea_id}:{step}", idea_id=idea_id) for idea_id in idea_ids])

    workers = [an_outbox(session_factory, fake_slack) for _ in range(2)]
    start = threading.Barrier(2)

    def work(outbox: Outbox) -> None:
        start.wait()
        while outbox.run_once():
            pass

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert_each_post_once(fake_slack, session_factory)
    for idea_id in idea_ids:
        said = [m["text"] for m in fake_slack.posted_to(PMO_CHANNEL) if m["text"].startswith(f"{idea_id}:")]
        assert said == [f"{idea_id}:{step}" for step in range(PER_CONVERSATION)]


def test_delivered_rows_are_forgotten_after_a_week_refused_ones_after_a_month_undelivered_ones_never(
    session_factory, fake_slack
):
    outbox = an_outbox(session_factory, fake_slack)
    with transaction(session_factory) as session:
        sent = outbox.add(session, [Post(PMO_CHANNEL, "delivered")])
    outbox.kick(sent)
    fake_slack.fail("chat.postMessage", "channel_not_found")
    with transaction(session_factory) as session:
        refused = outbox.add(session, [Post("CGONE00001", "refused for good", tells_pmo_on_failure=False)])
    outbox.kick(refused)
    fake_slack.outage("chat.postMessage")
    with transaction(session_factory) as session:
        stuck = outbox.add(session, [Post(PMO_CHANNEL, "not yet")])
    outbox.kick(stuck)

    def left_after(days: int) -> list[str]:
        store.forget_delivered(session_factory, datetime.now(UTC) + timedelta(days=days))
        return [row.status for row in rows(session_factory)]

    assert store.backlog(session_factory)[0] == 1
    assert left_after(6) == [OutboxStatus.SENT, OutboxStatus.GIVEN_UP, OutboxStatus.PENDING]
    assert left_after(8) == [OutboxStatus.GIVEN_UP, OutboxStatus.PENDING]
    assert left_after(29) == [OutboxStatus.GIVEN_UP, OutboxStatus.PENDING]
    assert left_after(31) == [OutboxStatus.PENDING]
    assert [row.id for row in rows(session_factory)] == stuck


def test_a_run_attempts_each_row_once_even_when_slack_says_retry_at_once(session_factory, fake_slack):
    outbox = an_outbox(session_factory, fake_slack)
    fake_slack.rate_limit("chat.postMessage", times=100, retry_after=0)
    with transaction(session_factory) as session:
        due(session, [Post(PMO_CHANNEL, "one"), Post(PMO_CHANNEL, "two")])

    assert outbox.run_once() == 2
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert store.backlog(session_factory)[0] == 2
