"""Reopening a Not-now idea for coaching from its card (Move.REVISIT), through signed requests."""

from __future__ import annotations

from bot.views.ids import Action
from models import Idea, Stage
from tests.conftest import COACH, COACH_2, PMO_CHANNEL, SUBMITTER
from tests.support.flows import click_card, coach_this, coaching_thread, kickoff_buttons, submit_idea
from tests.support.nudging import change_idea


def stage_of(session_factory, idea_id: int) -> Stage:
    with session_factory() as session:
        return session.get(Idea, idea_id).current_stage


def not_now_idea(slack, session_factory) -> int:
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    change_idea(session_factory, idea_id, stage=Stage.NOT_NOW)
    return idea_id


def test_pmo_staff_reopen_a_not_now_idea_from_its_card(slack, session_factory):
    idea_id = not_now_idea(slack, session_factory)

    response = click_card(slack, Action.REVISIT, idea_id, COACH_2)

    assert response.status == 200
    assert stage_of(session_factory, idea_id) is Stage.IN_COACHING
    card = slack.fake.only_in("chat.update", PMO_CHANNEL)
    assert card["channel"] == PMO_CHANNEL
    assert "In coaching" in card.mrkdwn
    assert Action.REVISIT not in card.action_ids and Action.ASSIGN_COACH in card.action_ids
    notes = [post for post in slack.fake.calls_to("chat.postMessage") if "reopened" in post["text"]]
    thread = coaching_thread(session_factory, idea_id)
    assert sorted((post["channel"], post["thread_ts"]) for post in notes) == sorted(
        [(PMO_CHANNEL, card["ts"]), (thread.channel_id, thread.thread_ts)]
    )
    assert all(f"<@{COACH}>, it's back with you." in post["text"] for post in notes)
    assert Action.MARK_READY in kickoff_buttons(slack, thread)  # the conversation's buttons are back


def test_a_second_click_changes_nothing_and_says_why(slack, session_factory):
    idea_id = not_now_idea(slack, session_factory)
    click_card(slack, Action.REVISIT, idea_id, COACH_2)
    slack.fake.reset()

    response = click_card(slack, Action.REVISIT, idea_id, COACH)

    assert response.status == 200
    assert stage_of(session_factory, idea_id) is Stage.IN_COACHING
    assert slack.fake.methods() == ["chat.postEphemeral"]
    assert "cannot be revisited" in slack.fake.only("chat.postEphemeral")["text"]


def test_only_pmo_staff_may_reopen(slack, session_factory):
    idea_id = not_now_idea(slack, session_factory)

    response = click_card(slack, Action.REVISIT, idea_id, SUBMITTER)

    assert response.status == 200
    assert stage_of(session_factory, idea_id) is Stage.NOT_NOW
    assert slack.fake.methods() == ["chat.postEphemeral"]
    assert "Only PMO staff" in slack.fake.only("chat.postEphemeral")["text"]
