"""One idea's whole journey, as the PMO promises it: intake, coaching, LogFrame, decision, answer."""

from __future__ import annotations

from sqlalchemy import select

from bot.views.ids import Action
from models import AuditEvent, Decision, Feedback, Idea, Stage, ThreadMessage
from tests.conftest import COACH, PMO_CHANNEL, SUBMITTER
from tests.support.flows import (
    click_card,
    click_in_thread,
    coaching_thread,
    decision_answers,
    open_intake,
    submit_idea,
)


def test_an_idea_goes_from_slash_command_to_an_explained_decision(slack, session_factory):
    idea_id = submit_idea(slack, title="Text members about missing loan documents")

    click_card(slack, Action.COACH_THIS, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)
    slack.event(
        {
            "type": "message",
            "channel": thread.channel_id,
            "user": COACH,
            "ts": "1800000001.000100",
            "thread_ts": thread.thread_ts,
            "text": "What change would members notice?",
        }
    )
    slack.event(
        {
            "type": "message",
            "channel": thread.channel_id,
            "user": SUBMITTER,
            "ts": "1800000002.000100",
            "thread_ts": thread.thread_ts,
            "text": "They'd hear the same day instead of after a week.",
        }
    )

    click_in_thread(slack, Action.OPEN_LOGFRAME, idea_id, SUBMITTER, thread)
    worksheet = slack.fake.calls_to("views.open")[-1]["view"]
    slack.submit_view(
        worksheet,
        {
            "goal.objective": "loan-cycle-time",
            "purpose.objective": "members hear about missing documents the same day",
            "outcome1.objective": "an automatic text when a document is flagged",
            "inputs.objective": "configure the texting service",
        },
        user=SUBMITTER,
    )
    click_in_thread(slack, Action.MARK_READY, idea_id, COACH, thread)

    click_card(slack, Action.DECIDE, idea_id, COACH)
    form = slack.fake.calls_to("views.open")[-1]["view"]
    preview = slack.submit_view(form, decision_answers("go"), user=COACH).json()["view"]
    slack.fake.reset()
    slack.submit_view(preview, {}, user=COACH)

    notice = next(p for p in slack.fake.calls_to("chat.postMessage") if p["channel"] == SUBMITTER)
    understood = next(
        e
        for b in notice["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.UNDERSTOOD
    )
    slack.click(
        Action.UNDERSTOOD,
        value=understood["value"],
        user=SUBMITTER,
        channel="DSUBMIT001",
        message={"ts": "1700000099.000100", "text": ""},
    )
    slack.click(
        Action.GIVE_FEEDBACK,
        value=str(idea_id),
        user=SUBMITTER,
        channel="DSUBMIT001",
        message={"ts": "1700000100.000100", "text": ""},
    )
    slack.submit_view(slack.fake.calls_to("views.open")[-1]["view"], {"rating": "5"}, user=SUBMITTER)

    with session_factory() as session:
        idea = session.get(Idea, idea_id)
        assert idea.stage == Stage.DECIDED_GO
        assert idea.worksheet.completed_cells == 4
        assert [m.user_id for m in session.scalars(select(ThreadMessage).order_by(ThreadMessage.ts))] == [
            COACH,
            SUBMITTER,
        ]
        assert session.scalars(select(Decision)).one().acknowledged_at is not None
        assert session.scalars(select(Feedback)).one().rating == 5
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == [
        "submitted",
        "assign_coach",
        "logframe_saved",
        "mark_ready",
        "decide_go",
        "decision_acknowledged",
    ]
    handoff = [
        p for p in slack.fake.calls_to("chat.postMessage") if p["channel"] == PMO_CHANNEL and "Hand-off" in p["text"]
    ]
    assert len(handoff) == 1 and "members hear about missing documents the same day" in handoff[0].mrkdwn
    assert open_intake(slack)["callback_id"] == "idea_intake"
