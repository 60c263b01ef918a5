"""A seeded pipeline of many ideas, written in bulk, for Home, portfolio and benchmark runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from models import AuditEvent, Decision, Idea, IdeaGoal, Stage

GOALS = ("loan-cycle-time", "digital-self-service", "fraud-losses")
STAGE_CYCLE = (
    Stage.SUBMITTED,
    Stage.IN_COACHING,
    Stage.READY_FOR_DECISION,
    Stage.DECIDED_GO,
    Stage.DECIDED_NO_GO,
    Stage.NOT_NOW,
    Stage.WITHDRAWN,
)
COACHES = ("UCOACH0001", "UCOACH0002")


def goal_of(number: int) -> str | None:
    """Every third idea is linked to no goal; the others take the goals in turn."""
    return GOALS[(number // 3) % len(GOALS)] if number % 3 else None


def idea_values(number: int, stage: Stage, at: datetime, **changes) -> dict:
    coach = None if stage is Stage.SUBMITTED else COACHES[number % 2]
    return {
        "title": f"Idea number {number} about branch queues",
        "problem": f"Problem {number}: members wait at the counter.",
        "proposal": "Let members book a slot.",
        "beneficiaries": ["members"],
        "success_signal": "Shorter waits.",
        "help_offer": "maybe",
        "goal_unsure": False,
        "submitter_id": f"USEED{number % 500:05d}",
        "stage": stage,
        "stage_entered_at": at,
        "clock_started_at": at,
        "coach_id": coach,
        "revisit_on": (at + timedelta(days=20)).date() if stage is Stage.NOT_NOW else None,
        "created_at": at - timedelta(days=3),
        "updated_at": at,
        **changes,
    }


def flushed_idea(session, title: str, problem: str, at: datetime) -> Idea:
    """A new idea in `session`'s open transaction, flushed so that it has its id, as a submission's is by
    the time similar ideas are searched for."""
    idea = Idea(**idea_values(0, Stage.SUBMITTED, at, title=title, problem=problem, submitter_id="USUBMIT001"))
    session.add(idea)
    session.flush()
    return idea


def seed(session_factory, count: int, *, now: datetime | None = None, effort: float = 10.0) -> dict[Stage, int]:
    """`count` ideas cycling through the stages, every third linked to no goal, each Go with a decision
    of `effort`. Returns how many ideas were put in each stage."""
    now = now or datetime.now(UTC)
    per_stage: dict[Stage, int] = dict.fromkeys(STAGE_CYCLE, 0)
    if count == 0:
        return per_stage
    with session_factory() as session, session.begin():
        ideas = []
        for number in range(count):
            stage = STAGE_CYCLE[number % len(STAGE_CYCLE)]
            per_stage[stage] += 1
            ideas.append(idea_values(number, stage, now - timedelta(hours=number % 2000 + 1)))
        before = session.scalar(select(func.max(Idea.id))) or 0
        for start in range(0, len(ideas), 5000):
            session.execute(insert(Idea), ideas[start : start + 5000])
        # The title carries the seed's number, so ids are matched without relying on insertion order.
        numbered = session.execute(select(Idea.id, Idea.title).where(Idea.id > before)).all()
        links, decisions, events = [], [], []
        for idea_id, title in numbered:
            number = int(title.split()[2])
            values = ideas[number]
            if number % 3:
                links.append({"idea_id": idea_id, "goal_id": goal_of(number)})
            events.append(
                {
                    "idea_id": idea_id,
                    "actor_id": values["submitter_id"],
                    "action": "submitted",
                    "to_stage": Stage.SUBMITTED,
                    "detail": {},
                    "at": values["created_at"],
                }
            )
            if values["stage"] is Stage.DECIDED_GO:
                decisions.append(_go(idea_id, values["stage_entered_at"], effort))
        for rows, model in ((links, IdeaGoal), (decisions, Decision), (events, AuditEvent)):
            for start in range(0, len(rows), 5000):
                if rows[start : start + 5000]:
                    session.execute(insert(model), rows[start : start + 5000])
    return per_stage


def _go(idea_id: int, at: datetime, effort: float) -> dict:
    return {
        "idea_id": idea_id,
        "outcome": "go",
        "decided_by": COACHES[0],
        "decided_at": at,
        "scores": [],
        "weighted_score": 4.0,
        "goals_considered": [],
        "rationale": "Seeded.",
        "effort": effort,
    }
