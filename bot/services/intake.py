"""Submitting ideas and looking them up."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, bindparam, func, select, union, update
from sqlalchemy.orm import Session, raiseload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from bot.db import transaction
from bot.delivery import Message, Post
from bot.runtime import Runtime
from bot.services.once import claim
from bot.services.similar import Similar, similar_to
from bot.views import messages, refusals
from bot.views.ids import Purpose
from bot.views.intake import IntakeSource
from bot.views.text import safe
from models import Idea, IdeaContributor, IdeaGoal, parse_reference
from models.access import can_view
from models.business_time import add_business_days
from models.intake import IdeaDraft
from models.lifecycle import Stage


def submit_idea(
    runtime: Runtime, draft: IdeaDraft, submitter_id: str, source: IntakeSource, *, once: str | None = None
) -> Idea:
    """Store a validated draft, then thank the submitter and post the intake card (once per `once` key)."""
    permalink = None
    if source.channel_id and source.message_ts:
        permalink = runtime.gateway.permalink(source.channel_id, source.message_ts)
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        claim(session, once, now)
        idea = Idea(
            title=draft.title.strip(),
            problem=draft.problem.strip(),
            proposal=draft.proposal.strip(),
            beneficiaries=list(draft.beneficiaries),
            beneficiary_detail=draft.beneficiary_detail.strip() or None,
            success_signal=draft.success_signal.strip(),
            tried_before=draft.tried_before.strip() or None,
            help_offer=draft.help_offer,
            goal_unsure=draft.goal_unsure,
            submitter_id=submitter_id,
            source_channel_id=source.channel_id,
            source_message_ts=source.message_ts,
            source_permalink=permalink,
            stage=Stage.SUBMITTED,
            stage_entered_at=now,
            created_at=now,
            updated_at=now,
            goals=[IdeaGoal(goal_id=goal_id) for goal_id in dict.fromkeys(draft.chosen_goals)],
            contributors=[],  # a new idea has none; set, so the intake card does not query for them
        )
        idea.record("submitted", actor_id=submitter_id, at=now, to_stage=Stage.SUBMITTED)
        session.add(idea)
        session.flush()
        similar = similar_to(session, idea)
        _remember_similar(session, idea, [{"id": other.id, "title": other.title} for other in similar])
        outgoing = runtime.outbox.add(session, intake_messages(runtime, idea, similar))
    runtime.outbox.kick(outgoing)
    return idea


_IDEAS = Idea.__table__
_SET_SIMILAR = update(_IDEAS).where(_IDEAS.c.id == bindparam("idea_id")).values(similar=bindparam("similar"))


def _remember_similar(session: Session, idea: Idea, similar: list[dict]) -> None:
    """One UPDATE for the column, set on the object as already saved: the ORM's own flush of a changed
    attribute cost more than the rest of the statement's work (about 1.5 ms of CPU a submission)."""
    session.execute(_SET_SIMILAR, {"idea_id": idea.id, "similar": similar})
    set_committed_value(idea, "similar", similar)


def intake_messages(runtime: Runtime, idea: Idea, similar: list[Similar] | None = None) -> list[Message]:
    shown = [other for other in similar or [] if Stage(other.stage) in HINTED_STAGES]
    calendar = runtime.strategy.calendar.work_calendar
    coach_by = add_business_days(idea.created_at, runtime.strategy.clocks.unassigned_business_days, calendar)
    receipt_text, receipt_blocks = messages.submitter_receipt(idea, runtime.strategy, shown, coach_by)
    card_text, card_blocks = messages.intake_card(idea, runtime.strategy)
    return [
        Post(idea.submitter_id, receipt_text, receipt_blocks, idea_id=idea.id, remember_as=Purpose.RECEIPT),
        Post(
            runtime.settings.pmo_channel_id,
            card_text,
            card_blocks,
            idea_id=idea.id,
            remember_as=Purpose.INTAKE_CARD,
        ),
    ]


# The submitter hears about similar ideas that are still going somewhere, never closed ones.
HINTED_STAGES = frozenset(stage for stage in Stage if stage.is_open) | {Stage.DECIDED_GO}


@dataclass(frozen=True)
class Lookup:
    idea: Idea | None
    refusal: str | None = None


def load_idea(runtime: Runtime, idea_id: int) -> Idea | None:
    with runtime.session_factory() as session:
        return session.scalar(select(Idea).where(Idea.id == idea_id).options(selectinload(Idea.goals)))


def visible_idea(runtime: Runtime, idea_id: int | None, user_id: str, asked_as: str) -> Lookup:
    """The idea if `user_id` may see it, else a polite refusal (never revealing another's idea)."""
    idea = load_idea(runtime, idea_id) if idea_id is not None else None
    if idea is None:
        return Lookup(None, refusals.no_such_idea(asked_as))
    if not can_view(idea, user_id, is_staff=runtime.is_pmo(user_id)):
        return Lookup(None, refusals.not_yours_to_see(idea))
    return Lookup(idea)


def visible_idea_by_reference(runtime: Runtime, text: str, user_id: str) -> Lookup:
    return visible_idea(runtime, parse_reference(text), user_id, safe(text.strip().upper(), 40))


MINE_SHOWN = 40


def ideas_of(runtime: Runtime, user_id: str) -> tuple[list[Idea], int]:
    """The newest MINE_SHOWN of the ideas `user_id` submitted or is credited on, and how many there are."""
    with runtime.session_factory() as session:
        ideas = session.scalars(
            select(Idea)
            .where(Idea.id.in_(newest_of(user_id, MINE_SHOWN)))
            .order_by(Idea.id.desc())
            .options(raiseload("*"))  # the list shows the ideas' own columns, none of their relationships
        ).all()
        return list(ideas), count_of(session, user_id)


def newest_of(user_id: str, limit: int) -> Select:
    """The ids of the newest `limit` ideas `user_id` submitted or is credited on (an idea of theirs joined
    it). Each half is ordered and cut through its own index before the union: ordering the union instead
    walked the whole ideas table backwards on PostgreSQL for someone whose ideas are all old."""
    own = select(Idea.id.label("id")).where(Idea.submitter_id == user_id).order_by(Idea.id.desc()).limit(limit)
    credited = (
        select(IdeaContributor.idea_id.label("id"))
        .where(IdeaContributor.user_id == user_id)
        .order_by(IdeaContributor.idea_id.desc())
        .limit(limit)
    )
    both = union(select(own.subquery()), select(credited.subquery())).subquery()
    return select(both.c.id).order_by(both.c.id.desc()).limit(limit)


def count_of(session: Session, user_id: str) -> int:
    """How many ideas `user_id` submitted or is credited on."""
    both = union(
        select(Idea.id).where(Idea.submitter_id == user_id),
        select(IdeaContributor.idea_id).where(IdeaContributor.user_id == user_id),
    ).subquery()
    return session.scalar(select(func.count()).select_from(both)) or 0
