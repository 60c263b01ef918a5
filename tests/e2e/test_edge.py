"""Bad input at the edge: refused or cleaned before it reaches a listener, never a 5xx, never half-written."""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.services import decisions
from bot.views.ids import Action, parse_id
from models import DecisionDraft, Idea, ThreadMessage
from tests.conftest import COACH, OUTSIDER, PMO_CHANNEL, SUBMITTER
from tests.e2e.test_coaching import reply
from tests.e2e.test_decisions import open_form, ready_idea
from tests.support.flows import (
    GOOD_ANSWERS,
    click_card,
    coach_this,
    coaching_thread,
    count,
    decision_answers,
    open_intake,
    submit_idea,
)

FORM = "application/x-www-form-urlencoded"


def test_a_non_numeric_signature_timestamp_is_a_401_not_a_500(slack, session_factory):
    body = urlencode({"command": "/idea", "text": "x", "user_id": SUBMITTER, "trigger_id": "1.2.3"})
    for stamp in ("soon", "12a", "²³", ""):
        response = slack.post(body, FORM, headers={"X-Slack-Request-Timestamp": stamp}, signature="v0=00")
        assert response.status == 401, stamp


MALFORMED = [
    "payload=%7Bnot+json",
    "payload=%5B1%2C2%5D",
    urlencode({"payload": json.dumps({"type": "block_actions", "user": ["U1"], "actions": [{}]})}),
    urlencode({"payload": json.dumps({"type": "view_submission", "user": {"id": SUBMITTER}, "view": []})}),
    urlencode({"payload": "[" * 100_000}),
]


def test_signed_payloads_of_the_wrong_shape_get_a_400_and_change_nothing(slack, session_factory, caplog):
    for body in MALFORMED:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="bot.edge"):
            response = slack.post(body, FORM)
        assert response.status == 400, body[:40]
        logged = [r.getMessage() for r in caplog.records if r.name == "bot.edge"]
        assert len(logged) == 1 and logged[0].startswith("refused a malformed request: "), logged
    assert count(session_factory, Idea) == 0


def test_a_malformed_slash_command_gets_a_short_answer(slack):
    response = slack.post(urlencode({"command": "/idea", "text": "x", "user_id": "not an id"}), FORM)
    assert response.status == 200 and "couldn't read that command" in response.body


def test_a_message_event_whose_user_is_a_list_is_acked_and_not_stored(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)
    event = {"type": "message", "channel": thread.channel_id, "user": [SUBMITTER], "text": "hi"}
    event |= {"ts": "1800000001.000100", "thread_ts": thread.thread_ts}

    assert slack.event(event).status == 200
    assert count(session_factory, ThreadMessage) == 0


def test_nul_and_control_characters_never_reach_the_database(slack, session_factory):
    title = "Text\x00 members\x07 when\u200b a doc\x1b is missing"
    idea_id = submit_idea(slack, title=title, problem="Files\x00 stall\r\nfor days because members don't know.")
    thread_idea = idea_id
    coach_this(slack, thread_idea, COACH)
    reply(slack, coaching_thread(session_factory, idea_id), SUBMITTER, "a\x00b\x7fc\ud800", "1800000001.000100")

    with session_factory() as session:
        idea = session.get(Idea, idea_id)
        assert idea.title == "Text members when\u200b a doc is missing"
        assert idea.problem == "Files stall\r\nfor days because members don't know."
        assert session.scalars(select(ThreadMessage.text)).one() == "abc"


@pytest.mark.parametrize("value", ["²", "٣", "1²", "99999999999", "2147483648", "0", "-1", " 1", "1.0", ""])
def test_ids_are_ascii_digits_within_a_postgresql_integer(value):
    assert parse_id(value) is None


def test_the_largest_postgresql_integer_is_an_id():
    assert parse_id("2147483647") == 2147483647 and parse_id("0042") == 42


def test_a_button_with_a_strange_id_is_refused_politely(slack):
    for value in ("²", "99999999999", "2147483648"):
        response = click_card(slack, Action.COACH_THIS, value, COACH)
        assert response.status == 200
        assert "couldn't find that idea" in slack.fake.calls_to("chat.postEphemeral")[-1].mrkdwn
    assert len(slack.fake.calls_to("chat.postEphemeral")) == 3


def test_a_non_deciders_preview_is_acknowledged_and_refused_without_a_draft(slack, session_factory):
    idea_id = ready_idea(slack, session_factory)
    form = open_form(slack, idea_id)
    slack.fake.reset()

    started = time.monotonic()
    response = slack.submit_view(form, decision_answers("go"), user=OUTSIDER)

    assert response.status == 200 and time.monotonic() - started < 1
    assert count(session_factory, DecisionDraft) == 0
    told = slack.fake.only("chat.postMessage")
    assert told["channel"] == OUTSIDER and "Only the PMO's deciders" in told.mrkdwn


def test_an_unexpected_error_after_the_ack_is_told_with_a_reference_that_is_logged(slack, caplog):
    slack.fake.fail("views.open", "fatal_error")
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        response = slack.command("", user=SUBMITTER, channel="CGENERAL1")

    assert response.status == 200
    told = slack.fake.only("chat.postEphemeral")
    reference = re.search(r"reference `([0-9a-f]{8})`", told.mrkdwn).group(1)
    assert told["user"] == SUBMITTER and told["channel"] == "CGENERAL1"
    assert any(reference in record.getMessage() for record in caplog.records)


def test_an_unexpected_error_before_the_ack_is_still_answered_200_and_told(slack, session_factory, monkeypatch):
    idea_id = ready_idea(slack, session_factory)
    form = open_form(slack, idea_id)
    slack.fake.reset()

    def broken(*args, **kwargs):
        raise RuntimeError("the preview broke")

    monkeypatch.setattr(decisions, "preview", broken)
    response = slack.submit_view(form, decision_answers("go"), user=COACH)

    assert response.status == 200
    assert "something went wrong" in slack.fake.only("chat.postMessage").mrkdwn
    assert count(session_factory, DecisionDraft) == 0


def test_an_oversized_body_is_refused_with_413(slack):
    assert slack.post("payload=" + "x" * 1_100_000, FORM).status == 413


def test_the_intake_card_still_arrives_for_a_good_submission(slack, session_factory):
    """The guard lets ordinary requests through untouched."""
    slack.submit_view(open_intake(slack), GOOD_ANSWERS, user=SUBMITTER)
    assert count(session_factory, Idea) == 1
    assert any(call["channel"] == PMO_CHANNEL for call in slack.fake.calls_to("chat.postMessage"))
