"""The portfolio against the year's goals: blocks for the Home and /idea portfolio, and its chart."""

from __future__ import annotations

from bot.views.blocks import Blocks, context, header, section, sections
from bot.views.text import safe
from models.lifecycle import Stage
from models.portfolio import GoalLine, Portfolio

__all__ = ["Portfolio", "portfolio_blocks", "portfolio_chart", "portfolio_summary_blocks"]


def _amount(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def capacity_line(portfolio: Portfolio) -> str:
    committed = f"{_amount(portfolio.effort)} {portfolio.unit} committed by {portfolio.go_count} Go decision(s)"
    if portfolio.capacity is None:
        return f"{committed}. _No capacity set in strategy.yml._"
    share = portfolio.share or 0.0
    warning = " *Over capacity.*" if share > 1 else ""
    return f"{committed} of {_amount(portfolio.capacity)} {portfolio.unit} capacity ({share:.0%}).{warning}"


def _stages_text(line: GoalLine) -> str:
    parts = [f"{line.by_stage[stage.value]} {stage.label.lower()}" for stage in Stage if line.by_stage.get(stage.value)]
    return ", ".join(parts) or "no ideas yet"


def goal_text(line: GoalLine, portfolio: Portfolio) -> str:
    share = ""
    if portfolio.capacity:
        share = f" ({line.effort / portfolio.capacity:.0%} of capacity)"
    go = f"Go: {line.go_count}, {_amount(line.effort)} {portfolio.unit}{share}" if line.go_count else "Go: none yet"
    return f"*{safe(line.title, 100)}* — {line.ideas} idea(s): {_stages_text(line)}. {go}."


def portfolio_blocks(portfolio: Portfolio) -> tuple[str, Blocks]:
    text = f"Portfolio against the {portfolio.year} goals: {capacity_line(portfolio)}"
    blocks: Blocks = [header(f"Portfolio against the {portfolio.year} goals"), section(capacity_line(portfolio))]
    blocks += sections("Per goal", [goal_text(line, portfolio) for line in portfolio.lines])
    blocks.append(context("An idea serving several goals counts under each; its effort is split evenly between them."))
    return text, blocks


def portfolio_summary_blocks(portfolio: Portfolio) -> Blocks:
    """The Home's short form: capacity and one line per goal, in as few blocks as fit."""
    lines = []
    for line in portfolio.lines:
        go = f"{line.go_count} go, {_amount(line.effort)} {portfolio.unit}" if line.go_count else "no go yet"
        lines.append(f"• {safe(line.title, 80)}: {line.ideas} idea(s), {go}")
    return [
        section(f"*Portfolio against the {portfolio.year} goals*\n{capacity_line(portfolio)}"),
        *sections("Per goal", lines),
        context("`/idea portfolio` shows the stages per goal and a chart."),
    ]


def portfolio_chart(portfolio: Portfolio) -> bytes:
    """Effort committed per goal against the year's capacity, as PNG bytes (Agg canvas, no pyplot state)."""
    from io import BytesIO

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [line.title[:40] for line in portfolio.lines] + ["All goals"]
    values = [line.effort for line in portfolio.lines] + [portfolio.effort]
    figure = Figure(figsize=(8, 0.45 * len(labels) + 1.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    colours = ["#1d4e89"] * (len(labels) - 1) + ["#e07a1f"]
    axes.barh(positions, values, color=colours)
    axes.set_yticks(positions, labels=labels, fontsize=8)
    axes.set_xlabel(f"Effort committed by Go decisions ({portfolio.unit})")
    if portfolio.capacity:
        axes.axvline(
            portfolio.capacity, color="#b22222", linestyle="--", label=f"Capacity {_amount(portfolio.capacity)}"
        )
        axes.legend(loc="lower right", fontsize=8)
    axes.set_title(f"Portfolio against the {portfolio.year} goals")
    figure.tight_layout()
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
