"""The weekly digest: its Block Kit message and the pipeline chart (a PNG), from figures the service gathers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.views.blocks import Blocks, context, fields, header, section, sections
from bot.views.chart import pipeline_chart  # noqa: F401  (re-exported: drawn in a child process)
from bot.views.text import date, link, safe, user

MAX_LISTED = 10
MAX_STALLED = 15
SECTION_LIMIT = 3000


@dataclass(frozen=True)
class IdeaLine:
    reference: str
    title: str
    detail: str = ""  # safe mrkdwn
    url: str | None = None


@dataclass(frozen=True)
class DigestFigures:
    week_start: datetime
    week_end: datetime
    new_ideas: list[IdeaLine] = field(default_factory=list)
    per_stage: list[tuple[str, int]] = field(default_factory=list)
    decisions: list[IdeaLine] = field(default_factory=list)
    stalled: list[IdeaLine] = field(default_factory=list)
    median_first_reply_days: float | None = None
    first_reply_count: int = 0
    median_decision_days: float | None = None
    decision_count: int = 0
    window_days: int = 90


def _line(item: IdeaLine) -> str:
    name = f"*{item.reference}* {safe(item.title, 90)}"
    if item.url:
        name = f"{link(item.url, item.reference)} {safe(item.title, 90)}"
    return f"• {name}" + (f" — {item.detail}" if item.detail else "")


def _median(days: float | None, count: int, window: int) -> str:
    if days is None:
        return f"_no data in the last {window} days_"
    unit = "day" if round(days, 1) == 1 else "days"
    return f"{days:.1f} {unit} (n={count}, last {window} days)"


def digest_message(figures: DigestFigures) -> tuple[str, Blocks]:
    new_count = len(figures.new_ideas)
    text = (
        f"Idea pipeline, week to {figures.week_end:%b %d}: {new_count} new, {len(figures.decisions)} decided, "
        f"{len(figures.stalled)} stalled"
    )
    blocks: Blocks = [
        header(f"Idea pipeline: the week to {figures.week_end:%A, %B} {figures.week_end.day}"),
        context(f"From {date(figures.week_start)} to {date(figures.week_end)}"),
    ]
    new_lines = [_line(item) for item in figures.new_ideas[:MAX_LISTED]]
    if new_count > MAX_LISTED:
        new_lines.append(f"…and {new_count - MAX_LISTED} more")
    blocks += sections(f"New ideas ({new_count})", new_lines or ["_None this week._"], SECTION_LIMIT)
    if figures.per_stage:
        blocks.append(section("*Ideas per stage*"))
        blocks.append(fields(*[(label, str(count)) for label, count in figures.per_stage]))
    decided = [_line(item) for item in figures.decisions[:MAX_LISTED]]
    if len(figures.decisions) > MAX_LISTED:
        decided.append(f"…and {len(figures.decisions) - MAX_LISTED} more")
    decisions_title = f"Decisions this week ({len(figures.decisions)})"
    blocks += sections(decisions_title, decided or ["_None this week._"], SECTION_LIMIT)
    stalled = [_line(item) for item in figures.stalled[:MAX_STALLED]]
    if len(figures.stalled) > MAX_STALLED:
        stalled.append(f"…and {len(figures.stalled) - MAX_STALLED} more")
    blocks += sections(f"Stalled ({len(figures.stalled)})", stalled or ["_Nothing stalled. :tada:_"], SECTION_LIMIT)
    blocks.append(
        fields(
            (
                "Median time to first coach reply",
                _median(figures.median_first_reply_days, figures.first_reply_count, figures.window_days),
            ),
            (
                "Median time to decision",
                _median(figures.median_decision_days, figures.decision_count, figures.window_days),
            ),
        )
    )
    blocks.append(context("Times are measured from submission, in calendar days. The chart shows every idea by stage."))
    return text, blocks[:50]


def chart_title(figures: DigestFigures) -> str:
    return f"Ideas by stage, {figures.week_end:%b %d, %Y}"


CHART_COMMENT = "The pipeline this week, by stage."


def decision_detail(outcome: str, decided_by: str) -> str:
    labels = {"go": "Go", "no_go": "No-go", "not_now": "Not now"}
    return f"{labels.get(outcome, safe(outcome, 30))} by {user(decided_by)}"
