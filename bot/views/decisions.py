"""Block Kit for the decision form (criteria scores, outcome, explanation, dates) and its parser."""

from __future__ import annotations

from datetime import date
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
from bot.views.effort import effort_input, effort_value
from bot.views.ids import Action, Callback
from bot.views.intake import goals_select
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
    return input_block(block_id, label, element, optional=True, hint=hint)


def decision_modal(
    idea: Idea, strategy: Strategy, prefill: Proposal | None = None, *, correcting: bool = False, early: bool = False
) -> dict[str, Any]:
    """The form a PMO decider fills in: outcome, a score and reason per criterion, the explanation the
    submitter reads, and what a Go needs. `prefill` is a proposal sent back from its preview to be edited."""
    prefill = prefill or Proposal(goals_considered=idea.goal_ids)
    blocks = [
        *_opening(idea, correcting=correcting, early=early),
        *_outcome_inputs(prefill),
        header("Scores against the strategy"),
        *_score_inputs(strategy, prefill),
        header("The explanation"),
        *_explanation_inputs(strategy, prefill),
        header("For Go"),
        *_go_inputs(strategy, prefill),
    ]
    return modal(Callback.DECISION, "Decide", blocks, submit="Preview", metadata=str(idea.id))


def _opening(idea: Idea, *, correcting: bool, early: bool) -> Blocks:
    intro = (
        f"*{safe(heading(idea), 200)}* · {idea.current_stage.label} · coach {user(idea.coach_id)} · "
        f"LogFrame {idea.worksheet.completeness}"
    )
    if correcting:
        return [
            section(intro),
            context(
                ":pencil2: This will be sent as a *correction*: the submitter gets a new notice "
                "and the original decision stays on record."
            ),
        ]
    if early:
        return [section(intro), context(":warning: This idea hasn't been marked ready for a decision yet.")]
    return [section(intro)]


def _outcome_inputs(prefill: Proposal) -> Blocks:
    known = prefill.outcome in Outcome.__members__.values()
    initial = option(Outcome(prefill.outcome).label, prefill.outcome) if known else None
    outcomes = choices("radio_buttons", [option(item.label, item.value) for item in Outcome], initial)
    return [
        input_block("outcome", "Decision", outcomes),
        _date_input("revisit_on", "Revisit on (for Not now)", "When the PMO will bring it back.", prefill.revisit_on),
    ]


def _score_inputs(strategy: Strategy, prefill: Proposal) -> Blocks:
    """A score (1 to 5) and its reason for each criterion, with the criterion's share of the total."""
    total_weight = sum(criterion.weight for criterion in strategy.criteria)
    given = {score.criterion_id: score for score in prefill.scores}
    blocks: Blocks = []
    for criterion in strategy.criteria:
        share = round(100 * criterion.weight / total_weight)
        earlier = given.get(criterion.id)
        known = earlier is not None and earlier.score in SCORE_LABELS
        initial = option(SCORE_LABELS[earlier.score], str(earlier.score)) if known else None
        options = [option(label, str(value)) for value, label in SCORE_LABELS.items()]
        scores = choices("static_select", options, initial, placeholder="1 to 5")
        label = f"{criterion.title} ({share}% of the score)"
        blocks.append(input_block(f"score:{criterion.id}", label, scores, hint=criterion.question))
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
    return blocks


def _explanation_inputs(strategy: Strategy, prefill: Proposal) -> Blocks:
    """What the submitter reads: the goals weighed, why, other ways, and what would change the answer."""
    goals = goals_select(strategy, prefill.goals_considered, unsure=False)
    for_a_no = "Required for No-go and Not now."
    return [
        input_block("goals", "Annual goals this was weighed against", goals),
        text_input(
            "rationale",
            "Why, in plain words",
            max_length=RATIONALE_MAX,
            min_length=RATIONALE_MIN_CHARS,
            initial=prefill.rationale,
            hint="The specific reasons, in terms the submitter will recognise. They read this first.",
        ),
        text_input(
            "alternatives",
            "Other ways to reach the same goal",
            max_length=EXPLANATION_MAX,
            optional=True,
            initial=prefill.alternatives,
            hint=for_a_no,
        ),
        text_input(
            "what_would_change",
            "What would change the answer, or how to bring it back",
            max_length=EXPLANATION_MAX,
            optional=True,
            initial=prefill.what_would_change,
            hint=for_a_no,
        ),
    ]


def _go_inputs(strategy: Strategy, prefill: Proposal) -> Blocks:
    owner: dict[str, Any] = {"type": "users_select", "action_id": Action.INPUT}
    if prefill.owner_id:
        owner["initial_user"] = prefill.owner_id
    return [
        text_input("next_steps", "Next steps", max_length=EXPLANATION_MAX, optional=True, initial=prefill.next_steps),
        input_block("owner", "Delivery owner", owner, optional=True),
        _date_input("target_start", "Target start", "When delivery should begin.", prefill.target_start),
        effort_input(strategy, prefill.effort),
    ]


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
