"""strategy.yml's calendar section: defaults for older files, and one-line errors naming the field."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, load_strategy

ROOT = Path(__file__).resolve().parents[2]


def strategy_with(tmp_path: Path, calendar: str | None) -> Path:
    raw = yaml.safe_load((ROOT / "strategy.yml").read_text(encoding="utf-8"))
    raw.pop("calendar", None)
    text = yaml.safe_dump(raw, sort_keys=False)
    if calendar is not None:
        text += "calendar:\n" + "".join(f"  {line}\n" for line in calendar.strip().splitlines())
    path = tmp_path / "strategy.yml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        load_strategy(path)
    message = str(raised.value)
    assert "\n" not in message and "pydantic" not in message.lower()
    return message


def test_a_strategy_without_a_calendar_gets_nine_to_five_new_york(tmp_path):
    calendar = load_strategy(strategy_with(tmp_path, None)).calendar
    assert (calendar.time_zone, calendar.work_start, calendar.work_end) == ("America/New_York", time(9), time(17))
    assert (calendar.digest_day, calendar.digest_time, calendar.holidays) == ("monday", time(9), [])


def test_the_shipped_strategy_has_a_calendar_with_holidays():
    calendar = load_strategy(ROOT / "strategy.yml").calendar
    assert date(2027, 11, 25) in calendar.holidays
    assert calendar.work_calendar.is_business_day(date(2027, 11, 25)) is False


def test_unquoted_yaml_times_are_read_as_times(tmp_path):
    calendar = load_strategy(strategy_with(tmp_path, "work_start: 8:30\nwork_end: 17:00\ndigest_time: 16:45")).calendar
    assert (calendar.work_start, calendar.work_end, calendar.digest_time) == (time(8, 30), time(17), time(16, 45))


def test_an_unknown_time_zone_names_the_field(tmp_path):
    message = error_for(strategy_with(tmp_path, "time_zone: Mars/Olympus_Mons"))
    assert "calendar.time_zone" in message and "'Mars/Olympus_Mons' is not a known time zone" in message


def test_working_hours_must_be_in_order(tmp_path):
    message = error_for(strategy_with(tmp_path, 'work_start: "17:00"\nwork_end: "09:00"'))
    assert message.endswith("calendar: work_start must be before work_end")


def test_an_unknown_digest_day_names_the_field(tmp_path):
    assert "calendar.digest_day" in error_for(strategy_with(tmp_path, "digest_day: someday"))


def test_a_holiday_that_is_not_a_date_names_its_position(tmp_path):
    assert "calendar.holidays[1]" in error_for(strategy_with(tmp_path, "holidays: [2027-01-01, christmas]"))


def test_unknown_calendar_keys_are_refused(tmp_path):
    assert "calendar.weekend" in error_for(strategy_with(tmp_path, "weekend: [friday]"))
