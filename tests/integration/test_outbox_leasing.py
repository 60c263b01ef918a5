"""Rows written already leased to their sender: sent after the commit without a claim, in order, and
never by two senders."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from bot.db import transaction
from bot.delivery import Post, Update
from bot.outbox import store
from models import OutboxStatus
from tests.conftest import PMO_CHANNEL
from tests.integration.test_outbox_workers import an_outbox, due, ideas
from tests.support.outbox import assert_each_post_once, drain, rows


def leased_to(session_factory, owner: str) -> list[str]:
    return [row.text for row in rows(session_factory) if row.lease_owner == owner]


def test_the_first_row_of_each_conversation_is_written_leased_and_sent_without_a_claim(
    session_factory, fake_slack, engine
):
    outbox = an_outbox(session_factory, fake_slack)
    first, second = ideas(session_factory, 2)
    with transaction(session_factory) as session:
        ids = outbox.add(
            session,
            [
                Post(PMO_CHANNEL, "card", idea_id=first),
                Post(PMO_CHANNEL, "note on the card", idea_id=first),  # behind the card in its order
                Post(PMO_CHANNEL, "other card", idea_id=second),
            ],
        )
    assert leased_to(session_factory, outbox.owner) == ["card", "other card"]

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    outbox.kick(ids)

    assert [m["text"] for m in fake_slack.posted_to(PMO_CHANNEL)] == ["card", "note on the card", "other card"]
    # Three sends, one claim: only the note, which had to wait for the card, was leased after the commit.
    claims = [s for s in statements if "attempts=(outbox.attempts+" in s.replace(" ", "")]
    assert len(claims) == 1
    assert_each_post_once(fake_slack, session_factory)


def test_a_row_behind_an_undelivered_one_waits_its_turn(session_factory, fake_slack):
    outbox = an_outbox(session_factory, fake_slack)
    [idea_id] = ideas(session_factory, 1)
    with transaction(session_factory) as session:
        due(session, [Post(PMO_CHANNEL, "earlier", idea_id=idea_id)])  # written, not yet sent
    with transaction(session_factory) as session:
        [later] = outbox.add(session, [Post(PMO_CHANNEL, "later", idea_id=idea_id)])
    assert leased_to(session_factory, outbox.owner) == []

    outbox.kick([later])
    assert fake_slack.posted_to(PMO_CHANNEL) == []  # not before "earlier"
    drain(outbox)
    assert [m["text"] for m in fake_slack.posted_to(PMO_CHANNEL)] == ["earlier", "later"]


def test_a_rolled_back_lease_is_forgotten(session_factory, fake_slack):
    outbox = an_outbox(session_factory, fake_slack)
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        [lost] = outbox.add(session, [Post(PMO_CHANNEL, "never committed")])
        raise RuntimeError("the change failed")
    with transaction(session_factory) as session:
        [row] = store.rows_for(session, [Post(PMO_CHANNEL, "committed")], datetime.now(UTC))
        row_id = row.id  # SQLite may give the rolled-back row's id again

    outbox.kick([row_id])
    assert [m["text"] for m in fake_slack.posted_to(PMO_CHANNEL)] == ["committed"]
    assert lost is not None


def test_a_leased_row_its_sender_never_sends_goes_out_once_after_the_lease(session_factory, fake_slack):
    crashed, worker = an_outbox(session_factory, fake_slack), an_outbox(session_factory, fake_slack)
    with transaction(session_factory) as session:
        crashed.add(session, [Post(PMO_CHANNEL, "orphan")])

    assert worker.run_once() == 0  # leased to a sender that may still be sending it
    drain(worker, start=datetime.now(UTC) + timedelta(seconds=31))
    assert [m["text"] for m in fake_slack.posted_to(PMO_CHANNEL)] == ["orphan"]
    assert [row.status for row in rows(session_factory)] == [OutboxStatus.SENT]


def test_writers_of_one_conversation_take_turns(session_factory, fake_slack):
    """The second writer waits for the first to commit, then sees its row as earlier and does not lease."""
    first, second = an_outbox(session_factory, fake_slack), an_outbox(session_factory, fake_slack)
    [idea_id] = ideas(session_factory, 1)
    written, finished = threading.Event(), threading.Event()

    def later_writer() -> None:
        written.wait(5)
        with transaction(session_factory) as session:
            second.add(session, [Post(PMO_CHANNEL, "second", idea_id=idea_id)])
        finished.set()

    thread = threading.Thread(target=later_writer)
    thread.start()
    with transaction(session_factory) as session:
        first.add(session, [Post(PMO_CHANNEL, "first", idea_id=idea_id)])
        written.set()
        time.sleep(0.3)
        assert not finished.is_set()  # held until our commit
    thread.join(10)

    assert finished.is_set()
    assert leased_to(session_factory, first.owner) == ["first"] and leased_to(session_factory, second.owner) == []


def test_a_stopping_sender_gives_back_what_it_has_not_begun_to_send(session_factory, fake_slack):
    stopping, worker = an_outbox(session_factory, fake_slack), an_outbox(session_factory, fake_slack)
    with transaction(session_factory) as session:
        stopping.add(session, [Post(PMO_CHANNEL, "left behind")])

    assert stopping.release_unsent() == 1
    [row] = rows(session_factory)
    assert (row.lease_owner, row.attempts, row.in_doubt) == (None, 0, False)
    assert worker.run_once() == 1  # at once, not after the lease; never attempted, so not looked for
    assert [m["text"] for m in fake_slack.posted_to(PMO_CHANNEL)] == ["left behind"]
    assert fake_slack.calls_to("conversations.history") == []


def test_a_lease_written_long_ago_is_not_used_near_its_end(session_factory, fake_slack, monkeypatch):
    outbox = an_outbox(session_factory, fake_slack)
    with transaction(session_factory) as session:
        [row_id] = outbox.add(session, [Post(PMO_CHANNEL, "late")])
    later = time.monotonic() + 25  # the lease (30 s) has less left than one send may take
    monkeypatch.setattr("bot.outbox.sender.time.monotonic", lambda: later)

    assert outbox.deliver(row_id) is None  # leased, so not claimable either: left to whoever holds it next
    assert fake_slack.posted_to(PMO_CHANNEL) == []


def test_an_update_of_a_message_never_posted_is_skipped_with_its_reason_and_sent_to_nobody(session_factory, fake_slack):
    outbox = an_outbox(session_factory, fake_slack)
    [idea_id] = ideas(session_factory, 1)
    with transaction(session_factory) as session:
        [row_id] = outbox.add(session, [Update(idea_id, "intake_card", "the card, updated")])

    assert outbox.deliver(row_id) is False

    [row] = rows(session_factory)
    assert (row.status, row.last_error, row.lease_until, row.in_doubt) == (
        OutboxStatus.SKIPPED,
        "no intake_card message",
        None,
        False,
    )
    assert fake_slack.calls_to("chat.update") == [] and fake_slack.calls_to("chat.postMessage") == []
