"""Whatever Slack does, every card, DM and decision notice arrives exactly once after it recovers.

Each test runs a burst of submissions and decisions while the fake Web API misbehaves, runs the outbox
worker on a fake clock (no real minutes pass), lets Slack recover, and counts what Slack accepted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import create_app, wsgi_app
from bot.outbox.policy import RETRY_CAP
from bot.slack import make_web_client
from bot.views.ids import Action, Purpose
from models import Idea, OutboxStatus, SlackMessage
from tests.conftest import COACH, SIGNING_SECRET, SUBMITTER
from tests.support.driver import SlackDriver, TrackingExecutor
from tests.support.flows import (
    GOOD_ANSWERS,
    click_card,
    click_in_thread,
    coach_this,
    coaching_thread,
    decision_answers,
    open_intake,
    submit_idea,
)
from tests.support.outbox import assert_each_post_once, drain, pending, rows

SUBMISSIONS = 3


def ready_idea(slack, session_factory) -> int:
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    click_in_thread(slack, Action.MARK_READY, idea_id, COACH, coaching_thread(session_factory, idea_id))
    return idea_id


def prepared(slack, session_factory) -> tuple[list[dict], list[tuple[int, dict]]]:
    """Intake modals opened and decision previews pushed while Slack still answered."""
    decided = [ready_idea(slack, session_factory) for _ in range(2)]
    previews = []
    for idea_id, outcome in zip(decided, ("go", "no_go"), strict=True):
        click_card(slack, Action.DECIDE, idea_id, COACH)
        form = slack.fake.calls_to("views.open")[-1]["view"]
        pushed = slack.submit_view(form, decision_answers(outcome), user=COACH).json()
        previews.append((idea_id, pushed["view"]))
    intakes = [open_intake(slack) for _ in range(SUBMISSIONS)]
    return intakes, previews


def burst(slack, intakes, previews) -> None:
    """Submissions and decisions made while Slack misbehaves: each is acked and stored."""
    for view in intakes:
        response = slack.submit_view(view, GOOD_ANSWERS, user=SUBMITTER)
        assert response.status == 200 and response.body == ""
    for _, preview in previews:
        assert slack.submit_view(preview, {}, user=COACH).json() == {"response_action": "clear"}


def assert_everything_arrived_once(slack, session_factory, previews) -> None:
    everything = assert_each_post_once(slack.fake, session_factory)
    remembered = {(row.idea_id, row.remember_as) for row in everything if row.remember_as}
    for idea_id, _ in previews:
        assert (idea_id, Purpose.DECISION_NOTICE) in remembered
    receipts = [row for row in everything if row.remember_as == Purpose.RECEIPT]
    cards = [row for row in everything if row.remember_as == Purpose.INTAKE_CARD]
    with session_factory() as session:
        ideas = session.query(Idea).count()
    assert ideas >= SUBMISSIONS + len(previews)
    assert len(receipts) == len(cards) == ideas
    with session_factory() as session:
        for row in receipts + cards:
            memory = session.query(SlackMessage).filter_by(idea_id=row.idea_id, purpose=row.remember_as).one()
            assert (memory.channel_id, memory.ts) == (row.conversation_id, row.posted_ts)


def test_a_429_storm_is_waited_out_as_long_as_slack_asks(slack, session_factory):
    intakes, previews = prepared(slack, session_factory)
    slack.fake.rate_limit("chat.postMessage", times=10_000, retry_after=120)
    slack.fake.rate_limit("chat.update", times=10_000, retry_after=120)
    started = datetime.now(UTC)
    burst(slack, intakes, previews)

    waiting = pending(session_factory)
    assert waiting and all(
        row.next_attempt_at >= row.created_at + timedelta(seconds=119) for row in waiting if row.attempts
    )
    calls = len(slack.fake.calls)
    slack.app_outbox.run_once(now=started + timedelta(seconds=90))
    assert len(slack.fake.calls) == calls, "nothing is retried before Retry-After has passed"

    slack.app_outbox.run_once(now=started + timedelta(seconds=150))  # Slack still rate-limits: wait again
    assert all(row.status == OutboxStatus.PENDING for row in pending(session_factory))
    slack.fake.recover()
    drain(slack.app_outbox, start=started + timedelta(seconds=300))
    assert_everything_arrived_once(slack, session_factory, previews)


def test_five_minutes_of_5xx_then_everything_within_the_retry_cap(slack, session_factory):
    intakes, previews = prepared(slack, session_factory)
    slack.fake.outage("chat.postMessage", "chat.update", "conversations.history", "conversations.open")
    burst(slack, intakes, previews)
    now = datetime.now(UTC)
    for _ in range(10):  # five minutes of outage, as the worker sees it
        now += timedelta(seconds=30)
        slack.app_outbox.run_once(now=now)
    assert max(row.attempts for row in rows(session_factory)) >= 5
    assert all(row.next_attempt_at <= now + timedelta(seconds=RETRY_CAP) for row in pending(session_factory))

    slack.fake.recover()
    drain(slack.app_outbox, start=now + timedelta(seconds=RETRY_CAP + 1), rounds=1)
    assert_everything_arrived_once(slack, session_factory, previews)


def test_refused_connections_then_everything_once(slack, session_factory):
    intakes, previews = prepared(slack, session_factory)
    slack.fake.refuse_connections()
    burst(slack, intakes, previews)
    now = datetime.now(UTC)
    for _ in range(4):
        now += timedelta(seconds=31)
        slack.app_outbox.run_once(now=now)
    assert pending(session_factory)
    slack.fake.recover()
    drain(slack.app_outbox, start=now + timedelta(seconds=RETRY_CAP + 1), rounds=1)
    assert_everything_arrived_once(slack, session_factory, previews)


PATIENCE = 0.3
"""Seconds the impatient client waits for an answer (each answer given up on costs the test that long)."""
LATE = 1.0
"""Seconds the fake holds a late answer back after doing what was asked: the client has long given up."""


@pytest.fixture
def impatient_slack(settings, strategy, session_factory, fake_slack):
    """The app with a Web API client that gives up after PATIENCE seconds."""
    client = make_web_client(settings.slack_bot_token, settings.slack_api_url, timeout=PATIENCE)
    app = create_app(
        settings, strategy, client=client, session_factory=session_factory, listener_executor=TrackingExecutor()
    )
    driver = SlackDriver(wsgi_app(app), SIGNING_SECRET, app.listener_runner.listener_executor, fake_slack)
    driver.app_outbox = app.runtime.outbox
    yield driver
    driver.stop()


def test_answers_later_than_the_timeout_are_found_not_posted_again(impatient_slack, session_factory):
    slack = impatient_slack
    intakes, previews = prepared(slack, session_factory)
    slack.fake.answer_late("chat.postMessage", LATE, times=100)
    burst(slack, intakes, previews)
    assert any(row.in_doubt for row in pending(session_factory))
    slack.fake.recover()
    drain(slack.app_outbox, start=datetime.now(UTC) + timedelta(seconds=31))
    assert_everything_arrived_once(slack, session_factory, previews)
    assert slack.fake.calls_to("conversations.history"), "rows in doubt were looked for before posting"


@pytest.fixture(autouse=True)
def _outbox_on_driver(request):
    if "slack" in request.fixturenames:
        driver = request.getfixturevalue("slack")
        driver.app_outbox = request.getfixturevalue("app").runtime.outbox
