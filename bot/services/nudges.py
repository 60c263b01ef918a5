"""The nudge sweep: find stalled ideas, claim each due nudge once, send it at a decent hour.

One sweep:
1. retries nudges whose earlier send failed (or whose sender died), once their time comes;
2. for each stage clock, reads only the ideas whose clock has run past the threshold, through the
   (stage, clock_started_at) and (stage, revisit_on) indexes, so its cost follows the stalled ideas;
3. for each, asks models.nudging which step is due; if its recipients are in working hours, claims it:
   locks the idea (FOR UPDATE SKIP LOCKED on PostgreSQL) and inserts the Nudge under its unique key
   (idea, kind, clock start, step) in one transaction, then calls Slack, then marks it sent or failed.

Two sweepers on one database send each nudge once: a locked idea is skipped, and a claimed step is
seen (or refused by the unique key) by the other. After downtime the first sweep finds each due step
once. Job bodies take `now` and the runtime, so tests run them on a fixed clock.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError
from sqlalchemy import Row, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.runtime import Runtime
from bot.services.errors import Refused
from bot.services.ideas import locked_idea
from bot.services.once import claim
from bot.views import nudges as views
from models import CoachingThread, DeliveryStatus, Idea, Nudge, UserTimeZone, lifecycle
from models.business_time import (
    WorkCalendar,
    add_business_days,
    business_days_between,
    is_working_time,
    next_working_time,
    subtract_business_days,
)
from models.nudging import (
    ESCALATION_STEP,
    Audience,
    ClockFacts,
    DueNudge,
    NudgeKind,
    Rules,
    Thresholds,
    audience_for,
    clock_start,
    kind_for,
    next_nudge,
    still_current,
)

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
"""How long a claimed nudge is left to its sender before another sweep may retry it."""
RETRY_BACKOFF = (timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=45), timedelta(hours=2))
MAX_ATTEMPTS = 5
TZ_CACHE_TTL = timedelta(days=7)
CHANNEL_SPACING = 1.0
"""Seconds between two posts in one channel: chat.postMessage allows about one a second per channel."""
MAX_GROUP_DM = 8
"""conversations.open takes at most 8 users; more deciders than that are nudged in the PMO channel."""
RETRY_BATCH = 500
CHUNK = 500

ALL_KINDS = tuple(NudgeKind)

_IDEA_COLUMNS = (
    Idea.id,
    Idea.title,
    Idea.submitter_id,
    Idea.stage,
    Idea.stage_entered_at,
    Idea.coach_id,
    Idea.last_reply_at,
    Idea.last_reply_by,
    Idea.revisit_on,
    Idea.snoozed_until,
    Idea.clock_reset_at,
)


# --- configuration ----------------------------------------------------------------------------------


def rules_of(runtime: Runtime) -> Rules:
    clocks = runtime.strategy.clocks
    thresholds = Thresholds(
        clocks.unassigned_business_days, clocks.coaching_quiet_business_days, clocks.awaiting_decision_business_days
    )
    return Rules(thresholds, runtime.strategy.calendar.work_calendar)


def facts_of(row) -> ClockFacts:
    return ClockFacts(
        stage=row.stage,
        stage_entered_at=row.stage_entered_at,
        coach_id=row.coach_id,
        last_reply_at=row.last_reply_at,
        last_reply_by=row.last_reply_by,
        revisit_on=row.revisit_on,
        snoozed_until=row.snoozed_until,
        clock_reset_at=row.clock_reset_at,
    )


# --- the report -------------------------------------------------------------------------------------


class Outcome:
    SENT = "sent"
    FAILED = "failed"
    WOULD_SEND = "would send"
    WAITING = "waiting for working hours"
    RETRY_WAITING = "retry waiting for working hours"
    WOULD_RETRY = "would retry"
    CANCELLED = "cancelled: the idea moved on"
    NO_RECIPIENT = "nobody to send it to"


@dataclass(frozen=True)
class SweepItem:
    notice: views.NudgeNotice
    where: str
    why: str
    outcome: str
    not_before: datetime | None = None

    def describe(self) -> str:
        line = views.dry_run_line(self.notice, self.where, self.why)
        if self.not_before is not None:
            line += f" [{self.outcome}, from {self.not_before:%Y-%m-%d %H:%M} UTC]"
        else:
            line += f" [{self.outcome}]"
        return line


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    items: list[SweepItem] = field(default_factory=list)

    def having(self, *outcomes: str) -> list[SweepItem]:
        return [item for item in self.items if item.outcome in outcomes]

    @property
    def sent(self) -> list[SweepItem]:
        return self.having(Outcome.SENT)

    @property
    def failed(self) -> list[SweepItem]:
        return self.having(Outcome.FAILED)

    @property
    def planned(self) -> list[SweepItem]:
        return self.having(Outcome.WOULD_SEND, Outcome.WOULD_RETRY)

    @property
    def waiting(self) -> list[SweepItem]:
        return self.having(Outcome.WAITING, Outcome.RETRY_WAITING)

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"dry run at {self.now:%Y-%m-%d %H:%M} UTC: {len(self.planned)} nudge(s) would be sent, "
                f"{len(self.waiting)} waiting for working hours; nothing was sent"
            )
        return (
            f"sweep at {self.now:%Y-%m-%d %H:%M} UTC: {len(self.sent)} sent, {len(self.failed)} failed "
            f"(retried later), {len(self.waiting)} waiting for working hours"
        )


# --- time zones -------------------------------------------------------------------------------------


class ZoneBook:
    """Users' time zones from users.info, cached in user_time_zones for a week."""

    def __init__(self, runtime: Runtime, now: datetime, *, remember: bool):
        self.runtime = runtime
        self.now = now
        self.remember = remember
        self.default = runtime.strategy.calendar.time_zone
        self._known: dict[str, str] = {}

    def zones(self, user_ids: Iterable[str]) -> dict[str, str]:
        wanted = [user_id for user_id in dict.fromkeys(user_ids) if user_id not in self._known]
        if wanted:
            self._load(wanted)
        return {user_id: self._known[user_id] for user_id in dict.fromkeys(user_ids)}

    def _load(self, user_ids: list[str]) -> None:
        fresh_after = self.now - TZ_CACHE_TTL
        with self.runtime.session_factory() as session:
            for cached in session.scalars(select(UserTimeZone).where(UserTimeZone.user_id.in_(user_ids))):
                if cached.fetched_at >= fresh_after:
                    self._known[cached.user_id] = cached.tz
        for user_id in user_ids:
            if user_id not in self._known:
                self._known[user_id] = self._ask_slack(user_id)

    def _ask_slack(self, user_id: str) -> str:
        try:
            tz = self.runtime.gateway.user_info(user_id).get("tz") or self.default
        except Exception as error:  # Slack down or the user gone: time it by the organisation's zone
            log.warning("users.info failed for %s (%s); using %s", user_id, error, self.default)
            return self.default
        if not self._valid(tz):
            tz = self.default
        if self.remember:
            try:
                with transaction(self.runtime.session_factory) as session:
                    session.merge(UserTimeZone(user_id=user_id, tz=tz, fetched_at=self.now))
            except IntegrityError:
                pass  # another sweeper cached it at the same moment
        return tz

    @staticmethod
    def _valid(tz: str) -> bool:
        try:
            ZoneInfo(tz)
        except (ValueError, ZoneInfoNotFoundError):
            return False
        return True


def all_working(zones: Iterable[str], now: datetime, calendar: WorkCalendar) -> bool:
    return all(is_working_time(now, calendar, tz) for tz in set(zones))


def shared_working_time(zones: Iterable[str], now: datetime, calendar: WorkCalendar) -> datetime | None:
    """The first moment from `now` that is working time in every zone, or None if none comes within 8 days.

    A shared stretch starts either now or when the last of the zones starts work, so those are the only
    moments to try.
    """
    zones = set(zones) or {calendar.time_zone}
    if all_working(zones, now, calendar):
        return now
    starts = set()
    for tz in zones:
        for offset in range(9):
            day = calendar.local(now, tz).date() + timedelta(days=offset)
            start = calendar.instant(datetime.combine(day, calendar.work_start), tz)
            if now < start <= now + timedelta(days=8):
                starts.add(start)
    return next((start for start in sorted(starts) if all_working(zones, start, calendar)), None)


def sending_window(zones: Iterable[str], now: datetime, calendar: WorkCalendar) -> tuple[bool, datetime]:
    """Whether a nudge to people in `zones` may go now, and if not, from when.

    Everyone addressed must be in working hours. People whose working hours never overlap (say New York
    and Tokyo) are nudged in the organisation's working hours instead, so their nudge is not held forever.
    """
    shared = shared_working_time(zones, now, calendar)
    if shared is None:
        shared = next_working_time(now, calendar)
    return shared == now, shared


# --- who a nudge goes to, and where -----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    users: tuple[str, ...]  # who is addressed: mentioned, DM'd, timed by
    channel: str | None  # where to post (a user id: the app's DM with them)
    thread_ts: str | None = None
    where: str = ""
    group_dm: bool = False  # open a group DM with `users` and post there

    @property
    def reachable(self) -> bool:
        return bool(self.users) and (self.group_dm or bool(self.channel))


def target_for(runtime: Runtime, session: Session, idea_id: int, facts: ClockFacts, audience: Audience) -> Target:
    settings = runtime.settings
    staff = tuple(sorted(settings.pmo_staff_ids))
    pmo = settings.pmo_channel_id or None
    in_pmo = "the PMO channel"
    if audience is Audience.PMO_CHANNEL:
        return Target(staff, pmo, where=in_pmo)
    if audience in (Audience.SUBMITTER, Audience.COACH):
        person = facts.coach_id if audience is Audience.COACH else None
        if audience is Audience.SUBMITTER:
            person = _submitter(session, idea_id)
        if person is None:
            return Target(staff, pmo, where=in_pmo)
        thread = session.scalars(
            select(CoachingThread).where(CoachingThread.idea_id == idea_id).order_by(CoachingThread.id.desc())
        ).first()
        if thread is None:
            return Target((person,), person, where="a DM")
        return Target((person,), thread.channel_id, thread.thread_ts, where="the coaching thread")
    if audience is Audience.DECIDERS:
        deciders = tuple(sorted(settings.deciders))
        if len(deciders) == 1:
            return Target(deciders, deciders[0], where="a DM")
        if 1 < len(deciders) <= MAX_GROUP_DM:
            return Target(deciders, None, where="a group DM with the deciders", group_dm=True)
        return Target(deciders, pmo, where=in_pmo)
    if audience is Audience.REVISIT:
        people = (facts.coach_id,) if facts.coach_id else staff
        return Target(people, pmo, where=in_pmo)
    lead = settings.pmo_lead_id
    if lead:
        return Target((lead,), lead, where="a DM with the PMO lead")
    return Target(staff, pmo, where=in_pmo)


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


def why(notice: views.NudgeNotice) -> str:
    days = views.business_days(notice.stalled_days)
    reason = {
        NudgeKind.UNASSIGNED: f"no coach for {days}",
        NudgeKind.COACHING_QUIET: f"no reply in the coaching thread for {days}",
        NudgeKind.AWAITING_DECISION: f"ready for a decision for {days}",
        NudgeKind.REVISIT: "its revisit date has come",
    }[notice.kind]
    if notice.step >= ESCALATION_STEP:
        return f"{reason}; escalation after two reminders"
    return reason + ("; second reminder" if notice.step == 1 else "")


# --- pacing -----------------------------------------------------------------------------------------


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


# --- the sweep --------------------------------------------------------------------------------------


def sweep(
    runtime: Runtime,
    now: datetime,
    *,
    dry_run: bool = False,
    kinds: Iterable[NudgeKind] = ALL_KINDS,
    pause: Callable[[float], None] = time.sleep,
    ticker: Callable[[], float] = time.monotonic,
) -> SweepReport:
    """Send every nudge due at `now` (or, with dry_run, only say which would be sent)."""
    rules = rules_of(runtime)
    report = SweepReport(now, dry_run)
    zones = ZoneBook(runtime, now, remember=not dry_run)
    spacer = Spacer(pause, ticker)
    _retry_due(runtime, now, rules, zones, spacer, report)
    for kind in kinds:
        for row, due in _due(runtime, kind, now, rules):
            _handle(runtime, row, due, now, rules, zones, spacer, report)
    log.info(report.summary())
    return report


CLOCK_STAGES = {
    NudgeKind.UNASSIGNED: lifecycle.AWAITING_COACH,
    NudgeKind.COACHING_QUIET: lifecycle.AWAITING_COACHING,
    NudgeKind.AWAITING_DECISION: lifecycle.AWAITING_DECISION,
}


def candidates(session: Session, kind: NudgeKind, now: datetime, rules: Rules) -> list[Row]:
    """Ideas whose `kind` clock may have run out, read through the (stage, clock) indexes only.

    Each query is a single index range (no OR, which SQLite's planner turns into a table scan); the
    second catches rows written without the ORM, whose clock_started_at nobody filled in.
    """
    if kind is NudgeKind.REVISIT:
        ranges = [(Idea.stage.in_(sorted(lifecycle.AWAITING_REVISIT)), Idea.revisit_on <= rules.calendar.today(now))]
        index = "ix_ideas_stage_revisit_on"
    else:
        stages = CLOCK_STAGES[kind]
        cutoff = subtract_business_days(now, rules.thresholds.days(kind), rules.calendar)
        ranges = [
            (Idea.stage.in_(sorted(stages)), Idea.clock_started_at <= cutoff),
            (Idea.stage.in_(sorted(stages)), Idea.clock_started_at.is_(None)),
        ]
        index = "ix_ideas_stage_clock_started_at"
    found: dict[int, Row] = {}
    for where in ranges:
        query = select(*_IDEA_COLUMNS).where(*where).with_hint(Idea, f"INDEXED BY {index}", "sqlite")
        if kind is NudgeKind.UNASSIGNED:
            query = query.where(Idea.coach_id.is_(None))
        for row in session.execute(query):
            found[row.id] = row
    return [found[idea_id] for idea_id in sorted(found)]


def recorded_steps(session: Session, kind: NudgeKind, idea_ids: list[int]) -> dict[tuple[int, datetime], dict]:
    """(idea, clock start) -> {step: when it settled, or None while it is in flight}."""
    steps: dict[tuple[int, datetime], dict] = defaultdict(dict)
    for start in range(0, len(idea_ids), CHUNK):
        chunk = idea_ids[start : start + CHUNK]
        rows = session.execute(
            select(
                Nudge.idea_id,
                Nudge.clock_started_at,
                Nudge.step,
                Nudge.status,
                Nudge.sent_at,
                Nudge.created_at,
                Nudge.next_attempt_at,
            ).where(Nudge.kind == kind, Nudge.idea_id.in_(chunk))
        )
        for row in rows:
            steps[(row.idea_id, row.clock_started_at)][row.step] = _settled(row)
    return steps


def _settled(row) -> datetime | None:
    if row.status == DeliveryStatus.SENT:
        return row.sent_at
    if row.status == DeliveryStatus.CANCELLED or (row.status == DeliveryStatus.FAILED and row.next_attempt_at is None):
        return row.created_at  # cancelled or given up: the next step may follow
    return None


def _due(runtime: Runtime, kind: NudgeKind, now: datetime, rules: Rules) -> list[tuple[Row, DueNudge]]:
    with runtime.session_factory() as session:
        rows = candidates(session, kind, now, rules)
        steps = recorded_steps(session, kind, [row.id for row in rows])
    found = []
    for row in rows:
        facts = facts_of(row)
        if kind_for(facts, rules.calendar.today(now)) is not kind:
            continue
        started = clock_start(facts, kind, rules.calendar)
        due = next_nudge(facts, steps.get((row.id, started), {}), now, rules)
        if due is not None:
            found.append((row, due))
    return found


def _handle(
    runtime: Runtime,
    row: Row,
    due: DueNudge,
    now: datetime,
    rules: Rules,
    zones: ZoneBook,
    spacer: Spacer,
    report: SweepReport,
) -> None:
    facts = facts_of(row)
    with runtime.session_factory() as session:
        target = target_for(runtime, session, row.id, facts, due.audience)
        notice = notice_for(
            runtime,
            session,
            row,
            facts,
            due.kind,
            due.step,
            due.audience,
            target.users,
            due.clock_start,
            now,
            None,
            rules,
        )
    reason = why(notice)
    if not target.reachable:
        report.items.append(SweepItem(notice, target.where, reason, Outcome.NO_RECIPIENT))
        return
    may_send, when = sending_window(zones.zones(target.users).values(), now, rules.calendar)
    if not may_send:
        report.items.append(SweepItem(notice, target.where, reason, Outcome.WAITING, when))
        return
    if report.dry_run:
        report.items.append(SweepItem(notice, target.where, reason, Outcome.WOULD_SEND))
        return
    claimed = _claim(runtime, row.id, due.kind, now, rules)
    if claimed is None:
        return
    _deliver(runtime, claimed, now, spacer, report)


@dataclass(frozen=True)
class Claimed:
    nudge_id: int
    notice: views.NudgeNotice
    target: Target
    why: str


def _claim(runtime: Runtime, idea_id: int, kind: NudgeKind, now: datetime, rules: Rules) -> Claimed | None:
    """Lock the idea, re-check what is due, and record the nudge: all in one transaction, before Slack."""
    try:
        with transaction(runtime.session_factory) as session:
            row = session.execute(
                select(*_IDEA_COLUMNS).where(Idea.id == idea_id).with_for_update(skip_locked=True)
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
                runtime,
                session,
                row,
                facts,
                kind,
                due.step,
                due.audience,
                target.users,
                started,
                now,
                nudge.id,
                rules,
            )
    except IntegrityError:
        return None  # claimed by another sweeper a moment ago
    return Claimed(nudge.id, notice, target, why(notice))


def _deliver(runtime: Runtime, claimed: Claimed, now: datetime, spacer: Spacer, report: SweepReport) -> None:
    text, blocks = views.nudge_message(claimed.notice)
    target = claimed.target
    channel = target.channel
    try:
        if target.group_dm:
            channel = runtime.gateway.open_conversation(list(target.users))
        if not channel:
            raise ValueError("no channel to post the nudge in (is PMO_CHANNEL_ID set?)")
        spacer.before(channel)
        posted = runtime.gateway.post_message(channel, text, blocks, target.thread_ts)
        spacer.after(channel)
    except Exception as error:
        _failed(runtime, claimed.nudge_id, now, error)
        report.items.append(SweepItem(claimed.notice, target.where, claimed.why, Outcome.FAILED))
        return
    with transaction(runtime.session_factory) as session:
        session.execute(
            update(Nudge)
            .where(Nudge.id == claimed.nudge_id)
            .values(status=DeliveryStatus.SENT, sent_at=now, channel_id=posted.channel, next_attempt_at=None)
        )
    report.items.append(SweepItem(claimed.notice, target.where, claimed.why, Outcome.SENT))


def error_text(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "slack_error")[:200]
    return f"{type(error).__name__}: {error}"[:200]


def _failed(runtime: Runtime, nudge_id: int, now: datetime, error: Exception) -> None:
    with transaction(runtime.session_factory) as session:
        nudge = session.get(Nudge, nudge_id)
        nudge.status = DeliveryStatus.FAILED
        nudge.last_error = error_text(error)
        if nudge.attempts >= MAX_ATTEMPTS:
            nudge.next_attempt_at = None
            log.error("nudge %s gave up after %s attempts: %s", nudge_id, nudge.attempts, nudge.last_error)
        else:
            nudge.next_attempt_at = now + RETRY_BACKOFF[min(nudge.attempts, len(RETRY_BACKOFF)) - 1]
            log.warning("nudge %s failed (%s); retrying at %s", nudge_id, nudge.last_error, nudge.next_attempt_at)


# --- retries ----------------------------------------------------------------------------------------


def _retry_due(
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
        claimed = _reclaim(runtime, nudge_id, now, rules, zones, report)
        if claimed is not None:
            _deliver(runtime, claimed, now, spacer, report)


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
        row = session.execute(select(*_IDEA_COLUMNS).where(Idea.id == nudge.idea_id)).first()
        facts = facts_of(row)
        kind, audience = NudgeKind(nudge.kind), Audience(nudge.audience)
        target = target_for(runtime, session, row.id, facts, audience)
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
        reason = why(notice)
        if not still_current(facts, kind, nudge.clock_started_at, now, rules):
            if not report.dry_run:
                nudge.status, nudge.next_attempt_at = DeliveryStatus.CANCELLED, None
            report.items.append(SweepItem(notice, target.where, reason, Outcome.CANCELLED))
            return None
        if facts.snoozed_until is not None and facts.snoozed_until > now:
            if not report.dry_run:
                nudge.next_attempt_at = facts.snoozed_until
            return None
        may_send, when = sending_window(zones.zones(target.users).values(), now, rules.calendar)
        if not may_send:
            if not report.dry_run:
                nudge.next_attempt_at = when
            report.items.append(SweepItem(notice, target.where, reason, Outcome.RETRY_WAITING, when))
            return None
        if report.dry_run:
            report.items.append(SweepItem(notice, target.where, reason, Outcome.WOULD_RETRY))
            return None
        nudge.attempts += 1
        nudge.next_attempt_at = now + LEASE
        nudge.recipient = ",".join(target.users)
    return Claimed(nudge_id, notice, target, reason)


# --- snooze and "I'm on it" -------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageRef:
    channel: str
    ts: str


def snooze(runtime: Runtime, nudge_id: int | None, actor_id: str, days: int, message: MessageRef | None) -> datetime:
    """Put off the idea's next nudge by `days` business days; returns until when."""
    now = runtime.clock()
    rules = rules_of(runtime)
    with transaction(runtime.session_factory) as session:
        claim(session, f"nudge:{nudge_id}:snooze", now, views.ALREADY_ANSWERED)
        nudge, idea = _nudge_for_action(runtime, session, nudge_id, actor_id, "snooze", now, rules)
        until = add_business_days(now, days, rules.calendar)
        idea.snoozed_until = until
        idea.updated_at = now
        idea.record("nudge_snoozed", actor_id=actor_id, at=now, detail={"nudge": nudge.id, "days": days})
        handled = _handled(runtime, session, nudge, idea, rules, views.snoozed_note(actor_id, until))
    _replace(runtime, message, handled)
    return until


def on_it(runtime: Runtime, nudge_id: int | None, actor_id: str, message: MessageRef | None) -> None:
    """Someone has taken the idea on: restart its stage clock and lift any snooze."""
    now = runtime.clock()
    rules = rules_of(runtime)
    with transaction(runtime.session_factory) as session:
        claim(session, f"nudge:{nudge_id}:on_it", now, views.ALREADY_ANSWERED)
        nudge, idea = _nudge_for_action(runtime, session, nudge_id, actor_id, "answer", now, rules)
        idea.clock_reset_at = now
        idea.snoozed_until = None
        idea.updated_at = now
        idea.record("nudge_acknowledged", actor_id=actor_id, at=now, detail={"nudge": nudge.id})
        handled = _handled(runtime, session, nudge, idea, rules, views.on_it_note(actor_id))
    _replace(runtime, message, handled)


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
        raise Refused("I couldn't find that reminder any more.")
    idea = locked_idea(session, nudge.idea_id)
    if not may_answer(runtime, nudge, idea, actor_id):
        raise Refused(
            f"Only the people this reminder is for, the coach of {idea.reference} or PMO staff can {doing} it."
        )
    if not still_current(facts_of(idea), NudgeKind(nudge.kind), nudge.clock_started_at, now, rules):
        raise Refused(f"{idea.reference} has moved on since this reminder, so there's nothing to {doing}.")
    return nudge, idea


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


def _replace(runtime: Runtime, message: MessageRef | None, handled: tuple[str, list]) -> None:
    if message is None:
        return
    text, blocks = handled
    try:
        runtime.gateway.update_message(message.channel, message.ts, text, blocks)
    except SlackApiError as error:
        log.warning("could not update nudge message %s/%s: %s", message.channel, message.ts, error_text(error))
