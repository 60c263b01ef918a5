"""Business days and working hours on fixed datetimes (2027-03-01 is a Monday; DST starts 2027-03-14)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.business_time import (
    WorkCalendar,
    add_business_days,
    business_days_between,
    is_working_time,
    next_working_time,
    subtract_business_days,
)

NY = ZoneInfo("America/New_York")
LA = "America/Los_Angeles"
GOOD_FRIDAY = date(2027, 3, 26)
CAL = WorkCalendar("America/New_York", time(9), time(17), frozenset({GOOD_FRIDAY}))


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)


# --- adding business days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (ny(2027, 3, 1, 10), 1, ny(2027, 3, 2, 10)),  # Monday -> Tuesday
        (ny(2027, 3, 1, 10), 5, ny(2027, 3, 8, 10)),  # a working week
        (ny(2027, 3, 5, 16), 1, ny(2027, 3, 8, 16)),  # Friday afternoon -> Monday afternoon
        (ny(2027, 3, 6, 10), 1, ny(2027, 3, 9, 0)),  # Saturday: the clock starts Monday 00:00
        (ny(2027, 3, 7, 23, 59), 1, ny(2027, 3, 9, 0)),  # Sunday night likewise
        (ny(2027, 3, 25, 12), 1, ny(2027, 3, 29, 12)),  # Thursday before a Friday holiday -> Monday
        (ny(2027, 3, 26, 12), 1, ny(2027, 3, 30, 0)),  # on the holiday itself
        (ny(2027, 3, 1, 10), 0.5, ny(2027, 3, 1, 22)),
        (ny(2027, 3, 12, 10), 1, ny(2027, 3, 15, 10)),  # over the DST change: wall-clock days
    ],
)
def test_add_business_days(start, days, expected):
    assert add_business_days(start, days, CAL) == expected


def test_zero_business_days_is_the_start_itself_even_on_a_weekend():
    saturday = ny(2027, 3, 6, 10)
    assert add_business_days(saturday, 0, CAL) == saturday


def test_the_result_is_in_utc():
    assert add_business_days(ny(2027, 3, 1, 10), 1, CAL).tzinfo == UTC


def test_naive_datetimes_and_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_business_days(datetime(2027, 3, 1, 10), 1, CAL)
    with pytest.raises(ValueError):
        add_business_days(ny(2027, 3, 1, 10), -1, CAL)


# --- the cutoff: subtracting business days ----------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "days", "expected"),
    [
        (ny(2027, 3, 2, 10), 1, ny(2027, 3, 1, 10)),
        (ny(2027, 3, 8, 16), 1, ny(2027, 3, 5, 16)),  # Monday -> Friday
        (ny(2027, 3, 6, 12), 1, ny(2027, 3, 5, 0)),  # Saturday: Friday counted in full
        (ny(2027, 3, 9, 0), 1, ny(2027, 3, 8, 0)),  # the latest start: Monday 00:00, not the weekend before
        (ny(2027, 3, 29, 12), 1, ny(2027, 3, 25, 12)),  # over the Good Friday holiday
    ],
)
def test_subtract_business_days(end, days, expected):
    assert subtract_business_days(end, days, CAL) == expected


def test_subtract_is_the_exact_inverse_of_add_on_random_moments():
    generator = random.Random(20270301)
    base = ny(2027, 2, 1)
    for _ in range(3000):
        start = base + timedelta(minutes=generator.randrange(0, 60 * 24 * 70))
        end = start + timedelta(minutes=generator.randrange(0, 60 * 24 * 20))
        days = generator.choice([1, 2, 3, 5, 0.25])
        due = add_business_days(start, days, CAL) <= end
        assert due == (start <= subtract_business_days(end, days, CAL)), (start, end, days)


# --- measuring ----------------------------------------------------------------------------------------


def test_business_days_between_counts_weekdays_only():
    assert business_days_between(ny(2027, 3, 5, 12), ny(2027, 3, 8, 12), CAL) == 1.0
    assert business_days_between(ny(2027, 3, 1, 0), ny(2027, 3, 8, 0), CAL) == 5.0
    assert business_days_between(ny(2027, 3, 25, 0), ny(2027, 3, 29, 0), CAL) == 1.0  # Good Friday skipped
    assert business_days_between(ny(2027, 3, 8), ny(2027, 3, 1), CAL) == 0.0


# --- working hours -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "tz", "working"),
    [
        (ny(2027, 3, 2, 8, 59), None, False),
        (ny(2027, 3, 2, 9, 0), None, True),
        (ny(2027, 3, 2, 16, 59), None, True),
        (ny(2027, 3, 2, 17, 0), None, False),
        (ny(2027, 3, 6, 11), None, False),  # Saturday
        (ny(2027, 3, 26, 11), None, False),  # a holiday
        (ny(2027, 3, 2, 9, 30), LA, False),  # 06:30 in Los Angeles
        (ny(2027, 3, 2, 12, 0), LA, True),  # 09:00 in Los Angeles
        (ny(2027, 3, 2, 18, 30), LA, True),  # 15:30 in Los Angeles, after hours in New York
        (ny(2027, 3, 2, 3, 59), "Europe/London", False),  # 08:59 in London
        (ny(2027, 3, 2, 4, 0), "Europe/London", True),  # 09:00 in London
    ],
)
def test_is_working_time_in_the_recipients_zone(moment, tz, working):
    assert is_working_time(moment, CAL, tz) is working


def test_next_working_time():
    assert next_working_time(ny(2027, 3, 5, 17, 30), CAL) == ny(2027, 3, 8, 9)  # Friday evening -> Monday
    assert next_working_time(ny(2027, 3, 2, 7, 0), CAL) == ny(2027, 3, 2, 9)  # early -> this morning
    assert next_working_time(ny(2027, 3, 25, 18), CAL) == ny(2027, 3, 29, 9)  # over the holiday
    assert next_working_time(ny(2027, 3, 2, 10), CAL) == ny(2027, 3, 2, 10)  # already working
    los_angeles = next_working_time(ny(2027, 3, 2, 10), CAL, LA)
    assert los_angeles == datetime(2027, 3, 2, 9, tzinfo=ZoneInfo(LA))
