"""/idea report: one row per idea active in a period, a summary, and a chart of weekly flow."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery import FileShare, Post
from bot.runtime import Runtime
from bot.services.portfolio import ensure_pmo
from bot.views import report as views
from models import AuditEvent, Decision, Feedback, Idea
from models.business_time import add_business_days, business_days_between
from models.logframe import TOTAL_CELLS
from models.reporting import Period, median, promises, stage_times, week_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    period: Period
    rows: list[views.ReportRow]
    summary: views.ReportSummary
    flow: dict  # week -> stage -> ideas entering it


def ensure_allowed(runtime: Runtime, user_id: str) -> None:
    ensure_pmo(runtime, user_id, "run reports")


def build_report(runtime: Runtime, period: Period) -> Report:
    calendar = runtime.strategy.calendar.work_calendar
    start, end = calendar.start_of(period.first), calendar.start_of(period.last + timedelta(days=1))
    now = runtime.clock()
    with runtime.session_factory() as session:
        active = select(AuditEvent.idea_id).where(AuditEvent.at >= start, AuditEvent.at < end).distinct()
        ideas = session.scalars(select(Idea).where(Idea.id.in_(active)).order_by(Idea.id)).all()
        ids = [idea.id for idea in ideas]
        changes = _stage_changes(session, ids)
        decisions = _decisions(session, ids)
        ratings = _ratings(session, ids)
        flow = _flow(session, start, end, calendar)

    def days_between(a: datetime, b: datetime) -> float:
        return business_days_between(a, b, calendar)

    def add_days(start: datetime, days: int) -> datetime:
        return add_business_days(start, days, calendar)

    clocks = runtime.strategy.clocks
    rows, to_decision, complete = [], [], 0
    kept: dict[str, list[bool]] = {"coach": [], "decision": []}
    for idea in ideas:
        times = stage_times(changes.get(idea.id, []), now, days_between)
        coached, decided = promises(
            times, now, add_days, clocks.unassigned_business_days, clocks.awaiting_decision_business_days
        )
        kept["coach"] += [] if coached is None else [coached]
        kept["decision"] += [] if decided is None else [decided]
        latest, first_decided = decisions.get(idea.id, (None, None))
        rows.append(views.ReportRow(idea, times, latest, ratings.get(idea.id)))
        if first_decided is not None and start <= first_decided < end:
            to_decision.append((first_decided - idea.created_at).total_seconds() / 86400)
        complete += idea.worksheet.completed_cells == TOTAL_CELLS
    summary = views.ReportSummary(
        period=period,
        ideas_in=sum(start <= idea.created_at < end for idea in ideas),
        decided=len(to_decision),
        median_days_to_decision=median(to_decision),
        complete_logframes=complete,
        ideas=len(ideas),
        coach_promises=(sum(kept["coach"]), len(kept["coach"])),
        decision_promises=(sum(kept["decision"]), len(kept["decision"])),
    )
    return Report(period, rows, summary, flow)


def _stage_changes(session: Session, ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    for chunk in _chunks(ids):
        for idea_id, at, to_stage in session.execute(
            select(AuditEvent.idea_id, AuditEvent.at, AuditEvent.to_stage)
            .where(AuditEvent.idea_id.in_(chunk), AuditEvent.to_stage.is_not(None))
            .order_by(AuditEvent.idea_id, AuditEvent.at, AuditEvent.id)
        ):
            found[idea_id].append((at, to_stage))
    return found


def _decisions(session: Session, ids: list[int]) -> dict[int, tuple[Decision, datetime]]:
    """Each idea's latest decision (what the row shows) and when it was first decided (for the median)."""
    found: dict[int, tuple[Decision, datetime]] = {}
    for chunk in _chunks(ids):
        for decision in session.scalars(
            select(Decision).where(Decision.idea_id.in_(chunk)).order_by(Decision.idea_id, Decision.id)
        ):
            first = found[decision.idea_id][1] if decision.idea_id in found else decision.decided_at
            found[decision.idea_id] = (decision, first)
    return found


def _ratings(session: Session, ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in _chunks(ids):
        for idea_id, rating in session.execute(
            select(Feedback.idea_id, Feedback.rating).where(Feedback.idea_id.in_(chunk)).order_by(Feedback.id)
        ):
            found[idea_id] = rating
    return found


def _flow(session: Session, start: datetime, end: datetime, calendar) -> dict:
    """Per week (Mondays, organisation's time zone), how many ideas entered each stage."""
    flow: dict = defaultdict(lambda: defaultdict(int))
    for at, to_stage in session.execute(
        select(AuditEvent.at, AuditEvent.to_stage)
        .where(AuditEvent.at >= start, AuditEvent.at < end, AuditEvent.to_stage.is_not(None))
        .where(AuditEvent.from_stage.is_distinct_from(AuditEvent.to_stage))
    ):
        flow[week_of(calendar.today(at))][to_stage] += 1
    return flow


def _chunks(ids: list[int], size: int = 500):
    for index in range(0, len(ids), size):
        yield ids[index : index + size]


def send_report(runtime: Runtime, user_id: str, period: Period) -> None:
    """The summary in the requester's DM, then the CSV and the weekly flow chart, in that order."""
    report = build_report(runtime, period)
    text, blocks = views.summary_message(report.summary)
    name = f"ideas-{period.first.isoformat()}-to-{period.last.isoformat()}"
    csv_bytes = views.report_csv(report.rows, runtime.strategy)
    png = views.flow_chart(report.flow, period)
    # All through the outbox, in this order, with its retries: the files hold the figures of this moment.
    runtime.outbox.send(
        [
            Post(user_id, text, blocks),
            FileShare(user_id, f"{name}.csv", csv_bytes, f"Ideas report, {views.period_text(period)}"),
            FileShare(user_id, f"{name}-flow.png", png, "Flow through the stages, by week"),
        ]
    )
