"""Block Kit for what follows a decision: asking to reconsider it, and the submitter's feedback on the process."""

from __future__ import annotations

from typing import Any

from bot.views.blocks import (
    Blocks,
    actions,
    button,
    choices,
    input_block,
    input_value,
    modal,
    option,
    section,
    state_of,
    text_input,
)
from bot.views.coaching import note
from bot.views.decisions import SCORE_LABELS
from bot.views.ids import Action, Callback
from bot.views.messages import heading, notice
from bot.views.text import link, safe, user
from models import Idea

_RATINGS = {str(score) for score in SCORE_LABELS}
FEEDBACK_THANKS = "Thank you. The PMO reads every answer."


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


def question_asked(idea: Idea, helper_id: str) -> tuple[str, Blocks]:
    """The note in the coaching thread that brings `helper_id` (the coach, or the decider) to the question."""
    return note(
        f"{user(idea.submitter_id)} has a question about the decision on {idea.reference}. "
        f"{user(helper_id)}, could you pick it up here?"
    )


def question_taken(helper_id: str, thread_permalink: str | None) -> str:
    """What the submitter who asked is told, and where to go."""
    where = link(thread_permalink, "the coaching thread") if thread_permalink else "your coaching conversation"
    return f"I've asked {user(helper_id)} to join you in {where}. Ask away there."


def question_kickoff(idea: Idea) -> tuple[str, Blocks]:
    """The first message of a conversation that a question opens, when the idea has none."""
    return notice(f"Questions about the decision on {idea.reference}: {safe(idea.title, 150)}. Reply in this thread.")


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
    ratings = [option(label, str(value)) for value, label in SCORE_LABELS.items()]
    anonymity = [option("Don't link this to me or my idea", "yes")]
    return modal(
        Callback.FEEDBACK,
        "How did it go?",
        [
            input_block("rating", "How was the process?", choices("radio_buttons", ratings)),
            text_input("comment", "Anything to tell the PMO?", max_length=1000, optional=True),
            input_block("anonymous", "Anonymity", choices("checkboxes", anonymity), optional=True),
        ],
        submit="Send",
        metadata=str(idea.id),
    )


def parse_feedback(view: dict[str, Any]) -> tuple[int | None, str, bool, dict[str, str]]:
    state = state_of(view)
    raw = input_value(state, "rating") or ""
    rating = int(raw) if raw in _RATINGS else None
    comment = input_value(state, "comment") or ""
    anonymous = "yes" in (input_value(state, "anonymous") or [])
    errors = {}
    if rating is None:
        errors["rating"] = "Choose 1 to 5."
    if len(comment) > 1000:
        errors["comment"] = "Please keep this under 1000 characters."
    return rating, comment.strip(), anonymous, errors
