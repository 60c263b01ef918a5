"""Nudge buttons end to end: snooze and "I'm on it" through signed requests, then the next sweeps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.services import nudges
from bot.views.ids import Action
from models import AuditEvent, Idea, OutboxKind, OutboxStatus, Stage
from models.business_time import add_business_days
from tests.conftest import COACH, COACH_2, OUTSIDER, PMO_CHANNEL, SUBMITTER
from tests.support.nudging import add_thread, change_idea, make_idea, nudges_of, ny
from tests.support.outbox import drain, rows

SENT_AT = ny(2027, 3, 2, 10)
CLICKED_AT = ny(2027, 3, 2, 10, 30)


@pytest.fixture
def runtime(app, slack):
    app.runtime.clock = lambda: CLICKED_AT
    return app.runtime


def sweep(runtime, when):
    return nudges.sweep(runtime, when, pause=lambda _seconds: None)


def nudge_post(slack):
    """The latest nudge posted: its call and the value its buttons carry (the nudge id)."""
    post = slack.fake.calls_to("chat.postMessage")[-1]
    buttons = {e["action_id"]: e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]}
    return post, buttons


def click(slack, action_id, post, buttons, user):
    return slack.click(
        action_id,
        value=buttons[action_id]["value"],
        user=user,
        channel=post["channel"],
        message={"ts": f"{1_700_000_000 + len(slack.fake.calls)}.000100", "text": post["text"]},
        block_id=next(b["block_id"] for b in post["blocks"] if b["type"] == "actions"),
    )


def load(session_factory, idea_id) -> Idea:
    with session_factory() as session:
        return session.get(Idea, idea_id)


def unassigned_nudge(runtime, slack, session_factory):
    idea_id = make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))
    sweep(runtime, SENT_AT)
    post, buttons = nudge_post(slack)
    slack.fake.reset()
    return idea_id, post, buttons


def test_every_nudge_has_snooze_and_on_it_buttons(runtime, slack, session_factory):
    _, _post, buttons = unassigned_nudge(runtime, slack, session_factory)

    assert {Action.ON_IT, Action.SNOOZE_DAY, Action.SNOOZE_3_DAYS, Action.SNOOZE_WEEK} <= set(buttons)
    assert [buttons[a]["text"]["text"] for a in (Action.SNOOZE_DAY, Action.SNOOZE_3_DAYS, Action.SNOOZE_WEEK)] == [
        "Snooze 1 day",
        "Snooze 3 days",
        "Snooze 1 week",
    ]
    assert len({element["action_id"] for element in buttons.values()}) == len(buttons)


@pytest.mark.parametrize(
    ("action_id", "days"), [(Action.SNOOZE_DAY, 1), (Action.SNOOZE_3_DAYS, 3), (Action.SNOOZE_WEEK, 5)]
)
def test_staff_snooze_puts_off_the_next_reminder(runtime, slack, session_factory, action_id, days):
    idea_id, post, buttons = unassigned_nudge(runtime, slack, session_factory)

    response = click(slack, action_id, post, buttons, COACH)

    assert response.status == 200
    until = add_business_days(CLICKED_AT, days, runtime.strategy.calendar.work_calendar)
    assert load(session_factory, idea_id).snoozed_until == until
    update = slack.fake.only("chat.update")
    assert update["channel"] == PMO_CHANNEL
    assert f"<@{COACH}> snoozed this until" in update.mrkdwn
    assert all(block["type"] != "actions" for block in update["blocks"])
    with session_factory() as session:
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.idea_id == idea_id)).all() == [
            "nudge_snoozed"
        ]

    slack.fake.reset()
    sweep(runtime, until - timedelta(minutes=1))  # step 1 fell due on Wednesday 10:00, but it is snoozed
    assert slack.fake.calls_to("chat.postMessage") == []
    sweep(runtime, until)
    assert len(slack.fake.calls_to("chat.postMessage")) == 1
    assert [n.step for n in nudges_of(session_factory, idea_id)] == [0, 1]


@pytest.mark.parametrize("action_id", [Action.SNOOZE_DAY, Action.ON_IT])
def test_a_double_click_on_a_reminder_answers_it_once_and_says_so(runtime, slack, session_factory, action_id):
    idea_id, post, buttons = unassigned_nudge(runtime, slack, session_factory)

    assert [click(slack, action_id, post, buttons, COACH).status for _ in "ab"] == [200, 200]

    with session_factory() as session:
        assert len(session.scalars(select(AuditEvent.action).where(AuditEvent.idea_id == idea_id)).all()) == 1
    assert len(slack.fake.calls_to("chat.update")) == 1
    assert "already been answered" in slack.fake.only("chat.postEphemeral").mrkdwn


def test_on_it_restarts_the_clock_and_the_next_reminder_waits_a_full_threshold(runtime, slack, session_factory):
    idea_id = make_idea(
        session_factory, Stage.IN_COACHING, ny(2027, 2, 22, 10), coach=COACH, reply=(ny(2027, 2, 22, 11), SUBMITTER)
    )
    thread = add_thread(session_factory, idea_id, COACH, ny(2027, 2, 22, 10))
    sweep(runtime, SENT_AT)
    post, buttons = nudge_post(slack)
    assert post["channel"] == thread.channel_id and post["thread_ts"] == thread.thread_ts
    slack.fake.reset()

    click(slack, Action.ON_IT, post, buttons, COACH)

    idea = load(session_factory, idea_id)
    assert (idea.clock_reset_at, idea.clock_started_at) == (CLICKED_AT, CLICKED_AT)
    assert f"<@{COACH}> is on it" in slack.fake.only("chat.update").mrkdwn

    slack.fake.reset()
    sweep(runtime, ny(2027, 3, 9, 10, 29))  # step 1 of the old clock would be due; the new one is not
    assert slack.fake.calls_to("chat.postMessage") == []
    sweep(runtime, ny(2027, 3, 9, 10, 30))
    assert len(slack.fake.calls_to("chat.postMessage")) == 1
    assert [(n.step, n.clock_started_at) for n in nudges_of(session_factory, idea_id)][-1] == (0, CLICKED_AT)


def test_the_nudged_submitter_may_snooze_their_own_reminder(runtime, slack, session_factory):
    idea_id = make_idea(
        session_factory, Stage.IN_COACHING, ny(2027, 2, 22, 10), coach=COACH, reply=(ny(2027, 2, 22, 11), COACH)
    )
    add_thread(session_factory, idea_id, COACH, ny(2027, 2, 22, 10))
    sweep(runtime, SENT_AT)
    post, buttons = nudge_post(slack)
    slack.fake.reset()

    click(slack, Action.SNOOZE_DAY, post, buttons, SUBMITTER)

    assert load(session_factory, idea_id).snoozed_until is not None
    assert slack.fake.calls_to("chat.postEphemeral") == []


def test_someone_else_cannot_snooze_or_take_it_on(runtime, slack, session_factory):
    idea_id = make_idea(
        session_factory, Stage.IN_COACHING, ny(2027, 2, 22, 10), coach=COACH, reply=(ny(2027, 2, 22, 11), SUBMITTER)
    )
    add_thread(session_factory, idea_id, COACH, ny(2027, 2, 22, 10))
    sweep(runtime, SENT_AT)  # the coach's turn: the submitter was not nudged
    post, buttons = nudge_post(slack)
    slack.fake.reset()

    click(slack, Action.SNOOZE_WEEK, post, buttons, OUTSIDER)
    click(slack, Action.ON_IT, post, buttons, SUBMITTER)

    idea = load(session_factory, idea_id)
    assert (idea.snoozed_until, idea.clock_reset_at) == (None, None)
    refusals = slack.fake.calls_to("chat.postEphemeral")
    assert [r["user"] for r in refusals] == [OUTSIDER, SUBMITTER]
    assert all("Only the people this reminder is for" in r["text"] for r in refusals)
    assert slack.fake.calls_to("chat.update") == []


def test_a_reminder_about_an_idea_that_moved_on_cannot_be_snoozed_and_loses_its_buttons(
    runtime, slack, session_factory
):
    idea_id, post, buttons = unassigned_nudge(runtime, slack, session_factory)
    change_idea(session_factory, idea_id, stage=Stage.IN_COACHING, coach_id=COACH_2, stage_entered_at=SENT_AT)

    click(slack, Action.SNOOZE_DAY, post, buttons, COACH)

    assert "has moved on since this reminder" in slack.fake.only("chat.postEphemeral")["text"]
    assert load(session_factory, idea_id).snoozed_until is None
    retired = slack.fake.only("chat.update")  # the clicked reminder, as Slack sent it back
    assert retired["channel"] == post["channel"]
    assert not [block for block in retired["blocks"] if block["type"] == "actions"]
    assert f"IDEA-{idea_id} has moved on since this reminder (it is in coaching now)" in retired.mrkdwn


def test_coach_this_on_the_nudge_assigns_the_clicker(runtime, slack, session_factory):
    idea_id, post, buttons = unassigned_nudge(runtime, slack, session_factory)

    click(slack, Action.COACH_THIS, post, buttons, COACH_2)

    assert (load(session_factory, idea_id).stage, load(session_factory, idea_id).coach_id) == (
        Stage.IN_COACHING,
        COACH_2,
    )


def test_revisit_reminder_reaches_the_coach_who_may_take_it_on(runtime, slack, session_factory):
    idea_id = make_idea(session_factory, Stage.NOT_NOW, ny(2027, 1, 4), coach=COACH_2, revisit_on=date(2027, 3, 2))
    sweep(runtime, SENT_AT)
    post, buttons = nudge_post(slack)
    slack.fake.reset()

    click(slack, Action.ON_IT, post, buttons, COACH_2)

    assert load(session_factory, idea_id).clock_reset_at == CLICKED_AT


def test_a_reply_through_the_events_api_stops_the_reminders_and_passes_the_turn(runtime, slack, session_factory):
    idea_id = make_idea(
        session_factory, Stage.IN_COACHING, ny(2027, 2, 22, 10), coach=COACH, reply=(ny(2027, 2, 22, 11), SUBMITTER)
    )
    thread = add_thread(session_factory, idea_id, COACH, ny(2027, 2, 22, 10))
    sweep(runtime, SENT_AT)  # the coach's turn
    assert f"<@{COACH}>, this conversation" in slack.fake.only("chat.postMessage").mrkdwn
    slack.fake.reset()

    replied_at = ny(2027, 3, 2, 11)
    ts = f"{replied_at.timestamp():.6f}"
    response = slack.event(
        {"type": "message", "channel": thread.channel_id, "user": COACH, "text": "Sorry, I was out. What's next?",
         "ts": ts, "thread_ts": thread.thread_ts, "channel_type": "mpim", "event_ts": ts}
    )  # fmt: skip
    assert response.status == 200

    sweep(runtime, ny(2027, 3, 9, 10))  # step 1 of the old clock would be due now
    assert slack.fake.calls_to("chat.postMessage") == []
    sweep(runtime, ny(2027, 3, 9, 11))  # five quiet business days after the coach's reply: the submitter's turn
    assert f"<@{SUBMITTER}>, this conversation" in slack.fake.only("chat.postMessage").mrkdwn


@pytest.mark.parametrize("action_id", [Action.SNOOZE_WEEK, Action.ON_IT])
def test_a_reminder_answered_while_slack_is_down_is_replaced_once_after_it_recovers(
    runtime, slack, session_factory, action_id
):
    idea_id, post, buttons = unassigned_nudge(runtime, slack, session_factory)
    slack.fake.outage("chat.update")

    assert click(slack, action_id, post, buttons, COACH).status == 200

    # The answer is stored with its replacement owed: an outbox row naming the clicked message.
    [row] = [r for r in rows(session_factory) if r.kind == OutboxKind.UPDATE]
    assert (row.status, row.channel_id, row.idea_id) == (OutboxStatus.PENDING, post["channel"], idea_id)
    assert load(session_factory, idea_id).snoozed_until is not None or action_id == Action.ON_IT
    slack.fake.recover()
    slack.fake.reset()
    drain(runtime.outbox, start=CLICKED_AT + timedelta(seconds=5))

    update = slack.fake.only("chat.update")
    assert (update["channel"], update["ts"]) == (post["channel"], row.posted_ts)
    assert all(block["type"] != "actions" for block in update["blocks"])
    assert rows(session_factory)[-1].status == OutboxStatus.SENT
