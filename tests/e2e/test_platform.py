"""Slack's platform rules, end to end: ack before slow work, rate limits honoured, retries de-duplicated."""

from __future__ import annotations

from sqlalchemy import select

from models import Idea
from tests.conftest import PMO_CHANNEL, SUBMITTER
from tests.support.flows import GOOD_ANSWERS, open_intake


def test_the_slash_command_is_acknowledged_before_the_modal_is_opened(slack):
    gate = slack.fake.hold("views.open")

    response = slack.command("An idea", user=SUBMITTER, settle=False)

    assert response.status == 200
    assert slack.fake.calls_to("views.open") == []  # recorded only once the held call is answered
    gate.set()
    slack.executor.wait_idle()
    assert slack.fake.only("views.open")["view"]["callback_id"] == "idea_intake"


def test_a_submission_closes_the_modal_before_the_slow_posting_happens(slack, session_factory):
    view = open_intake(slack)
    gate = slack.fake.hold("chat.postMessage")

    response = slack.submit_view(view, GOOD_ANSWERS, user=SUBMITTER, settle=False)

    assert (response.status, response.body) == (200, "")
    assert slack.fake.calls_to("chat.postMessage") == []
    gate.set()
    slack.executor.wait_idle()
    assert [post["channel"] for post in slack.fake.calls_to("chat.postMessage")] == [SUBMITTER, PMO_CHANNEL]


def test_a_rate_limited_post_is_retried_after_retry_after_and_delivered_once(app, slack, session_factory):
    view = open_intake(slack)
    slack.fake.fail("chat.postMessage", "ratelimited", status=429, Retry_After="0")

    slack.submit_view(view, GOOD_ANSWERS, user=SUBMITTER)
    # The request thread does not sleep out Retry-After: the outbox's worker sends the receipt again.
    assert [post["channel"] for post in slack.fake.calls_to("chat.postMessage")] == [SUBMITTER, PMO_CHANNEL]
    app.runtime.outbox.run_once()

    posts = slack.fake.calls_to("chat.postMessage")
    assert [post["channel"] for post in posts] == [SUBMITTER, PMO_CHANNEL, SUBMITTER]
    with session_factory() as session:
        assert session.scalars(select(Idea)).one().title == GOOD_ANSWERS["title"]


def test_every_subscribed_event_type_is_acknowledged_even_when_there_is_nothing_to_do(slack):
    for event in (
        {"type": "app_home_opened", "user": SUBMITTER, "channel": "DHOME0001", "tab": "messages"},
        {"type": "message", "channel": "CGENERAL1", "user": SUBMITTER, "text": "hi", "ts": "1800000001.000100"},
    ):
        assert slack.event(event).status == 200


def test_the_home_tab_shows_the_users_ideas_and_a_working_submit_button(slack):
    slack.submit_view(open_intake(slack), GOOD_ANSWERS, user=SUBMITTER)
    slack.fake.reset()

    slack.event({"type": "app_home_opened", "user": SUBMITTER, "channel": "DHOME0001", "tab": "home"})

    home = slack.fake.only("views.publish")
    assert home["user_id"] == SUBMITTER and home["view"]["type"] == "home"
    assert f"IDEA-1* {GOOD_ANSWERS['title']}" in home.mrkdwn
    button = home["view"]["blocks"][1]["accessory"]
    slack.click(button["action_id"], user=SUBMITTER, view={"id": "VHOME", "type": "home"})
    assert slack.fake.only("views.open")["view"]["callback_id"] == "idea_intake"


def test_a_button_no_listener_knows_is_acked_and_the_clicker_told_nothing_changed(slack, caplog):
    response = slack.click("idea_retired_button", value="7", user=SUBMITTER, channel=PMO_CHANNEL)

    assert (response.status, response.body) == (200, "")
    [told] = slack.fake.calls_to("chat.postEphemeral")
    assert told["user"] == SUBMITTER and told["channel"] == PMO_CHANNEL and "/idea help" in told["text"]
    assert "idea_retired_button" in caplog.text


def test_a_view_or_event_no_listener_knows_is_acked_quietly(slack):
    view = {
        "type": "modal",
        "callback_id": "retired_form",
        "title": {"type": "plain_text", "text": "Old"},
        "blocks": [],
    }
    assert (slack.submit_view(view, {}, user=SUBMITTER).status, slack.fake.calls) == (200, [])
    event = {"type": "reaction_added", "user": SUBMITTER, "reaction": "tada", "event_ts": "1700000000.000200"}
    assert (slack.event(event).status, slack.fake.calls) == (200, [])
