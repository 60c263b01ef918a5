"""Report rules and the CSV: periods, formula-safe cells, time per stage, columns."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.config import load_strategy
from bot.views.report import ReportRow, header_row, report_csv
from models import Decision
from models.reporting import Period, PeriodError, cell, parse_period, stage_times
from tests.conftest import ROOT
from tests.support.ideas import make_idea

TODAY = date(2027, 3, 10)
STRATEGY = load_strategy(ROOT / "strategy.yml")


@pytest.mark.parametrize(
    ("words", "first", "last"),
    [
        ("", date(2026, 12, 11), TODAY),
        ("last 90 days", date(2026, 12, 11), TODAY),
        ("Last 2 weeks", date(2027, 2, 25), TODAY),
        ("last month", date(2027, 2, 9), TODAY),
        ("2027-01-01", date(2027, 1, 1), TODAY),
        ("2027-01-01 2027-01-31", date(2027, 1, 1), date(2027, 1, 31)),
        ("2027-01-01 to 2027-01-31", date(2027, 1, 1), date(2027, 1, 31)),
    ],
)
def test_periods_in_iso_and_last_n_forms(words, first, last):
    assert parse_period(words, TODAY) == Period(first, last)


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("31/01/2027", "is not a date I can read"),
        ("2027-13-01", "is not a date I can read"),
        ("2027-02-01 2027-01-01", "is before the start date"),
        ("2020-01-01 2027-01-01", "too long"),
        ("last 0 days", "empty period"),
        ("2027-01-01 2027-01-02 2027-01-03", "at most two dates"),
    ],
)
def test_bad_periods_say_what_is_wrong_and_how_to_write_one(words, says):
    with pytest.raises(PeriodError) as raised:
        parse_period(words, TODAY)
    assert says in str(raised.value) and "/idea report 2027-01-01 2027-03-31" in str(raised.value)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_a_spreadsheet_would_run_are_defused(start):
    assert cell(f"{start}1+1") == f"'{start}1+1"


def test_ordinary_cells_and_numbers_are_left_alone():
    assert cell("Text members") == "Text members" and cell(-3) == -3 and cell(2.5) == 2.5


T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_time_in_stage_sums_every_stay_and_ignores_moves_within_a_stage():
    def days(a, b):
        return (b - a) / timedelta(days=1)

    changes = [
        (T0, "submitted"),
        (T0 + timedelta(days=1), "in_coaching"),
        (T0 + timedelta(days=2), "in_coaching"),  # a new coach
        (T0 + timedelta(days=4), "not_now"),
        (T0 + timedelta(days=5), "in_coaching"),  # reconsidered
        (T0 + timedelta(days=6), "decided_go"),
    ]
    times = stage_times(changes, T0 + timedelta(days=30), days)
    assert times.business_days == {"submitted": 1.0, "in_coaching": 4.0, "not_now": 1.0}
    assert times.entered["in_coaching"] == T0 + timedelta(days=1)
    assert times.entered["decided_go"] == T0 + timedelta(days=6)


def test_the_csv_has_the_issues_columns_and_a_decided_ideas_scores_effort_and_rating():
    idea = make_idea(text="-2 days for loans")
    scores = [{"criterion_id": c.id, "score": 4, "reason": "x"} for c in STRATEGY.criteria]
    decision = Decision(outcome="go", scores=scores, weighted_score=4.0, effort=12.5, decided_by="UDEC")
    times = stage_times([(T0, "submitted"), (T0 + timedelta(days=2), "decided_go")], T0, lambda a, b: 2.0)
    data = report_csv([ReportRow(idea, times, decision, 5)], STRATEGY)

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == header_row(STRATEGY)
    row = rows[0]
    assert row["reference"] == "IDEA-42" and row["title"] == "'-2 days for loans"
    assert row["entered submitted"] == "2027-03-01" and row["entered decided: go"] == "2027-03-03"
    assert row["business days submitted"] == "2.0" and row["business days in coaching"] == ""
    assert all(row[f"score {c.id}"] == "4" for c in STRATEGY.criteria)
    assert (row["weighted score"], row["outcome"], row["effort (person-days)"]) == ("4.0", "Go", "12.5")
    assert row["feedback rating"] == "5" and row["goals"] == "loan-cycle-time;digital-self-service"


def test_promised_dates_are_kept_broken_or_still_open():
    from models.reporting import promises

    def add(start, days):
        return start + timedelta(days=days)

    on_time = stage_times(
        [
            (T0, "submitted"),
            (T0 + timedelta(hours=20), "in_coaching"),
            (T0 + timedelta(days=3), "ready_for_decision"),
            (T0 + timedelta(days=9), "decided_go"),
        ],
        T0 + timedelta(days=30),
        lambda a, b: 0.0,
    )
    assert promises(on_time, T0 + timedelta(days=30), add, 1, 5) == (True, False)
    waiting = stage_times([(T0, "submitted")], T0, lambda a, b: 0.0)
    assert promises(waiting, T0 + timedelta(hours=2), add, 1, 5) == (None, None)
    assert promises(waiting, T0 + timedelta(days=2), add, 1, 5) == (False, None)
