"""The LogFrame worksheet modal, its parser, and the playback posted after each save."""

from __future__ import annotations

from typing import Any

from bot.config import Strategy
from bot.views.blocks import (
    Blocks,
    choices,
    context,
    header,
    input_block,
    input_value,
    modal,
    option,
    section,
    state_of,
    text_input,
)
from bot.views.ids import Callback
from bot.views.text import safe, user
from models import Idea
from models.logframe import (
    CELL_MAX_LENGTH,
    MAX_OUTCOMES,
    OTHER_WAYS,
    Column,
    Level,
    Worksheet,
    cell_key,
    outcome_key,
    playback,
)

GOAL_OBJECTIVE = cell_key(Level.GOAL, Column.OBJECTIVE)

LEVEL_GUIDES = {
    Level.GOAL: ("Goal", "The annual goal this contributes to."),
    Level.PURPOSE: ("Purpose", "The change we will see when the project succeeds."),
    Level.OUTCOMES: ("Outcomes", "One to three deliverables the team will produce."),
    Level.INPUTS: ("Inputs", "How we get there: activities, resources, who, when. Last on purpose."),
}

_MEASURE = "Success measure (quantity, quality, time)"
_VERIFY = "How we'll verify it"
_ASSUME = "Assumptions: what must hold that we don't control, and our response if it fails"

# cell key -> (label in summaries, label in the modal), in worksheet order
_LABELS: dict[str, tuple[str, str]] = {
    "goal.objective": ("Goal: annual goal", "Annual goal"),
    "goal.measure": ("Goal: success measure", _MEASURE),
    "goal.verification": ("Goal: verification", _VERIFY),
    "goal.assumptions": ("Goal: assumptions", _ASSUME),
    "purpose.objective": ("Purpose", "The change we will see"),
    "purpose.measure": ("Purpose: success measure", _MEASURE),
    "purpose.verification": ("Purpose: verification", _VERIFY),
    "purpose.assumptions": ("Purpose: assumptions", _ASSUME),
    **{
        key: labels
        for number in range(1, MAX_OUTCOMES + 1)
        for key, labels in (
            (outcome_key(number, Column.OBJECTIVE), (f"Outcome {number}", f"Outcome {number}")),
            (
                outcome_key(number, Column.MEASURE),
                (f"Outcome {number}: success measure", f"Outcome {number}: success measure"),
            ),
        )
    },
    "outcomes.verification": ("Outcomes: verification", _VERIFY),
    "outcomes.assumptions": ("Outcomes: assumptions", _ASSUME),
    "inputs.objective": ("Inputs: activities and resources", "Activities and resources: who, what, when"),
    "inputs.measure": ("Inputs: rough effort", "Rough effort (people, weeks, cost)"),
    "inputs.verification": ("Inputs: verification", _VERIFY),
    "inputs.assumptions": ("Inputs: assumptions", _ASSUME),
    OTHER_WAYS: ("Other ways to reach the same purpose", "Other ways to reach the same purpose"),
}
FIELD_LABELS = {key: summary for key, (summary, _) in _LABELS.items()}


def _cell(key: str, worksheet: Worksheet, *, hint: str = "", multiline: bool = True) -> dict[str, Any]:
    return text_input(
        key,
        _LABELS[key][1],
        max_length=CELL_MAX_LENGTH,
        optional=True,
        multiline=multiline,
        initial=worksheet.get(key),
        hint=hint,
    )


def logframe_modal(idea: Idea, strategy: Strategy) -> dict[str, Any]:
    worksheet = idea.worksheet
    chosen = strategy.goal(worksheet.get(GOAL_OBJECTIVE))
    initial = option(chosen.title, chosen.id) if chosen else None
    goals = [option(goal.title, goal.id) for goal in strategy.goals]
    goal_element = choices("static_select", goals, initial, placeholder="Choose an annual goal")
    blocks: Blocks = [
        section(
            f"*{idea.reference}* · LogFrame so far: *{worksheet.completeness}*. "
            "Save whenever you like; you can come back and finish later."
        ),
    ]
    for level in Level:
        title, guide = LEVEL_GUIDES[level]
        blocks.append(header(title))
        blocks.append(context(guide))
        if level is Level.GOAL:
            blocks.append(input_block(GOAL_OBJECTIVE, "Annual goal", goal_element, optional=True))
        elif level is Level.OUTCOMES:
            for number in range(1, MAX_OUTCOMES + 1):
                blocks.append(_cell(outcome_key(number, Column.OBJECTIVE), worksheet, multiline=False))
                blocks.append(_cell(outcome_key(number, Column.MEASURE), worksheet, multiline=False))
        else:
            blocks.append(_cell(cell_key(level, Column.OBJECTIVE), worksheet))
        if level is Level.OUTCOMES:
            columns = (Column.VERIFICATION, Column.ASSUMPTIONS)
        else:
            columns = (Column.MEASURE, Column.VERIFICATION, Column.ASSUMPTIONS)
        blocks += [_cell(cell_key(level, column), worksheet) for column in columns]
    blocks.append(header("Other ways"))
    blocks.append(_cell(OTHER_WAYS, worksheet, hint="What else could reach the same purpose, and why this way?"))
    return modal(Callback.LOGFRAME, "LogFrame worksheet", blocks, submit="Save", metadata=str(idea.id))


def parse_logframe(view: dict[str, Any], strategy: Strategy) -> tuple[dict[str, str], dict[str, str]]:
    """The cells in a submitted worksheet (empty ones included, so they can be cleared) and field errors."""
    state = state_of(view)
    cells = {key: (input_value(state, key) or "") for key in FIELD_LABELS}
    errors: dict[str, str] = {}
    for key, value in cells.items():
        if len(value) > CELL_MAX_LENGTH:
            errors[key] = f"Please keep this under {CELL_MAX_LENGTH} characters (it has {len(value)})."
    goal_id = cells[GOAL_OBJECTIVE]
    if goal_id and strategy.goal(goal_id) is None:
        errors[GOAL_OBJECTIVE] = "That is no longer one of this year's goals; please choose again."
    for number in range(1, MAX_OUTCOMES + 1):
        objective = cells[outcome_key(number, Column.OBJECTIVE)].strip()
        measure = cells[outcome_key(number, Column.MEASURE)].strip()
        if measure and not objective:
            errors[outcome_key(number, Column.OBJECTIVE)] = "Describe the outcome this measure is for."
    return cells, errors


def playback_message(idea: Idea, strategy: Strategy, editor_id: str) -> tuple[str, Blocks]:
    """Posted in the coaching thread after a save: completeness and the if-then chain."""
    worksheet = idea.worksheet
    goal = strategy.goal(worksheet.get(GOAL_OBJECTIVE))
    sentences = playback(worksheet, goal.title if goal else None)
    text = f"{user(editor_id)} updated the LogFrame for {idea.reference}: {worksheet.completeness}."
    blocks: Blocks = [
        section(text),
        section("*Reading it back, bottom to top:*\n" + "\n".join(f"• {safe(s, 900)}" for s in sentences)),
    ]
    missing = worksheet.missing()
    if missing:
        blocks.append(context("Still open: " + "; ".join(missing[:8]) + ("…" if len(missing) > 8 else "")))
    else:
        blocks.append(context("Every cell is filled in. Does the chain hold when you read it aloud?"))
    return text, blocks
