"""Joining forces: the question each submitter answers, and the kind notes that follow."""

from __future__ import annotations

from bot.views.blocks import Blocks, actions, button, context, section
from bot.views.ids import Action, parse_id
from bot.views.text import safe, user
from models import Idea

PROPOSAL_SENT = "I've asked both submitters. Nothing changes unless both agree."


def pair_value(later_id: int, earlier_id: int) -> str:
    """A Propose joining button's value: the later idea, then the earlier one it would join."""
    return f"{later_id}:{earlier_id}"


def parse_pair(value: str) -> tuple[int, int] | None:
    """The (later, earlier) idea ids in a Propose joining button's value (see pair_value)."""
    later, _, earlier = (value or "").partition(":")
    pair = parse_id(later), parse_id(earlier)
    return pair if None not in pair else None


def agreed(action: dict) -> bool:
    """Whether the submitter clicked "Agree to join forces" (rather than "Keep them separate") in join_question."""
    return action.get("action_id") == Action.JOIN_AGREE


def _both(later: Idea, earlier: Idea) -> str:
    return f"*{later.reference}* “{safe(later.title, 150)}” and *{earlier.reference}* “{safe(earlier.title, 150)}”"


def join_question(proposal_id: int, later: Idea, earlier: Idea, coach_id: str) -> tuple[str, Blocks]:
    text = f"{later.reference} and {earlier.reference} could join forces. Would you agree?"
    blocks: Blocks = [
        section(
            f"{user(coach_id)} from the PMO noticed that {_both(later, earlier)} aim at the same thing, "
            "and suggests they join forces."
        ),
        section(
            f"If you both agree, {later.reference} closes and carries on as part of {earlier.reference}. "
            "Both submitters are credited on it and follow it from then on. If either of you would rather "
            "not, both ideas simply stay open. It's your call."
        ),
        actions(
            f"join:{proposal_id}",
            button("Agree to join forces", Action.JOIN_AGREE, str(proposal_id), "primary"),
            button("Keep them separate", Action.JOIN_DECLINE, str(proposal_id)),
        ),
    ]
    return text, blocks


def waiting_note(later: Idea, earlier: Idea) -> tuple[str, Blocks]:
    text = f"Thanks. I'll let you know once both submitters of {later.reference} and {earlier.reference} have answered."
    return text, [section(text)]


def declined_note(later: Idea, earlier: Idea) -> tuple[str, Blocks]:
    text = (
        f"{later.reference} and {earlier.reference} won't join forces: one of the submitters would rather keep "
        "them separate, and that's fine. Both stay open as they are."
    )
    return text, [section(text)]


def joined_note_for_later(later: Idea, earlier: Idea) -> tuple[str, Blocks]:
    text = f"{later.reference} has joined forces with {earlier.reference}. Thank you!"
    blocks: Blocks = [
        section(
            f"Thank you for agreeing. *{later.reference}* has joined forces with *{earlier.reference}* "
            f"“{safe(earlier.title, 150)}”. Your thinking carries on there: you're credited on "
            f"{earlier.reference} alongside {user(earlier.submitter_id)}, and you'll follow it from now on."
        ),
        context(f"See it any time with `/idea {earlier.reference}` or in the app's Home."),
    ]
    return text, blocks


def joined_note_for_earlier(later: Idea, earlier: Idea) -> tuple[str, Blocks]:
    text = f"{later.reference} has joined forces with your {earlier.reference}."
    blocks: Blocks = [
        section(
            f"*{later.reference}* by {user(later.submitter_id)} has joined forces with your *{earlier.reference}* "
            f"“{safe(earlier.title, 150)}”. You're both credited on it, and you'll both hear how it goes."
        )
    ]
    return text, blocks


def card_note_joined(later: Idea, earlier: Idea) -> str:
    return (
        f"Both submitters agreed: {later.reference} joined forces with {earlier.reference}. "
        f"{user(later.submitter_id)} is credited on {earlier.reference}."
    )


def credits_line(idea: Idea) -> str | None:
    if not idea.contributor_ids:
        return None
    return "Also credited: " + ", ".join(user(person) for person in idea.contributor_ids)
