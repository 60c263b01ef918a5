"""The one-line notes that say what just happened to an idea, on its intake card and in its coaching thread.
Each names who did it; user text in them is escaped here."""

from __future__ import annotations

from bot.views.text import safe, user
from models import Idea


def coach_assigned(idea: Idea, actor_id: str, coach_id: str) -> str:
    verb = "took on coaching" if actor_id == coach_id else f"assigned {user(coach_id)} to coach"
    return f"{user(actor_id)} {verb} {idea.reference}. Stage: {idea.current_stage.label}."


def alignment_confirmed(idea: Idea, actor_id: str, goal_titles: list[str]) -> str:
    titles = ", ".join(safe(title, 100) for title in goal_titles)
    return f"{user(actor_id)} confirmed how {idea.reference} connects to the strategy: {titles}."


def quoted(text: str, limit: int = 900) -> str:
    """The person's own words below a note, as a quote."""
    return f"\n>{safe(text, limit)}"


def marked_ready(idea: Idea, actor_id: str) -> str:
    return f"{user(actor_id)} marked {idea.reference} ready for a decision."


READY_FOR_THE_SUBMITTER = " The PMO will decide and explain the decision to you directly."


def withdrawn(idea: Idea, actor_id: str, reason: str) -> str:
    return f"{user(actor_id)} withdrew {idea.reference}: “{safe(reason, 900)}”"


def reopened(idea: Idea, actor_id: str) -> str:
    """Back in coaching after Not now; says whose it is now."""
    coach = f" {user(idea.coach_id)}, it's back with you." if idea.coach_id else NEEDS_A_COACH
    return f"{user(actor_id)} reopened {idea.reference} for coaching.{coach}"


def reconsideration_asked(idea: Idea, submitter_id: str, new_information: str) -> str:
    return (
        f"{user(submitter_id)} asked the PMO to reconsider {idea.reference} with new information: "
        f"“{safe(new_information, 1500)}”"
    )


def back_in_coaching(idea: Idea, *, otherwise: str = "") -> str:
    """Whose the reconsidered idea is now: its coach, mentioned, or `otherwise`."""
    return f" {user(idea.coach_id)}, it's back with you in coaching." if idea.coach_id else otherwise


NEEDS_A_COACH = " It needs a coach."
