"""What a submitted idea must contain: the intake rules, free of Slack."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

UNSURE_GOAL = "unsure"


class Beneficiary(StrEnum):
    MEMBERS = "members"
    EMPLOYEES = "employees"
    DEPARTMENT = "department"

    @property
    def label(self) -> str:
        return {"members": "Members", "employees": "Employees", "department": "A department or team"}[self]


class HelpOffer(StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"

    @property
    def label(self) -> str:
        return {
            "yes": "Yes, I'd like to help deliver it",
            "maybe": "Maybe, I'd like to hear more first",
            "no": "No, I'm sharing the idea",
        }[self]


@dataclass(frozen=True)
class TextRule:
    label: str
    min_length: int
    max_length: int
    required: bool = True


class Field(StrEnum):
    TITLE = "title"
    PROBLEM = "problem"
    PROPOSAL = "proposal"
    BENEFICIARIES = "beneficiaries"
    BENEFICIARY_DETAIL = "beneficiary_detail"
    GOALS = "goals"
    SUCCESS = "success_signal"
    TRIED = "tried_before"
    HELP = "help_offer"


TEXT_RULES: dict[Field, TextRule] = {
    Field.TITLE: TextRule("A short title", 3, 150),
    Field.PROBLEM: TextRule("The problem or opportunity", 10, 3000),
    Field.PROPOSAL: TextRule("Your idea", 10, 3000),
    Field.BENEFICIARY_DETAIL: TextRule("Who exactly", 0, 500, required=False),
    Field.SUCCESS: TextRule("How we would know it worked", 3, 3000),
    Field.TRIED: TextRule("Anything already tried", 0, 3000, required=False),
}


@dataclass
class IdeaDraft:
    title: str = ""
    problem: str = ""
    proposal: str = ""
    beneficiaries: list[str] = field(default_factory=list)
    beneficiary_detail: str = ""
    goal_ids: list[str] = field(default_factory=list)
    success_signal: str = ""
    tried_before: str = ""
    help_offer: str = ""

    @property
    def goal_unsure(self) -> bool:
        return UNSURE_GOAL in self.goal_ids

    @property
    def chosen_goals(self) -> list[str]:
        return [goal_id for goal_id in self.goal_ids if goal_id != UNSURE_GOAL]


def check_text(rule: TextRule, value: str) -> str | None:
    """An error for `value` against `rule`, or None."""
    text = value.strip()
    if not text:
        return f"Please fill in “{rule.label}”." if rule.required else None
    if len(text) < rule.min_length:
        return f"Please say a little more (at least {rule.min_length} characters)."
    if len(value) > rule.max_length:
        return f"Please keep this under {rule.max_length} characters (it has {len(value)})."
    return None


def validate_draft(draft: IdeaDraft, known_goal_ids: set[str]) -> dict[Field, str]:
    """Every problem with `draft`, by field; empty when the idea can be stored."""
    errors: dict[Field, str] = {}
    for name, rule in TEXT_RULES.items():
        if problem := check_text(rule, getattr(draft, name.value)):
            errors[name] = problem
    if not draft.beneficiaries:
        errors[Field.BENEFICIARIES] = "Please choose who would benefit."
    elif any(value not in Beneficiary.__members__.values() for value in draft.beneficiaries):
        errors[Field.BENEFICIARIES] = "Please choose from the options shown."
    if Beneficiary.DEPARTMENT in draft.beneficiaries and not draft.beneficiary_detail.strip():
        errors[Field.BENEFICIARY_DETAIL] = "Which department or team would benefit?"
    if not draft.goal_ids:
        errors[Field.GOALS] = "Please choose a goal, or “Not sure — my coach can help”."
    elif draft.goal_unsure and draft.chosen_goals:
        errors[Field.GOALS] = "Choose goals or “Not sure”, not both."
    elif unknown := [goal_id for goal_id in draft.chosen_goals if goal_id not in known_goal_ids]:
        errors[Field.GOALS] = f"“{unknown[0]}” is no longer one of this year's goals; please choose again."
    if draft.help_offer not in HelpOffer.__members__.values():
        errors[Field.HELP] = "Please say whether you'd like to help deliver it."
    return errors
