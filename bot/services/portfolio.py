"""The portfolio against this year's goals, read in a fixed number of grouped queries."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from bot.config import Strategy
from bot.runtime import Runtime
from bot.services.errors import Refused
from models import Decision, Idea, IdeaGoal, Stage
from models.portfolio import Portfolio, build_portfolio


def ensure_pmo(runtime: Runtime, user_id: str, doing: str) -> None:
    if not runtime.is_pmo(user_id):
        raise Refused(f"Only PMO staff can {doing}.")


def portfolio(runtime: Runtime) -> Portfolio:
    with runtime.session_factory() as session:
        return portfolio_in(session, runtime.strategy)


def portfolio_in(session: Session, strategy: Strategy) -> Portfolio:
    """Four statements whatever the number of ideas: stages per goal, stages of ideas with no goal,
    the effort of each Go idea's latest decision, and the goals of Go ideas."""
    per_goal = session.execute(
        select(IdeaGoal.goal_id, Idea.stage, func.count())
        .join(Idea, Idea.id == IdeaGoal.idea_id)
        .group_by(IdeaGoal.goal_id, Idea.stage)
    ).all()
    linked = exists().where(IdeaGoal.idea_id == Idea.id)
    unlinked = session.execute(select(Idea.stage, func.count()).where(~linked).group_by(Idea.stage)).all()
    later = aliased(Decision)
    latest = select(func.max(later.id)).where(later.idea_id == Idea.id).scalar_subquery()
    efforts = session.execute(
        select(Idea.id, Decision.effort)
        .join(Decision, Decision.idea_id == Idea.id)
        .where(Idea.stage == Stage.DECIDED_GO, Decision.id == latest)
    ).all()
    goals_of: dict[int, list[str]] = defaultdict(list)
    for idea_id, goal_id in session.execute(
        select(IdeaGoal.idea_id, IdeaGoal.goal_id)
        .join(Idea, Idea.id == IdeaGoal.idea_id)
        .where(Idea.stage == Stage.DECIDED_GO)
    ):
        goals_of[idea_id].append(goal_id)
    capacity = strategy.capacity
    return build_portfolio(
        year=strategy.year,
        unit=capacity.unit if capacity else "person-days",
        capacity=capacity.amount if capacity else None,
        goals=[(goal.id, goal.title) for goal in strategy.goals],
        stage_counts=[*per_goal, *((None, stage, count) for stage, count in unlinked)],
        go_ideas=[(idea_id, effort, goals_of.get(idea_id, [])) for idea_id, effort in efforts],
    )
