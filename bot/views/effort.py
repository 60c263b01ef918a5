"""A Go decision's rough effort: asked in the decision form, shown in the hand-off, in capacity's unit."""

from __future__ import annotations

from typing import Any

from bot.config import Strategy
from bot.views.blocks import input_block
from bot.views.ids import Action


def effort_input(strategy: Strategy, initial: float | None) -> dict[str, Any]:
    unit = strategy.capacity.unit if strategy.capacity else "person-days"
    element: dict[str, Any] = {"type": "number_input", "is_decimal_allowed": True, "action_id": Action.INPUT}
    element["min_value"] = "0"
    if initial is not None:
        element["initial_value"] = f"{initial:g}"
    hint = "A rough size; the portfolio counts it against the year's capacity."
    return input_block("effort", f"Rough effort ({unit})", element, optional=True, hint=hint)


def effort_text(effort: float | None, strategy: Strategy) -> str:
    unit = strategy.capacity.unit if strategy.capacity else "person-days"
    return f"{effort:g} {unit}" if effort is not None else "-"


def effort_value(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
