"""Steps through the product as people take them, for tests that need an idea at some stage."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from bot.views.ids import Action
from models import CoachingThread
from tests.conftest import COACH_2, PMO_CHANNEL, SUBMITTER

GOOD_ANSWERS = {
    "title": "Text members when a loan document is missing",
    "problem": "Loan files stall for days because members don't know a pay stub is missing.",
    "proposal": "Send an automatic text the moment the loan officer flags a missing document.",
    "beneficiaries": ["members", "department"],
    "beneficiary_detail": "Consumer lending",
    "goals": ["loan-cycle-time", "digital-self-service"],
    "success_signal": "Median days waiting on documents drops from 4 to 1.",
    "tried_before": "Officers phone members, but half the calls go to voicemail.",
    "help_offer": "yes",
}


def open_intake(slack, text: str = "", user: str = SUBMITTER) -> dict:
    response = slack.command(text, user=user)
    assert response.status == 200
    return slack.fake.calls_to("views.open")[-1]["view"]


def submit_idea(slack, user: str = SUBMITTER, **changes) -> int:
    """Submit an idea through /idea and the modal; returns its id. Clears the recorded calls."""
    response = slack.submit_view(open_intake(slack, user=user), GOOD_ANSWERS | changes, user=user)
    assert response.status == 200 and response.body == "", response.body
    card = slack.fake.calls_to("chat.postMessage")[-1]
    button = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"])
    slack.fake.reset()
    return int(button["value"])


def click_card(slack, action_id: str, idea_id: int, user: str):
    return slack.click(action_id, value=str(idea_id), user=user, channel=PMO_CHANNEL, block_id=f"card:{idea_id}")


def coach_this(slack, idea_id: int, coach: str) -> None:
    response = click_card(slack, Action.COACH_THIS, idea_id, coach)
    assert response.status == 200
    slack.fake.reset()


def coaching_thread(session_factory, idea_id: int) -> CoachingThread:
    with session_factory() as session:
        return session.scalars(
            select(CoachingThread).where(CoachingThread.idea_id == idea_id).order_by(CoachingThread.id.desc())
        ).first()


def count(session_factory, model, *where) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def click_in_thread(slack, action_id: str, idea_id: int, user: str, thread: CoachingThread):
    return slack.click(
        action_id,
        value=str(idea_id),
        user=user,
        channel=thread.channel_id,
        message={"ts": thread.thread_ts, "text": ""},
        block_id=f"kickoff:{idea_id}",
    )


def kickoff_buttons(slack, thread: CoachingThread) -> list[str]:
    """The buttons of the coaching kickoff as the one chat.update since the last reset left it."""
    kickoff = slack.fake.only_in("chat.update", thread.channel_id)
    assert kickoff["ts"] == thread.thread_ts, "the update was not of the kickoff"
    return kickoff.action_ids


CRITERIA = ("strategic-fit", "member-impact", "effort", "risk", "readiness")
SPECIFIC = (
    "Texting members about missing documents directly moves our loan decision goal, because files wait four "
    "days on average for a pay stub, and lending can configure the texting service we already license."
)


def decision_answers(outcome: str, **changes) -> dict:
    """A complete, specific decision form for `outcome`, by block id; `changes` override answers."""
    base = {
        "outcome": outcome,
        "goals": ["loan-cycle-time"],
        "rationale": SPECIFIC,
        **{f"score:{criterion}": "4" for criterion in CRITERIA},
        **{f"reason:{criterion}": f"Solid on {criterion} for this idea" for criterion in CRITERIA},
    }
    if outcome == "go":
        base |= {
            "next_steps": "Lending configures the text template and pilots it in one branch.",
            "owner": COACH_2,
            "target_start": (date.today() + timedelta(days=14)).isoformat(),
            "effort": "20",
        }
    else:
        base |= {
            "alternatives": "Add the missing-document checklist to the loan confirmation email instead.",
            "what_would_change": "If the texting vendor's contract renewal includes two-way messaging.",
        }
    if outcome == "not_now":
        base["revisit_on"] = (date.today() + timedelta(days=90)).isoformat()
    return base | changes
