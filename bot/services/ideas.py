"""Loading ideas for a change, and the messages that show every change: the PMO's card and the kickoff."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery import Message, Post, Update
from bot.runtime import Runtime
from bot.services.errors import Refused
from bot.services.intake import load_idea
from bot.views import coaching, messages, refusals
from bot.views.coaching import note
from bot.views.ids import Purpose
from models import Idea
from models.lifecycle import Move


def existing_idea(runtime: Runtime, idea_id: int | None) -> Idea:
    """The idea (with its goals, LogFrame and threads loaded), or Refused when there is none."""
    idea = load_idea(runtime, idea_id) if idea_id is not None else None
    if idea is None:
        raise Refused(refusals.IDEA_GONE)
    return idea


def locked_idea(session: Session, idea_id: int | None) -> Idea:
    """The idea, locked for this transaction (on PostgreSQL), or Refused when there is none."""
    idea = None
    if idea_id is not None:
        idea = session.scalar(select(Idea).where(Idea.id == idea_id).with_for_update())
    if idea is None:
        raise Refused(refusals.IDEA_GONE)
    return idea


def change_shown(runtime: Runtime, idea: Idea, note_text: str | None = None, *, kickoff: bool = True) -> list[Message]:
    """The intake card refreshed in place and, for a stage change, a note in the card's thread. The coaching
    conversation's kickoff is refreshed too (its buttons are the moves allowed now), unless `kickoff` is
    False: assigning a coach posts a new kickoff instead."""
    text, blocks = messages.intake_card(idea, runtime.strategy)
    changes: list[Message] = [Update(idea.id, Purpose.INTAKE_CARD, text, blocks)]
    if kickoff and idea.coach_id:
        kickoff_text, kickoff_blocks = coaching.kickoff(idea, runtime.strategy, previous_coach=previous_coach(idea))
        changes.append(Update(idea.id, Purpose.KICKOFF, kickoff_text, kickoff_blocks))
    if note_text:
        note_text, note_blocks = note(note_text)
        changes.append(
            Post(
                runtime.settings.pmo_channel_id,
                note_text,
                note_blocks,
                idea_id=idea.id,
                in_thread_of=Purpose.INTAKE_CARD,
            )
        )
    return changes


def previous_coach(idea: Idea) -> str | None:
    """Whom the current coach took over from, as their assignment recorded it (the kickoff says so)."""
    for event in reversed(idea.audit_events):
        if event.action == Move.ASSIGN_COACH.value and (event.detail or {}).get("coach") == idea.coach_id:
            return (event.detail or {}).get("previous")
    return None


def coaching_note(idea: Idea, text: str, blocks: list | None = None) -> list[Message]:
    """A message in the idea's current coaching thread, if it has one."""
    thread = idea.current_thread
    if thread is None:
        return []
    if blocks is None:
        text, blocks = note(text)
    return [Post(thread.channel_id, text, blocks, idea_id=idea.id, in_thread_of=Purpose.KICKOFF)]
