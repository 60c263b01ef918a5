"""Who a nudge is for and where it is posted, and what it says about the idea."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.views import nudges as views
from models import CoachingThread, Idea
from models.business_time import business_days_between
from models.nudging import ESCALATION_STEP, Audience, ClockFacts, NudgeKind, Place, Rules, audience_for

MAX_GROUP_DM = 8
"""conversations.open takes at most 8 users; more deciders than that are nudged in the PMO channel."""


@dataclass(frozen=True)
class Target:
    users: tuple[str, ...]  # who is addressed: mentioned, DM'd, timed by
    channel: str | None  # where to post (a user id: the app's DM with them)
    thread_ts: str | None = None
    place: Place = Place.PMO_CHANNEL
    group_dm: bool = False  # open a group DM with `users` and post there

    @property
    def reachable(self) -> bool:
        return bool(self.users) and (self.group_dm or bool(self.channel))


def target_for(runtime: Runtime, session: Session, idea_id: int, facts: ClockFacts, audience: Audience) -> Target:
    settings = runtime.settings
    staff = tuple(sorted(settings.pmo_staff_ids))
    pmo = settings.pmo_channel_id or None
    if audience is Audience.PMO_CHANNEL:
        return Target(staff, pmo)
    if audience in (Audience.SUBMITTER, Audience.COACH):
        person = facts.coach_id if audience is Audience.COACH else None
        if audience is Audience.SUBMITTER:
            person = _submitter(session, idea_id)
        if person is None:
            return Target(staff, pmo)
        thread = session.scalars(
            select(CoachingThread).where(CoachingThread.idea_id == idea_id).order_by(CoachingThread.id.desc())
        ).first()
        if thread is None:
            return Target((person,), person, place=Place.DM)
        return Target((person,), thread.channel_id, thread.thread_ts, place=Place.COACHING_THREAD)
    if audience is Audience.DECIDERS:
        deciders = tuple(sorted(settings.deciders))
        if len(deciders) == 1:
            return Target(deciders, deciders[0], place=Place.DM)
        if 1 < len(deciders) <= MAX_GROUP_DM:
            return Target(deciders, None, place=Place.DECIDERS_GROUP_DM, group_dm=True)
        return Target(deciders, pmo)
    if audience is Audience.REVISIT:
        people = (facts.coach_id,) if facts.coach_id else staff
        return Target(people, pmo)
    lead = settings.pmo_lead_id
    if lead:
        return Target((lead,), lead, place=Place.LEAD_DM)
    return Target(staff, pmo)


def _submitter(session: Session, idea_id: int) -> str | None:
    return session.scalar(select(Idea.submitter_id).where(Idea.id == idea_id))


def notice_for(
    runtime: Runtime,
    session: Session,
    row,
    facts: ClockFacts,
    kind: NudgeKind,
    step: int,
    audience: Audience,
    users: tuple[str, ...],
    started: datetime,
    at: datetime,
    nudge_id: int | None,
    rules: Rules,
) -> views.NudgeNotice:
    earlier: tuple[str, ...] = ()
    if step >= ESCALATION_STEP:
        earlier = target_for(runtime, session, row.id, facts, audience_for(kind, 0, facts)).users
    return views.NudgeNotice(
        nudge_id=nudge_id,
        kind=kind,
        step=step,
        audience=audience,
        idea_id=row.id,
        reference=f"IDEA-{row.id}",
        title=row.title,
        submitter_id=row.submitter_id,
        coach_id=facts.coach_id,
        last_reply_by=facts.last_reply_by,
        mentions=users,
        stalled_days=business_days_between(started, at, rules.calendar),
        revisit_on=facts.revisit_on,
        earlier_mentions=earlier,
    )
