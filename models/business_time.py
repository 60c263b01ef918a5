"""Business days and working hours, as plain rules: no database, no Slack.

Stage clocks count business time in the organisation's time zone: every weekday that is not a holiday
counts in full (midnight to midnight, wall clock), weekends and holidays not at all. So "one business
day" after Friday 16:00 is Monday 16:00, and an idea submitted on Saturday starts its clock on Monday
at 00:00. Working hours (when a nudge may be sent) are checked in the recipient's own time zone.

All arithmetic is done on local wall-clock times, so a day is 24 hours even across a DST change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)
WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


@dataclass(frozen=True)
class WorkCalendar:
    """The organisation's working week: its time zone, working hours and holidays."""

    time_zone: str = "America/New_York"
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    holidays: frozenset[date] = frozenset()

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and day not in self.holidays

    def local(self, moment: datetime, tz_name: str | None = None) -> datetime:
        """`moment` as a naive wall-clock time in `tz_name` (default: the organisation's zone)."""
        zone = ZoneInfo(tz_name) if tz_name else self.zone
        return _aware(moment).astimezone(zone).replace(tzinfo=None)

    def instant(self, wall_clock: datetime, tz_name: str | None = None) -> datetime:
        """A naive wall-clock time in `tz_name` (default: the organisation's zone) as a UTC datetime."""
        zone = ZoneInfo(tz_name) if tz_name else self.zone
        return wall_clock.replace(tzinfo=zone).astimezone(UTC)

    def today(self, moment: datetime) -> date:
        return self.local(moment).date()

    def start_of(self, day: date) -> datetime:
        """Midnight at the start of `day` in the organisation's zone, as UTC."""
        return self.instant(datetime.combine(day, time()))


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("business time needs timezone-aware datetimes")
    return moment


def add_business_days(start: datetime, days: float, calendar: WorkCalendar) -> datetime:
    """The earliest moment by which `days` business days have passed since `start`."""
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return _aware(start).astimezone(UTC)
    remaining = timedelta(days=days)
    local = calendar.local(start)
    day = local.date()
    if calendar.is_business_day(day):
        available = datetime.combine(day + ONE_DAY, time()) - local
        if remaining <= available:
            return calendar.instant(local + remaining)
        remaining -= available
    day += ONE_DAY
    while True:
        if calendar.is_business_day(day):
            if remaining <= ONE_DAY:
                return calendar.instant(datetime.combine(day, time()) + remaining)
            remaining -= ONE_DAY
        day += ONE_DAY


def subtract_business_days(end: datetime, days: float, calendar: WorkCalendar) -> datetime:
    """The latest start from which `days` business days have passed by `end`.

    The inverse of `add_business_days`: add_business_days(s, n) <= end exactly when
    s <= subtract_business_days(end, n). The sweep uses it to turn "stalled for n business days" into
    an indexed `clock < cutoff` predicate.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return _aware(end).astimezone(UTC)
    remaining = timedelta(days=days)
    local = calendar.local(end)
    day = local.date()
    if calendar.is_business_day(day):
        available = local - datetime.combine(day, time())
        if remaining <= available:
            return calendar.instant(local - remaining)
        remaining -= available
    day -= ONE_DAY
    while True:
        if calendar.is_business_day(day):
            if remaining <= ONE_DAY:
                return calendar.instant(datetime.combine(day + ONE_DAY, time()) - remaining)
            remaining -= ONE_DAY
        day -= ONE_DAY


def business_days_between(start: datetime, end: datetime, calendar: WorkCalendar) -> float:
    """How many business days (fractional) passed from `start` to `end`; 0 when `end` is not later."""
    first, last = calendar.local(start), calendar.local(end)
    if last <= first:
        return 0.0
    total = timedelta()
    day = first.date()
    while day <= last.date():
        if calendar.is_business_day(day):
            day_start = datetime.combine(day, time())
            overlap = min(last, day_start + ONE_DAY) - max(first, day_start)
            if overlap > timedelta():
                total += overlap
        day += ONE_DAY
    return total / ONE_DAY


def is_working_time(moment: datetime, calendar: WorkCalendar, tz_name: str | None = None) -> bool:
    """Whether `moment` falls in working hours on a business day, in `tz_name`'s local time."""
    local = calendar.local(moment, tz_name)
    return calendar.is_business_day(local.date()) and calendar.work_start <= local.time() < calendar.work_end


def next_working_time(moment: datetime, calendar: WorkCalendar, tz_name: str | None = None) -> datetime:
    """`moment` itself when it is working time in `tz_name`, else the next start of working hours."""
    if is_working_time(moment, calendar, tz_name):
        return _aware(moment).astimezone(UTC)
    local = calendar.local(moment, tz_name)
    day = local.date()
    if local.time() >= calendar.work_start:
        day += ONE_DAY
    for _ in range(3660):  # ten years of holidays would be a configuration mistake
        if calendar.is_business_day(day):
            return calendar.instant(datetime.combine(day, calendar.work_start), tz_name)
        day += ONE_DAY
    raise ValueError("no business day in the next ten years")
