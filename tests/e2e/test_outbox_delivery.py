"""The outbox end to end: crashes at the two dangerous moments, order within a conversation, and
messages Slack refuses for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.outbox import Outbox
from bot.outbox.store import LEASE
from bot.views.ids import Action, Purpose
from models import CoachingThread, OutboxStatus, SlackMessage, ThreadMessage
from tests.conftest import COACH, COACH_2, PMO_CHANNEL, SUBMITTER
from tests.e2e.test_coaching import reply
from tests.e2e.test_outbox_faults import _outbox_on_driver, assert_everything_arrived_once, burst, prepared  # noqa: F401
from tests.support.flows import click_card, coach_this, coaching_thread, count, submit_idea
from tests.support.outbox import assert_each_post_once, drain, pending, rows, tagged_posts


class Crash(BaseException):
    """The process dying: not an Exception, so nothing in the app catches it."""


def restarted(app) -> Outbox:
    """What a new process builds on start: an outbox of its own (another lease owner), same database."""
    runtime = app.runtime
    return Outbox(runtime.gateway, runtime.session_factory, runtime.clock, runtime.settings.pmo_channel_id)


def test_killed_between_commit_and_delivery_everything_goes_out_once_after_restart(
    slack, app, session_factory, monkeypatch
):
    intakes, previews = prepared(slack, session_factory)
    monkeypatch.setattr(app.runtime.outbox, "kick", lambda ids: (_ for _ in ()).throw(Crash()))
    burst(slack, intakes, previews)
    assert len(pending(session_factory)) >= 2 * len(intakes) + 3 * len(previews)
    assert not tagged_posts(slack.fake).keys() & {row.id for row in pending(session_factory)}

    drain(restarted(app))
    assert_everything_arrived_once(slack, session_factory, previews)


def test_killed_after_slacks_answer_before_the_mark_nothing_is_posted_twice(slack, app, session_factory, monkeypatch):
    intakes, previews = prepared(slack, session_factory)
    idea_id = submit_idea(slack)
    post = app.runtime.gateway.post_message

    def answered_then_died(*args, **kwargs):
        post(*args, **kwargs)
        raise Crash()

    def kickoff_answered_then_died(channel, *args, **kwargs):
        post(channel, *args, **kwargs)
        if channel.startswith("G"):
            raise Crash()

    monkeypatch.setattr(app.runtime.gateway, "post_message", answered_then_died)
    burst(slack, intakes, previews)
    monkeypatch.setattr(app.runtime.gateway, "post_message", kickoff_answered_then_died)
    coach_this(slack, idea_id, COACH)  # the kickoff is posted, but its thread is not yet recorded
    assert coaching_thread(session_factory, idea_id) is None
    accepted = len(slack.fake.posted_to())
    monkeypatch.undo()

    # A new process: the dead one's leases run out, and its rows are looked for before anything is re-posted.
    drain(restarted(app), start=datetime.now(UTC) + LEASE + timedelta(seconds=1))
    assert_everything_arrived_once(slack, session_factory, previews)
    thread = coaching_thread(session_factory, idea_id)
    kickoff = next(row for row in rows(session_factory) if row.idea_id == idea_id and row.opens_thread_for)
    assert (thread.channel_id, thread.thread_ts, thread.coach_id) == (kickoff.conversation_id, kickoff.posted_ts, COACH)
    assert len(slack.fake.posted_to()) > accepted  # only what had never reached Slack was posted


def test_an_update_waits_for_its_post_and_a_reply_for_its_parent(slack, session_factory):
    slack.fake.outage("chat.postMessage")
    idea_id = submit_idea_quietly(slack)
    coach_this(slack, idea_id, COACH)
    assert slack.fake.calls_to("chat.update") == [], "the card's update waits for the card"
    assert coaching_thread(session_factory, idea_id) is None

    slack.fake.recover()
    slack.fake.reset()
    drain(slack.app_outbox, start=datetime.now(UTC) + timedelta(seconds=31))
    assert_each_post_once(slack.fake, session_factory)
    card = next(m for m in slack.fake.posted_to(PMO_CHANNEL) if not m["thread_ts"])
    order = [(c.method, c.get("channel"), c.get("ts"), c.get("thread_ts")) for c in slack.fake.calls]
    card_posted = next(i for i, c in enumerate(order) if c[0] == "chat.postMessage" and c[1] == PMO_CHANNEL)
    card_updated = next(i for i, c in enumerate(order) if c[0] == "chat.update")
    assert card_posted < card_updated and order[card_updated][2] == card["ts"]
    note = next(m for m in slack.fake.posted_to(PMO_CHANNEL) if m["thread_ts"])
    assert note["thread_ts"] == card["ts"], "the stage note lands in the card's thread"
    assert coaching_thread(session_factory, idea_id).thread_ts is not None


def submit_idea_quietly(slack) -> int:
    """Submit an idea while chat.postMessage fails: its id from the database, not from the card."""
    from tests.support.flows import GOOD_ANSWERS, open_intake

    view = open_intake(slack)
    assert slack.submit_view(view, GOOD_ANSWERS, user=SUBMITTER).status == 200
    return max(row.idea_id for row in rows(slack.app_outbox.session_factory) if row.idea_id)


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived", "invalid_blocks"])
def test_a_permanent_refusal_is_given_up_and_the_pmo_told_once(slack, session_factory, error):
    slack.fake.fail("chat.postMessage", error)  # the first post of the submission: the receipt DM
    submit_idea_quietly(slack)
    for minutes in range(1, 4):
        slack.app_outbox.run_once(now=datetime.now(UTC) + timedelta(minutes=minutes))

    given_up = [row for row in rows(session_factory) if row.status == OutboxStatus.GIVEN_UP]
    assert [(row.channel_id, row.remember_as, row.last_error) for row in given_up] == [
        (SUBMITTER, Purpose.RECEIPT, error)
    ]
    told = [m for m in slack.fake.posted_to(PMO_CHANNEL) if "couldn't deliver" in (m["text"] or "")]
    assert len(told) == 1 and f"<@{SUBMITTER}>" in told[0]["text"]
    attempts = [c for c in slack.fake.calls_to("chat.postMessage") if c.get("channel") == SUBMITTER]
    assert len(attempts) == 1, "never retried"
    given_up_ids = {row.id for row in given_up}
    assert all(row.status == OutboxStatus.SENT for row in rows(session_factory) if row.id not in given_up_ids)


def test_replies_in_an_earlier_coachs_thread_are_still_kept_with_the_idea(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    first = coaching_thread(session_factory, idea_id)
    click_card(slack, Action.ASSIGN_COACH, idea_id, COACH)
    slack.submit_view(slack.fake.only("views.open")["view"], {"coach": COACH_2}, user=COACH)
    second = coaching_thread(session_factory, idea_id)
    assert second.id != first.id

    assert reply(slack, first, SUBMITTER, "Still thinking about the pay stub.", "1800000005.000100").status == 200
    assert reply(slack, second, COACH_2, "Hello from your new coach.", "1800000006.000100").status == 200
    with session_factory() as session:
        kept = session.scalars(select(ThreadMessage).order_by(ThreadMessage.ts)).all()
        assert [(m.idea_id, m.thread_id, m.text) for m in kept] == [
            (idea_id, first.id, "Still thinking about the pay stub."),
            (idea_id, second.id, "Hello from your new coach."),
        ]
    assert count(session_factory, CoachingThread, CoachingThread.idea_id == idea_id) == 2
    with session_factory() as session:
        kickoff = session.scalar(select(SlackMessage).where(SlackMessage.purpose == Purpose.KICKOFF))
        assert (kickoff.channel_id, kickoff.ts) == (second.channel_id, second.thread_ts)
