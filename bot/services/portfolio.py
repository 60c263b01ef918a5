"""The portfolio against this year's goals, read in a fixed number of grouped queries."""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot.config import Strategy
from bot.runtime import Runtime
from bot.services.errors import Refused
from bot.views import refusals
from models import Decision, Idea, IdeaGoal, Stage
from models.portfolio import Portfolio, build_portfolio


def ensure_pmo(runtime: Runtime, user_id: str, doing: str) -> None:
    if not runtime.is_pmo(user_id):
        raise Refused(refusals.staff_only(doing, ask_the_lead=False))


def portfolio(runtime: Runtime) -> Portfolio:
    with runtime.session_factory() as session:
        return cached_portfolio(session, runtime.strategy)


def portfolio_in(session: Session, strategy: Strategy) -> Portfolio:
    """Three statements whatever the number of ideas: stages per goal (no goal as None), the effort of
    each Go idea's latest decision, and the goals of Go ideas."""
    stage_counts = session.execute(
        select(IdeaGoal.goal_id, Idea.stage, func.count())
        .select_from(Idea)
        .outerjoin(IdeaGoal, IdeaGoal.idea_id == Idea.id)
        .group_by(IdeaGoal.goal_id, Idea.stage)
    ).all()
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
        stage_counts=stage_counts,
        go_ideas=[(idea_id, effort, goals_of.get(idea_id, [])) for idea_id, effort in efforts],
    )


class _Cached:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.value: Portfolio | None = None


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def cached_portfolio(session: Session, strategy: Strategy, *, previous_will_do: bool = False) -> Portfolio:
    """The portfolio, recomputed only when an idea changed since: every change to an idea's stage, goals
    or decision stamps its updated_at, so (latest updated_at, latest id) tells, in one statement through
    two indexes, whether the last computation still holds. Every process and every database agree.

    With `previous_will_do` (a Home built for a request), a portfolio computed before the latest change is
    returned as it is: the change marked the PMO's Homes, and the refresher recomputes the portfolio and
    publishes them again seconds later, so nobody waits for the aggregation in a request."""
    bind = session.get_bind()
    with _GUARD:
        cache = _CACHES.setdefault(bind, _Cached())
    fingerprint = session.execute(
        select(select(func.max(Idea.updated_at)).scalar_subquery(), select(func.max(Idea.id)).scalar_subquery())
    ).one()
    key = (strategy, *fingerprint)  # the strategy by identity: a reloaded strategy.yml is a new object
    with cache.lock:
        same_strategy = cache.key is not None and cache.key[0] is strategy
        if same_strategy and (previous_will_do or cache.key[1:] == key[1:]):
            return cache.value
    value = portfolio_in(session, strategy)
    with cache.lock:
        cache.key, cache.value = key, value
    return value
