"""What /idea report produces: the CSV (Python's csv module, formula-safe cells), the summary, the chart."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from bot.config import Strategy
from bot.views.blocks import Blocks, context, fields, header, section
from models import Decision, Idea, Stage
from models.logframe import TOTAL_CELLS
from models.reporting import Period, StageTimes, cell, week_of

OUTCOME_LABELS = {"go": "Go", "no_go": "No-go", "not_now": "Not now"}
TIMED = (Stage.SUBMITTED, Stage.IN_COACHING, Stage.READY_FOR_DECISION, Stage.NOT_NOW)


@dataclass(frozen=True)
class ReportRow:
    idea: Idea
    times: StageTimes
    decision: Decision | None
    rating: int | None


@dataclass(frozen=True)
class ReportSummary:
    period: Period
    ideas_in: int
    decided: int
    median_days_to_decision: float | None
    complete_logframes: int
    ideas: int
    coach_promises: tuple[int, int] = (0, 0)  # (kept, due)
    decision_promises: tuple[int, int] = (0, 0)


def period_text(period: Period) -> str:
    return f"{period.first:%-d %b %Y} to {period.last:%-d %b %Y}"


def header_row(strategy: Strategy) -> list[str]:
    columns = ["reference", "title", "submitter", "stage"]
    columns += [f"entered {stage.label.lower()}" for stage in Stage]
    columns += [f"business days {stage.label.lower()}" for stage in TIMED]
    columns += ["goals", "coach"]
    columns += [f"score {criterion.id}" for criterion in strategy.criteria]
    columns += ["weighted score", "outcome", f"effort ({_unit(strategy)})", "feedback rating", "logframe cells"]
    return columns


def _unit(strategy: Strategy) -> str:
    return strategy.capacity.unit if strategy.capacity else "person-days"


def csv_row(row: ReportRow, strategy: Strategy) -> list[object]:
    idea, times, decision = row.idea, row.times, row.decision
    values: list[object] = [idea.reference, idea.title, idea.submitter_id, idea.current_stage.label]
    values += [times.entered[stage].date().isoformat() if stage in times.entered else "" for stage in Stage]
    values += [times.business_days.get(stage, "") for stage in TIMED]
    values += [";".join(idea.goal_ids), idea.coach_id or ""]
    scores = {score["criterion_id"]: score.get("score") for score in (decision.scores if decision else [])}
    values += [scores.get(criterion.id, "") for criterion in strategy.criteria]
    values += [
        decision.weighted_score if decision else "",
        OUTCOME_LABELS.get(decision.outcome, decision.outcome) if decision else "",
        decision.effort if decision and decision.effort is not None else "",
        row.rating if row.rating is not None else "",
        f"{idea.worksheet.completed_cells}/{TOTAL_CELLS}",
    ]
    return values


def report_csv(rows: list[ReportRow], strategy: Strategy) -> bytes:
    """The rows as CSV, UTF-8 with a byte-order mark so spreadsheets read the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header_row(strategy))
    for row in rows:
        writer.writerow([cell(value) for value in csv_row(row, strategy)])
    return buffer.getvalue().encode("utf-8-sig")


def summary_message(summary: ReportSummary) -> tuple[str, Blocks]:
    median = (
        f"{summary.median_days_to_decision:.1f} days" if summary.median_days_to_decision is not None else "no decisions"
    )
    share = f"{summary.complete_logframes / summary.ideas:.0%}" if summary.ideas else "-"
    text = f"Ideas report, {period_text(summary.period)}: {summary.ideas_in} in, {summary.decided} decided."
    blocks: Blocks = [
        header(f"Ideas report: {period_text(summary.period)}"),
        fields(
            ("Ideas in", str(summary.ideas_in)),
            ("Decided", str(summary.decided)),
            ("Median from submission to decision", median),
            ("Complete LogFrame", f"{share} of {summary.ideas} active idea(s)"),
            ("A coach reached out by the promised date", _kept(summary.coach_promises)),
            ("Decided by the promised date", _kept(summary.decision_promises)),
        ),
        section("The CSV has one row per idea active in the period; the chart shows the flow by week."),
        context("Dates are in the organisation's time zone; business days skip weekends and holidays."),
    ]
    return text, blocks


def _kept(promises: tuple[int, int]) -> str:
    kept, due = promises
    return f"{kept} of {due} ({kept / due:.0%})" if due else "none due yet"


def flow_chart(flow: dict[date, dict[str, int]], period: Period) -> bytes:
    """Ideas entering each stage, per week, as PNG bytes (Agg canvas, no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    weeks = []
    week = week_of(period.first)
    while week <= period.last:
        weeks.append(week)
        week += timedelta(days=7)
    figure = Figure(figsize=(9, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bottoms = [0] * len(weeks)
    for stage in Stage:
        counts = [flow.get(week, {}).get(stage.value, 0) for week in weeks]
        if any(counts):
            axes.bar(range(len(weeks)), counts, bottom=bottoms, label=stage.label)
            bottoms = [bottom + count for bottom, count in zip(bottoms, counts, strict=True)]
    axes.set_xticks(range(len(weeks)), labels=[f"{week:%d %b}" for week in weeks], rotation=60, fontsize=7)
    axes.set_ylabel("Ideas entering the stage")
    axes.set_title(f"Flow through the stages by week, {period_text(period)}")
    if any(bottoms):
        axes.legend(fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
