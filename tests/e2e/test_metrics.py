"""GET /metrics after a scripted journey: acks by kind, Web API calls and errors, nudges, sweeps, outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from bot.db import transaction
from bot.delivery import Post
from bot.scheduler import sweep_job
from bot.views.ids import Action
from models import Stage
from tests.conftest import COACH, PMO_CHANNEL
from tests.support.flows import click_card, submit_idea
from tests.support.nudging import make_idea, ny, runtime_for


def scrape(slack) -> dict[tuple[str, tuple], float]:
    response = slack.get("/metrics")
    assert response.status == 200
    found = {}
    for family in text_string_to_metric_families(response.body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_acks_by_kind_web_api_calls_and_errors_after_a_journey(slack, fake_slack):
    before = scrape(slack)
    idea_id = submit_idea(slack)  # /idea, then the intake modal's submission
    fake_slack.fail("conversations.open", "user_not_found")
    click_card(slack, Action.COACH_THIS.value, idea_id, COACH)  # the group DM cannot be opened
    after = scrape(slack)

    def grew(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("idea_coach_ack_seconds_count", kind="command") == 1
    assert grew("idea_coach_ack_seconds_count", kind="view_submission") == 1
    assert grew("idea_coach_ack_seconds_count", kind="action") == 1
    assert grew("idea_coach_ack_seconds_bucket", kind="command", le="1.0") == 1
    assert grew("idea_coach_slack_api_calls_total", method="views.open") == 1
    assert grew("idea_coach_slack_api_calls_total", method="chat.postMessage") >= 2  # the DM and the card
    assert grew("idea_coach_slack_api_calls_total", method="conversations.open") == 1
    assert grew("idea_coach_slack_api_errors_total", method="conversations.open", error="user_not_found") == 1
    assert grew("idea_coach_slack_api_errors_total", method="chat.postMessage", error="user_not_found") == 0


def test_metrics_count_nudges_sent_and_time_the_sweep(slack, settings, strategy, session_factory, fake_slack):
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))  # unassigned for a business day
    runtime = runtime_for(settings, strategy, session_factory)
    runtime.clock = lambda: ny(2027, 3, 2, 10, 5)
    before = scrape(slack)

    sweep_job(runtime)

    after = scrape(slack)
    nudged = [call for call in fake_slack.calls_to("chat.postMessage") if call["channel"] == PMO_CHANNEL]
    assert nudged, "the sweep should have nudged the PMO channel"
    assert value(after, "idea_coach_nudges_sent_total") - value(before, "idea_coach_nudges_sent_total") == 1
    assert value(after, "idea_coach_sweep_seconds_count") - value(before, "idea_coach_sweep_seconds_count") == 1
    assert value(after, "idea_coach_sweep_seconds_sum") > value(before, "idea_coach_sweep_seconds_sum")


def test_outbox_depth_and_oldest_age_come_from_the_outbox_table(slack, app, session_factory):
    assert value(scrape(slack), "idea_coach_outbox_depth") == 0
    with transaction(session_factory) as session:  # two messages written with a change, never kicked
        app.runtime.outbox.add(session, [Post(PMO_CHANNEL, "old")], now=datetime(2020, 1, 1, 12, tzinfo=UTC))
        app.runtime.outbox.add(session, [Post(PMO_CHANNEL, "new")], now=datetime(2030, 1, 1, tzinfo=UTC))
    found = scrape(slack)
    assert value(found, "idea_coach_outbox_depth") == 2
    assert value(found, "idea_coach_outbox_oldest_age_seconds") > 5 * 365 * 24 * 3600
    app.runtime.outbox.run_once(now=datetime(2030, 1, 1, 0, 1, tzinfo=UTC))  # the worker delivers both
    assert value(scrape(slack), "idea_coach_outbox_depth") == 0
