"""Block Kit for a decision on its way to the submitter: the preview, the notice (and its buttons once
read), the summary in the coaching thread, and the hand-off to the delivery team."""

from __future__ import annotations

from typing import Any

from bot.config import Strategy
from bot.views.blocks import (
    Blocks,
    actions,
    button,
    context,
    fields,
    header,
    modal,
    section,
    sections,
)
from bot.views.coaching import logframe_lines
from bot.views.effort import effort_text
from bot.views.ids import Action, Callback
from bot.views.messages import heading
from bot.views.text import date as slack_date
from bot.views.text import quote, safe, user
from models import Decision, Idea, Move
from models.decision_rules import (
    Outcome,
    Proposal,
)
from models.lifecycle import can

_INTROS = {
    Outcome.GO: "Good news, {submitter}: the PMO has decided to *go ahead* with your idea *{title}*.",
    Outcome.NO_GO: "{submitter}, thank you for *{title}*. The PMO has decided *not to take it forward*, "
    "and we want you to know exactly why.",
    Outcome.NOT_NOW: "{submitter}, thank you for *{title}*. The PMO has decided *not now*: not no, but not this "
    "time. Here is why, and when we'll look at it again.",
}


def notice_blocks(
    idea: Idea,
    proposal: Proposal,
    strategy: Strategy,
    *,
    decider_id: str,
    weighted: float,
    corrects: Decision | None = None,
) -> tuple[str, Blocks]:
    """The decision as the submitter reads it, without buttons (shared by the DM and the preview)."""
    outcome = Outcome(proposal.outcome)
    title = f"Decision on {idea.reference}: {outcome.label}"
    blocks: Blocks = [header(title)]
    if corrects is not None:
        blocks.append(
            context(
                f":pencil2: This corrects the decision sent {slack_date(corrects.decided_at)} "
                f"({Outcome(corrects.outcome).label}). That one stays on record."
            )
        )
    blocks.append(section(_INTROS[outcome].format(submitter=user(idea.submitter_id), title=safe(idea.title, 150))))
    blocks.append(section(f"*Why*\n{safe(proposal.rationale, 2900)}"))
    criteria = {criterion.id: criterion for criterion in strategy.criteria}
    total_weight = sum(criterion.weight for criterion in strategy.criteria) or 1
    lines = []
    for score in proposal.scores:
        criterion = criteria.get(score.criterion_id)
        if criterion is None:
            continue
        share = round(100 * criterion.weight / total_weight)
        lines.append(f"• *{safe(criterion.title, 75)}* ({share}%): *{score.score}/5*, {safe(score.reason, 300)}")
    blocks.append(section(f"*How it scored against our criteria*: weighted *{weighted:.1f} of 5*\n" + "\n".join(lines)))
    goals = [f"• {safe(title_, 100)}" for title_ in strategy.goal_titles(proposal.goals_considered)]
    blocks.append(section("*The annual goals we weighed it against*\n" + "\n".join(goals or ["-"])))
    if outcome is Outcome.NOT_NOW and proposal.revisit_on:
        blocks.append(
            section(
                f"*When we'll revisit it*\n{proposal.revisit_on.strftime('%A %-d %B %Y')}: "
                "the PMO will bring it back and your coach will be in touch."
            )
        )
    if outcome.needs_alternatives:
        blocks.append(section(f"*Other ways to reach the same goal*\n{safe(proposal.alternatives, 2000)}"))
        blocks.append(section(f"*What would change the answer*\n{safe(proposal.what_would_change, 2000)}"))
    else:
        blocks.append(section(f"*Next steps*\n{safe(proposal.next_steps, 2000)}"))
        start = proposal.target_start.strftime("%-d %B %Y") if proposal.target_start else "-"
        blocks.append(fields(("Delivery owner", user(proposal.owner_id)), ("Target start", start)))
    talk_to = [user(idea.coach_id)] if idea.coach_id and idea.coach_id != decider_id else []
    talk_to.append(f"{user(decider_id)}, who made this decision")
    blocks.append(context("Questions? Talk to " + " or ".join(talk_to) + "."))
    text = f"{title}. " + ("See why." if outcome is not Outcome.GO else "Next steps inside.")
    return text, blocks


def notice_actions(idea: Idea, decision_id: int, outcome: Outcome) -> dict[str, Any]:
    elements = [
        button("Ask a question", Action.ASK_QUESTION, str(idea.id)),
        button("Thanks, understood", Action.UNDERSTOOD, str(decision_id), "primary"),
    ]
    if can(outcome.stage, Move.RECONSIDER):  # the notice is read by the submitter, who may ask
        elements.append(button("Ask for reconsideration", Action.RECONSIDER, str(idea.id)))
    return actions(f"notice:{decision_id}", *elements)


VAGUE_RATIONALE = (
    "This rationale names nothing from the idea itself. Could it be about any idea? "
    "Mention what this one proposes or the problem it tackles."
)
"""A warning on the preview, like the next one."""


def copied_rationale(other_idea_id: int) -> str:
    """A warning on the preview, not a refusal: the decider may still send it."""
    return (
        f"This rationale is word for word the one already sent for IDEA-{other_idea_id}. "
        "Submitters compare notes: is it really specific to this idea?"
    )


def preview_modal(notice: Blocks, draft_id: int, warnings: list[str], outcome: Outcome) -> dict[str, Any]:
    buttons = ["Ask a question", "Thanks, understood"] + (
        ["Ask for reconsideration"] if can(outcome.stage, Move.RECONSIDER) else []
    )
    blocks: Blocks = [
        context(
            "This is exactly what the submitter will receive by direct message. "
            "*Back* returns to your answers; *Send decision* sends it."
        )
    ]
    blocks += [section(f":warning: {warning}") for warning in warnings]
    blocks.append({"type": "divider"})
    blocks += notice
    blocks.append(context("Buttons they'll see: " + " · ".join(f"[{label}]" for label in buttons)))
    return modal(
        Callback.DECISION_PREVIEW,
        "Preview decision",
        blocks,
        submit="Send decision",
        close="Back",
        metadata=str(draft_id),
    )


def answered_blocks(blocks: Blocks, understood: str | None, reconsideration_asked: str | None = None) -> Blocks:
    """The notice once the submitter answered it (dates as Slack date text): its buttons replaced by receipts."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    receipts = []
    if understood:
        receipts.append(f":white_check_mark: You marked this understood {understood}.")
    if reconsideration_asked:
        receipts.append(f":leftwards_arrow_with_hook: You asked for it to be reconsidered {reconsideration_asked}.")
    return [*kept, *(context(receipt) for receipt in receipts)]


def thread_summary(
    idea: Idea, proposal: Proposal, decider_id: str, weighted: float, correction: bool
) -> tuple[str, Blocks]:
    outcome = Outcome(proposal.outcome)
    verb = "corrected its decision on" if correction else "decided"
    text = f"The PMO {verb} {idea.reference}: *{outcome.label}* (weighted {weighted:.1f} of 5)."
    return text, [
        section(f"{text} {user(idea.submitter_id)} has the full explanation by DM. Decided by {user(decider_id)}."),
        section(quote(proposal.rationale, 1500)),
    ]


def handoff(idea: Idea, proposal: Proposal, strategy: Strategy, decider_id: str) -> tuple[str, Blocks]:
    text = f"Hand-off: {idea.reference} is a go"
    blocks: Blocks = [
        header(f"Hand-off: {heading(idea)}"),
        section(f"*The idea*\n{safe(idea.proposal, 1000)}"),
        fields(
            ("Delivery owner", user(proposal.owner_id)),
            ("Target start", proposal.target_start.strftime("%-d %B %Y") if proposal.target_start else "-"),
            ("Submitted by", user(idea.submitter_id)),
            ("Coach", user(idea.coach_id)),
            ("Decided by", user(decider_id)),
            ("Rough effort", effort_text(proposal.effort, strategy)),
        ),
        section(f"*Next steps*\n{safe(proposal.next_steps, 2000)}"),
    ]
    lines = [f"• *{label}*: {safe(value, 250)}" for label, value in logframe_lines(idea, strategy)]
    blocks += sections("LogFrame", lines or ["_Not filled in_"])
    return text, blocks
