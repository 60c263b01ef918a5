"""Several app instances on one database, and replies arriving together: nothing lost, nothing doubled."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.app import create_app, wsgi_app
from models import Idea, ProcessedEvent, SlackMessage, ThreadMessage
from tests.conftest import COACH, SIGNING_SECRET, SUBMITTER
from tests.e2e.test_coaching import reply
from tests.support.driver import SlackDriver, TrackingExecutor
from tests.support.flows import GOOD_ANSWERS, coach_this, coaching_thread, count, open_intake, submit_idea

REPLIES = 20


@pytest.fixture
def other(settings, strategy, session_factory, fake_slack) -> Iterator[SlackDriver]:
    """A second instance of the app (its own Bolt app, listener pool and HTTP server) on the same database."""
    app = create_app(settings, strategy, session_factory=session_factory, listener_executor=TrackingExecutor())
    driver = SlackDriver(wsgi_app(app), SIGNING_SECRET, app.listener_runner.listener_executor, fake_slack)
    yield driver
    driver.stop()


@pytest.mark.parametrize("at_a_time", [2, 10])
@pytest.mark.parametrize("instances", [1, 2])
def test_replies_arriving_together_are_all_stored_once(slack, other, session_factory, at_a_time, instances):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)
    drivers = [slack, other][:instances]

    def send(n: int) -> int:
        author = SUBMITTER if n % 2 else COACH
        driver = drivers[n % instances]
        return reply(driver, thread, author, f"reply {n}", f"18000000{n:02d}.000100", f"EvR{n:03d}").status

    statuses = []
    with ThreadPoolExecutor(at_a_time) as pool:
        for start in range(0, REPLIES, at_a_time):
            statuses += pool.map(send, range(start, start + at_a_time))

    assert statuses == [200] * REPLIES
    assert count(session_factory, ThreadMessage) == REPLIES
    assert count(session_factory, ProcessedEvent) == REPLIES
    with session_factory() as session:
        idea = session.get(Idea, idea_id)
        assert idea.last_reply_at.timestamp() == 1800000019.0001


def test_submissions_and_retried_events_spread_over_two_instances_are_counted_exactly(slack, other, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)
    views = [open_intake(slack) | {"id": f"VBOTH{n:03d}"} for n in range(10)]

    def submit_on_both(n: int) -> list[int]:
        return [
            driver.submit_view(views[n], GOOD_ANSWERS, user=SUBMITTER, view_hash=f"h.{n}").status
            for driver in (slack, other)[:: 1 if n % 2 else -1]
        ]

    def reply_on_both(n: int) -> list[int]:
        ts, event_id = f"18000001{n:02d}.000100", f"EvBoth{n:03d}"
        return [
            reply(slack, thread, SUBMITTER, f"reply {n}", ts, event_id).status,
            reply(other, thread, SUBMITTER, f"reply {n}", ts, event_id, retry=1).status,
        ]

    with ThreadPoolExecutor(8) as pool:
        submitted = [pool.submit(submit_on_both, n) for n in range(10)]
        replied = [pool.submit(reply_on_both, n) for n in range(10)]
        statuses = [status for future in submitted + replied for status in future.result()]

    assert statuses == [200] * 40
    assert count(session_factory, Idea) == 11
    assert count(session_factory, SlackMessage, SlackMessage.purpose == "intake_card") == 11
    assert count(session_factory, ThreadMessage) == 10
    assert count(session_factory, ProcessedEvent) == 10
