"""Every state-changing request is safe to repeat: double clicks, Slack's retries and replays change things once."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from bot.views.ids import Action
from models import AuditEvent, Decision, Feedback, Idea, ThreadMessage
from tests.conftest import COACH, PMO_CHANNEL, SUBMITTER
from tests.e2e.test_decisions import click_dm, open_form, ready_idea, the_decision
from tests.support.flows import GOOD_ANSWERS, count, decision_answers, open_intake, submit_idea


def posts_to(slack, channel: str) -> list:
    return [call for call in slack.fake.calls_to("chat.postMessage") if call["channel"] == channel]


def test_an_intake_modal_submitted_twice_stores_one_idea_with_one_card_and_one_receipt(slack, session_factory):
    view = open_intake(slack) | {"id": "VINTAKE01"}
    slack.fake.reset()

    first = slack.submit_view(view, GOOD_ANSWERS, user=SUBMITTER, view_hash="1712.abc")
    again = slack.submit_view(view, GOOD_ANSWERS, user=SUBMITTER, view_hash="1712.abc")

    assert (first.status, first.body, again.status, again.body) == (200, "", 200, "")
    assert count(session_factory, Idea) == 1
    assert count(session_factory, AuditEvent, AuditEvent.action == "submitted") == 1
    assert len(posts_to(slack, PMO_CHANNEL)) == 1
    assert len(posts_to(slack, SUBMITTER)) == 1


def test_a_double_click_arriving_at_the_same_moment_stores_one_idea(slack, session_factory):
    views = [open_intake(slack) | {"id": f"VSAME{n:04d}"} for n in range(5)]

    def both(view):
        with ThreadPoolExecutor(2) as pool:
            futures = [
                pool.submit(slack.submit_view, view, GOOD_ANSWERS, user=SUBMITTER, view_hash="h.1") for _ in "ab"
            ]
            return [future.result().status for future in futures]

    assert [both(view) for view in views] == [[200, 200]] * 5
    assert count(session_factory, Idea) == 5


def test_a_new_hash_is_a_new_submission(slack, session_factory):
    """The key is the view *and* its hash: an updated view submitted again is a different request."""
    view = open_intake(slack) | {"id": "VINTAKE02"}
    slack.submit_view(view, GOOD_ANSWERS, user=SUBMITTER, view_hash="h.1")
    slack.submit_view(view, GOOD_ANSWERS, user=SUBMITTER, view_hash="h.2")
    assert count(session_factory, Idea) == 2


def test_a_replayed_signed_request_does_nothing_the_second_time(slack, session_factory):
    view = open_intake(slack) | {"id": "VREPLAY01", "hash": "h.replay", "team_id": "T0CREDIT"}
    payload = {
        "type": "view_submission",
        "team": {"id": "T0CREDIT", "domain": "credit"},
        "user": {"id": SUBMITTER, "name": "submitter", "team_id": "T0CREDIT"},
        "api_app_id": "A0IDEACOACH",
        "trigger_id": "1.T0CREDIT.trig",
        "view": view | {"state": {"values": _filled(view)}},
    }
    body = urlencode({"payload": json.dumps(payload)})
    stamp = int(time.time())

    first = slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)
    replayed = slack.post(body, "application/x-www-form-urlencoded", timestamp=stamp)

    assert (first.status, replayed.status) == (200, 200)
    assert count(session_factory, Idea) == 1


def _filled(view):
    from tests.support.driver import fill_state

    return fill_state(view, GOOD_ANSWERS)


def sent_decision(slack, session_factory, outcome="go") -> tuple[int, dict]:
    idea_id = ready_idea(slack, session_factory)
    form = open_form(slack, idea_id)
    preview = slack.submit_view(form, decision_answers(outcome), user=COACH).json()["view"] | {"id": "VPREVIEW1"}
    slack.fake.reset()
    for _ in range(2):
        assert slack.submit_view(preview, {}, user=COACH, view_hash="h.p").json() == {"response_action": "clear"}
    return idea_id, preview


def test_send_decision_submitted_twice_records_one_decision_and_one_notice(slack, session_factory):
    sent_decision(slack, session_factory)

    assert count(session_factory, Decision) == 1
    assert len(posts_to(slack, SUBMITTER)) == 1
    assert not slack.fake.calls_to("chat.postEphemeral")


def test_thanks_understood_twice_changes_once_and_says_so(slack, session_factory):
    sent_decision(slack, session_factory)
    decision = the_decision(session_factory)
    slack.fake.reset()

    click_dm(slack, Action.UNDERSTOOD, decision.id)
    click_dm(slack, Action.UNDERSTOOD, decision.id)

    assert count(session_factory, AuditEvent, AuditEvent.action == "decision_acknowledged") == 1
    assert len(slack.fake.calls_to("chat.update")) == 1
    prompts = [p for p in posts_to(slack, SUBMITTER) if "how was the process" in p.mrkdwn]
    assert len(prompts) == 1
    told = slack.fake.only("chat.postEphemeral")
    assert told["user"] == SUBMITTER and "already marked this decision as understood" in told.mrkdwn


def test_thanks_understood_clicked_twice_at_once_changes_once(slack, session_factory):
    sent_decision(slack, session_factory)
    decision = the_decision(session_factory)
    slack.fake.reset()

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda _: click_dm(slack, Action.UNDERSTOOD, decision.id).status, "ab"))

    assert statuses == [200, 200]
    assert count(session_factory, AuditEvent, AuditEvent.action == "decision_acknowledged") == 1
    assert len(slack.fake.calls_to("chat.update")) == 1


def test_ask_a_question_twice_posts_once_and_says_so(slack, session_factory):
    idea_id, _ = sent_decision(slack, session_factory, "no_go")
    slack.fake.reset()

    click_dm(slack, Action.ASK_QUESTION, idea_id)
    click_dm(slack, Action.ASK_QUESTION, idea_id)

    in_thread = [p for p in slack.fake.calls_to("chat.postMessage") if "could you pick it up here" in p.mrkdwn]
    assert len(in_thread) == 1
    assert "already asked about this decision" in slack.fake.only("chat.postEphemeral").mrkdwn


def test_the_feedback_modal_submitted_twice_stores_one_row(slack, session_factory):
    idea_id, _ = sent_decision(slack, session_factory)
    click_dm(slack, Action.UNDERSTOOD, the_decision(session_factory).id)
    click_dm(slack, Action.GIVE_FEEDBACK, idea_id)
    view = slack.fake.calls_to("views.open")[-1]["view"] | {"id": "VFEEDBACK1"}

    for _ in range(2):
        assert slack.submit_view(view, {"rating": "5"}, user=SUBMITTER, view_hash="h.f").status == 200

    assert count(session_factory, Feedback) == 1


def test_a_retried_reply_is_stored_once_even_when_both_arrive_together(slack, session_factory):
    from tests.e2e.test_coaching import reply
    from tests.support.flows import coach_this, coaching_thread

    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)

    with ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(reply, slack, thread, SUBMITTER, "Same reply", "1800000001.000100", "EvSame1", retry)
            for retry in (None, 1)
        ]
        assert [future.result().status for future in futures] == [200, 200]

    assert count(session_factory, ThreadMessage) == 1
