"""When a nudge to several people may go: everyone in working hours, or the organisation's if they never meet."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.nudges import sending_window, shared_working_time
from models.business_time import WorkCalendar

NY = ZoneInfo("America/New_York")
CAL = WorkCalendar("America/New_York")


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)


def test_one_zone_in_working_hours_may_send_now():
    assert sending_window(["America/New_York"], ny(2027, 3, 2, 10), CAL) == (True, ny(2027, 3, 2, 10))


def test_new_york_and_los_angeles_wait_for_noon_in_new_york():
    zones = ["America/New_York", "America/Los_Angeles"]
    assert sending_window(zones, ny(2027, 3, 2, 10), CAL) == (False, ny(2027, 3, 2, 12))
    assert sending_window(zones, ny(2027, 3, 2, 16, 59), CAL)[0] is True
    assert sending_window(zones, ny(2027, 3, 2, 17), CAL) == (False, ny(2027, 3, 3, 12))


def test_a_friday_evening_waits_for_the_shared_hours_on_monday():
    zones = ["America/New_York", "Europe/London"]  # overlap 09:00-12:00 New York (London is UTC until 28 March)
    assert sending_window(zones, ny(2027, 3, 5, 18), CAL) == (False, ny(2027, 3, 8, 9))


def test_zones_whose_working_hours_never_meet_fall_back_to_the_organisations_hours():
    zones = ["America/New_York", "Asia/Tokyo"]
    assert shared_working_time(zones, ny(2027, 3, 2, 10), CAL) is None
    assert sending_window(zones, ny(2027, 3, 2, 10), CAL) == (True, ny(2027, 3, 2, 10))
    assert sending_window(zones, ny(2027, 3, 2, 20), CAL) == (False, ny(2027, 3, 3, 9))
