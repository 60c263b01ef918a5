"""/idea admin: the strategy as loaded, and the outcome of reloading strategy.yml."""

from __future__ import annotations

from bot.config import Strategy
from bot.views.blocks import Blocks, actions, button, context, header, section, sections
from bot.views.ids import Action
from bot.views.text import safe

REFUSAL = "Only the app's admins (PMO_ADMIN_IDS) can see and reload the strategy."


def admin_blocks(strategy: Strategy, source: str, problem: str | None = None) -> tuple[str, Blocks]:
    """The loaded strategy; with `problem`, the reload was refused and this is still the strategy in use."""
    text = f"Strategy loaded from {source}: {len(strategy.goals)} goals, {len(strategy.criteria)} criteria."
    blocks: Blocks = [header(f"{strategy.organisation}: strategy {strategy.year}")]
    if problem:
        blocks.append(
            section(f":x: *strategy.yml was not reloaded.* {safe(problem, 1500)}\nThe strategy below is still in use.")
        )
    blocks += sections("Pillars", [f"• `{p.id}` {safe(p.title, 100)}" for p in strategy.pillars])
    blocks += sections("Goals", [f"• `{g.id}` {safe(g.title, 100)} (pillar `{g.pillar}`)" for g in strategy.goals])
    blocks += sections("Criteria", [f"• `{c.id}` {safe(c.title, 100)}: weight {c.weight:g}" for c in strategy.criteria])
    clocks = strategy.clocks
    capacity = f"{strategy.capacity.amount:g} {strategy.capacity.unit}" if strategy.capacity else "not set"
    blocks.append(
        section(
            f"*Clocks* (business days): a coach within {clocks.unassigned_business_days}, a quiet coaching thread "
            f"{clocks.coaching_quiet_business_days}, a decision within {clocks.awaiting_decision_business_days}\n"
            f"*Capacity*: {capacity}"
        )
    )
    blocks.append(context(f"Read from `{safe(source, 200)}`."))
    blocks.append(actions("admin", button("Reload strategy.yml", Action.ADMIN_RELOAD, "reload", "primary")))
    return text, blocks


def reloaded_text(strategy: Strategy) -> str:
    return f"Reloaded: {len(strategy.goals)} goals, {len(strategy.criteria)} criteria, year {strategy.year}."
