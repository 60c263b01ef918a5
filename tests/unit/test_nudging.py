"""Which nudge is due, to whom: the pure rules on fixed datetimes (2027-03-01 is a Monday)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.business_time import WorkCalendar
from models.lifecycle import Stage
from models.nudging import (
    Audience,
    ClockFacts,
    NudgeKind,
    Rules,
    Thresholds,
    activity_clock,
    clock_start,
    kind_for,
    next_nudge,
    still_current,
    whose_turn,
)

NY = ZoneInfo("America/New_York")
COACH, SUBMITTER, SOMEONE = "UCOACH0001", "USUBMIT001", "UOTHER0001"
RULES = Rules(Thresholds(unassigned=1, coaching_quiet=5, awaiting_decision=5), WorkCalendar("America/New_York"))


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)


MONDAY = ny(2027, 3, 1, 10)


def facts(stage: Stage = Stage.SUBMITTED, **changes) -> ClockFacts:
    return replace(ClockFacts(stage=stage, stage_entered_at=MONDAY), **changes)


# --- which clock runs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("idea", "kind"),
    [
        (facts(Stage.SUBMITTED), NudgeKind.UNASSIGNED),
        (facts(Stage.IN_COACHING, coach_id=COACH), NudgeKind.COACHING_QUIET),
        (facts(Stage.READY_FOR_DECISION, coach_id=COACH), NudgeKind.AWAITING_DECISION),
        (facts(Stage.NOT_NOW, revisit_on=date(2027, 3, 1)), NudgeKind.REVISIT),
        (facts(Stage.NOT_NOW, revisit_on=date(2027, 3, 2)), None),  # not yet
        (facts(Stage.NOT_NOW), None),  # no revisit date
        (facts(Stage.DECIDED_GO), None),
        (facts(Stage.DECIDED_NO_GO), None),
        (facts(Stage.WITHDRAWN), None),
    ],
)
def test_kind_for_each_stage(idea, kind):
    assert kind_for(idea, date(2027, 3, 1)) == kind


@pytest.mark.parametrize(
    ("last_by", "audience"),
    [(COACH, Audience.SUBMITTER), (SUBMITTER, Audience.COACH), (None, Audience.COACH), (SOMEONE, Audience.COACH)],
)
def test_whose_turn_the_submitter_after_the_coach_otherwise_the_coach(last_by, audience):
    assert whose_turn(facts(Stage.IN_COACHING, coach_id=COACH, last_reply_by=last_by)) is audience


# --- when each stage's first nudge is due ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("idea", "not_yet", "due", "audience"),
    [
        (facts(Stage.SUBMITTED), ny(2027, 3, 2, 9, 59), ny(2027, 3, 2, 10), Audience.PMO_CHANNEL),
        (
            facts(Stage.IN_COACHING, coach_id=COACH, last_reply_at=ny(2027, 3, 2, 11), last_reply_by=COACH),
            ny(2027, 3, 9, 10, 59),
            ny(2027, 3, 9, 11),
            Audience.SUBMITTER,
        ),
        (facts(Stage.READY_FOR_DECISION, coach_id=COACH), ny(2027, 3, 8, 9, 59), ny(2027, 3, 8, 10), Audience.DECIDERS),
        (
            facts(Stage.NOT_NOW, coach_id=COACH, revisit_on=date(2027, 3, 3)),
            ny(2027, 3, 2, 23, 59),
            ny(2027, 3, 3, 0),
            Audience.REVISIT,
        ),
    ],
    ids=["unassigned", "coaching", "decision", "revisit"],
)
def test_step_zero_falls_due_after_the_threshold_in_business_days(idea, not_yet, due, audience):
    assert next_nudge(idea, {}, not_yet, RULES) is None
    nudge = next_nudge(idea, {}, due, RULES)
    assert (nudge.step, nudge.audience, nudge.due_at) == (0, audience, due)


def test_an_idea_submitted_on_friday_afternoon_is_not_due_over_the_weekend():
    idea = facts(Stage.SUBMITTED, stage_entered_at=ny(2027, 3, 5, 16))
    assert next_nudge(idea, {}, ny(2027, 3, 7, 23), RULES) is None
    assert next_nudge(idea, {}, ny(2027, 3, 8, 16), RULES).step == 0


def test_holidays_do_not_count():
    rules = Rules(RULES.thresholds, WorkCalendar("America/New_York", holidays=frozenset({date(2027, 3, 2)})))
    idea = facts(Stage.SUBMITTED)
    assert next_nudge(idea, {}, ny(2027, 3, 2, 12), rules) is None
    assert next_nudge(idea, {}, ny(2027, 3, 3, 10), rules).step == 0


# --- steps and escalation -------------------------------------------------------------------------------


def test_second_reminder_then_escalation_each_a_threshold_after_the_last_one_went_out():
    idea = facts(Stage.READY_FOR_DECISION, coach_id=COACH)
    step0_sent = ny(2027, 3, 8, 11)  # sent an hour after it fell due (working hours)
    assert next_nudge(idea, {0: step0_sent}, ny(2027, 3, 15, 10, 59), RULES) is None
    second = next_nudge(idea, {0: step0_sent}, ny(2027, 3, 15, 11), RULES)
    assert (second.step, second.audience) == (1, Audience.DECIDERS)

    step1_sent = ny(2027, 3, 15, 11)
    third = next_nudge(idea, {0: step0_sent, 1: step1_sent}, ny(2027, 3, 22, 11), RULES)
    assert (third.step, third.audience, third.is_escalation) == (2, Audience.PMO_LEAD, True)

    done = {0: step0_sent, 1: step1_sent, 2: ny(2027, 3, 22, 11)}
    assert next_nudge(idea, done, ny(2027, 6, 1, 11), RULES) is None  # escalated: left alone


def test_after_long_downtime_only_the_next_step_is_due_not_every_missed_one():
    idea = facts(Stage.SUBMITTED)
    nudge = next_nudge(idea, {}, ny(2027, 4, 30, 10), RULES)  # two months of missed sweeps
    assert nudge.step == 0 and nudge.clock_start == MONDAY


def test_a_step_still_being_sent_blocks_the_next():
    idea = facts(Stage.SUBMITTED)
    assert next_nudge(idea, {0: None}, ny(2027, 3, 20, 10), RULES) is None


# --- stop on movement, snooze, "I'm on it" --------------------------------------------------------------


def test_a_reply_restarts_the_coaching_clock_and_gives_it_a_new_key():
    quiet = facts(Stage.IN_COACHING, coach_id=COACH, last_reply_at=ny(2027, 3, 2, 11), last_reply_by=SUBMITTER)
    first = next_nudge(quiet, {}, ny(2027, 3, 9, 11), RULES)
    assert first.audience is Audience.COACH

    replied = replace(quiet, last_reply_at=ny(2027, 3, 9, 12), last_reply_by=COACH)
    assert not still_current(replied, NudgeKind.COACHING_QUIET, first.clock_start, ny(2027, 3, 9, 12), RULES)
    assert next_nudge(replied, {}, ny(2027, 3, 10, 12), RULES) is None
    later = next_nudge(replied, {}, ny(2027, 3, 16, 12), RULES)
    assert (later.step, later.audience, later.clock_start) == (0, Audience.SUBMITTER, ny(2027, 3, 9, 12))


def test_moving_stage_stops_the_old_clock():
    submitted = facts(Stage.SUBMITTED)
    started = clock_start(submitted, NudgeKind.UNASSIGNED, RULES.calendar)
    coached = replace(submitted, stage=Stage.IN_COACHING, coach_id=COACH, stage_entered_at=ny(2027, 3, 2, 9))
    assert not still_current(coached, NudgeKind.UNASSIGNED, started, ny(2027, 3, 2, 9), RULES)
    assert still_current(submitted, NudgeKind.UNASSIGNED, started, ny(2027, 3, 2, 9), RULES)


def test_snooze_delays_the_next_step_without_changing_the_clock():
    idea = facts(Stage.SUBMITTED, snoozed_until=ny(2027, 3, 4, 10))
    assert next_nudge(idea, {}, ny(2027, 3, 3, 10), RULES) is None
    nudge = next_nudge(idea, {}, ny(2027, 3, 4, 10), RULES)
    assert (nudge.step, nudge.clock_start, nudge.due_at) == (0, MONDAY, ny(2027, 3, 4, 10))


def test_on_it_restarts_the_clock_from_the_reset():
    idea = facts(Stage.SUBMITTED, clock_reset_at=ny(2027, 3, 2, 10, 30))
    # The reminders sent for the old clock (stage entry) no longer count: the new clock has none yet.
    assert next_nudge(idea, {}, ny(2027, 3, 3, 10, 29), RULES) is None
    nudge = next_nudge(idea, {}, ny(2027, 3, 3, 10, 30), RULES)
    assert (nudge.step, nudge.clock_start) == (0, ny(2027, 3, 2, 10, 30))


def test_revisit_after_on_it_waits_the_usual_threshold():
    idea = facts(Stage.NOT_NOW, coach_id=COACH, revisit_on=date(2027, 3, 1), clock_reset_at=ny(2027, 3, 1, 11))
    assert next_nudge(idea, {}, ny(2027, 3, 2, 11), RULES) is None
    assert next_nudge(idea, {}, ny(2027, 3, 8, 11), RULES).clock_start == ny(2027, 3, 1, 11)


def test_activity_clock_is_the_latest_sign_of_life():
    assert activity_clock(MONDAY, None, None) == MONDAY
    assert activity_clock(MONDAY, MONDAY + timedelta(hours=1), None) == MONDAY + timedelta(hours=1)
    assert activity_clock(MONDAY, MONDAY - timedelta(days=9), MONDAY + timedelta(days=1)) == MONDAY + timedelta(days=1)


def test_calendar_defaults_are_nine_to_five_new_york():
    calendar = WorkCalendar()
    assert (calendar.time_zone, calendar.work_start, calendar.work_end) == ("America/New_York", time(9), time(17))
