"""Block Kit for decisions: the decision form and its parser, the preview, the notice, the hand-off."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.config import Strategy
from bot.views.blocks import (
    Blocks,
    actions,
    button,
    context,
    fields,
    header,
    input_value,
    modal,
    option,
    section,
    sections,
    state_of,
    text_input,
)
from bot.views.coaching import logframe_lines
from bot.views.effort import effort_input, effort_text, effort_value
from bot.views.ids import Action, Callback
from bot.views.intake import goal_option_groups
from bot.views.messages import heading
from bot.views.text import date as slack_date
from bot.views.text import quote, safe, user
from models import Decision, Idea, Move
from models.decision_rules import (
    EXPLANATION_MAX,
    RATIONALE_MAX,
    RATIONALE_MIN_CHARS,
    REASON_MAX,
    CriterionScore,
    Outcome,
    Proposal,
)
from models.lifecycle import can

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


# --- the notice -----------------------------------------------------------------------------------

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


def acknowledged_blocks(blocks: Blocks, when_text: str) -> Blocks:
    """The notice after the submitter marked it understood: buttons replaced by a receipt."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    return [*kept, context(f":white_check_mark: You marked this understood {when_text}.")]


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


# --- after the decision ---------------------------------------------------------------------------


def reconsider_modal(idea: Idea) -> dict[str, Any]:
    return modal(
        Callback.RECONSIDER,
        "Ask to reconsider",
        [
            section(
                f"What's new since the decision on *{safe(heading(idea), 200)}*? "
                "Your idea goes back to coaching with this information."
            ),
            text_input(
                "new_information",
                "New information",
                max_length=2000,
                min_length=30,
                hint="What has changed, or what the decision didn't take into account.",
            ),
        ],
        submit="Send",
        metadata=str(idea.id),
    )


def parse_reconsider(view: dict[str, Any]) -> tuple[str, dict[str, str]]:
    text = input_value(state_of(view), "new_information") or ""
    if len(text.strip()) < 30:
        return text, {"new_information": "Please say what's new (at least 30 characters)."}
    if len(text) > 2000:
        return text, {"new_information": "Please keep this under 2000 characters."}
    return text.strip(), {}


def feedback_prompt(idea: Idea) -> tuple[str, Blocks]:
    text = "One optional question: how was the process?"
    return text, [
        section(
            f"Thanks. One optional question about {idea.reference}: how was the process for you? "
            "It takes ten seconds, and you can answer anonymously."
        ),
        actions(f"feedback:{idea.id}", button("Share feedback", Action.GIVE_FEEDBACK, str(idea.id))),
    ]


def feedback_modal(idea: Idea) -> dict[str, Any]:
    return modal(
        Callback.FEEDBACK,
        "How did it go?",
        [
            {
                "type": "input",
                "block_id": "rating",
                "label": {"type": "plain_text", "text": "How was the process?"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": Action.INPUT,
                    "options": [option(label, str(value)) for value, label in SCORE_LABELS.items()],
                },
            },
            text_input("comment", "Anything to tell the PMO?", max_length=1000, optional=True),
            {
                "type": "input",
                "block_id": "anonymous",
                "optional": True,
                "label": {"type": "plain_text", "text": "Anonymity"},
                "element": {
                    "type": "checkboxes",
                    "action_id": Action.INPUT,
                    "options": [option("Don't link this to me or my idea", "yes")],
                },
            },
        ],
        submit="Send",
        metadata=str(idea.id),
    )


def parse_feedback(view: dict[str, Any]) -> tuple[int | None, str, bool, dict[str, str]]:
    state = state_of(view)
    raw = input_value(state, "rating") or ""
    rating = int(raw) if raw in _SCORES else None
    comment = input_value(state, "comment") or ""
    anonymous = "yes" in (input_value(state, "anonymous") or [])
    errors = {}
    if rating is None:
        errors["rating"] = "Choose 1 to 5."
    if len(comment) > 1000:
        errors["comment"] = "Please keep this under 1000 characters."
    return rating, comment.strip(), anonymous, errors
