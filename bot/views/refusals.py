"""What a person is told when they may not do something, or it can't be done now: the services decide
(models/access.py and the lifecycle's table are the judges), these say it. Safe mrkdwn, shown ephemerally
or as a modal's field error."""

from __future__ import annotations

from bot.views.text import user
from models import Idea

# --- who may act ----------------------------------------------------------------------------------


def staff_only(doing: str, *, ask_the_lead: bool = True) -> str:
    told = f"Only PMO staff can {doing}."
    return f"{told} If you think you should be able to, ask the PMO lead." if ask_the_lead else told


def submitter_only(idea: Idea, doing: str) -> str:
    return f"Only the person who submitted {idea.reference} can {doing}."


def coach_or_staff_only(idea: Idea, doing: str) -> str:
    return f"Only the coach of {idea.reference} or PMO staff can {doing}."


def logframe_editors_only(idea: Idea) -> str:
    return f"Only the submitter and coach of {idea.reference} (or PMO staff) can edit its LogFrame."


DECIDERS_ONLY = "Only the PMO's deciders can decide ideas. Your coach or the PMO lead can tell you who they are."


def reminder_readers_only(idea: Idea, doing: str) -> str:
    return f"Only the people this reminder is for, the coach of {idea.reference} or PMO staff can {doing} it."


JOINERS_ONLY = "Only the submitters of these two ideas can answer this."


# --- what the idea's stage allows -----------------------------------------------------------------


def _stage(idea: Idea) -> str:
    return idea.current_stage.label.lower()


def logframe_closed(idea: Idea) -> str:
    return f"{idea.reference} is {_stage(idea)}, so its LogFrame is closed."


def already_closed(idea: Idea) -> str:
    return f"{idea.reference} is already {_stage(idea)}."


def nothing_to_decide(idea: Idea) -> str:
    return f"{idea.reference} is {_stage(idea)}, so there is nothing to decide."


def nothing_to_reconsider(idea: Idea) -> str:
    return f"{idea.reference} is {_stage(idea)}, so there's nothing to reconsider."


def moved_on(idea: Idea, doing: str) -> str:
    """A reminder answered after its idea moved on (the clock it was about stopped)."""
    return f"{idea.reference} has moved on since this reminder, so there's nothing to {doing}."


def not_decided_yet(idea: Idea) -> str:
    return f"{idea.reference} hasn't been decided yet."


# --- coaching ---------------------------------------------------------------------------------------


def not_on_staff(coach_id: str) -> str:
    return f"{user(coach_id)} isn't on the PMO staff list, so they can't coach ideas."


def already_coaching(coach_id: str, idea: Idea) -> str:
    return f"{user(coach_id)} is already coaching {idea.reference}."


NOBODY_TO_ASK = "There's no decision or coach on this idea yet to ask."


# --- decisions ------------------------------------------------------------------------------------


PREVIEW_EXPIRED = "That decision preview has expired; please open Decide again."
ALREADY_SENT = "That decision has already been sent."
NO_LONGER_COMPLETE = "That decision is no longer complete; please open Decide again."


# --- joining forces -------------------------------------------------------------------------------

PAIR_UNCLEAR = "I couldn't tell which two ideas you meant."
ONLY_LATER_JOINS = "Only a later idea can join an earlier one."
PROPOSAL_SETTLED = "That proposal has already been settled; thank you."


def both_still_open(later: Idea, earlier: Idea) -> str:
    return f"{later.reference} and {earlier.reference} must both still be open to join forces."


def join_already_proposed(later: Idea, earlier: Idea, *, answered: bool) -> str:
    if answered:
        return f"Joining {later.reference} with {earlier.reference} was proposed before and has been answered."
    return f"Joining {later.reference} with {earlier.reference} is already proposed; waiting for the submitters."


# --- gone -----------------------------------------------------------------------------------------

IDEA_GONE = "I couldn't find that idea any more."
DECISION_GONE = "I couldn't find that decision any more."
PROPOSAL_GONE = "I couldn't find that proposal any more."
REMINDER_GONE = "I couldn't find that reminder any more."


def no_such_idea(asked_as: str) -> str:
    return f"I couldn't find an idea called {asked_as}. Try `/idea mine` to list yours."


def not_yours_to_see(idea: Idea) -> str:
    return (
        f"Sorry, {idea.reference} isn't yours, so I can't show it. Only its submitter, its coach "
        "and the PMO can see an idea's details."
    )
