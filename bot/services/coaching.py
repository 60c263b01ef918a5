"""Coaching: assigning coaches, the coaching conversation, the LogFrame, alignment, readiness, withdrawal."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import retrying, transaction
from bot.delivery import Post
from bot.runtime import Runtime
from bot.services.errors import Refused
from bot.services.guards import ensure_stage_allows
from bot.services.ideas import change_shown, coaching_note, existing_idea, locked_idea
from bot.services.intake import load_idea
from bot.services.once import claim, forget_old_keys
from bot.views import coaching as views
from bot.views import notes, refusals
from bot.views.ids import Purpose
from bot.views.logframe import playback_message
from models import CoachingThread, Idea, LogFrame, Move, ProcessedEvent, ThreadMessage
from models.access import can_edit_logframe, can_steer_coaching, can_withdraw
from models.logframe import Worksheet

log = logging.getLogger(__name__)

RECENT_MESSAGES = 5


# --- assigning a coach ----------------------------------------------------------------------------


def ensure_staff(runtime: Runtime, user_id: str, doing: str) -> None:
    if not runtime.is_staff(user_id):
        raise Refused(refusals.staff_only(doing))


def idea_for_assignment(runtime: Runtime, idea_id: int | None, actor_id: str) -> Idea:
    ensure_staff(runtime, actor_id, "assign coaches")
    idea = existing_idea(runtime, idea_id)
    ensure_stage_allows(idea, Move.ASSIGN_COACH)
    return idea


def assign_coach(
    runtime: Runtime, idea_id: int | None, coach_id: str, actor_id: str, *, once: str | None = None
) -> Idea:
    """Make `coach_id` the idea's coach, open the coaching conversation and brief the coach: the kickoff and
    the catch-up DM are outbox rows of the assignment's transaction, so a crash after the commit loses neither."""
    ensure_staff(runtime, actor_id, "assign coaches")
    if not runtime.is_staff(coach_id):
        raise Refused(refusals.not_on_staff(coach_id))
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        claim(session, once, now)
        idea = locked_idea(session, idea_id)
        previous = idea.coach_id
        if previous == coach_id:
            raise Refused(refusals.already_coaching(coach_id, idea))
        idea.move(Move.ASSIGN_COACH, actor_id=actor_id, at=now, detail={"coach": coach_id, "previous": previous})
        idea.coach_id = coach_id
        changes = change_shown(runtime, idea, notes.coach_assigned(idea, actor_id, coach_id), kickoff=False)
        text, blocks = views.kickoff(idea, runtime.strategy, previous_coach=previous)
        kickoff = kickoff_post(idea, coach_id, text, blocks)
        sent = runtime.outbox.add(session, [*changes, kickoff, _catch_up(runtime, session, idea, previous)])
    runtime.outbox.kick(sent)
    return load_idea(runtime, idea.id)


def kickoff_post(idea: Idea, helper_id: str, text: str, blocks: list) -> Post:
    """The first message of a conversation of the bot, the submitter and `helper_id`: the outbox opens the
    group DM at delivery and, once posted, records its thread as the idea's current conversation (in the
    transaction that marks it sent). Messages for that thread queue behind it."""
    return Post(
        "",
        text,
        blocks,
        idea_id=idea.id,
        remember_as=Purpose.KICKOFF,
        opens_thread_for=helper_id,
        open_with=tuple(dict.fromkeys([idea.submitter_id, helper_id])),
    )


def _catch_up(runtime: Runtime, session: Session, idea: Idea, previous_coach: str | None) -> Post:
    recent = list(
        session.scalars(
            select(ThreadMessage)
            .where(ThreadMessage.idea_id == idea.id, ThreadMessage.deleted_at.is_(None))
            .order_by(ThreadMessage.posted_at.desc(), ThreadMessage.id.desc())
            .limit(RECENT_MESSAGES)
        )
    )
    text, blocks = views.catch_up(idea, runtime.strategy, list(reversed(recent)), previous_coach)
    # Sent after the kickoff, with a link to the thread it opened (known only once it is posted).
    return Post(idea.coach_id, text, blocks, idea_id=idea.id, links_thread_of=Purpose.KICKOFF)


# --- the LogFrame ---------------------------------------------------------------------------------


def idea_for_logframe(runtime: Runtime, idea_id: int | None, user_id: str) -> Idea:
    idea = existing_idea(runtime, idea_id)
    if not can_edit_logframe(idea, user_id, is_staff=runtime.is_staff(user_id)):
        raise Refused(refusals.logframe_editors_only(idea))
    ensure_stage_allows(idea, Move.EDIT_LOGFRAME, refusals.logframe_closed(idea))
    return idea


def save_logframe(
    runtime: Runtime, idea_id: int | None, cells: dict[str, str], editor_id: str, *, once: str | None = None
) -> Idea:
    idea_for_logframe(runtime, idea_id, editor_id)
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        claim(session, once, now)
        idea = locked_idea(session, idea_id)
        worksheet = Worksheet.from_cells(cells)
        if idea.logframe is None:
            idea.logframe = LogFrame(cells=worksheet.cells, updated_by=editor_id, updated_at=now)
        else:
            idea.logframe.cells = worksheet.cells
            idea.logframe.updated_by, idea.logframe.updated_at = editor_id, now
        idea.updated_at = now
        idea.record(
            "logframe_saved",
            actor_id=editor_id,
            at=now,
            detail={"completed_cells": worksheet.completed_cells},
        )
        text, blocks = playback_message(idea, runtime.strategy, editor_id)
        changes = [*coaching_note(idea, text, blocks), *change_shown(runtime, idea)]
        sent = runtime.outbox.add(session, changes)
    runtime.outbox.kick(sent)
    return idea


# --- alignment, readiness, withdrawal -------------------------------------------------------------


def idea_for_coach(
    runtime: Runtime, idea_id: int | None, user_id: str, doing: str, move: Move = Move.CONFIRM_ALIGNMENT
) -> Idea:
    idea = existing_idea(runtime, idea_id)
    if not can_steer_coaching(idea, user_id, is_staff=runtime.is_staff(user_id)):
        raise Refused(refusals.coach_or_staff_only(idea, doing))
    ensure_stage_allows(idea, move)
    return idea


def save_alignment(
    runtime: Runtime,
    idea_id: int | None,
    goal_ids: list[str],
    note_text: str,
    actor_id: str,
    *,
    once: str | None = None,
) -> Idea:
    idea_for_coach(runtime, idea_id, actor_id, "confirm its strategy alignment")
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        claim(session, once, now)
        idea = locked_idea(session, idea_id)
        before = idea.goal_ids
        idea.set_goals(goal_ids)
        idea.goal_unsure = False
        idea.alignment_note = note_text
        idea.updated_at = now
        idea.record(
            "alignment_saved",
            actor_id=actor_id,
            at=now,
            detail={"goals": goal_ids, "previous_goals": before, "note": note_text},
        )
        text = notes.alignment_confirmed(idea, actor_id, runtime.strategy.goal_titles(goal_ids))
        changes = [
            *coaching_note(idea, text + notes.quoted(note_text)),
            *change_shown(runtime, idea, text),
        ]
        sent = runtime.outbox.add(session, changes)
    runtime.outbox.kick(sent)
    return idea


def mark_ready(runtime: Runtime, idea_id: int | None, actor_id: str) -> Idea:
    idea_for_coach(runtime, idea_id, actor_id, "mark it ready for decision", Move.MARK_READY)
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        idea = locked_idea(session, idea_id)
        idea.move(
            Move.MARK_READY,
            actor_id=actor_id,
            at=now,
            detail={"completed_cells": idea.worksheet.completed_cells},
        )
        text = notes.marked_ready(idea, actor_id)
        notice_text, notice_blocks = views.ready_notice(idea)
        changes = [
            *change_shown(runtime, idea, text),
            Post(runtime.settings.pmo_channel_id, notice_text, notice_blocks, idea_id=idea.id),
            *coaching_note(idea, text + notes.READY_FOR_THE_SUBMITTER),
        ]
        sent = runtime.outbox.add(session, changes)
    runtime.outbox.kick(sent)
    return idea


def idea_for_withdrawal(runtime: Runtime, idea_id: int | None, user_id: str) -> Idea:
    idea = existing_idea(runtime, idea_id)
    if not can_withdraw(idea, user_id):
        raise Refused(refusals.submitter_only(idea, "withdraw it"))
    ensure_stage_allows(idea, Move.WITHDRAW, refusals.already_closed(idea))
    return idea


def withdraw(runtime: Runtime, idea_id: int | None, reason: str, actor_id: str, *, once: str | None = None) -> Idea:
    idea_for_withdrawal(runtime, idea_id, actor_id)
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        claim(session, once, now)
        idea = locked_idea(session, idea_id)
        idea.move(Move.WITHDRAW, actor_id=actor_id, at=now, detail={"reason": reason})
        text = notes.withdrawn(idea, actor_id, reason)
        changes = [*change_shown(runtime, idea, text), *coaching_note(idea, text)]
        sent = runtime.outbox.add(session, changes)
    runtime.outbox.kick(sent)
    return idea


def revisit(runtime: Runtime, idea_id: int | None, actor_id: str) -> Idea:
    """Take a Not-now idea back into coaching (its revisit date came, or the PMO wants it back sooner)."""
    ensure_staff(runtime, actor_id, "reopen ideas for coaching")
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        idea = locked_idea(session, idea_id)
        idea.move(Move.REVISIT, actor_id=actor_id, at=now, detail={"revisit_on": str(idea.revisit_on or "")})
        idea.revisit_on = None
        text = notes.reopened(idea, actor_id)
        changes = [*change_shown(runtime, idea, text), *coaching_note(idea, text)]
        sent = runtime.outbox.add(session, changes)
    runtime.outbox.kick(sent)
    return idea


# --- capturing the conversation -------------------------------------------------------------------


PROCESSED_EVENTS_KEPT = timedelta(days=2)
"""Slack retries an event for minutes, not days: older event ids no longer need remembering."""


def forget_old_events(runtime: Runtime, now: datetime) -> int:
    with transaction(runtime.session_factory) as session:
        result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < now - PROCESSED_EVENTS_KEPT))
        return result.rowcount + forget_old_keys(session, now)


def _moment(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


_TS = re.compile(r"[0-9]{1,12}\.[0-9]{1,9}")


def _reply_fields(event: dict) -> tuple[str | None, dict, str | None, str | None]:
    """(subtype, the message as Slack describes it, its ts, its thread's ts) of a message event."""
    subtype = event.get("subtype")
    if subtype == "message_changed":
        message = event.get("message")
        message = message if isinstance(message, dict) else {}
        return subtype, message, message.get("ts"), message.get("thread_ts")
    if subtype == "message_deleted":
        message = event.get("previous_message")
        message = message if isinstance(message, dict) else {}
        return subtype, message, event.get("deleted_ts"), message.get("thread_ts")
    return subtype, event, event.get("ts"), event.get("thread_ts")


def record_message_event(runtime: Runtime, event: dict, event_id: str | None, bot_user_id: str | None) -> bool:
    """Keep a human reply, edit or deletion in a coaching thread; True when something was stored."""
    subtype, message, ts, thread_ts = _reply_fields(event)
    if subtype not in (None, "thread_broadcast", "file_share", "message_changed", "message_deleted"):
        return False
    if not (isinstance(ts, str) and isinstance(thread_ts, str) and _TS.fullmatch(ts) and _TS.fullmatch(thread_ts)):
        return False
    author, channel_id = message.get("user"), event.get("channel")
    if ts == thread_ts or message.get("bot_id") or not isinstance(author, str) or not author or author == bot_user_id:
        return False
    if not isinstance(channel_id, str) or not isinstance(message.get("text") or "", str):
        log.info("message event %s has fields of the wrong type; ignored", event_id)
        return False
    if event_id is not None and not isinstance(event_id, str):
        return False
    try:
        return retrying(lambda: _store_message(runtime, event_id, subtype, message, channel_id, ts, thread_ts))
    except IntegrityError:
        log.info("event %s or message %s/%s already stored", event_id, channel_id, ts)
        return False


def _store_message(
    runtime: Runtime, event_id: str | None, subtype: str | None, message: dict, channel_id: str, ts: str, thread_ts: str
) -> bool:
    with transaction(runtime.session_factory) as session:
        thread = session.scalar(
            select(CoachingThread).where(CoachingThread.channel_id == channel_id, CoachingThread.thread_ts == thread_ts)
        )
        if thread is None:
            return False
        # The idea's row is locked before anything refers to it: inserting the reply first would take a
        # key-share lock through its foreign key, and two replies upgrading those locks deadlock.
        idea = session.get(Idea, thread.idea_id, with_for_update=True)
        if event_id:
            if session.get(ProcessedEvent, event_id) is not None:
                return False
            session.add(ProcessedEvent(event_id=event_id, received_at=runtime.clock()))
        stored = session.scalar(
            select(ThreadMessage).where(ThreadMessage.channel_id == channel_id, ThreadMessage.ts == ts)
        )
        now = runtime.clock()
        if subtype in ("message_changed", "message_deleted"):
            if stored is None:
                return False
            if subtype == "message_changed":
                stored.text, stored.edited_at = message.get("text") or "", now
            else:
                stored.text, stored.deleted_at = "", now
            return True
        if stored is not None:
            return False
        posted = _moment(ts)
        session.add(
            ThreadMessage(
                idea_id=thread.idea_id,
                thread_id=thread.id,
                channel_id=channel_id,
                ts=ts,
                user_id=message["user"],
                text=message.get("text") or "",
                posted_at=posted,
            )
        )
        # One conditional UPDATE, not read-then-write: SQLite takes no row lock, and a reply that arrives
        # late must not move the clock back.
        session.execute(
            update(Idea)
            .where(Idea.id == idea.id, or_(Idea.last_reply_at.is_(None), Idea.last_reply_at <= posted))
            .values(last_reply_at=posted, last_reply_by=message["user"])
            .execution_options(synchronize_session=False)
        )
    return True
