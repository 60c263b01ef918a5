"""Coaching end to end: assignment, the kickoff conversation, captured replies, LogFrame, readiness."""

from __future__ import annotations

from sqlalchemy import select

from bot.views.ids import Action, Callback, Purpose
from models import AuditEvent, Idea, LogFrame, ProcessedEvent, SlackMessage, Stage, ThreadMessage
from tests.conftest import COACH, COACH_2, OUTSIDER, PMO_CHANNEL, SUBMITTER
from tests.support.fake_slack import BOT_USER_ID
from tests.support.flows import (
    click_card,
    click_in_thread,
    coach_this,
    coaching_thread,
    count,
    kickoff_buttons,
    submit_idea,
)


def load(session_factory, idea_id) -> Idea:
    with session_factory() as session:
        return session.get(Idea, idea_id)


def reply(slack, thread, user, text, ts, event_id=None, retry=None):
    event = {
        "type": "message",
        "channel": thread.channel_id,
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread.thread_ts,
        "channel_type": "mpim",
        "event_ts": ts,
    }
    return slack.event(event, event_id=event_id, retry=retry)


# --- assignment -----------------------------------------------------------------------------------


def test_coach_this_assigns_the_clicker_opens_the_conversation_and_updates_the_card(slack, session_factory):
    idea_id = submit_idea(slack)

    response = click_card(slack, Action.COACH_THIS, idea_id, COACH)

    assert response.status == 200
    idea = load(session_factory, idea_id)
    assert (idea.stage, idea.coach_id) == (Stage.IN_COACHING, COACH)
    opened = slack.fake.only("conversations.open")
    assert set(opened["users"].split(",")) == {SUBMITTER, COACH}
    posts = slack.fake.calls_to("chat.postMessage")
    kickoff = next(post for post in posts if post["channel"].startswith("G"))
    assert f"<@{SUBMITTER}>" in kickoff.mrkdwn and f"<@{COACH}>" in kickoff.mrkdwn
    for question in (
        "What are we trying to accomplish, and why?",
        "How will we measure success?",
        "What other conditions must exist?",
        "How do we get there?",
        "what other ways could reach the same goal?",
    ):
        assert question in kickoff.mrkdwn
    assert kickoff.action_ids == [Action.OPEN_LOGFRAME, Action.OPEN_ALIGNMENT, Action.MARK_READY, Action.WITHDRAW]

    update = slack.fake.only("chat.update")
    assert update["channel"] == PMO_CHANNEL
    assert "In coaching" in update.text_of_blocks and f"<@{COACH}>" in update.text_of_blocks
    assert Action.COACH_THIS not in update.action_ids and Action.ASSIGN_COACH in update.action_ids

    card_note = next(post for post in posts if post["channel"] == PMO_CHANNEL)
    assert card_note["thread_ts"] == update["ts"]
    assert "took on coaching" in card_note["text"]

    thread = coaching_thread(session_factory, idea_id)
    assert (thread.channel_id, thread.coach_id) == (kickoff["channel"], COACH)
    assert thread.permalink


def test_the_new_coach_gets_a_catch_up_dm(slack, session_factory):
    idea_id = submit_idea(slack)
    click_card(slack, Action.COACH_THIS, idea_id, COACH)

    dm = next(post for post in slack.fake.calls_to("chat.postMessage") if post["channel"] == COACH)
    assert "You're now coaching *IDEA-1*" in dm.mrkdwn
    assert "Open the coaching thread" in dm.mrkdwn


def test_someone_outside_the_pmo_cannot_take_an_idea_and_nothing_changes(slack, session_factory):
    idea_id = submit_idea(slack)

    click_card(slack, Action.COACH_THIS, idea_id, OUTSIDER)
    click_card(slack, Action.ASSIGN_COACH, idea_id, OUTSIDER)

    idea = load(session_factory, idea_id)
    assert (idea.stage, idea.coach_id) == (Stage.SUBMITTED, None)
    refusals = slack.fake.calls_to("chat.postEphemeral")
    assert len(refusals) == 2
    assert all(r["user"] == OUTSIDER and "Only PMO staff" in r["text"] for r in refusals)
    assert set(slack.fake.methods()) == {"chat.postEphemeral"}


def test_assign_coach_modal_assigns_a_chosen_staff_member_and_refuses_others(slack, session_factory):
    idea_id = submit_idea(slack)
    click_card(slack, Action.ASSIGN_COACH, idea_id, COACH)
    view = slack.fake.only("views.open")["view"]
    assert view["callback_id"] == Callback.ASSIGN_COACH

    refused = slack.submit_view(view, {"coach": OUTSIDER}, user=COACH).json()
    assert refused["response_action"] == "errors" and "coach" in refused["errors"]
    assert load(session_factory, idea_id).coach_id is None

    assert slack.submit_view(view, {"coach": COACH_2}, user=COACH).body == ""
    assert load(session_factory, idea_id).coach_id == COACH_2
    dm_channels = [post["channel"] for post in slack.fake.calls_to("chat.postMessage")]
    assert COACH_2 in dm_channels


def test_reassigning_opens_a_new_conversation_and_briefs_the_new_coach(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    first_thread = coaching_thread(session_factory, idea_id)
    reply(slack, first_thread, SUBMITTER, "The pay stub is the usual missing piece.", "1800000001.000100")
    slack.fake.reset()

    click_card(slack, Action.ASSIGN_COACH, idea_id, COACH)
    view = slack.fake.only("views.open")["view"]
    slack.submit_view(view, {"coach": COACH_2}, user=COACH)

    idea = load(session_factory, idea_id)
    assert (idea.coach_id, idea.stage) == (COACH_2, Stage.IN_COACHING)
    second_thread = coaching_thread(session_factory, idea_id)
    assert second_thread.id != first_thread.id and second_thread.coach_id == COACH_2
    kickoff = next(p for p in slack.fake.calls_to("chat.postMessage") if p["channel"] == second_thread.channel_id)
    assert f"picking up from <@{COACH}>" in kickoff.mrkdwn
    catch_up = next(p for p in slack.fake.calls_to("chat.postMessage") if p["channel"] == COACH_2)
    assert "The pay stub is the usual missing piece." in catch_up.mrkdwn
    assert f"<@{COACH}> coached it before you" in catch_up.mrkdwn
    assert [update["channel"] for update in slack.fake.calls_to("chat.update")] == [PMO_CHANNEL]  # no kickoff's

    slack.fake.reset()
    click_in_thread(slack, Action.MARK_READY, idea_id, COACH_2, second_thread)

    # Only the new conversation's kickoff is refreshed, and it still says whom the coach took over from.
    kickoff = slack.fake.only_in("chat.update", second_thread.channel_id)
    assert f"picking up from <@{COACH}>" in kickoff.mrkdwn
    assert Action.MARK_READY not in kickoff_buttons(slack, second_thread)
    assert first_thread.channel_id not in [update["channel"] for update in slack.fake.calls_to("chat.update")]


# --- the conversation -----------------------------------------------------------------------------


def test_replies_in_the_thread_are_stored_with_author_and_time(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)

    assert reply(slack, thread, COACH, "What would success look like?", "1800000001.000100").status == 200
    reply(slack, thread, SUBMITTER, "Fewer stalled loan files.", "1800000002.000100")

    with session_factory() as session:
        stored = session.scalars(select(ThreadMessage).order_by(ThreadMessage.ts)).all()
        assert [(m.user_id, m.text) for m in stored] == [
            (COACH, "What would success look like?"),
            (SUBMITTER, "Fewer stalled loan files."),
        ]
        assert stored[0].posted_at.timestamp() == 1800000001.0001
    idea = load(session_factory, idea_id)
    assert idea.last_reply_by == SUBMITTER
    assert idea.last_reply_at.timestamp() == 1800000002.0001


def test_bot_messages_and_other_threads_are_ignored(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)

    slack.event(
        {
            "type": "message",
            "channel": thread.channel_id,
            "bot_id": "BCOACH",
            "user": BOT_USER_ID,
            "text": "LogFrame updated",
            "ts": "1800000003.000100",
            "thread_ts": thread.thread_ts,
        }
    )
    slack.event(
        {
            "type": "message",
            "channel": thread.channel_id,
            "user": SUBMITTER,
            "text": "other thread",
            "ts": "1800000004.000100",
            "thread_ts": "1799999999.000100",
        }
    )
    slack.event(
        {
            "type": "message",
            "channel": "CGENERAL1",
            "user": SUBMITTER,
            "text": "not a thread",
            "ts": "1800000005.000100",
        }
    )
    response = slack.event(
        {
            "type": "message",
            "subtype": "channel_join",
            "channel": thread.channel_id,
            "user": OUTSIDER,
            "ts": "1800000006.000100",
            "thread_ts": thread.thread_ts,
        }
    )

    assert response.status == 200
    assert count(session_factory, ThreadMessage) == 0
    assert load(session_factory, idea_id).last_reply_at is None


def test_a_retried_event_is_stored_once(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)

    first = reply(slack, thread, SUBMITTER, "Here's more context.", "1800000001.000100", event_id="Ev0001")
    again = reply(slack, thread, SUBMITTER, "Here's more context.", "1800000001.000100", event_id="Ev0001", retry=1)

    assert (first.status, again.status) == (200, 200)
    assert count(session_factory, ThreadMessage) == 1
    assert count(session_factory, ProcessedEvent) == 1


def test_edits_and_deletions_are_reflected(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)
    reply(slack, thread, SUBMITTER, "Typo here", "1800000001.000100")
    reply(slack, thread, SUBMITTER, "Delete me", "1800000002.000100")

    slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": thread.channel_id,
            "hidden": True,
            "ts": "1800000010.000100",
            "message": {
                "type": "message",
                "user": SUBMITTER,
                "text": "Fixed it",
                "ts": "1800000001.000100",
                "thread_ts": thread.thread_ts,
                "edited": {"user": SUBMITTER, "ts": "1800000010.0"},
            },
            "previous_message": {
                "type": "message",
                "user": SUBMITTER,
                "text": "Typo here",
                "ts": "1800000001.000100",
                "thread_ts": thread.thread_ts,
            },
        }
    )
    slack.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": thread.channel_id,
            "hidden": True,
            "ts": "1800000011.000100",
            "deleted_ts": "1800000002.000100",
            "previous_message": {
                "type": "message",
                "user": SUBMITTER,
                "text": "Delete me",
                "ts": "1800000002.000100",
                "thread_ts": thread.thread_ts,
            },
        }
    )

    with session_factory() as session:
        edited, deleted = session.scalars(select(ThreadMessage).order_by(ThreadMessage.ts)).all()
        assert (edited.text, edited.edited_at is not None) == ("Fixed it", True)
        assert (deleted.text, deleted.deleted_at is not None) == ("", True)


# --- the LogFrame ---------------------------------------------------------------------------------


def open_logframe(slack, idea_id, thread, user):
    click_in_thread(slack, Action.OPEN_LOGFRAME, idea_id, user, thread)
    return slack.fake.calls_to("views.open")[-1]["view"]


def test_logframe_partial_save_playback_completeness_and_resume(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)

    view = open_logframe(slack, idea_id, thread, SUBMITTER)
    assert view["callback_id"] == Callback.LOGFRAME and len(view["blocks"]) <= 100
    answers = {
        "goal.objective": "loan-cycle-time",
        "purpose.objective": "members return missing documents within a day",
        "purpose.measure": "median wait for documents under 1 day by June",
        "outcome1.objective": "an automatic text when a document is flagged missing",
        "outcome1.measure": "sent within 5 minutes of the flag",
        "inputs.objective": "configure the texting service and train loan officers",
        "inputs.assumptions": "the vendor's texting API is approved",
    }
    slack.fake.reset()
    assert slack.submit_view(view, answers, user=SUBMITTER).body == ""

    with session_factory() as session:
        logframe = session.get(LogFrame, idea_id)
        assert logframe.cells["purpose.objective"] == answers["purpose.objective"]
        assert logframe.updated_by == SUBMITTER
    playback = next(p for p in slack.fake.calls_to("chat.postMessage") if p["channel"] == thread.channel_id)
    assert playback["thread_ts"] == thread.thread_ts
    assert "7 of 16 cells" in playback.mrkdwn
    assert (
        "If we do configure the texting service and train loan officers and the vendor's texting API is "
        "approved holds, then we will deliver an automatic text"
    ) in playback.mrkdwn
    assert "then it contributes to the goal: Consumer loan decision in under 1 day" in playback.mrkdwn
    assert "LogFrame 7 of 16 cells" in slack.fake.only_in("chat.update", PMO_CHANNEL).mrkdwn

    resumed = open_logframe(slack, idea_id, thread, COACH)
    blocks = {block.get("block_id"): block for block in resumed["blocks"]}
    assert blocks["purpose.objective"]["element"]["initial_value"] == answers["purpose.objective"]
    assert blocks["goal.objective"]["element"]["initial_option"]["value"] == "loan-cycle-time"
    slack.submit_view(resumed, answers | {"goal.measure": "decision time median", "purpose.objective": ""}, user=COACH)
    with session_factory() as session:
        cells = session.get(LogFrame, idea_id).cells
        assert "purpose.objective" not in cells and cells["goal.measure"] == "decision time median"


def test_logframe_rejects_oversize_cells_and_orphan_measures(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    view = open_logframe(slack, idea_id, coaching_thread(session_factory, idea_id), SUBMITTER)

    body = slack.submit_view(
        view, {"purpose.measure": "x" * 1001, "outcome2.measure": "50 a week"}, user=SUBMITTER
    ).json()

    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"purpose.measure", "outcome2.objective"}
    assert count(session_factory, LogFrame) == 0


def test_only_submitter_coach_or_staff_may_open_the_logframe(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)

    click_in_thread(slack, Action.OPEN_LOGFRAME, idea_id, OUTSIDER, thread)

    assert slack.fake.calls_to("views.open") == []
    assert "can edit its LogFrame" in slack.fake.only("chat.postEphemeral")["text"]


# --- alignment, ready, withdraw -------------------------------------------------------------------


def test_coach_confirms_alignment_and_the_card_shows_it(slack, session_factory):
    idea_id = submit_idea(slack, goals=["unsure"])
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)

    click_in_thread(slack, Action.OPEN_ALIGNMENT, idea_id, SUBMITTER, thread)
    assert "Only the coach" in slack.fake.only("chat.postEphemeral")["text"]

    click_in_thread(slack, Action.OPEN_ALIGNMENT, idea_id, COACH, thread)
    view = slack.fake.only("views.open")["view"]
    slack.fake.reset()
    slack.submit_view(
        view, {"goals": ["paper-reduction"], "note": "Retires the paper missing-docs letter."}, user=COACH
    )

    idea = load(session_factory, idea_id)
    assert (idea.goal_ids, idea.goal_unsure) == (["paper-reduction"], False)
    assert idea.alignment_note == "Retires the paper missing-docs letter."
    card = slack.fake.only_in("chat.update", PMO_CHANNEL)
    assert "Retire 10 paper-based processes" in card.mrkdwn
    assert "Retires the paper missing-docs letter." in card.mrkdwn


def test_ready_for_decision_moves_the_stage_and_tells_the_pmo(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)

    click_in_thread(slack, Action.MARK_READY, idea_id, SUBMITTER, thread)
    assert load(session_factory, idea_id).stage == Stage.IN_COACHING
    slack.fake.reset()

    click_in_thread(slack, Action.MARK_READY, idea_id, COACH, thread)

    assert load(session_factory, idea_id).stage == Stage.READY_FOR_DECISION
    assert "Ready for decision" in slack.fake.only_in("chat.update", PMO_CHANNEL).mrkdwn
    # The kickoff's buttons follow the stage: marked ready, it no longer offers to mark it ready.
    assert kickoff_buttons(slack, thread) == [Action.OPEN_LOGFRAME, Action.OPEN_ALIGNMENT, Action.WITHDRAW]
    posts = slack.fake.calls_to("chat.postMessage")
    top_level = [p for p in posts if p["channel"] == PMO_CHANNEL and not p.get("thread_ts")]
    assert len(top_level) == 1 and "is ready for a decision" in top_level[0].mrkdwn
    assert any(p["channel"] == thread.channel_id and p.get("thread_ts") == thread.thread_ts for p in posts)

    slack.fake.reset()
    click_in_thread(slack, Action.MARK_READY, idea_id, COACH, thread)
    assert "cannot be marked ready" in slack.fake.only("chat.postEphemeral")["text"]
    assert slack.fake.calls_to("chat.update") == []


def test_submitter_withdraws_with_a_reason(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)
    thread = coaching_thread(session_factory, idea_id)

    click_in_thread(slack, Action.WITHDRAW, idea_id, COACH, thread)
    assert "Only the person who submitted" in slack.fake.only("chat.postEphemeral")["text"]

    click_in_thread(slack, Action.WITHDRAW, idea_id, SUBMITTER, thread)
    view = slack.fake.only("views.open")["view"]
    short = slack.submit_view(view, {"reason": "meh"}, user=SUBMITTER).json()
    assert short["response_action"] == "errors" and "reason" in short["errors"]
    assert load(session_factory, idea_id).stage == Stage.IN_COACHING

    slack.fake.reset()
    slack.submit_view(view, {"reason": "Lending already bought a tool that does this."}, user=SUBMITTER)

    assert load(session_factory, idea_id).stage == Stage.WITHDRAWN
    with session_factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "withdraw")).one()
        assert event.detail == {"reason": "Lending already bought a tool that does this."}
    assert "Withdrawn" in slack.fake.only_in("chat.update", PMO_CHANNEL).mrkdwn
    assert kickoff_buttons(slack, thread) == []  # nothing left to do from the conversation's first message


def test_details_show_coach_time_in_stage_logframe_and_thread_link(slack, session_factory):
    idea_id = submit_idea(slack)
    coach_this(slack, idea_id, COACH)

    body = slack.command(f"IDEA-{idea_id}", user=SUBMITTER).json()
    text = "\n".join(f["text"] for b in body["blocks"] for f in b.get("fields", []))
    assert f"<@{COACH}>" in text
    assert "In coaching since <!date^" in text
    assert "0 of 16 cells" in text
    assert "Open the coaching thread" in text
    with session_factory() as session:
        assert session.scalar(select(SlackMessage).where(SlackMessage.purpose == Purpose.KICKOFF)) is not None


def test_when_the_conversation_cannot_be_opened_the_pmo_is_told_on_the_card(slack, session_factory):
    idea_id = submit_idea(slack)
    slack.fake.fail("conversations.open", "user_not_found")

    click_card(slack, Action.COACH_THIS, idea_id, COACH)

    idea = load(session_factory, idea_id)
    assert (idea.stage, idea.coach_id) == (Stage.IN_COACHING, COACH)
    assert coaching_thread(session_factory, idea_id) is None
    notes = [p for p in slack.fake.calls_to("chat.postMessage") if p["channel"] == PMO_CHANNEL]
    assert any("couldn't open the coaching conversation (user_not_found)" in p.mrkdwn for p in notes)
    assert "In coaching" in slack.fake.only("chat.update").mrkdwn
