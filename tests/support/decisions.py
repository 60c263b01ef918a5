"""Decisions built in memory for tests of the decision views (no database): the strategy, an idea ready for
a decision, a proposal for each outcome (and one with every text at its maximum), what a decider types to say
it, and the checks every decision view and message must pass."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.config import load_strategy
from bot.views.decision_notice import notice_blocks
from models import Idea, Stage
from models.decision_rules import (
    EXPLANATION_MAX,
    RATIONALE_MAX,
    REASON_MAX,
    CriterionScore,
    Outcome,
    Proposal,
    weighted_score,
)
from tests.support.blockkit import (
    HOSTILE,
    MAX_MESSAGE_BLOCKS,
    assert_slack_sdk_accepts_blocks,
    assert_slack_sdk_accepts_view,
    fill,
    limit_problems,
    live_markup,
    mrkdwn_texts,
    view_problems,
)
from tests.support.driver import fill_state
from tests.support.ideas import make_idea as _make_idea

ROOT = Path(__file__).resolve().parents[2]
STRATEGY = load_strategy(ROOT / "strategy.yml")
WEIGHTS = {criterion.id: criterion.weight for criterion in STRATEGY.criteria}
SUBMITTER = "USUBMIT001"
COACH = "UCOACH0001"
DECIDER = "UDECIDE001"
OWNER = "UOWNER0001"
T0 = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
FILLERS = [HOSTILE, "&", "<\n>\n&\n", "&<>"]
FILLER_IDS = ["mentions", "ampersands", "brackets-and-newlines", "controls"]
# slack-platform-facts.md: msg_blocks_too_long around 12-13k chars of total block text (undocumented)
MESSAGE_BLOCK_TEXT_BUDGET = 12_000

RATIONALE = (
    "The text costs little to build, but the loan team already plans to replace the document portal "
    "this summer, and the new portal sends these reminders itself."
)


def make_idea(*, text: str = "", cells: dict[str, str] | None = None, coach_id: str | None = COACH) -> Idea:
    """An idea ready for a decision."""
    return _make_idea(stage=Stage.READY_FOR_DECISION, days_in_stage=3, text=text, cells=cells, coach_id=coach_id)


def proposal_for(outcome: Outcome) -> Proposal:
    base = Proposal(
        outcome=outcome.value,
        scores=[
            CriterionScore(criterion.id, value, f"Because of {criterion.title.lower()}, in a line")
            for criterion, value in zip(STRATEGY.criteria, [5, 4, 3, 2, 1], strict=True)
        ],
        goals_considered=["loan-cycle-time", "fraud-losses"],
        rationale=RATIONALE,
    )
    if outcome is Outcome.GO:
        return replace(
            base,
            next_steps="Lending operations scopes the text templates with compliance in March.",
            owner_id=OWNER,
            target_start=date(2027, 3, 30),
        )
    base = replace(
        base,
        alternatives="Ask the portal vendor to switch on its missing-document reminders early.",
        what_would_change="If the portal replacement slips past September, bring the idea back.",
    )
    return replace(base, revisit_on=date(2027, 6, 7)) if outcome is Outcome.NOT_NOW else base


def hostile_proposal(outcome: Outcome, filler: str) -> Proposal:
    """Every piece of decider text at its maximum length and made of `filler`."""
    return replace(
        proposal_for(outcome),
        scores=[CriterionScore(criterion.id, 3, fill(filler, REASON_MAX)) for criterion in STRATEGY.criteria],
        goals_considered=[goal.id for goal in STRATEGY.goals],
        rationale=fill(filler, RATIONALE_MAX),
        alternatives=fill(filler, EXPLANATION_MAX) if outcome.needs_alternatives else "",
        what_would_change=fill(filler, EXPLANATION_MAX) if outcome.needs_alternatives else "",
        next_steps=fill(filler, EXPLANATION_MAX) if outcome is Outcome.GO else "",
    )


def user_markup(node: Any) -> list[str]:
    """Live markup in `node` that the product did not write (the decider and owner mentions are the product's)."""
    texts = [text.replace(f"<@{DECIDER}>", "").replace(f"<@{OWNER}>", "") for text in mrkdwn_texts(node)]
    return live_markup(*texts)


def inputs_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def submitted(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    return view | {"state": {"values": fill_state(view, answers)}}


def answers_of(proposal: Proposal) -> dict[str, Any]:
    """What a decider types into the decision modal to say `proposal`, by block id."""
    answers: dict[str, Any] = {
        "outcome": proposal.outcome or None,
        "revisit_on": proposal.revisit_on.isoformat() if proposal.revisit_on else None,
        "goals": proposal.goals_considered,
        "rationale": proposal.rationale,
        "alternatives": proposal.alternatives,
        "what_would_change": proposal.what_would_change,
        "next_steps": proposal.next_steps,
        "owner": proposal.owner_id or None,
        "target_start": proposal.target_start.isoformat() if proposal.target_start else None,
    }
    for score in proposal.scores:
        answers[f"score:{score.criterion_id}"] = str(score.score) if score.score else None
        answers[f"reason:{score.criterion_id}"] = score.reason
    return answers


def notice(outcome: Outcome, proposal: Proposal | None = None, **kwargs) -> tuple[str, list[dict[str, Any]]]:
    proposal = proposal or proposal_for(outcome)
    weighted = weighted_score(proposal.scores, WEIGHTS)
    return notice_blocks(make_idea(), proposal, STRATEGY, decider_id=DECIDER, weighted=weighted, **kwargs)


def assert_sound_view(view: dict[str, Any]) -> None:
    assert view_problems(view) == []
    assert user_markup(view) == []
    assert_slack_sdk_accepts_view(view)


def assert_sound_message(text: str, blocks: list[dict[str, Any]]) -> None:
    assert limit_problems(blocks, MAX_MESSAGE_BLOCKS) == []
    assert len(text) <= 40_000
    assert user_markup(blocks) == []
    assert sum(len(piece) for piece in mrkdwn_texts(blocks)) <= MESSAGE_BLOCK_TEXT_BUDGET
    assert_slack_sdk_accepts_blocks(blocks)
