"""The intake modal and the parser of its submission."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.config import Strategy
from bot.views.blocks import choices, input_block, input_value, modal, option, section, state_of, text_input
from bot.views.ids import Action, Callback
from bot.views.text import clip
from models.intake import (
    TEXT_RULES,
    UNSURE_GOAL,
    Beneficiary,
    Field,
    HelpOffer,
    IdeaDraft,
    validate_draft,
)

UNSURE_LABEL = "Not sure — my coach can help"


@dataclass(frozen=True)
class IntakeSource:
    """Where an idea came from when it was turned from a message."""

    channel_id: str | None = None
    message_ts: str | None = None

    def to_metadata(self) -> str:
        return json.dumps({"channel": self.channel_id, "ts": self.message_ts} if self.channel_id else {})

    @classmethod
    def from_metadata(cls, metadata: str | None) -> IntakeSource:
        try:
            data = json.loads(metadata or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        channel, ts = data.get("channel"), data.get("ts")
        if isinstance(channel, str) and isinstance(ts, str):
            return cls(channel, ts)
        return cls()


def _text_input(name: Field, label: str, hint: str, *, multiline: bool, initial: str = "") -> dict[str, Any]:
    rule = TEXT_RULES[name]
    return text_input(
        name.value,
        label,
        max_length=rule.max_length,
        min_length=rule.min_length,
        optional=not rule.required,
        multiline=multiline,
        initial=initial,
        hint=hint,
    )


def goal_option_groups(strategy: Strategy, *, unsure: bool = True) -> list[dict[str, Any]]:
    """The annual goals grouped by pillar, with "not sure" last unless `unsure` is False."""
    groups = []
    for pillar in strategy.pillars:
        options = [option(goal.title, goal.id) for goal in strategy.goals if goal.pillar == pillar.id]
        if options:
            groups.append({"label": {"type": "plain_text", "text": clip(pillar.title, 75)}, "options": options})
    if unsure:
        groups.append(
            {
                "label": {"type": "plain_text", "text": "Not sure yet"},
                "options": [option(UNSURE_LABEL, UNSURE_GOAL)],
            }
        )
    return groups


def goals_select(strategy: Strategy, chosen: Iterable[str] = (), *, unsure: bool = True) -> dict[str, Any]:
    """A multi-select of the annual goals by pillar, those in `chosen` already chosen."""
    groups = goal_option_groups(strategy, unsure=unsure)
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": Action.INPUT,
        "placeholder": {"type": "plain_text", "text": "Choose goals"},
        "option_groups": groups,
    }
    wanted = set(chosen)
    if initial := [item for group in groups for item in group["options"] if item["value"] in wanted]:
        element["initial_options"] = initial
    return element


def intake_modal(
    strategy: Strategy, *, title: str = "", proposal: str = "", source: IntakeSource | None = None
) -> dict[str, Any]:
    """The idea form `/idea` and the message shortcut open; `title` and `proposal` prefill it."""
    source = source or IntakeSource()
    intro = (
        "Every idea gets a PMO coach who helps you shape it and connect it to our goals. "
        "Rough is fine: answer what you can."
    )
    if source.channel_id:
        intro += "\nWe'll keep a link to the message this idea came from."
    beneficiaries = choices("checkboxes", [option(item.label, item.value) for item in Beneficiary])
    goals = goals_select(strategy)
    help_offer = choices("radio_buttons", [option(item.label, item.value) for item in HelpOffer])
    blocks = [
        section(intro),
        _text_input(
            Field.TITLE,
            "A short title",
            "For example: Text members when a loan document is missing",
            multiline=False,
            initial=title,
        ),
        _text_input(
            Field.PROBLEM, "The problem or opportunity", "What happens today, and who feels it?", multiline=True
        ),
        _text_input(Field.PROPOSAL, "Your idea", "What would you change?", multiline=True, initial=proposal),
        input_block(Field.BENEFICIARIES.value, "Who would benefit?", beneficiaries),
        _text_input(
            Field.BENEFICIARY_DETAIL, "Who exactly?", "Which members, or which department or team", multiline=False
        ),
        input_block(
            Field.GOALS.value,
            f"Which {strategy.year} goals does it serve?",
            goals,
            hint="Pick one or more, or “Not sure” and your coach will help.",
        ),
        _text_input(
            Field.SUCCESS,
            "How would we know it worked?",
            "A number, a complaint that stops, a faster time: a rough guess is fine.",
            multiline=True,
        ),
        _text_input(
            Field.TRIED, "Anything already tried?", "Workarounds, earlier attempts, what you learned.", multiline=True
        ),
        input_block(Field.HELP.value, "Would you like to help deliver it?", help_offer),
    ]
    return modal(Callback.INTAKE, "Submit an idea", blocks, submit="Submit idea", metadata=source.to_metadata())


def parse_intake(view: dict[str, Any], strategy: Strategy) -> tuple[IdeaDraft, dict[str, str]]:
    """The draft in a submitted intake view, and field errors keyed by block id (empty when valid)."""
    state = state_of(view)

    def text(name: Field) -> str:
        value = input_value(state, name.value)
        return value if isinstance(value, str) else ""

    def choices(name: Field) -> list[str]:
        value = input_value(state, name.value)
        return value if isinstance(value, list) else []

    draft = IdeaDraft(
        title=text(Field.TITLE),
        problem=text(Field.PROBLEM),
        proposal=text(Field.PROPOSAL),
        beneficiaries=choices(Field.BENEFICIARIES),
        beneficiary_detail=text(Field.BENEFICIARY_DETAIL),
        goal_ids=choices(Field.GOALS),
        success_signal=text(Field.SUCCESS),
        tried_before=text(Field.TRIED),
        help_offer=text(Field.HELP),
    )
    errors = validate_draft(draft, {goal.id for goal in strategy.goals})
    return draft, {name.value: message for name, message in errors.items()}
