"""The PMO's Home sections as queries whose cost does not follow the number of ideas.

Each section is one or more simple conditions that an index can range over (the stalled section is
three: one per stage clock), read as a union of ordered, limited queries. Counts stop at COUNT_CAP: a
Home says "500+" rather than scan a whole pipeline to say 14,281.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select, union_all
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.services.nudges import rules_of
from bot.views.home import OVERVIEW, SECTIONS, HomeState
from bot.views.home_staff import COUNT_CAP, NO_GOAL, OVERVIEW_ROWS, PAGE_ROWS
from models import Idea, IdeaGoal, Stage
from models.business_time import subtract_business_days
from models.lifecycle import DECIDED_STAGES
from models.nudging import NudgeKind

COMING_BACK_DAYS = 30
RECENTLY_DECIDED_DAYS = 30
OPEN_STAGES = [stage for stage in Stage if stage.is_open]
COLUMNS = (
    Idea.id,
    Idea.title,
    Idea.stage,
    Idea.submitter_id,
    Idea.coach_id,
    Idea.stage_entered_at,
    Idea.revisit_on,
    Idea.last_reply_by,
)
_CLOCKS = (
    (NudgeKind.UNASSIGNED, Stage.SUBMITTED),
    (NudgeKind.COACHING_QUIET, Stage.IN_COACHING),
    (NudgeKind.AWAITING_DECISION, Stage.READY_FOR_DECISION),
)


@dataclass(frozen=True)
class Section:
    branches: list[Any]  # conditions; the section is their union
    order: str  # the column to order by
    descending: bool = False


def sections(runtime: Runtime, user_id: str, now: datetime) -> dict[str, Section]:
    rules = rules_of(runtime)
    stalled = [
        and_(
            Idea.stage == stage,
            Idea.clock_started_at <= subtract_business_days(now, rules.thresholds.days(kind), rules.calendar),
            *((Idea.coach_id.is_(None),) if kind is NudgeKind.UNASSIGNED else ()),
        )
        for kind, stage in _CLOCKS
    ]
    coming_back = rules.calendar.today(now) + timedelta(days=COMING_BACK_DAYS)
    decided_since = now - timedelta(days=RECENTLY_DECIDED_DAYS)
    return {
        # Oldest first: an idea enters "submitted" only when it is submitted.
        "queue": Section([and_(Idea.stage == Stage.SUBMITTED, Idea.coach_id.is_(None))], "stage_entered_at"),
        "mine": Section([and_(Idea.coach_id == user_id, Idea.stage.in_(OPEN_STAGES))], "stage_entered_at"),
        "ready": Section([Idea.stage == Stage.READY_FOR_DECISION], "stage_entered_at"),
        "stalled": Section(stalled, "clock_started_at"),
        "returning": Section([and_(Idea.stage == Stage.NOT_NOW, Idea.revisit_on <= coming_back)], "revisit_on"),
        "decided": Section(
            [and_(Idea.stage == stage, Idea.stage_entered_at >= decided_since) for stage in DECIDED_STAGES],
            "stage_entered_at",
            descending=True,
        ),
    }


def filters(state: HomeState) -> list[Any]:
    where = []
    if state.stage:
        where.append(Idea.stage == state.stage)
    if state.goal == NO_GOAL:
        where.append(~exists().where(IdeaGoal.idea_id == Idea.id))
    elif state.goal:
        where.append(exists().where(IdeaGoal.idea_id == Idea.id, IdeaGoal.goal_id == state.goal))
    if state.coach:
        where.append(Idea.coach_id == state.coach)
    return where


def _ordering(column, descending: bool, id_column) -> tuple:
    return (column.desc(), id_column.desc()) if descending else (column, id_column)


def page_rows(session: Session, section: Section, where: list[Any], limit: int, offset: int) -> list:
    order_column = getattr(Idea, section.order)
    parts = [
        select(*COLUMNS, order_column.label("sort_key"))
        .where(branch, *where)
        .order_by(*_ordering(order_column, section.descending, Idea.id))
        .limit(limit + offset)
        .subquery()
        for branch in section.branches
    ]
    merged = parts[0] if len(parts) == 1 else union_all(*(select(*part.c) for part in parts)).subquery()
    ordered = _ordering(merged.c.sort_key, section.descending, merged.c.id)
    chosen = [merged.c[column.key] for column in COLUMNS]
    return session.execute(select(*chosen).order_by(*ordered).limit(limit).offset(offset)).all()


def capped_count(session: Session, section: Section, where: list[Any]) -> int:
    """How many ideas the section holds, counting no further than COUNT_CAP + 1."""
    parts = [select(Idea.id).where(branch, *where).limit(COUNT_CAP + 1).subquery() for branch in section.branches]
    merged = union_all(*(select(part.c.id) for part in parts)).subquery()
    return min(session.scalar(select(func.count()).select_from(merged)) or 0, COUNT_CAP + 1)


def staff_pages(
    session: Session, runtime: Runtime, user_id: str, state: HomeState, now: datetime
) -> dict[str, tuple[list, int]]:
    """(rows, capped count) for each section shown: two statements each, whatever the number of ideas."""
    shown = sections(runtime, user_id, now)
    keys = list(SECTIONS) if state.section == OVERVIEW else [state.section]
    limit, offset = (OVERVIEW_ROWS, 0) if state.section == OVERVIEW else (PAGE_ROWS, state.page * PAGE_ROWS)
    where = filters(state)
    return {
        key: (page_rows(session, shown[key], where, limit, offset), capped_count(session, shown[key], where))
        for key in keys
    }
