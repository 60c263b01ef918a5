"""People's time zones (users.info, cached a week) and when a nudge may reach them: only in working hours."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db import transaction
from bot.runtime import Runtime
from models import UserTimeZone
from models.business_time import WorkCalendar, is_working_time, next_working_time

log = logging.getLogger(__name__)

TZ_CACHE_TTL = timedelta(days=7)


class ZoneBook:
    """Users' time zones from users.info, cached in user_time_zones for a week."""

    def __init__(self, runtime: Runtime, now: datetime, *, remember: bool):
        self.runtime = runtime
        self.now = now
        self.remember = remember
        self.default = runtime.strategy.calendar.time_zone
        self._known: dict[str, str] = {}

    def zones(self, user_ids: Iterable[str]) -> dict[str, str]:
        wanted = [user_id for user_id in dict.fromkeys(user_ids) if user_id not in self._known]
        if wanted:
            self._load(wanted)
        return {user_id: self._known[user_id] for user_id in dict.fromkeys(user_ids)}

    def _load(self, user_ids: list[str]) -> None:
        fresh_after = self.now - TZ_CACHE_TTL
        with self.runtime.session_factory() as session:
            for cached in session.scalars(select(UserTimeZone).where(UserTimeZone.user_id.in_(user_ids))):
                if cached.fetched_at >= fresh_after:
                    self._known[cached.user_id] = cached.tz
        for user_id in user_ids:
            if user_id not in self._known:
                self._known[user_id] = self._ask_slack(user_id)

    def _ask_slack(self, user_id: str) -> str:
        try:
            tz = self.runtime.gateway.user_info(user_id).get("tz") or self.default
        except Exception as error:  # Slack down or the user gone: time it by the organisation's zone
            log.warning("users.info failed for %s (%s); using %s", user_id, error, self.default)
            return self.default
        if not self._valid(tz):
            tz = self.default
        if self.remember:
            try:
                with transaction(self.runtime.session_factory) as session:
                    session.merge(UserTimeZone(user_id=user_id, tz=tz, fetched_at=self.now))
            except IntegrityError:
                pass  # another sweeper cached it at the same moment
        return tz

    @staticmethod
    def _valid(tz: str) -> bool:
        try:
            ZoneInfo(tz)
        except (ValueError, ZoneInfoNotFoundError):
            return False
        return True


def all_working(zones: Iterable[str], now: datetime, calendar: WorkCalendar) -> bool:
    return all(is_working_time(now, calendar, tz) for tz in set(zones))


def shared_working_time(zones: Iterable[str], now: datetime, calendar: WorkCalendar) -> datetime | None:
    """The first moment from `now` that is working time in every zone, or None if none comes within 8 days.

    A shared stretch starts either now or when the last of the zones starts work, so those are the only
    moments to try.
    """
    zones = set(zones) or {calendar.time_zone}
    if all_working(zones, now, calendar):
        return now
    starts = set()
    for tz in zones:
        for offset in range(9):
            day = calendar.local(now, tz).date() + timedelta(days=offset)
            start = calendar.instant(datetime.combine(day, calendar.work_start), tz)
            if now < start <= now + timedelta(days=8):
                starts.add(start)
    return next((start for start in sorted(starts) if all_working(zones, start, calendar)), None)


def sending_window(zones: Iterable[str], now: datetime, calendar: WorkCalendar) -> tuple[bool, datetime]:
    """Whether a nudge to people in `zones` may go now, and if not, from when.

    Everyone addressed must be in working hours. People whose working hours never overlap (say New York
    and Tokyo) are nudged in the organisation's working hours instead, so their nudge is not held forever.
    """
    shared = shared_working_time(zones, now, calendar)
    if shared is None:
        shared = next_working_time(now, calendar)
    return shared == now, shared
