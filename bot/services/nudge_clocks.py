"""Which ideas' stage clocks have run out, and which nudge step each owes: read through indexes only.

The sweep's cost follows the stalled ideas, not the pipeline: each clock is one index range on
(stage, clock_started_at) or (stage, revisit_on), and the steps already taken are read per chunk of ideas.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from models import DeliveryStatus, Idea, Nudge, lifecycle
from models.business_time import subtract_business_days
from models.nudging import ClockFacts, DueNudge, NudgeKind, Rules, Thresholds, clock_start, kind_for, next_nudge

CHUNK = 500

IDEA_COLUMNS = (
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
        query = select(*IDEA_COLUMNS).where(*where).with_hint(Idea, f"INDEXED BY {index}", "sqlite")
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


def due_nudges(runtime: Runtime, kind: NudgeKind, now: datetime, rules: Rules) -> list[tuple[Row, DueNudge]]:
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
