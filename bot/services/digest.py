"""The weekly digest to the PMO channel: the week's new ideas and decisions, the pipeline, what is stalled.

Each week's digest is claimed in the `digests` table before it is posted, so several instances post it
once; an instance that was down at digest time posts it when it is back, within the same week. The message
goes through the outbox (lease, message metadata, look-up after a crash, back-off), which records its ts on
the digest; the chart follows as an outbox file row of its own (files.info checked before a share is
completed again). A failed post or upload is retried by later runs; the parts already posted are not
posted again.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.delivery import FileShare, Post
from bot.outbox import store as outbox_store
from bot.outbox.policy import PATIENT_ATTEMPTS, describe, patient_delay
from bot.runtime import Runtime
from bot.services.nudge_clocks import candidates, facts_of, rules_of
from bot.services.nudge_sending import LEASE
from bot.views import digest as views
from bot.views.ids import Purpose
from models import CoachingThread, Decision, DeliveryStatus, Digest, Idea, SlackMessage, Stage, ThreadMessage
from models.business_time import business_days_between
from models.nudging import NudgeKind, clock_start, first_due, kind_for

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)
MEDIAN_WINDOW_DAYS = 90
MAX_LINKS = 15


def digest_moment(runtime: Runtime, now: datetime) -> datetime:
    """The latest scheduled digest time at or before `now` (configured weekday and time, organisation's zone)."""
    calendar = runtime.strategy.calendar
    work = calendar.work_calendar
    local = work.local(now)
    days_back = (local.weekday() - calendar.digest_weekday) % 7
    day = local.date() - timedelta(days=days_back)
    moment = work.instant(datetime.combine(day, calendar.digest_time))
    if moment > now:
        moment = work.instant(datetime.combine(day - WEEK, calendar.digest_time))
    return moment


@dataclass(frozen=True)
class DigestResult:
    week_of: str
    posted: bool
    chart_uploaded: bool


def digest_if_due(runtime: Runtime, now: datetime) -> DigestResult | None:
    """Post this week's digest if its time has come and no instance has posted it yet."""
    if not runtime.settings.pmo_channel_id:
        return None
    moment = digest_moment(runtime, now)
    week_of = runtime.strategy.calendar.work_calendar.local(moment).date()
    claimed = _claim(runtime, week_of, now)
    if claimed is None:
        return None
    figures = gather(runtime, moment - WEEK, moment, now)
    return _send(runtime, claimed, figures, now)


def _claim(runtime: Runtime, week_of, now: datetime) -> Digest | None:
    try:
        with transaction(runtime.session_factory) as session:
            digest = session.scalars(
                select(Digest).where(Digest.week_of == week_of).with_for_update(skip_locked=True)
            ).first()
            if digest is None:
                if session.get(Digest, week_of) is not None:
                    return None  # locked by another instance
                digest = Digest(
                    week_of=week_of,
                    status=DeliveryStatus.PENDING,
                    attempts=1,
                    next_attempt_at=now + LEASE,
                    created_at=now,
                )
                session.add(digest)
                session.flush()
                return digest
            if digest.status == DeliveryStatus.SENT or digest.next_attempt_at is None or digest.next_attempt_at > now:
                return None
            digest.attempts += 1
            digest.next_attempt_at = now + LEASE
            return digest
    except IntegrityError:
        return None


def _send(runtime: Runtime, digest: Digest, figures: views.DigestFigures, now: datetime) -> DigestResult:
    try:
        if digest.message_ts is None:
            runtime.outbox.deliver(_queued(runtime, digest, figures, now), now)
            with runtime.session_factory() as session:
                recorded = session.get(Digest, digest.week_of)
            if recorded.message_ts is None:  # the outbox recorded the failure and when to try again
                return DigestResult(str(digest.week_of), False, False)
            digest.message_ts = recorded.message_ts
        if digest.chart_file_id is None:
            chart_id = _queued_chart(runtime, digest, figures, now)
            runtime.outbox.deliver(chart_id, now)
            file_id = outbox_store.shared_file(runtime.session_factory, chart_id)
            if file_id is None:  # the outbox recorded why and retries it; this job looks again next run
                raise ChartNotShared(f"the chart (outbox {chart_id}) is not shared yet")
            _save(runtime, digest.week_of, chart_file_id=file_id)
            digest.chart_file_id = file_id
    except Exception as error:
        attempts = digest.attempts
        retry_at = None if attempts >= PATIENT_ATTEMPTS else now + patient_delay(attempts)
        _save(
            runtime,
            digest.week_of,
            status=DeliveryStatus.FAILED,
            last_error=describe(error),
            next_attempt_at=retry_at,
        )
        log.warning("weekly digest for %s failed (%s); retry at %s", digest.week_of, describe(error), retry_at)
        return DigestResult(str(digest.week_of), digest.message_ts is not None, False)
    _save(runtime, digest.week_of, status=DeliveryStatus.SENT, sent_at=now, next_attempt_at=None)
    return DigestResult(str(digest.week_of), True, True)


def _queued(runtime: Runtime, digest: Digest, figures: views.DigestFigures, now: datetime) -> int:
    """The digest message's outbox row, written on the first attempt."""
    if digest.outbox_id is not None:
        return digest.outbox_id
    text, blocks = views.digest_message(figures)
    message = Post(runtime.settings.pmo_channel_id, text, blocks, patient=True)
    with transaction(runtime.session_factory) as session:
        [digest.outbox_id] = runtime.outbox.add(session, [message], now=now)
        session.get(Digest, digest.week_of).outbox_id = digest.outbox_id
    return digest.outbox_id


def _queued_chart(runtime: Runtime, digest: Digest, figures: views.DigestFigures, now: datetime) -> int:
    """The chart's outbox row, written (with the drawn PNG) once the message is out, so it follows it."""
    if digest.chart_outbox_id is not None:
        return digest.chart_outbox_id
    title = views.chart_title(figures)
    png = views.pipeline_chart(figures.per_stage, title)
    share = FileShare(
        runtime.settings.pmo_channel_id,
        "idea-pipeline.png",
        png,
        title,
        initial_comment=views.CHART_COMMENT,
    )
    with transaction(runtime.session_factory) as session:
        [digest.chart_outbox_id] = runtime.outbox.add(session, [share], now=now)
        session.get(Digest, digest.week_of).chart_outbox_id = digest.chart_outbox_id
    return digest.chart_outbox_id


class ChartNotShared(Exception):
    """The chart's outbox row is not delivered yet (the outbox keeps trying; so does the digest job)."""


def _save(runtime: Runtime, week_of, **values) -> None:
    with transaction(runtime.session_factory) as session:
        digest = session.get(Digest, week_of)
        for name, value in values.items():
            setattr(digest, name, value)


# --- the figures ------------------------------------------------------------------------------------


def gather(runtime: Runtime, start: datetime, end: datetime, now: datetime) -> views.DigestFigures:
    with runtime.session_factory() as session:
        new_ideas = [
            views.IdeaLine(f"IDEA-{row.id}", row.title, Stage(row.stage).label)
            for row in session.execute(
                select(Idea.id, Idea.title, Idea.stage)
                .where(Idea.created_at >= start, Idea.created_at < end)
                .order_by(Idea.id)
            )
        ]
        counts = dict(session.execute(select(Idea.stage, func.count()).group_by(Idea.stage)).all())
        per_stage = [(stage.label, counts.get(stage.value, 0)) for stage in Stage]
        decisions = [
            views.IdeaLine(f"IDEA-{row.idea_id}", row.title, views.decision_detail(row.outcome, row.decided_by))
            for row in session.execute(
                select(Decision.idea_id, Decision.outcome, Decision.decided_by, Idea.title)
                .join(Idea, Idea.id == Decision.idea_id)
                .where(Decision.decided_at >= start, Decision.decided_at < end)
                .order_by(Decision.decided_at, Decision.id)
            )
        ]
        stalled = _stalled(runtime, session, now)
        since = now - timedelta(days=MEDIAN_WINDOW_DAYS)
        first_replies = _first_coach_replies(session, since, now)
        decided = _first_decisions(session, since, now)
    # Slack is asked for links only now, with the connection back in the pool: a slow Slack must not hold one
    # of the few a process has while requests wait for it.
    stalled = [_linked(runtime, item) for item in stalled]
    return views.DigestFigures(
        week_start=start,
        week_end=end,
        new_ideas=new_ideas,
        per_stage=per_stage,
        decisions=decisions,
        stalled=stalled,
        median_first_reply_days=statistics.median(first_replies) if first_replies else None,
        first_reply_count=len(first_replies),
        median_decision_days=statistics.median(decided) if decided else None,
        decision_count=len(decided),
        window_days=MEDIAN_WINDOW_DAYS,
    )


@dataclass(frozen=True)
class _Stalled:
    line: views.IdeaLine
    card: SlackMessage | None = None  # the intake card to link to, when no thread link is known


def _stalled(runtime: Runtime, session: Session, now: datetime) -> list[_Stalled]:
    """Ideas whose stage clock has run past its threshold, longest first, with where each one waits."""
    rules = rules_of(runtime)
    found = []
    for kind in NudgeKind:
        for row in candidates(session, kind, now, rules):
            facts = facts_of(row)
            if kind_for(facts, rules.calendar.today(now)) is not kind or first_due(facts, kind, rules) > now:
                continue
            days = business_days_between(clock_start(facts, kind, rules.calendar), now, rules.calendar)
            found.append((days, row, kind))
    found.sort(key=lambda item: (-item[0], item[1].id))
    stalled = []
    for index, (days, row, kind) in enumerate(found):
        detail = f"{kind.reason}, {max(int(days), 0)} business day(s)" if kind is not NudgeKind.REVISIT else kind.reason
        line = views.IdeaLine(f"IDEA-{row.id}", row.title, detail)
        stalled.append(_where(session, line, row.id, kind) if index < MAX_LINKS else _Stalled(line))
    return stalled


def _where(session: Session, line: views.IdeaLine, idea_id: int, kind: NudgeKind) -> _Stalled:
    if kind is NudgeKind.COACHING_QUIET:
        thread = session.scalars(
            select(CoachingThread).where(CoachingThread.idea_id == idea_id).order_by(CoachingThread.id.desc())
        ).first()
        if thread is not None and thread.permalink:
            return _Stalled(replace(line, url=thread.permalink))
    card = session.scalar(
        select(SlackMessage).where(SlackMessage.idea_id == idea_id, SlackMessage.purpose == Purpose.INTAKE_CARD)
    )
    return _Stalled(line, card)


def _linked(runtime: Runtime, stalled: _Stalled) -> views.IdeaLine:
    if stalled.card is None:
        return stalled.line
    return replace(stalled.line, url=runtime.gateway.permalink(stalled.card.channel_id, stalled.card.ts))


def _days(later: datetime, earlier: datetime) -> float:
    return max((later - earlier).total_seconds(), 0) / 86400


def _first_coach_replies(session: Session, since: datetime, now: datetime) -> list[float]:
    """Days from submission to the coach's first message in a coaching thread, for first replies in the window."""
    first = (
        select(ThreadMessage.idea_id, func.min(ThreadMessage.posted_at).label("first_at"))
        .join(CoachingThread, CoachingThread.id == ThreadMessage.thread_id)
        .where(ThreadMessage.user_id == CoachingThread.coach_id, ThreadMessage.posted_at >= CoachingThread.opened_at)
        .group_by(ThreadMessage.idea_id)
        .subquery()
    )
    rows = session.execute(
        select(Idea.created_at, first.c.first_at)
        .join(first, first.c.idea_id == Idea.id)
        .where(first.c.first_at >= since, first.c.first_at <= now)
    )
    return [_days(_aware(row.first_at), row.created_at) for row in rows]


def _first_decisions(session: Session, since: datetime, now: datetime) -> list[float]:
    """Days from submission to the first decision, for first decisions in the window (corrections ignored)."""
    first = (
        select(Decision.idea_id, func.min(Decision.decided_at).label("decided_at"))
        .group_by(Decision.idea_id)
        .subquery()
    )
    rows = session.execute(
        select(Idea.created_at, first.c.decided_at)
        .join(first, first.c.idea_id == Idea.id)
        .where(first.c.decided_at >= since, first.c.decided_at <= now)
    )
    return [_days(_aware(row.decided_at), row.created_at) for row in rows]


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
