"""Slack's `<!date^seconds^tokens|fallback>`, shown in the workspace's time zone on the workspace clock."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sandbox import people

ZONE = ZoneInfo(people.TIME_ZONE)
TOKEN = re.compile(r"\{(\w+)\}")
clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731 - the sandbox sets its own


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _ago(moment: datetime, now: datetime) -> str:
    seconds = (now - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = int(seconds // size)
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


def _pretty(moment: datetime, now: datetime, plain: str) -> str:
    days = (moment.date() - now.astimezone(ZONE).date()).days
    return {0: "today", -1: "yesterday", 1: "tomorrow"}.get(days, plain)


def render(seconds: str, tokens: str) -> str | None:
    """The text Slack would show, or None when the date cannot be read (then the fallback shows)."""
    try:
        moment = datetime.fromtimestamp(int(seconds), ZONE)
    except (ValueError, OverflowError, OSError):
        return None
    now = clock()
    long_date = f"{moment:%B} {_ordinal(moment.day)}, {moment.year}"
    short_date = f"{moment:%b} {moment.day}, {moment.year}"
    values = {
        "date_num": f"{moment:%Y-%m-%d}",
        "date": long_date,
        "date_short": short_date,
        "date_long": f"{moment:%A}, {long_date}",
        "date_pretty": _pretty(moment, now, long_date),
        "date_short_pretty": _pretty(moment, now, short_date),
        "date_long_pretty": _pretty(moment, now, f"{moment:%A}, {long_date}"),
        "time": f"{moment:%-I:%M %p}",
        "time_secs": f"{moment:%-I:%M:%S %p}",
        "ago": _ago(moment, now),
    }
    return TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), tokens)
