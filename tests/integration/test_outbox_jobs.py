"""Nudges and the weekly digest through the outbox: whatever Slack does, each arrives once after it recovers.

On the sweep tests' fixed clock (2027-03-08 is a Monday; New York time); the fake Slack stamps messages
with that clock too, so the look-up of a message in doubt searches the right stretch of history.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Settings
from bot.runtime import Runtime
from bot.services import digest, nudges
from bot.slack import SlackGateway, make_web_client
from models import DeliveryStatus, Digest, Stage
from tests.conftest import COACH
from tests.support.nudging import make_idea, nudges_of, ny
from tests.support.outbox import tagged_posts

MONDAY_9AM = ny(2027, 3, 8, 9)


PATIENCE = 0.3
"""Seconds the client waits for an answer (each answer given up on costs the test that long)."""
LATE = 1.0
"""Seconds the fake holds a late answer back after doing what was asked: the client has long given up."""


def a_runtime(settings: Settings, strategy, session_factory) -> Runtime:
    """The scheduler's runtime, with a Web API client that gives up after PATIENCE seconds."""
    settings = settings.model_copy(
        update={"pmo_lead_id": "ULEAD00001", "pmo_decider_ids": frozenset({COACH, "UDECIDE002"})}
    )
    client = make_web_client(settings.slack_bot_token, settings.slack_api_url, timeout=PATIENCE)
    return Runtime(settings, strategy, session_factory, SlackGateway(client))


FAULTS = {
    "429 storm": lambda fake: fake.rate_limit("chat.postMessage", times=10_000, retry_after=90),
    "5xx": lambda fake: fake.outage(),
    "connection refused": lambda fake: fake.refuse_connections(),
    "answers after the timeout": lambda fake: fake.answer_late("chat.postMessage", LATE, times=10_000),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_nudges_and_the_digest_arrive_once_after_slack_recovers(settings, strategy, session_factory, fake_slack, fault):
    runtime = a_runtime(settings, strategy, session_factory)
    for _ in range(2):
        make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 4, 10))  # the PMO channel
    make_idea(session_factory, Stage.READY_FOR_DECISION, ny(2027, 3, 1, 10), coach=COACH)  # the deciders
    now = [MONDAY_9AM + timedelta(hours=1)]
    fake_slack.clock = lambda: now[0].timestamp()

    def run(at):
        now[0] = at
        nudges.sweep(runtime, at, pause=lambda _seconds: None)
        digest.digest_if_due(runtime, at)

    FAULTS[fault](fake_slack)
    run(now[0])
    run(now[0] + timedelta(minutes=5))
    made = nudges_of(session_factory)
    assert len(made) == 3
    if fault != "answers after the timeout":  # those were posted; the retry finds and adopts them
        assert all(n.status == DeliveryStatus.FAILED for n in made)
    fake_slack.recover()

    for minutes in (20, 65, 185):
        run(MONDAY_9AM + timedelta(hours=1, minutes=minutes))

    made = nudges_of(session_factory)
    assert [n.status for n in made] == [DeliveryStatus.SENT] * 3
    with session_factory() as session:
        week = session.get(Digest, MONDAY_9AM.date())
        assert (week.status, week.message_ts is not None) == (DeliveryStatus.SENT, True)
    counts = tagged_posts(fake_slack)
    assert sorted(counts) == sorted([n.outbox_id for n in made] + [week.outbox_id])
    assert set(counts.values()) == {1}, "each nudge and the digest posted exactly once"
    shared = [c for c in fake_slack.calls_to("files.completeUploadExternal")]
    assert len(shared) >= 1 and len(fake_slack.calls_to("upload")) >= 1


class Crash(BaseException):
    pass


def test_a_sweeper_killed_after_slacks_answer_does_not_nudge_twice(
    settings, strategy, session_factory, fake_slack, monkeypatch
):
    runtime = a_runtime(settings, strategy, session_factory)
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 4, 10))
    at = MONDAY_9AM + timedelta(hours=1)
    fake_slack.clock = lambda: at.timestamp()
    post = runtime.gateway.post_message

    def answered_then_died(*args, **kwargs):
        post(*args, **kwargs)
        raise Crash()

    monkeypatch.setattr(runtime.gateway, "post_message", answered_then_died)
    with pytest.raises(Crash):
        nudges.sweep(runtime, at, pause=lambda _seconds: None)
    monkeypatch.undo()
    [nudge] = nudges_of(session_factory)
    assert nudge.status == DeliveryStatus.PENDING

    restarted = a_runtime(settings, strategy, session_factory)
    nudges.sweep(restarted, at + nudges.LEASE, pause=lambda _seconds: None)

    [nudge] = nudges_of(session_factory)
    assert nudge.status == DeliveryStatus.SENT
    assert dict(tagged_posts(fake_slack)) == {nudge.outbox_id: 1}
    assert fake_slack.calls_to("conversations.history"), "looked for before posting again"
