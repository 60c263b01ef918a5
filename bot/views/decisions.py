"""Block Kit for the decision form (criteria scores, outcome, explanation, dates) and its parser."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.config import Strategy
from bot.views.blocks import (
    Blocks,
    context,
    header,
    input_value,
    modal,
    option,
    section,
    state_of,
    text_input,
)
from bot.views.effort import effort_input, effort_value
from bot.views.ids import Action, Callback
from bot.views.intake import goal_option_groups
from bot.views.messages import heading
from bot.views.text import safe, user
from models import Idea
from models.decision_rules import (
    EXPLANATION_MAX,
    RATIONALE_MAX,
    RATIONALE_MIN_CHARS,
    REASON_MAX,
    CriterionScore,
    Outcome,
    Proposal,
)

SCORE_LABELS = {1: "1 — poor", 2: "2 — weak", 3: "3 — fair", 4: "4 — good", 5: "5 — excellent"}
_SCORES = {str(score) for score in SCORE_LABELS}


# --- the form -------------------------------------------------------------------------------------


def _date_input(block_id: str, label: str, hint: str, initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": Action.INPUT}
    if initial:
        element["initial_date"] = initial.isoformat()
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": {"type": "plain_text", "text": label},
        "hint": {"type": "plain_text", "text": hint},
        "element": element,
    }


def decision_modal(
    idea: Idea, strategy: Strategy, prefill: Proposal | None = None, *, correcting: bool = False, early: bool = False
) -> dict[str, Any]:
    prefill = prefill or Proposal(goals_considered=idea.goal_ids)
    total_weight = sum(criterion.weight for criterion in strategy.criteria)
    intro = (
        f"*{safe(heading(idea), 200)}* · {idea.current_stage.label} · coach {user(idea.coach_id)} · "
        f"LogFrame {idea.worksheet.completeness}"
    )
    blocks: Blocks = [section(intro)]
    if correcting:
        blocks.append(
            context(
                ":pencil2: This will be sent as a *correction*: the submitter gets a new notice "
                "and the original decision stays on record."
            )
        )
    elif early:
        blocks.append(context(":warning: This idea hasn't been marked ready for a decision yet."))
    outcome_element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": Action.INPUT,
        "options": [option(item.label, item.value) for item in Outcome],
    }
    if prefill.outcome in Outcome.__members__.values():
        outcome_element["initial_option"] = option(Outcome(prefill.outcome).label, prefill.outcome)
    blocks.append(
        {
            "type": "input",
            "block_id": "outcome",
            "label": {"type": "plain_text", "text": "Decision"},
            "element": outcome_element,
        }
    )
    blocks.append(
        _date_input("revisit_on", "Revisit on (for Not now)", "When the PMO will bring it back.", prefill.revisit_on)
    )
    blocks.append(header("Scores against the strategy"))
    given = {score.criterion_id: score for score in prefill.scores}
    for criterion in strategy.criteria:
        share = round(100 * criterion.weight / total_weight)
        score_element: dict[str, Any] = {
            "type": "static_select",
            "action_id": Action.INPUT,
            "placeholder": {"type": "plain_text", "text": "1 to 5"},
            "options": [option(label, str(value)) for value, label in SCORE_LABELS.items()],
        }
        earlier = given.get(criterion.id)
        if earlier and earlier.score in SCORE_LABELS:
            score_element["initial_option"] = option(SCORE_LABELS[earlier.score], str(earlier.score))
        blocks.append(
            {
                "type": "input",
                "block_id": f"score:{criterion.id}",
                "label": {"type": "plain_text", "text": f"{criterion.title} ({share}% of the score)"},
                "hint": {"type": "plain_text", "text": criterion.question},
                "element": score_element,
            }
        )
        blocks.append(
            text_input(
                f"reason:{criterion.id}",
                f"Why that score for {criterion.title.lower()}?",
                max_length=REASON_MAX,
                min_length=10,
                multiline=False,
                initial=earlier.reason if earlier else "",
            )
        )
    groups = goal_option_groups(strategy, unsure=False)
    goals_element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": Action.INPUT,
        "option_groups": groups,
        "placeholder": {"type": "plain_text", "text": "Choose goals"},
    }
    chosen = [o for g in groups for o in g["options"] if o["value"] in prefill.goals_considered]
    if chosen:
        goals_element["initial_options"] = chosen
    blocks.append(header("The explanation"))
    blocks.append(
        {
            "type": "input",
            "block_id": "goals",
            "element": goals_element,
            "label": {"type": "plain_text", "text": "Annual goals this was weighed against"},
        }
    )
    blocks.append(
        text_input(
            "rationale",
            "Why, in plain words",
            max_length=RATIONALE_MAX,
            min_length=RATIONALE_MIN_CHARS,
            initial=prefill.rationale,
            hint="The specific reasons, in terms the submitter will recognise. They read this first.",
        )
    )
    blocks.append(
        text_input(
            "alternatives",
            "Other ways to reach the same goal",
            max_length=EXPLANATION_MAX,
            optional=True,
            initial=prefill.alternatives,
            hint="Required for No-go and Not now.",
        )
    )
    blocks.append(
        text_input(
            "what_would_change",
            "What would change the answer, or how to bring it back",
            max_length=EXPLANATION_MAX,
            optional=True,
            initial=prefill.what_would_change,
            hint="Required for No-go and Not now.",
        )
    )
    blocks.append(header("For Go"))
    blocks.append(
        text_input("next_steps", "Next steps", max_length=EXPLANATION_MAX, optional=True, initial=prefill.next_steps)
    )
    owner_element: dict[str, Any] = {"type": "users_select", "action_id": Action.INPUT}
    if prefill.owner_id:
        owner_element["initial_user"] = prefill.owner_id
    blocks.append(
        {
            "type": "input",
            "block_id": "owner",
            "optional": True,
            "element": owner_element,
            "label": {"type": "plain_text", "text": "Delivery owner"},
        }
    )
    blocks.append(_date_input("target_start", "Target start", "When delivery should begin.", prefill.target_start))
    blocks.append(effort_input(strategy, prefill.effort))
    return modal(Callback.DECISION, "Decide", blocks, submit="Preview", metadata=str(idea.id))


def _date_value(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_decision(view: dict[str, Any], strategy: Strategy) -> Proposal:
    state = state_of(view)
    scores = []
    for criterion in strategy.criteria:
        raw = input_value(state, f"score:{criterion.id}") or ""
        scores.append(
            CriterionScore(
                criterion.id, int(raw) if raw in _SCORES else None, input_value(state, f"reason:{criterion.id}") or ""
            )
        )
    return Proposal(
        outcome=input_value(state, "outcome") or "",
        scores=scores,
        goals_considered=input_value(state, "goals") or [],
        rationale=input_value(state, "rationale") or "",
        alternatives=input_value(state, "alternatives") or "",
        what_would_change=input_value(state, "what_would_change") or "",
        next_steps=input_value(state, "next_steps") or "",
        owner_id=input_value(state, "owner") or "",
        target_start=_date_value(input_value(state, "target_start") or ""),
        revisit_on=_date_value(input_value(state, "revisit_on") or ""),
        effort=effort_value(input_value(state, "effort") or ""),
    )
