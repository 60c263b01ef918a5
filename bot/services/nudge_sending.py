"""Claiming a due nudge and sending it through the outbox; retrying the nudges that failed.

A nudge is claimed once: its row (unique per idea, kind, clock start and step) and the outbox row that
carries it are written in one transaction with the idea locked (FOR UPDATE SKIP LOCKED on PostgreSQL).
The outbox sends it (lease, message metadata, look-up after a crash, back-off) and copies the outcome
to the nudge in the transaction that records it. Retries stay with the sweep, which first checks the
idea is still stalled the same way and its people are at work; the outbox's worker leaves them alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.delivery import Post
from bot.outbox import store as outbox_store
from bot.outbox.store import Claim as OutboxClaim
from bot.runtime import Runtime
from bot.services.nudge_clocks import IDEA_COLUMNS, facts_of, recorded_steps
from bot.services.nudge_targets import Target, notice_for, target_for
from bot.services.sweep_report import SweepItem, SweepReport
from bot.services.working_hours import ZoneBook, sending_window
from bot.views import nudges as views
from models import DeliveryStatus, Idea, Nudge
from models.nudging import (
    Audience,
    ClockFacts,
    NudgeKind,
    Rules,
    SweepOutcome,
    clock_start,
    kind_for,
    next_nudge,
    still_current,
)

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
"""How long a claimed nudge is left to its sender before a sweep takes it again (its sender died)."""
CHANNEL_SPACING = 1.0
"""Seconds between two posts in one channel: chat.postMessage allows about one a second per channel."""
RETRY_BATCH = 500


class Spacer:
    """Keeps posts in one channel at least CHANNEL_SPACING seconds apart within a sweep."""

    def __init__(self, pause: Callable[[float], None], ticker: Callable[[], float]):
        self.pause = pause
        self.ticker = ticker
        self._last: dict[str, float] = {}

    def before(self, channel: str) -> None:
        last = self._last.get(channel)
        if last is not None:
            wait = CHANNEL_SPACING - (self.ticker() - last)
            if wait > 0:
                self.pause(wait)

    def after(self, channel: str) -> None:
        self._last[channel] = self.ticker()


@dataclass(frozen=True)
class Claimed:
    nudge_id: int
    outbox_id: int
    notice: views.NudgeNotice
    target: Target
    leased: OutboxClaim | None = None  # the outbox row, leased in the claim's transaction


def message(notice: views.NudgeNotice, target: Target) -> Post:
    text, blocks = views.nudge_message(notice)
    return Post(
        target.channel or "",
        text,
        blocks,
        idea_id=notice.idea_id,
        thread_ts=target.thread_ts,
        open_with=target.users if target.group_dm else (),
        patient=True,
    )


def claim(runtime: Runtime, idea_id: int, kind: NudgeKind, now: datetime, rules: Rules) -> Claimed | None:
    """Lock the idea, re-check what is due, and record the nudge with its outbox row: one transaction."""
    try:
        with transaction(runtime.session_factory) as session:
            row = session.execute(
                select(*IDEA_COLUMNS).where(Idea.id == idea_id).with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None  # another sweeper holds it
            facts = facts_of(row)
            if kind_for(facts, rules.calendar.today(now)) is not kind:
                return None
            started = clock_start(facts, kind, rules.calendar)
            steps = recorded_steps(session, kind, [idea_id]).get((idea_id, started), {})
            due = next_nudge(facts, steps, now, rules)
            if due is None:
                return None
            target = target_for(runtime, session, idea_id, facts, due.audience)
            nudge = Nudge(
                idea_id=idea_id,
                kind=kind,
                clock_started_at=started,
                step=due.step,
                audience=due.audience,
                recipient=",".join(target.users),
                status=DeliveryStatus.PENDING,
                attempts=1,
                next_attempt_at=now + LEASE,
                created_at=now,
            )
            session.add(nudge)
            session.flush()
            notice = notice_for(
                runtime, session, row, facts, kind, due.step, due.audience, target.users, started, now, nudge.id, rules
            )
            leased = runtime.outbox.add_leased(session, message(notice, target), now)
            nudge.outbox_id = leased.id
    except IntegrityError:
        return None  # claimed by another sweeper a moment ago
    return Claimed(nudge.id, nudge.outbox_id, notice, target, leased)


def deliver(runtime: Runtime, claimed: Claimed, now: datetime, spacer: Spacer, report: SweepReport) -> None:
    """One attempt through the outbox; the nudge's record already says how it went."""
    target = claimed.target
    where = target.channel or ",".join(target.users)
    spacer.before(where)
    if claimed.leased is not None:
        sent = runtime.outbox.attempt(claimed.leased)
    else:
        sent = runtime.outbox.deliver(claimed.outbox_id, now)
    spacer.after(where)
    if sent is None:
        log.info("nudge %s's message is being sent by another sweeper", claimed.nudge_id)
        return
    outcome = SweepOutcome.SENT if sent else SweepOutcome.FAILED
    report.items.append(SweepItem(claimed.notice, target.place, outcome))


# --- retries ----------------------------------------------------------------------------------------


def retry_due(
    runtime: Runtime, now: datetime, rules: Rules, zones: ZoneBook, spacer: Spacer, report: SweepReport
) -> None:
    with runtime.session_factory() as session:
        ids = list(
            session.scalars(
                select(Nudge.id)
                .where(
                    Nudge.next_attempt_at <= now,
                    Nudge.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
                )
                .order_by(Nudge.next_attempt_at, Nudge.id)
                .limit(RETRY_BATCH)
            )
        )
    for nudge_id in ids:
        # Their zones known before the claim's transaction, which would otherwise hold its connection and row
        # lock while Slack answers users.info.
        zones.zones(_recipients(runtime, nudge_id))
        claimed = _reclaim(runtime, nudge_id, now, rules, zones, report)
        if claimed is not None:
            deliver(runtime, claimed, now, spacer, report)


def _recipients(runtime: Runtime, nudge_id: int) -> list[str]:
    """Whom a retried nudge would reach now, read without a lock (the claim reads it again)."""
    with runtime.session_factory() as session:
        nudge = session.get(Nudge, nudge_id)
        return _target_now(runtime, session, nudge)[2].users if nudge is not None else []


def _target_now(runtime: Runtime, session: Session, nudge: Nudge) -> tuple[Row, ClockFacts, Target]:
    """The nudge's idea as its clocks read it, their facts, and whom the nudge would reach now."""
    row = session.execute(select(*IDEA_COLUMNS).where(Idea.id == nudge.idea_id)).one()
    facts = facts_of(row)
    return row, facts, target_for(runtime, session, row.id, facts, Audience(nudge.audience))


def _reclaim(
    runtime: Runtime, nudge_id: int, now: datetime, rules: Rules, zones: ZoneBook, report: SweepReport
) -> Claimed | None:
    """Take a failed (or abandoned) nudge for another attempt, unless the idea has moved on meanwhile."""
    with transaction(runtime.session_factory) as session:
        nudge = session.scalars(
            select(Nudge)
            .where(
                Nudge.id == nudge_id,
                Nudge.next_attempt_at <= now,
                Nudge.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
            )
            .with_for_update(skip_locked=True)
        ).first()
        if nudge is None:
            return None
        row, facts, target = _target_now(runtime, session, nudge)
        kind, audience = NudgeKind(nudge.kind), Audience(nudge.audience)
        notice = notice_for(
            runtime,
            session,
            row,
            facts,
            kind,
            nudge.step,
            audience,
            target.users,
            nudge.clock_started_at,
            now,
            nudge.id,
            rules,
        )
        if not still_current(facts, kind, nudge.clock_started_at, now, rules):
            if not report.dry_run:
                nudge.status, nudge.next_attempt_at = DeliveryStatus.CANCELLED, None
                if nudge.outbox_id is not None:
                    outbox_store.cancel(session, nudge.outbox_id, now)
            report.items.append(SweepItem(notice, target.place, SweepOutcome.CANCELLED))
            return None
        if facts.snoozed_until is not None and facts.snoozed_until > now:
            if not report.dry_run:
                nudge.next_attempt_at = facts.snoozed_until
            return None
        may_send, when = sending_window(zones.zones(target.users).values(), now, rules.calendar)
        if not may_send:
            if not report.dry_run:
                nudge.next_attempt_at = when
            report.items.append(SweepItem(notice, target.place, SweepOutcome.RETRY_WAITING, when))
            return None
        if report.dry_run:
            report.items.append(SweepItem(notice, target.place, SweepOutcome.WOULD_RETRY))
            return None
        nudge.attempts += 1
        nudge.next_attempt_at = now + LEASE
        nudge.recipient = ",".join(target.users)
        if nudge.outbox_id is None:  # claimed before the outbox carried nudges: give it its row now
            [nudge.outbox_id] = runtime.outbox.add(session, [message(notice, target)], now=now)
    return Claimed(nudge_id, nudge.outbox_id, notice, target)
