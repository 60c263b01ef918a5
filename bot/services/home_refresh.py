"""Refreshing the App Home of everyone an idea's change concerns, coalesced.

A change marks the Homes it concerns inside its own transaction (a session hook, so no service can
forget): the submitter, the coach before and after, people credited on the idea, and "the PMO" (every
staff member who opened the Home recently). After the commit the refresher waits a moment, then
publishes each marked person once, however many changes marked them meanwhile, if they have ever
opened the Home (a person who never did has nothing to refresh: their first opening builds it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from models import HomeOpening, HomeRefresh, Idea, IdeaContributor

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

RECENTLY_OPENED = timedelta(hours=8)
_MARKED = "home_refresh_marked"
_MARK = insert(HomeRefresh.__table__)


def concerned(session: Session) -> set[str | None]:
    """Who a pending flush concerns; None stands for the PMO's Homes."""
    people: set[str | None] = set()
    for item in (*session.new, *session.dirty, *session.deleted):
        if isinstance(item, Idea):
            if item in session.dirty and not session.is_modified(item, include_collections=False):
                continue
            people |= {None, item.submitter_id, item.coach_id}
            people |= set(inspect(item).attrs.coach_id.history.deleted or ())
        elif isinstance(item, IdeaContributor):
            people |= {None, item.user_id}
    return {person for person in people if person is None or person}


def install(session_factory: sessionmaker[Session], poke: Callable[[], None]) -> None:
    """Mark concerned Homes in every transaction of `session_factory`; poke the refresher after commit."""

    def before_flush(session: Session, _context, _instances) -> None:
        # Once per person and transaction: a transaction flushes more than once (a submission twice).
        marked: set[str | None] = session.info.setdefault(_MARKED, set())
        people = concerned(session) - marked
        if not people:
            return
        now = datetime.now(UTC)
        # One statement for all of them, on the session's connection: no objects for the flush to track.
        session.connection().execute(_MARK, [{"user_id": person, "requested_at": now} for person in people])
        marked |= people

    def after_commit(session: Session) -> None:
        if session.info.pop(_MARKED, None):
            poke()

    def after_rollback(session: Session) -> None:
        session.info.pop(_MARKED, None)

    event.listen(session_factory, "before_flush", before_flush)
    event.listen(session_factory, "after_commit", after_commit)
    event.listen(session_factory, "after_soft_rollback", lambda session, _previous: after_rollback(session))


def take_marked(session_factory: sessionmaker[Session], staff: Callable[[str], bool], now) -> tuple[set[str], bool]:
    """Claim every pending mark (each by one refresher only): the people to publish for, and whether the
    PMO's view (the pipeline, the portfolio) changed."""
    with transaction(session_factory) as session:
        marked = set(session.scalars(delete(HomeRefresh).returning(HomeRefresh.user_id)))
        named = [person for person in marked if person]
        # Only Homes that someone has opened: Slack shows no other, and a first opening is built fresh.
        opened = select(HomeOpening.user_id).where(HomeOpening.user_id.in_(named))
        people = set(session.scalars(opened)) if named else set()
        if None in marked:
            recent = session.scalars(select(HomeOpening.user_id).where(HomeOpening.opened_at >= now - RECENTLY_OPENED))
            people |= {person for person in recent if staff(person)}
    return people, None in marked


class HomeRefresher:
    """Publishes marked Homes `delay` seconds after the first poke; later pokes in that window ride along."""

    def __init__(self, refresh: Callable[[], int], delay: float):
        self.refresh = refresh
        self.delay = delay
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def poke(self) -> None:
        if self.delay <= 0:
            return  # refreshed only when someone calls refresh() (tests, the scheduler's catch-up)
        with self._lock:
            if self._timer is None:
                self._timer = threading.Timer(self.delay, self._run)
                self._timer.daemon = True
                self._timer.start()

    def stop(self) -> None:
        """Cancel a refresh that has not started (marks stay for the next refresher or sweep)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _run(self) -> None:
        with self._lock:
            self._timer = None
        try:
            self.refresh()
        except Exception:
            log.exception("refreshing App Homes failed; the next change or sweep will try again")


def attach(runtime: Runtime) -> HomeRefresher:
    refresher = HomeRefresher(lambda: refresh_homes(runtime), runtime.settings.home_refresh_seconds)
    install(runtime.session_factory, refresher.poke)
    return refresher


def refresh_homes(runtime: Runtime) -> int:
    """Publish every marked Home once, in the state its owner left it; returns how many were published."""
    from bot.services.home import show  # the Home's builders need the services this module is wired into
    from bot.services.portfolio import cached_portfolio

    people, pipeline_changed = take_marked(runtime.session_factory, runtime.is_pmo, runtime.clock())
    if pipeline_changed:
        # Computed here, off any request, so the next Home opened finds the portfolio ready.
        with runtime.session_factory() as session:
            cached_portfolio(session, runtime.strategy)
    published = 0
    for person in sorted(people):
        try:
            show(runtime, person, refreshing=True)
            published += 1
        except Exception:
            log.exception("could not refresh the App Home of %s", person)
    return published
