"""In-memory ideas for tests of pure builders (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import CoachingThread, Idea, IdeaGoal, LogFrame, Stage

SUBMITTER = "USUBMIT001"
COACH = "UCOACH0001"
T0 = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
PERMALINK = "https://credit.example/archives/CCOACH001/p1700000123000400"


def make_idea(
    *,
    stage: Stage = Stage.IN_COACHING,
    days_in_stage: int = 1,
    cells: dict[str, str] | None = None,
    goal_ids: tuple[str, ...] = ("loan-cycle-time", "digital-self-service"),
    coach_id: str | None = COACH,
    text: str = "",
    alignment_note: str | None = None,
) -> Idea:
    """An idea with a coach and a coaching thread; `text` (when given) replaces every piece of user text."""
    return Idea(
        id=42,
        title=text or "Text members when a loan document is missing",
        problem=text or "Loan files stall for days because members don't know a pay stub is missing.",
        proposal=text or "Send an automatic text the moment the loan officer flags a missing document.",
        beneficiaries=["members"],
        success_signal=text or "Median days waiting on documents drops from 4 to 1.",
        help_offer="maybe",
        goal_unsure=False,
        submitter_id=SUBMITTER,
        coach_id=coach_id,
        alignment_note=alignment_note,
        stage=stage,
        stage_entered_at=T0 + timedelta(days=days_in_stage),
        created_at=T0,
        updated_at=T0 + timedelta(days=days_in_stage),
        goals=[IdeaGoal(goal_id=goal_id) for goal_id in goal_ids],
        logframe=None if cells is None else LogFrame(cells=cells, updated_by=SUBMITTER, updated_at=T0),
        threads=[
            CoachingThread(
                id=1,
                channel_id="CCOACH001",
                thread_ts="1700000123.000400",
                coach_id=COACH,
                permalink=PERMALINK,
                opened_at=T0,
            )
        ],
    )
