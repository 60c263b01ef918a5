"""Which nudge an idea is due, as plain rules: no database, no Slack.

Each open stage has a clock. It starts when the idea entered the stage, and restarts when someone
replies in the coaching thread or says "I'm on it" (the *clock start*). When it has run for the
stage's threshold in business days, step 0 is due; step 1 is due the same number of business days
after step 0 went out; step 2, the escalation to the PMO lead, the same again after step 1. Then the
idea is left alone until it moves. A snooze only delays the next step. A nudge is identified by
(idea, kind, clock start, step), so each step of each clock is sent once, however often the sweep
runs or however long it was down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from models import lifecycle
from models.business_time import WorkCalendar, add_business_days
from models.lifecycle import Stage

ESCALATION_STEP = 2


class Place(StrEnum):
    """Where a nudge is posted."""

    PMO_CHANNEL = "pmo_channel"
    DM = "dm"
    COACHING_THREAD = "coaching_thread"
    DECIDERS_GROUP_DM = "deciders_group_dm"
    LEAD_DM = "lead_dm"


class SweepOutcome(StrEnum):
    """What a sweep did with a nudge that was due."""

    SENT = "sent"
    FAILED = "failed"
    WOULD_SEND = "would_send"  # a dry run
    WAITING = "waiting"  # for the recipients' working hours
    RETRY_WAITING = "retry_waiting"
    WOULD_RETRY = "would_retry"
    CANCELLED = "cancelled"  # the idea moved on
    NO_RECIPIENT = "no_recipient"


class NudgeKind(StrEnum):
    UNASSIGNED = "unassigned"
    COACHING_QUIET = "coaching_quiet"
    AWAITING_DECISION = "awaiting_decision"
    REVISIT = "revisit"

    @property
    def reason(self) -> str:
        return {
            "unassigned": "waiting for a coach",
            "coaching_quiet": "no reply in the coaching thread",
            "awaiting_decision": "ready for a decision",
            "revisit": "due to be revisited",
        }[self]


class Audience(StrEnum):
    """Who a nudge is for; the sweep turns this into Slack users and a place to post."""

    PMO_CHANNEL = "pmo_channel"  # the PMO channel, mentioning the staff
    SUBMITTER = "submitter"  # in the coaching thread
    COACH = "coach"  # in the coaching thread
    DECIDERS = "deciders"  # a DM with the deciders
    REVISIT = "revisit"  # the PMO channel, mentioning the idea's coach
    PMO_LEAD = "pmo_lead"  # a DM with the PMO lead: the escalation


@dataclass(frozen=True)
class Thresholds:
    """Business days a stage may rest before its first nudge, and between nudges."""

    unassigned: int = 1
    coaching_quiet: int = 5
    awaiting_decision: int = 5

    def days(self, kind: NudgeKind) -> int:
        if kind is NudgeKind.UNASSIGNED:
            return self.unassigned
        if kind is NudgeKind.COACHING_QUIET:
            return self.coaching_quiet
        # A revisit that nobody acts on is, again, waiting for the PMO's decision.
        return self.awaiting_decision


@dataclass(frozen=True)
class Rules:
    thresholds: Thresholds
    calendar: WorkCalendar


@dataclass(frozen=True)
class ClockFacts:
    """What the rules need to know about an idea."""

    stage: str
    stage_entered_at: datetime
    coach_id: str | None = None
    last_reply_at: datetime | None = None
    last_reply_by: str | None = None
    revisit_on: date | None = None
    snoozed_until: datetime | None = None
    clock_reset_at: datetime | None = None


@dataclass(frozen=True)
class DueNudge:
    kind: NudgeKind
    step: int
    audience: Audience
    clock_start: datetime
    due_at: datetime

    @property
    def is_escalation(self) -> bool:
        return self.step == ESCALATION_STEP


def latest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def activity_clock(stage_entered_at: datetime | None, last_reply_at: datetime | None, reset_at: datetime | None):
    """The latest sign of life: stage entry, last human reply, or "I'm on it".

    Kept on `ideas.clock_started_at` (indexed with the stage) so the sweep reads only stalled ideas.
    """
    return latest(stage_entered_at, last_reply_at, reset_at)


def kind_for(facts: ClockFacts, today: date) -> NudgeKind | None:
    """The clock running for the idea now, or None (closed, or nothing to wait for)."""
    stage = Stage(facts.stage)
    if stage in lifecycle.AWAITING_COACH and facts.coach_id is None:
        return NudgeKind.UNASSIGNED
    if stage in lifecycle.AWAITING_COACHING:
        return NudgeKind.COACHING_QUIET
    if stage in lifecycle.AWAITING_DECISION:
        return NudgeKind.AWAITING_DECISION
    if stage in lifecycle.AWAITING_REVISIT and facts.revisit_on is not None and facts.revisit_on <= today:
        return NudgeKind.REVISIT
    return None


def clock_start(facts: ClockFacts, kind: NudgeKind, calendar: WorkCalendar) -> datetime:
    """When the clock of `kind` started for the idea: the key that ties its nudges together."""
    if kind is NudgeKind.REVISIT:
        assert facts.revisit_on is not None
        return latest(calendar.start_of(facts.revisit_on), facts.clock_reset_at)
    return activity_clock(facts.stage_entered_at, facts.last_reply_at, facts.clock_reset_at)


def whose_turn(facts: ClockFacts) -> Audience:
    """In a quiet coaching thread: the submitter if the coach spoke last, otherwise the coach."""
    if facts.coach_id is not None and facts.last_reply_by == facts.coach_id:
        return Audience.SUBMITTER
    return Audience.COACH


def audience_for(kind: NudgeKind, step: int, facts: ClockFacts) -> Audience:
    if step >= ESCALATION_STEP:
        return Audience.PMO_LEAD
    if kind is NudgeKind.UNASSIGNED:
        return Audience.PMO_CHANNEL
    if kind is NudgeKind.COACHING_QUIET:
        return whose_turn(facts)
    if kind is NudgeKind.AWAITING_DECISION:
        return Audience.DECIDERS
    return Audience.REVISIT


def first_due(facts: ClockFacts, kind: NudgeKind, rules: Rules) -> datetime:
    """When step 0 of the current clock falls due."""
    start = clock_start(facts, kind, rules.calendar)
    if kind is NudgeKind.REVISIT and start == rules.calendar.start_of(facts.revisit_on):
        return start  # on the revisit date itself; after "I'm on it", the usual wait applies
    return add_business_days(start, rules.thresholds.days(kind), rules.calendar)


def next_nudge(
    facts: ClockFacts,
    steps: Mapping[int, datetime | None],
    now: datetime,
    rules: Rules,
) -> DueNudge | None:
    """The nudge the idea is due at `now`, or None.

    `steps` holds the nudges already recorded for the idea's current clock: step -> when it was sent
    (None while it is still being sent or retried, which the retry pass owns).
    """
    kind = kind_for(facts, rules.calendar.today(now))
    if kind is None:
        return None
    if any(sent_at is None for sent_at in steps.values()):
        return None
    step = max(steps) + 1 if steps else 0
    if step > ESCALATION_STEP:
        return None  # escalated already: left alone until the idea moves
    if step == 0:
        due_at = first_due(facts, kind, rules)
    else:
        previous = steps.get(step - 1) or max(sent for sent in steps.values() if sent is not None)
        due_at = add_business_days(previous, rules.thresholds.days(kind), rules.calendar)
    if facts.snoozed_until is not None and facts.snoozed_until > due_at:
        due_at = facts.snoozed_until
    if due_at > now:
        return None
    start = clock_start(facts, kind, rules.calendar)
    return DueNudge(kind, step, audience_for(kind, step, facts), start, due_at)


def still_current(facts: ClockFacts, kind: NudgeKind, started: datetime, now: datetime, rules: Rules) -> bool:
    """Whether a nudge recorded for (kind, clock start) still applies: the idea has not moved on."""
    current = kind_for(facts, rules.calendar.today(now))
    return current is kind and clock_start(facts, kind, rules.calendar) == started
