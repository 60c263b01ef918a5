"""The App Home: what each person sees, built in a fixed number of queries, and publishing it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.runtime import Runtime
from bot.services.decisions import latest_decision, notice_of
from bot.services.errors import Refused
from bot.services.home_sections import COLUMNS, staff_pages
from bot.services.intake import count_of, newest_of, visible_idea
from bot.services.portfolio import cached_portfolio
from bot.views import refusals
from bot.views.home import OVERVIEW, HomeIdea, HomeState, PersonHome, explanation_modal, home_view
from bot.views.home_staff import SectionPage, StaffHome, staff_blocks
from models import CoachingThread, HomeOpening, Idea, Stage
from models.business_time import add_business_days

OWN_IDEAS_READ = 15


def show(
    runtime: Runtime,
    user_id: str,
    state: HomeState | None = None,
    *,
    opened: bool = False,
    refreshing: bool = False,
) -> None:
    """Publish `user_id`'s Home in `state` (or the state they last had), remembering it for refreshes."""
    state = remember(runtime, user_id, state, opened=opened)
    runtime.gateway.publish_home(user_id, build(runtime, user_id, state, in_request=not refreshing))


def remember(runtime: Runtime, user_id: str, state: HomeState | None, *, opened: bool) -> HomeState:
    now = runtime.clock()
    for _ in range(2):  # a second try when someone else's first opening raced ours
        try:
            with transaction(runtime.session_factory) as session:
                opening = session.get(HomeOpening, user_id, with_for_update=True)
                if state is None:
                    state = HomeState.from_metadata(json.dumps(opening.state) if opening else None)
                stored = json.loads(state.to_metadata())
                if opening is None:
                    session.add(HomeOpening(user_id=user_id, opened_at=now, state=stored))
                else:
                    opening.state = stored
                    if opened:
                        opening.opened_at = now
            return state
        except IntegrityError:
            continue
    return state or HomeState()


def build(runtime: Runtime, user_id: str, state: HomeState, *, in_request: bool = False) -> dict[str, Any]:
    """The Home for `user_id`. In a request a portfolio from before the latest change will do while the
    refresher, which runs after every change, computes the current one (see cached_portfolio)."""
    now = runtime.clock()
    with runtime.session_factory() as session:
        person = person_home(session, runtime, user_id, now)
        admin = runtime.settings.is_admin(user_id)
        if not runtime.is_pmo(user_id):
            return home_view(person, user_id, state, admin=admin)
        staff = StaffHome(
            state,
            staff_sections(session, runtime, user_id, state, now),
            cached_portfolio(session, runtime.strategy, previous_will_do=in_request and refresher_running(runtime))
            if state.section == OVERVIEW
            else None,
        )
    return home_view(person, user_id, state, staff_blocks(staff, runtime.strategy), admin=admin)


def refresher_running(runtime: Runtime) -> bool:
    """Whether a change is followed by a refresh within seconds (HOME_REFRESH_SECONDS above 0)."""
    refresher = runtime.home_refresher
    return refresher is not None and refresher.delay > 0


_LATEST_THREAD = (
    select(CoachingThread.permalink)
    .where(CoachingThread.idea_id == Idea.id)
    .order_by(CoachingThread.id.desc())
    .limit(1)
    .scalar_subquery()
)
_COLUMNS = COLUMNS


def _home_idea(row, runtime: Runtime, *, with_promise: bool = False, thread_link: str | None = None) -> HomeIdea:
    due = None
    if with_promise:
        clocks, calendar = runtime.strategy.clocks, runtime.strategy.calendar.work_calendar
        if row.stage == Stage.SUBMITTED and row.coach_id is None:
            due = add_business_days(row.stage_entered_at, clocks.unassigned_business_days, calendar)
        elif row.stage == Stage.READY_FOR_DECISION:
            due = add_business_days(row.stage_entered_at, clocks.awaiting_decision_business_days, calendar)
    return HomeIdea(*row[: len(_COLUMNS)], thread_link=thread_link, due=due)


def person_home(session: Session, runtime: Runtime, user_id: str, now: datetime) -> PersonHome:
    """The ideas `user_id` submitted or was credited on (they follow ideas theirs joined), newest first."""
    newest = Idea.id.in_(newest_of(user_id, OWN_IDEAS_READ))
    rows = session.execute(select(*_COLUMNS, _LATEST_THREAD).where(newest).order_by(Idea.id.desc())).all()
    ideas = [_home_idea(row, runtime, with_promise=True, thread_link=row[-1]) for row in rows]
    return PersonHome(ideas, count_of(session, user_id))


def staff_sections(
    session: Session, runtime: Runtime, user_id: str, state: HomeState, now: datetime
) -> dict[str, SectionPage]:
    pages = staff_pages(session, runtime, user_id, state, now)
    return {key: SectionPage([_home_idea(row, runtime) for row in rows], total) for key, (rows, total) in pages.items()}


# --- the explanation of a decision, from the Home -------------------------------------------------------


def explanation(runtime: Runtime, idea_id: int | None, user_id: str) -> dict[str, Any]:
    """The latest decision notice as a modal, for those who may see the idea."""
    found = visible_idea(runtime, idea_id, user_id, "that one")
    if found.idea is None:
        raise Refused(found.refusal)
    idea = found.idea
    with runtime.session_factory() as session:
        decision = latest_decision(session, idea.id)
        if decision is None:
            raise Refused(refusals.not_decided_yet(idea))
        _, blocks = notice_of(runtime, session, idea, decision)
    return explanation_modal(idea, blocks)
