"""Decisions end to end: the form, the guard, the preview, the notice and what follows it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.views.ids import Action, Callback, Purpose
from models import AuditEvent, Decision, DecisionDraft, Feedback, Idea, SlackMessage, Stage, ThreadMessage
from tests.conftest import COACH, COACH_2, OUTSIDER, PMO_CHANNEL, SUBMITTER
from tests.support.flows import (
    SPECIFIC,
    click_card,
    click_in_thread,
    coach_this,
    coaching_thread,
    count,
    kickoff_buttons,
    submit_idea,
)
from tests.support.flows import decision_answers as answers


def ready_idea(slack, session_factory) -> int:
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    click_in_thread(slack, Action.MARK_READY, idea_id, COACH, coaching_thread(session_factory, idea_id))
    slack.fake.reset()
    return idea_id


def open_form(slack, idea_id, user=COACH):
    click_card(slack, Action.DECIDE, idea_id, user)
    return slack.fake.calls_to("views.open")[-1]["view"]


def preview_and_send(slack, idea_id, form_answers, user=COACH):
    form = open_form(slack, idea_id, user)
    pushed = slack.submit_view(form, form_answers, user=user).json()
    assert pushed["response_action"] == "push", pushed
    preview = pushed["view"]
    slack.fake.reset()
    sent = slack.submit_view(preview, {}, user=user)
    assert sent.json() == {"response_action": "clear"}
    return preview


def load(session_factory, idea_id) -> Idea:
    with session_factory() as session:
        return session.get(Idea, idea_id)


def the_decision(session_factory) -> Decision:
    with session_factory() as session:
        return session.scalars(select(Decision).order_by(Decision.id.desc())).first()


@pytest.mark.parametrize(
    "outcome,stage", [("go", Stage.DECIDED_GO), ("no_go", Stage.DECIDED_NO_GO), ("not_now", Stage.NOT_NOW)]
)
def test_each_outcome_sends_the_dm_thread_post_and_card_update(slack, session_factory, outcome, stage):
    idea_id = ready_idea(slack, session_factory)
    thread = coaching_thread(session_factory, idea_id)

    preview = preview_and_send(slack, idea_id, answers(outcome, **{"score:effort": "2"}))

    idea = load(session_factory, idea_id)
    assert idea.stage == stage
    decision = the_decision(session_factory)
    assert (decision.outcome, decision.decided_by) == (outcome, COACH)
    assert decision.weighted_score == pytest.approx((30 * 4 + 25 * 4 + 20 * 2 + 15 * 4 + 10 * 4) / 100)
    assert decision.rationale == SPECIFIC
    assert {s["criterion_id"]: s["score"] for s in decision.scores}["effort"] == 2

    posts = slack.fake.calls_to("chat.postMessage")
    dm = next(p for p in posts if p["channel"] == SUBMITTER)
    assert "How it scored against our criteria*: weighted *3.6 of 5*" in dm.mrkdwn
    assert "*Effort and cost* (20%): *2/5*, Solid on effort for this idea" in dm.mrkdwn
    assert "Consumer loan decision in under 1 day" in dm.mrkdwn
    assert SPECIFIC in dm.mrkdwn
    dm_buttons = dm.action_ids
    assert dm_buttons[:2] == [Action.ASK_QUESTION, Action.UNDERSTOOD]
    preview_text = "\n".join(b["text"]["text"] for b in preview["blocks"] if b.get("text", {}).get("type") == "mrkdwn")
    assert SPECIFIC in preview_text and "weighted *3.6 of 5*" in preview_text

    thread_post = next(p for p in posts if p["channel"] == thread.channel_id)
    assert thread_post["thread_ts"] == thread.thread_ts
    card = slack.fake.only_in("chat.update", PMO_CHANNEL)
    assert card["channel"] == PMO_CHANNEL and stage.label in card.mrkdwn
    # The kickoff offers only the moves left: none once decided; a parked idea may still be reshaped or withdrawn.
    parked = [Action.OPEN_LOGFRAME, Action.OPEN_ALIGNMENT, Action.WITHDRAW]
    assert kickoff_buttons(slack, thread) == (parked if outcome == "not_now" else [])
    handoffs = [p for p in posts if p["channel"] == PMO_CHANNEL and not p.get("thread_ts")]
    if outcome == "go":
        assert len(handoffs) == 1 and "Lending configures the text template" in handoffs[0].mrkdwn
        assert f"<@{COACH_2}>" in handoffs[0].mrkdwn
    else:
        assert handoffs == []
        assert "Other ways to reach the same goal" in dm.mrkdwn and "What would change the answer" in dm.mrkdwn
        assert Action.RECONSIDER in dm_buttons
    if outcome == "not_now":
        assert idea.revisit_on == date.today() + timedelta(days=90)
        assert "When we'll revisit it" in dm.mrkdwn


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"reason:risk": ""}, "reason:risk"),
        ({"score:readiness": None}, "score:readiness"),
        ({"rationale": "Not aligned with strategy right now, sorry."}, "rationale"),
        ({"alternatives": ""}, "alternatives"),
        ({"what_would_change": "Maybe later."}, "what_would_change"),
        ({"goals": []}, "goals"),
    ],
)
def test_the_guard_refuses_a_vague_no_go_and_sends_nothing(slack, session_factory, changes, field):
    idea_id = ready_idea(slack, session_factory)
    form = open_form(slack, idea_id)
    slack.fake.reset()

    body = slack.submit_view(form, answers("no_go", **changes), user=COACH).json()

    assert body["response_action"] == "errors"
    assert field in body["errors"]
    assert slack.fake.methods() == []
    assert count(session_factory, Decision) == 0 and count(session_factory, DecisionDraft) == 0
    assert load(session_factory, idea_id).stage == Stage.READY_FOR_DECISION


def test_not_now_needs_a_future_revisit_date_and_go_needs_owner_and_start(slack, session_factory):
    idea_id = ready_idea(slack, session_factory)
    form = open_form(slack, idea_id)

    not_now = slack.submit_view(form, answers("not_now", revisit_on=None), user=COACH).json()
    go = slack.submit_view(form, answers("go", owner=None, next_steps=""), user=COACH).json()

    assert set(not_now["errors"]) == {"revisit_on"}
    assert set(go["errors"]) == {"owner", "next_steps"}


def test_a_non_decider_is_refused(slack, session_factory):
    idea_id = ready_idea(slack, session_factory)

    click_card(slack, Action.DECIDE, idea_id, OUTSIDER)

    assert slack.fake.calls_to("views.open") == []
    assert "Only the PMO's deciders" in slack.fake.only("chat.postEphemeral")["text"]


def test_preview_back_and_edit_then_send_sends_the_edited_text(slack, session_factory):
    idea_id = ready_idea(slack, session_factory)
    form = open_form(slack, idea_id)
    first = slack.submit_view(form, answers("go"), user=COACH).json()
    assert first["view"]["callback_id"] == Callback.DECISION_PREVIEW
    assert first["view"]["close"]["text"] == "Back"
    assert slack.fake.methods() == ["views.open"]

    edited = SPECIFIC.replace("four days", "four whole days")
    second = slack.submit_view(form, answers("go", rationale=edited), user=COACH).json()
    slack.fake.reset()
    slack.submit_view(second["view"], {}, user=COACH)

    assert the_decision(session_factory).rationale == edited
    assert count(session_factory, Decision) == 1
    dm = next(p for p in slack.fake.calls_to("chat.postMessage") if p["channel"] == SUBMITTER)
    assert "four whole days" in dm.mrkdwn

    again = slack.submit_view(second["view"], {}, user=COACH)
    assert again.status == 200
    assert count(session_factory, Decision) == 1
    assert "already been sent" in slack.fake.calls_to("chat.postMessage")[-1]["text"]


def test_a_rationale_repeated_word_for_word_from_another_idea_is_warned_about(slack, session_factory):
    first = ready_idea(slack, session_factory)
    preview_and_send(slack, first, answers("no_go"))
    second = ready_idea(slack, session_factory)

    form = open_form(slack, second)
    preview = slack.submit_view(form, answers("no_go", rationale=SPECIFIC.upper() + "  "), user=COACH).json()["view"]

    warning = preview["blocks"][1]["text"]["text"]
    assert f"word for word the one already sent for IDEA-{first}" in warning


def test_deciding_early_and_correcting_a_decision(slack, session_factory):
    idea_id = submit_idea(slack)
    card_buttons = slack.fake.calls_to("chat.postMessage")
    assert card_buttons == []
    form = open_form(slack, idea_id)
    assert "hasn't been marked ready" in str(form["blocks"])
    slack.submit_view(form, answers("no_go"), user=COACH)
    preview = slack.submit_view(form, answers("no_go"), user=COACH).json()["view"]
    slack.submit_view(preview, {}, user=COACH)
    assert load(session_factory, idea_id).stage == Stage.DECIDED_NO_GO

    correction_form = open_form(slack, idea_id)
    blocks = {b.get("block_id"): b for b in correction_form["blocks"]}
    assert blocks["rationale"]["element"]["initial_value"] == SPECIFIC
    slack.fake.reset()
    preview = slack.submit_view(correction_form, answers("not_now"), user=COACH).json()["view"]
    slack.submit_view(preview, {}, user=COACH)

    with session_factory() as session:
        original, correction = session.scalars(select(Decision).order_by(Decision.id)).all()
        assert correction.corrects_id == original.id and original.outcome == "no_go"
    assert load(session_factory, idea_id).stage == Stage.NOT_NOW
    dm = next(p for p in slack.fake.calls_to("chat.postMessage") if p["channel"] == SUBMITTER)
    assert "This corrects the decision sent" in dm.mrkdwn


def click_dm(slack, action_id, value, user=SUBMITTER):
    return slack.click(
        action_id,
        value=str(value),
        user=user,
        channel="DSUBMIT001",
        message={"ts": "1700000099.000100", "text": "decision"},
    )


def test_thanks_understood_updates_the_notice_and_offers_feedback(slack, session_factory):
    idea_id = ready_idea(slack, session_factory)
    preview_and_send(slack, idea_id, answers("go"))
    decision = the_decision(session_factory)
    slack.fake.reset()

    click_dm(slack, Action.UNDERSTOOD, decision.id, user=OUTSIDER)
    assert the_decision(session_factory).acknowledged_at is None
    click_dm(slack, Action.UNDERSTOOD, decision.id)

    assert the_decision(session_factory).acknowledged_at is not None
    update = slack.fake.only("chat.update")
    assert update["channel"].startswith("D") and "You marked this understood" in update.mrkdwn
    assert not any(b["type"] == "actions" for b in update["blocks"])
    prompt = slack.fake.calls_to("chat.postMessage")[-1]
    assert prompt["channel"] == SUBMITTER and "how was the process" in prompt.mrkdwn

    click_dm(slack, Action.GIVE_FEEDBACK, idea_id)
    view = slack.fake.calls_to("views.open")[-1]["view"]
    assert slack.submit_view(view, {"rating": None}, user=SUBMITTER).json()["response_action"] == "errors"
    slack.submit_view(view, {"rating": "4", "comment": "Helpful coaching", "anonymous": ["yes"]}, user=SUBMITTER)
    with session_factory() as session:
        feedback = session.scalars(select(Feedback)).one()
        assert (feedback.rating, feedback.comment, feedback.user_id, feedback.idea_id) == (
            4,
            "Helpful coaching",
            None,
            None,
        )


def test_ask_a_question_brings_the_submitter_back_to_the_thread_with_the_coach(slack, session_factory):
    idea_id = ready_idea(slack, session_factory)
    thread = coaching_thread(session_factory, idea_id)
    preview_and_send(slack, idea_id, answers("no_go"))
    slack.fake.reset()

    click_dm(slack, Action.ASK_QUESTION, idea_id)

    posts = slack.fake.calls_to("chat.postMessage")
    in_thread = next(p for p in posts if p["channel"] == thread.channel_id)
    assert in_thread["thread_ts"] == thread.thread_ts
    assert f"<@{COACH}>, could you pick it up here?" in in_thread.mrkdwn
    to_submitter = next(p for p in posts if p["channel"] == SUBMITTER)
    assert "coaching thread" in to_submitter.mrkdwn


def test_reconsideration_returns_the_idea_to_coaching(slack, session_factory):
    idea_id = ready_idea(slack, session_factory)
    preview_and_send(slack, idea_id, answers("not_now"))
    with session_factory() as session:
        sent = session.scalars(select(SlackMessage).where(SlackMessage.purpose == Purpose.DECISION_NOTICE)).one()

    click_dm(slack, Action.RECONSIDER, idea_id, user=COACH)
    assert "Only the person who submitted" in slack.fake.calls_to("chat.postEphemeral")[-1]["text"]
    click_dm(slack, Action.RECONSIDER, idea_id)
    view = slack.fake.calls_to("views.open")[-1]["view"]
    slack.fake.reset()
    slack.submit_view(
        view, {"new_information": "The vendor now offers two-way texting at no extra cost."}, user=SUBMITTER
    )

    idea = load(session_factory, idea_id)
    assert (idea.stage, idea.revisit_on) == (Stage.IN_COACHING, None)
    assert "In coaching" in slack.fake.only_in("chat.update", PMO_CHANNEL).mrkdwn
    # The notice's buttons are spent (asking again would be refused): a receipt takes their place.
    answered = slack.fake.only_in("chat.update", sent.channel_id)
    assert answered["ts"] == sent.ts
    assert not [block for block in answered["blocks"] if block["type"] == "actions"]
    assert "You asked for it to be reconsidered" in answered.mrkdwn and "Not now" in answered.mrkdwn
    notes = [p for p in slack.fake.calls_to("chat.postMessage") if "asked the PMO to reconsider" in p.mrkdwn]
    assert {p["channel"] for p in notes} >= {PMO_CHANNEL, coaching_thread(session_factory, idea_id).channel_id}
    with session_factory() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "reconsider")).one()


def test_user_text_in_the_decision_notice_is_escaped(slack, session_factory):
    idea_id = submit_idea(slack, title="<!channel> urgent & important")
    hostile = SPECIFIC + " <!here> <https://evil.example|Reset password>"
    preview_and_send(
        slack,
        idea_id,
        answers("no_go", rationale=hostile, alternatives="Try <@U999> & <!subteam^S1> instead, they said so"),
    )

    dm = next(p for p in slack.fake.calls_to("chat.postMessage") if p["channel"] == SUBMITTER)
    for live in ("<!channel>", "<!here>", "<https://evil", "<@U999>", "<!subteam"):
        assert live not in dm.mrkdwn
    assert "&lt;!here&gt;" in dm.mrkdwn


def test_thread_replies_are_still_ignored_for_non_coaching_threads_after_decision(slack, session_factory):
    idea_id = ready_idea(slack, session_factory)
    preview_and_send(slack, idea_id, answers("go"))
    assert count(session_factory, ThreadMessage) == 0


def test_a_question_about_an_idea_decided_without_coaching_opens_a_conversation_with_the_decider(
    slack, session_factory
):
    idea_id = submit_idea(slack)
    preview_and_send(slack, idea_id, answers("no_go"))
    slack.fake.reset()

    click_dm(slack, Action.ASK_QUESTION, idea_id)

    assert set(slack.fake.only("conversations.open")["users"].split(",")) == {SUBMITTER, COACH}
    thread = coaching_thread(session_factory, idea_id)
    assert thread is not None and thread.coach_id == COACH
    in_thread = [p for p in slack.fake.calls_to("chat.postMessage") if p.get("thread_ts") == thread.thread_ts]
    assert len(in_thread) == 1 and f"<@{COACH}>, could you pick it up here?" in in_thread[0].mrkdwn
