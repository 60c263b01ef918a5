"""People answering a nudge: "Snooze" and "I'm on it", and who may."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import transaction
from bot.delivery import Update
from bot.runtime import Runtime
from bot.services.errors import Refused
from bot.services.ideas import locked_idea
from bot.services.nudge_clocks import facts_of, rules_of
from bot.services.nudge_targets import notice_for
from bot.services.once import claim
from bot.views import nudges as views
from bot.views import refusals
from models import Idea, Nudge
from models.business_time import add_business_days
from models.nudging import Audience, NudgeKind, Rules, still_current


@dataclass(frozen=True)
class MessageRef:
    channel: str
    ts: str


class MovedOn(Refused):
    """The idea has moved on since the reminder: nothing to answer, and the reminder's buttons are spent."""


def snooze(runtime: Runtime, nudge_id: int | None, actor_id: str, days: int, message: MessageRef | None) -> datetime:
    """Put off the idea's next nudge by `days` business days; returns until when."""
    now = runtime.clock()
    rules = rules_of(runtime)
    with _retiring_if_moved_on(runtime, nudge_id, message, rules), transaction(runtime.session_factory) as session:
        claim(session, f"nudge:{nudge_id}:snooze", now, views.ALREADY_ANSWERED)
        nudge, idea = _nudge_for_action(runtime, session, nudge_id, actor_id, "snooze", now, rules)
        until = add_business_days(now, days, rules.calendar)
        idea.snoozed_until = until
        idea.updated_at = now
        idea.record("nudge_snoozed", actor_id=actor_id, at=now, detail={"nudge": nudge.id, "days": days})
        handled = _handled(runtime, session, nudge, idea, rules, views.snoozed_note(actor_id, until))
        ids = _replace(runtime, session, idea, message, handled)
    runtime.outbox.kick(ids)
    return until


def on_it(runtime: Runtime, nudge_id: int | None, actor_id: str, message: MessageRef | None) -> None:
    """Someone has taken the idea on: restart its stage clock and lift any snooze."""
    now = runtime.clock()
    rules = rules_of(runtime)
    with _retiring_if_moved_on(runtime, nudge_id, message, rules), transaction(runtime.session_factory) as session:
        claim(session, f"nudge:{nudge_id}:on_it", now, views.ALREADY_ANSWERED)
        nudge, idea = _nudge_for_action(runtime, session, nudge_id, actor_id, "answer", now, rules)
        idea.clock_reset_at = now
        idea.snoozed_until = None
        idea.updated_at = now
        idea.record("nudge_acknowledged", actor_id=actor_id, at=now, detail={"nudge": nudge.id})
        handled = _handled(runtime, session, nudge, idea, rules, views.on_it_note(actor_id))
        ids = _replace(runtime, session, idea, message, handled)
    runtime.outbox.kick(ids)


def may_answer(runtime: Runtime, nudge: Nudge, idea: Idea, user_id: str) -> bool:
    """The people a nudge was for, the idea's coach, PMO staff and the PMO lead."""
    return (
        user_id in nudge.recipients
        or user_id == idea.coach_id
        or runtime.is_staff(user_id)
        or (bool(runtime.settings.pmo_lead_id) and user_id == runtime.settings.pmo_lead_id)
    )


def _nudge_for_action(
    runtime: Runtime, session: Session, nudge_id: int | None, actor_id: str, doing: str, now: datetime, rules: Rules
) -> tuple[Nudge, Idea]:
    nudge = session.get(Nudge, nudge_id) if nudge_id is not None else None
    if nudge is None:
        raise Refused(refusals.REMINDER_GONE)
    idea = locked_idea(session, nudge.idea_id)
    if not may_answer(runtime, nudge, idea, actor_id):
        raise Refused(refusals.reminder_readers_only(idea, doing))
    if not still_current(facts_of(idea), NudgeKind(nudge.kind), nudge.clock_started_at, now, rules):
        raise MovedOn(refusals.moved_on(idea, doing))
    return nudge, idea


@contextmanager
def _retiring_if_moved_on(
    runtime: Runtime, nudge_id: int | None, message: MessageRef | None, rules: Rules
) -> Iterator[None]:
    """On a click at a reminder whose idea has moved on, the reminder loses its buttons (in a transaction of its
    own: the answer's rolled back), and the person is still told why nothing changed."""
    try:
        yield
    except MovedOn:
        if message is not None:
            with transaction(runtime.session_factory) as session:
                nudge = session.get(Nudge, nudge_id)
                idea = session.get(Idea, nudge.idea_id)
                handled = _handled(
                    runtime, session, nudge, idea, rules, views.moved_on_note(idea.reference, idea.current_stage.label)
                )
                ids = _replace(runtime, session, idea, message, handled)
            runtime.outbox.kick(ids)
        raise


def _handled(runtime: Runtime, session: Session, nudge: Nudge, idea: Idea, rules: Rules, note_text: str):
    facts = facts_of(idea)
    at = nudge.sent_at or nudge.created_at
    notice = notice_for(
        runtime,
        session,
        idea,
        facts,
        NudgeKind(nudge.kind),
        nudge.step,
        Audience(nudge.audience),
        tuple(nudge.recipients),
        nudge.clock_started_at,
        at,
        nudge.id,
        rules,
    )
    return views.handled_message(notice, note_text)


def _replace(
    runtime: Runtime, session: Session, idea: Idea, message: MessageRef | None, handled: tuple[str, list]
) -> list[int]:
    """The clicked nudge, replaced through the outbox in the answer's transaction (so a crash after the
    commit still replaces it)."""
    if message is None:
        return []
    text, blocks = handled
    return runtime.outbox.add(session, [Update(idea.id, None, text, blocks, channel=message.channel, ts=message.ts)])
