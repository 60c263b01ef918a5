"""Rules behind /idea report: the period asked for, time spent per stage, and spreadsheet-safe cells."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from models.lifecycle import Stage

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
# Stages an idea waits in; time after a closing decision is not "time in stage".
TIMED_STAGES = (Stage.SUBMITTED, Stage.IN_COACHING, Stage.READY_FOR_DECISION, Stage.NOT_NOW)


class PeriodError(ValueError):
    """A period the requester can correct; the message says how."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


_LAST = re.compile(r"last\s+(?:(\d{1,4})\s+)?(day|week|month)s?", re.IGNORECASE)
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
USAGE = "Try `/idea report`, `/idea report last 30 days` or `/idea report 2027-01-01 2027-03-31`."


def parse_period(text: str, today: date) -> Period:
    """'' (the last 90 days), 'last N days|weeks|months', 'FROM' (until today) or 'FROM TO' in ISO dates."""
    words = text.strip()
    if not words:
        return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)
    if match := _LAST.fullmatch(words):
        count = int(match.group(1) or 1)
        days = count * _UNIT_DAYS[match.group(2).lower()]
        if days < 1:
            raise PeriodError(f"“{words}” is an empty period. {USAGE}")
        if days > MAX_DAYS:
            raise PeriodError(f"“{words}” is too long a period: at most {MAX_DAYS} days. {USAGE}")
        return Period(today - timedelta(days=days - 1), today)
    parts = [part for part in re.split(r"\s+(?:to\s+)?|\s*\.\.\s*", words) if part]
    if len(parts) > 2:
        raise PeriodError(f"I can read at most two dates, a start and an end. {USAGE}")
    first = _iso(parts[0])
    last = _iso(parts[1]) if len(parts) == 2 else today
    if last < first:
        raise PeriodError(f"The end date {last.isoformat()} is before the start date {first.isoformat()}. {USAGE}")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError(f"That period is too long: at most {MAX_DAYS} days. {USAGE}")
    return Period(first, last)


def _iso(word: str) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError:
        shown = word[:40]
        raise PeriodError(f"“{shown}” is not a date I can read: use YYYY-MM-DD, like 2027-03-31. {USAGE}") from None


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A CSV cell that no spreadsheet will run as a formula: text starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe, as OWASP advises. Numbers are left as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class StageTimes:
    entered: dict[Stage, datetime]  # the first time the idea entered each stage
    business_days: dict[Stage, float]  # summed over every stay, up to `now` for the current stage


def stage_times(
    changes: Iterable[tuple[datetime, str | None]], now: datetime, days_between: Callable[[datetime, datetime], float]
) -> StageTimes:
    """From (when, stage entered) in time order: first entries and business days in each waiting stage."""
    entered: dict[Stage, datetime] = {}
    spent: dict[Stage, float] = {}
    current: tuple[Stage, datetime] | None = None
    for at, to_stage in changes:
        if to_stage is None:
            continue
        stage = Stage(to_stage)
        if current is not None and current[0] is stage:
            continue  # a move within the stage (a new coach, a correction) doesn't restart it
        if current is not None and current[0] in TIMED_STAGES:
            spent[current[0]] = spent.get(current[0], 0.0) + days_between(current[1], at)
        entered.setdefault(stage, at)
        current = (stage, at)
    if current is not None and current[0] in TIMED_STAGES:
        spent[current[0]] = spent.get(current[0], 0.0) + days_between(current[1], now)
    return StageTimes(entered, {stage: round(days, 1) for stage, days in spent.items()})


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def promise_kept(done: datetime | None, due: datetime, now: datetime) -> bool | None:
    """Whether a promised date was kept: None while it is still open (not done, not yet due)."""
    if done is not None:
        return done <= due
    return False if now > due else None


DECIDED = (Stage.DECIDED_GO, Stage.DECIDED_NO_GO, Stage.NOT_NOW)


def promises(
    times: StageTimes, now: datetime, add_days: Callable[[datetime, int], datetime], coach_days: int, decision_days: int
) -> tuple[bool | None, bool | None]:
    """(a coach reached out in time, a decision came in time), each None when not yet due or not promised."""
    coached = decided = None
    if (submitted := times.entered.get(Stage.SUBMITTED)) is not None:
        coached = promise_kept(times.entered.get(Stage.IN_COACHING), add_days(submitted, coach_days), now)
    if (ready := times.entered.get(Stage.READY_FOR_DECISION)) is not None:
        outcomes = [at for stage, at in times.entered.items() if stage in DECIDED and at >= ready]
        decided = promise_kept(min(outcomes, default=None), add_days(ready, decision_days), now)
    return coached, decided
