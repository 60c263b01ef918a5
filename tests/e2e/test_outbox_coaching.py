"""A coaching conversation is owed like any message: the kickoff (opening the group DM at delivery), the
catch-up DM and a question's thread are outbox rows of the change's transaction, so a process that dies
right after the commit, or Slack refusing for a while, loses none of them and sends each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.outbox import Outbox
from bot.slack import SlackGateway, make_web_client
from bot.views.ids import Action
from models import CoachingThread, Idea, OutboxStatus
from tests.conftest import COACH, COACH_2, PMO_CHANNEL, SUBMITTER
from tests.support.flows import click_card, coach_this, coaching_thread, decision_answers, submit_idea
from tests.support.outbox import assert_each_post_once, drain, pending, rows


def die_after_commits(app, monkeypatch) -> None:
    """From now on the process dies between each commit and its first delivery: nothing is kicked."""
    monkeypatch.setattr(app.runtime.outbox, "kick", lambda _ids: None)


def restarted(session_factory, fake_slack) -> Outbox:
    gateway = SlackGateway(make_web_client("xoxb-test", fake_slack.url))
    return Outbox(gateway, session_factory, lambda: datetime.now(UTC), PMO_CHANNEL)


def restart_and_drain(session_factory, fake_slack) -> None:
    drain(restarted(session_factory, fake_slack), start=datetime.now(UTC) + timedelta(seconds=1))


def posts(fake, channel=None):
    """Posts to `channel`; for a user id, to their DM whether addressed by user id or by the DM's id."""
    to = {channel, "D" + channel[1:]} if channel and channel[:1] in ("U", "W") else {channel}
    return [p for p in fake.calls_to("chat.postMessage") if channel is None or p["channel"] in to]


def test_a_crash_after_assigning_still_opens_the_conversation_and_then_briefs_the_coach(
    slack, session_factory, app, monkeypatch
):
    idea_id = submit_idea(slack)
    die_after_commits(app, monkeypatch)
    slack.fake.reset()

    assert click_card(slack, Action.COACH_THIS, idea_id, COACH).status == 200

    with session_factory() as session:
        assert session.get(Idea, idea_id).coach_id == COACH
    assert slack.fake.calls_to("conversations.open") == [] and posts(slack.fake) == []
    assert coaching_thread(session_factory, idea_id) is None
    assert len(pending(session_factory)) == 4  # card update, card note, kickoff, catch-up

    restart_and_drain(session_factory, slack.fake)

    assert_each_post_once(slack.fake, session_factory)
    thread = coaching_thread(session_factory, idea_id)
    assert thread.coach_id == COACH and thread.permalink
    everything = posts(slack.fake)
    [kickoff] = [p for p in everything if p["channel"] == thread.channel_id]
    [catch_up] = posts(slack.fake, COACH)
    assert everything.index(kickoff) < everything.index(catch_up)
    assert thread.permalink in catch_up.mrkdwn and "Open the coaching thread" in catch_up.mrkdwn


def test_a_reassignment_briefs_the_new_coach_with_the_new_thread_even_when_its_kickoff_waits(
    slack, session_factory, app
):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    first = coaching_thread(session_factory, idea_id)
    slack.fake.outage("conversations.open")  # the new group DM cannot be opened for now

    click_card(slack, Action.ASSIGN_COACH, idea_id, COACH)
    slack.submit_view(slack.fake.only("views.open")["view"], {"coach": COACH_2}, user=COACH)

    assert posts(slack.fake, COACH_2) == [], "the catch-up waits for the kickoff it links to"
    slack.fake.recover()
    drain(app.runtime.outbox, start=datetime.now(UTC) + timedelta(seconds=31))

    second = coaching_thread(session_factory, idea_id)
    assert second.id != first.id and second.coach_id == COACH_2
    [catch_up] = posts(slack.fake, COACH_2)
    assert second.permalink in catch_up.mrkdwn and first.permalink not in catch_up.mrkdwn
    assert_each_post_once(slack.fake, session_factory)


def test_a_question_asked_just_before_a_crash_opens_its_conversation_once(slack, session_factory, app, monkeypatch):
    from tests.e2e.test_decisions import click_dm, preview_and_send

    idea_id = submit_idea(slack)
    preview_and_send(slack, idea_id, decision_answers("no_go"))
    die_after_commits(app, monkeypatch)
    slack.fake.reset()

    assert click_dm(slack, Action.ASK_QUESTION, idea_id).status == 200
    assert slack.fake.calls_to("conversations.open") == [] and posts(slack.fake) == []
    restart_and_drain(session_factory, slack.fake)

    thread = coaching_thread(session_factory, idea_id)
    assert thread is not None and thread.coach_id == COACH
    # The group DM opened once (the submitter's own DM may be opened too, to look for what the crash left in doubt).
    opened = [set(call["users"].split(",")) for call in slack.fake.calls_to("conversations.open")]
    assert opened.count({SUBMITTER, COACH}) == 1
    in_thread = [p for p in posts(slack.fake) if p.get("thread_ts") == thread.thread_ts]
    assert len(in_thread) == 1 and f"<@{COACH}>, could you pick it up here?" in in_thread[0].mrkdwn
    assert "coaching conversation" in posts(slack.fake, SUBMITTER)[0].mrkdwn
    assert_each_post_once(slack.fake, session_factory)
    with session_factory() as session:
        assert session.query(CoachingThread).filter_by(idea_id=idea_id).count() == 1


def test_a_question_asked_while_the_coaching_kickoff_waits_goes_in_its_thread_not_a_second_one(
    slack, session_factory, app
):
    from tests.e2e.test_decisions import click_dm, preview_and_send

    idea_id = submit_idea(slack)
    slack.fake.outage("conversations.open")  # the coaching group DM cannot be opened for now
    coach_this(slack, idea_id, COACH)
    preview_and_send(slack, idea_id, decision_answers("no_go"))
    assert coaching_thread(session_factory, idea_id) is None

    assert click_dm(slack, Action.ASK_QUESTION, idea_id).status == 200
    slack.fake.recover()
    drain(app.runtime.outbox, start=datetime.now(UTC) + timedelta(seconds=31))

    with session_factory() as session:
        [thread] = session.query(CoachingThread).filter_by(idea_id=idea_id).all()
    in_group = [p for p in posts(slack.fake) if p["channel"] == thread.channel_id]
    roots = [p for p in in_group if not p.get("thread_ts")]
    assert len(roots) == 1 and "I'll be your coach" in roots[0].mrkdwn, "one conversation: the coaching kickoff"
    [question] = [p for p in in_group if "could you pick it up here?" in p.mrkdwn]
    assert question.get("thread_ts") == thread.thread_ts
    assert_each_post_once(slack.fake, session_factory)


def test_a_kickoff_slack_refuses_for_good_is_reported_on_the_card_once(slack, session_factory, app):
    idea_id = submit_idea(slack)
    slack.fake.fail("conversations.open", "user_not_found", times=100)

    click_card(slack, Action.COACH_THIS, idea_id, COACH)
    drain(app.runtime.outbox, start=datetime.now(UTC) + timedelta(seconds=31))

    notes = [p for p in posts(slack.fake, PMO_CHANNEL) if "couldn't open the coaching conversation" in p.mrkdwn]
    assert len(notes) == 1 and notes[0].get("thread_ts")
    assert coaching_thread(session_factory, idea_id) is None
    [kickoff] = [r for r in rows(session_factory) if r.opens_thread_for]
    assert kickoff.status == OutboxStatus.GIVEN_UP and kickoff.last_error == "user_not_found"
    assert pending(session_factory) == []
