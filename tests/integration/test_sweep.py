"""The nudge sweep on a real database (SQLite and PostgreSQL) against the fake Slack, on a fixed clock.

2027-03-01 is a Monday. Times are New York's, the strategy's zone.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from bot.config import Calendar
from bot.services import nudges
from models import DeliveryStatus, Idea, Move, Nudge, Stage, UserTimeZone
from models.nudging import NudgeKind
from tests.conftest import COACH, COACH_2, PMO_CHANNEL, SUBMITTER
from tests.support.connection_guard import held_while_slack_answers
from tests.support.nudging import (
    DECIDER,
    DECIDER_2,
    LEAD,
    add_thread,
    change_idea,
    make_idea,
    nudges_of,
    ny,
    runtime_for,
)


@pytest.fixture
def runtime(settings, strategy, session_factory):
    return runtime_for(settings, strategy, session_factory)


class Pauses(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def sweep(runtime, when, **options):
    options.setdefault("pause", Pauses())
    return nudges.sweep(runtime, when, **options)


def posts(fake_slack):
    return fake_slack.calls_to("chat.postMessage")


# --- each stage's clock ---------------------------------------------------------------------------------


def test_an_unassigned_idea_nudges_the_pmo_channel_after_one_business_day(runtime, fake_slack, session_factory):
    idea_id = make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))

    assert sweep(runtime, ny(2027, 3, 2, 9, 59)).items == []
    assert posts(fake_slack) == []

    report = sweep(runtime, ny(2027, 3, 2, 10))

    post = fake_slack.only("chat.postMessage")
    assert post["channel"] == PMO_CHANNEL and "thread_ts" not in post.args
    assert f"<@{COACH}>" in post.mrkdwn and f"<@{COACH_2}>" in post.mrkdwn
    assert "waiting for a coach for 1 business day" in post.mrkdwn
    [nudge] = nudges_of(session_factory, idea_id)
    assert (nudge.kind, nudge.step, nudge.status, nudge.sent_at) == (
        NudgeKind.UNASSIGNED,
        0,
        DeliveryStatus.SENT,
        ny(2027, 3, 2, 10),
    )
    assert nudge.clock_started_at == ny(2027, 3, 1, 10)
    assert [item.outcome for item in report.items] == [nudges.SweepOutcome.SENT]


def test_nothing_goes_out_at_night_or_on_the_weekend_and_it_waits_for_monday_morning(
    runtime, fake_slack, session_factory
):
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 4, 18))  # Thursday evening: due Friday 18:00

    for when in (ny(2027, 3, 5, 18), ny(2027, 3, 5, 23), ny(2027, 3, 6, 12), ny(2027, 3, 7, 12), ny(2027, 3, 8, 8, 59)):
        report = sweep(runtime, when)
        assert [item.outcome for item in report.items] == [nudges.SweepOutcome.WAITING], when
    assert posts(fake_slack) == []
    assert nudges_of(session_factory) == []  # waiting is not claiming

    sweep(runtime, ny(2027, 3, 8, 9))
    assert len(posts(fake_slack)) == 1


def test_holidays_neither_count_nor_get_nudges(settings, strategy, session_factory, fake_slack):
    calendar = Calendar(holidays=[date(2027, 3, 8)])
    runtime = runtime_for(settings, strategy.model_copy(update={"calendar": calendar}), session_factory)
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 5, 16))  # Friday; Monday is a holiday

    sweep(runtime, ny(2027, 3, 8, 16))
    sweep(runtime, ny(2027, 3, 9, 15, 59))
    assert posts(fake_slack) == []

    sweep(runtime, ny(2027, 3, 9, 16))
    assert len(posts(fake_slack)) == 1


def test_coaching_nudge_waits_for_the_recipients_own_working_hours_and_caches_the_zone(
    runtime, fake_slack, session_factory
):
    fake_slack.users[COACH] = {"tz": "America/Los_Angeles"}
    idea_id = make_idea(
        session_factory, Stage.IN_COACHING, ny(2027, 3, 1, 10), coach=COACH, reply=(ny(2027, 3, 1, 11), SUBMITTER)
    )
    thread = add_thread(session_factory, idea_id, COACH, ny(2027, 3, 1, 10))

    early = sweep(runtime, ny(2027, 3, 8, 11, 30))  # 08:30 in Los Angeles
    assert [item.outcome for item in early.items] == [nudges.SweepOutcome.WAITING]
    assert early.items[0].not_before == ny(2027, 3, 8, 12)

    sweep(runtime, ny(2027, 3, 8, 12))

    post = fake_slack.only("chat.postMessage")
    assert (post["channel"], post["thread_ts"]) == (thread.channel_id, thread.thread_ts)
    assert f"<@{COACH}>" in post.mrkdwn and f"<@{SUBMITTER}> wrote last" in post.mrkdwn
    assert len(fake_slack.calls_to("users.info")) == 1  # the second sweep used the cache
    with session_factory() as session:
        assert session.get(UserTimeZone, COACH).tz == "America/Los_Angeles"


def test_a_channel_nudge_waits_until_every_mentioned_person_is_at_work(runtime, fake_slack, session_factory):
    fake_slack.users[COACH_2] = {"tz": "America/Los_Angeles"}
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))

    report = sweep(runtime, ny(2027, 3, 2, 10))
    assert report.items[0].not_before == ny(2027, 3, 2, 12)
    sweep(runtime, ny(2027, 3, 2, 11, 59))
    assert posts(fake_slack) == []

    sweep(runtime, ny(2027, 3, 2, 12))
    assert len(posts(fake_slack)) == 1


@pytest.mark.parametrize(
    ("last_by", "nudged", "not_nudged"), [(COACH, SUBMITTER, COACH), (SUBMITTER, COACH, SUBMITTER)]
)
def test_turn_taking_nudges_whoever_did_not_speak_last(
    runtime, fake_slack, session_factory, last_by, nudged, not_nudged
):
    idea_id = make_idea(
        session_factory, Stage.IN_COACHING, ny(2027, 3, 1, 10), coach=COACH, reply=(ny(2027, 3, 1, 12), last_by)
    )
    add_thread(session_factory, idea_id, COACH, ny(2027, 3, 1, 10))

    sweep(runtime, ny(2027, 3, 8, 12))

    post = fake_slack.only("chat.postMessage")
    assert post.mrkdwn.split("\n")[1].startswith(f":speech_balloon: <@{nudged}>")
    [nudge] = nudges_of(session_factory, idea_id)
    assert nudge.recipients == [nudged] and not_nudged not in nudge.recipients


def test_ready_for_decision_dms_the_deciders(settings, strategy, session_factory, fake_slack):
    runtime = runtime_for(settings, strategy, session_factory, pmo_decider_ids=frozenset({DECIDER, DECIDER_2}))
    make_idea(session_factory, Stage.READY_FOR_DECISION, ny(2027, 3, 1, 10), coach=COACH)

    sweep(runtime, ny(2027, 3, 8, 9, 59))
    assert posts(fake_slack) == []
    sweep(runtime, ny(2027, 3, 8, 10))

    opened = fake_slack.only("conversations.open")
    assert set(opened["users"].split(",")) == {DECIDER, DECIDER_2}
    post = fake_slack.only("chat.postMessage")
    assert post["channel"].startswith("G")
    assert "ready for a decision for 5 business days" in post.mrkdwn


def test_a_single_decider_gets_a_plain_dm(settings, strategy, session_factory, fake_slack):
    runtime = runtime_for(settings, strategy, session_factory, pmo_decider_ids=frozenset({DECIDER}))
    make_idea(session_factory, Stage.READY_FOR_DECISION, ny(2027, 3, 1, 10), coach=COACH)

    sweep(runtime, ny(2027, 3, 8, 10))

    assert fake_slack.only("chat.postMessage")["channel"] == DECIDER
    assert fake_slack.calls_to("conversations.open") == []


def test_not_now_comes_back_on_its_revisit_date_to_the_pmo_channel_and_its_coach(runtime, fake_slack, session_factory):
    make_idea(session_factory, Stage.NOT_NOW, ny(2027, 1, 4, 10), coach=COACH_2, revisit_on=date(2027, 3, 3))

    sweep(runtime, ny(2027, 3, 2, 16))
    assert posts(fake_slack) == []

    sweep(runtime, ny(2027, 3, 3, 9))
    post = fake_slack.only("chat.postMessage")
    assert post["channel"] == PMO_CHANNEL
    assert f"<@{COACH_2}>, time to take another look" in post.mrkdwn
    assert "to be revisited on Wednesday, March 3" in post.mrkdwn


def test_revisit_only_sweep_leaves_other_clocks_alone(runtime, fake_slack, session_factory):
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))
    make_idea(session_factory, Stage.NOT_NOW, ny(2027, 1, 4, 10), coach=COACH, revisit_on=date(2027, 3, 3))

    sweep(runtime, ny(2027, 3, 3, 9), kinds=[NudgeKind.REVISIT])

    assert [nudge.kind for nudge in nudges_of(session_factory)] == [NudgeKind.REVISIT]


# --- escalation, stopping, catching up --------------------------------------------------------------------


def test_two_reminders_then_the_pmo_lead_then_silence(runtime, fake_slack, session_factory):
    idea_id = make_idea(session_factory, Stage.READY_FOR_DECISION, ny(2027, 3, 1, 10), coach=COACH)

    sweep(runtime, ny(2027, 3, 8, 10))  # step 0
    sweep(runtime, ny(2027, 3, 15, 9, 59))  # not yet: 5 business days after step 0
    sweep(runtime, ny(2027, 3, 15, 10))  # step 1
    sweep(runtime, ny(2027, 3, 22, 10))  # step 2: the PMO lead
    for day in range(23, 32):
        sweep(runtime, ny(2027, 3, day, 11))

    sent = nudges_of(session_factory, idea_id)
    assert [(n.step, n.sent_at) for n in sent] == [
        (0, ny(2027, 3, 8, 10)),
        (1, ny(2027, 3, 15, 10)),
        (2, ny(2027, 3, 22, 10)),
    ]
    first, second, escalation = posts(fake_slack)
    assert "Another reminder" in second.mrkdwn and "Another reminder" not in first.mrkdwn
    assert escalation["channel"] == LEAD
    assert f"<@{LEAD}>" in escalation.mrkdwn and "two reminders to" in escalation.mrkdwn
    assert escalation["text"].startswith("Escalation: IDEA-1")


def test_without_a_pmo_lead_the_escalation_goes_to_the_pmo_channel(settings, strategy, session_factory, fake_slack):
    runtime = runtime_for(settings, strategy, session_factory, pmo_lead_id="")
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))

    for when in (ny(2027, 3, 2, 10), ny(2027, 3, 3, 10), ny(2027, 3, 4, 10)):
        sweep(runtime, when)

    escalation = posts(fake_slack)[-1]
    assert escalation["channel"] == PMO_CHANNEL and escalation["text"].startswith("Escalation")


def test_moving_the_idea_stops_the_nudges(runtime, fake_slack, session_factory):
    idea_id = make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))
    sweep(runtime, ny(2027, 3, 2, 10))
    with session_factory() as session, session.begin():
        idea = session.get(Idea, idea_id)
        idea.move(Move.ASSIGN_COACH, actor_id=COACH, at=ny(2027, 3, 2, 11))
        idea.coach_id = COACH

    for day in (3, 4, 5):
        sweep(runtime, ny(2027, 3, day, 11))

    assert len(posts(fake_slack)) == 1


def test_a_reply_in_the_thread_restarts_the_coaching_clock(runtime, fake_slack, session_factory):
    idea_id = make_idea(
        session_factory, Stage.IN_COACHING, ny(2027, 3, 1, 10), coach=COACH, reply=(ny(2027, 3, 1, 10), COACH)
    )
    add_thread(session_factory, idea_id, COACH, ny(2027, 3, 1, 10))
    sweep(runtime, ny(2027, 3, 8, 10))
    change_idea(session_factory, idea_id, last_reply_at=ny(2027, 3, 8, 14), last_reply_by=SUBMITTER)

    sweep(runtime, ny(2027, 3, 15, 10))  # five business days after step 0: but someone replied
    assert len(posts(fake_slack)) == 1

    sweep(runtime, ny(2027, 3, 15, 14))  # five quiet business days after the reply: a fresh step 0
    nudges = nudges_of(session_factory, idea_id)
    assert [(n.step, n.clock_started_at) for n in nudges] == [(0, ny(2027, 3, 1, 10)), (0, ny(2027, 3, 8, 14))]
    assert f"<@{COACH}>, this conversation" in posts(fake_slack)[-1].mrkdwn


def test_after_downtime_the_missed_sweeps_catch_up_once(runtime, fake_slack, session_factory):
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 2, 1, 10))  # due a month ago

    when = ny(2027, 3, 2, 10)
    for tick in range(6):  # the first sweep after a month down, then the following ticks
        sweep(runtime, when + timedelta(minutes=5 * tick))

    post = fake_slack.only("chat.postMessage")
    assert "waiting for a coach for 20 business days" in post.mrkdwn  # 21 weekdays less Presidents Day
    assert [n.step for n in nudges_of(session_factory)] == [0]


def test_the_activity_clock_column_follows_orm_changes(session_factory):
    idea_id = make_idea(session_factory, Stage.IN_COACHING, ny(2027, 3, 1, 10), coach=COACH)
    change_idea(session_factory, idea_id, last_reply_at=ny(2027, 3, 3, 9), last_reply_by=SUBMITTER)
    with session_factory() as session:
        assert session.get(Idea, idea_id).clock_started_at == ny(2027, 3, 3, 9)
    change_idea(session_factory, idea_id, clock_reset_at=ny(2027, 3, 4, 9))
    with session_factory() as session:
        assert session.get(Idea, idea_id).clock_started_at == ny(2027, 3, 4, 9)


# --- failures and retries ---------------------------------------------------------------------------------


def test_a_failed_slack_call_is_retried_later_not_lost(runtime, fake_slack, session_factory):
    idea_id = make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))
    fake_slack.fail("chat.postMessage", "internal_error")

    first = sweep(runtime, ny(2027, 3, 2, 10))
    assert [item.outcome for item in first.items] == [nudges.SweepOutcome.FAILED]
    [nudge] = nudges_of(session_factory, idea_id)
    assert (nudge.status, nudge.attempts, nudge.last_error) == (DeliveryStatus.FAILED, 1, "internal_error")
    assert nudge.next_attempt_at == ny(2027, 3, 2, 10, 5)

    sweep(runtime, ny(2027, 3, 2, 10, 4))  # not yet: backing off, and no second claim meanwhile
    assert len(posts(fake_slack)) == 1

    sweep(runtime, ny(2027, 3, 2, 10, 5))
    assert len(posts(fake_slack)) == 2
    [nudge] = nudges_of(session_factory, idea_id)
    assert (nudge.status, nudge.attempts, nudge.sent_at) == (DeliveryStatus.SENT, 2, ny(2027, 3, 2, 10, 5))

    sweep(runtime, ny(2027, 3, 2, 10, 10))
    assert len(posts(fake_slack)) == 2


def test_a_retry_asks_slack_for_a_time_zone_before_its_claim_holding_no_database_connection(
    runtime, fake_slack, session_factory, engine
):
    fake_slack.users[COACH] = {"tz": "America/New_York"}
    idea_id = make_idea(
        session_factory, Stage.IN_COACHING, ny(2027, 3, 1, 10), coach=COACH, reply=(ny(2027, 3, 1, 11), SUBMITTER)
    )
    add_thread(session_factory, idea_id, COACH, ny(2027, 3, 1, 10))
    fake_slack.fail("chat.postMessage", "internal_error")
    assert [item.outcome for item in sweep(runtime, ny(2027, 3, 8, 12)).items] == [nudges.SweepOutcome.FAILED]
    with session_factory() as session, session.begin():
        session.execute(delete(UserTimeZone))  # as when the cached zone has expired by the retry

    def retry():
        sweep(runtime, ny(2027, 3, 8, 12, 5))

    held = held_while_slack_answers(fake_slack, "users.info", engine, retry)

    assert held == 0
    [nudge] = nudges_of(session_factory, idea_id)
    assert (nudge.status, nudge.attempts) == (DeliveryStatus.SENT, 2)


def test_a_retry_is_cancelled_when_the_idea_moved_on_meanwhile(runtime, fake_slack, session_factory):
    idea_id = make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))
    fake_slack.fail("chat.postMessage", "internal_error")
    sweep(runtime, ny(2027, 3, 2, 10))
    change_idea(session_factory, idea_id, stage=Stage.WITHDRAWN, stage_entered_at=ny(2027, 3, 2, 10, 1))

    report = sweep(runtime, ny(2027, 3, 2, 10, 30))

    assert [item.outcome for item in report.items] == [nudges.SweepOutcome.CANCELLED]
    assert len(posts(fake_slack)) == 1
    [nudge] = nudges_of(session_factory, idea_id)
    assert (nudge.status, nudge.next_attempt_at) == (DeliveryStatus.CANCELLED, None)


def test_a_nudge_abandoned_by_a_crashed_sender_is_sent_after_its_lease(runtime, fake_slack, session_factory):
    idea_id = make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))
    with session_factory() as session, session.begin():  # claimed at 10:00, then the process died
        session.add(
            Nudge(
                idea_id=idea_id,
                kind=NudgeKind.UNASSIGNED,
                clock_started_at=ny(2027, 3, 1, 10),
                step=0,
                audience="pmo_channel",
                recipient=COACH,
                status=DeliveryStatus.PENDING,
                attempts=1,
                next_attempt_at=ny(2027, 3, 2, 10) + nudges.LEASE,
                created_at=ny(2027, 3, 2, 10),
            )
        )

    sweep(runtime, ny(2027, 3, 2, 10, 5))
    assert posts(fake_slack) == []  # still leased to its sender
    sweep(runtime, ny(2027, 3, 2, 10, 10))
    assert len(posts(fake_slack)) == 1
    assert nudges_of(session_factory, idea_id)[0].status == DeliveryStatus.SENT


def test_gives_up_after_the_last_attempt_and_moves_on_to_the_next_step(runtime, fake_slack, session_factory):
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))
    fake_slack.fail("chat.postMessage", "channel_not_found", times=nudges.MAX_ATTEMPTS)

    sweep(runtime, ny(2027, 3, 2, 10))
    for _ in range(nudges.MAX_ATTEMPTS - 1):
        sweep(runtime, nudges_of(session_factory)[0].next_attempt_at)  # each retry as soon as it is due

    assert len(posts(fake_slack)) == nudges.MAX_ATTEMPTS
    [nudge] = nudges_of(session_factory)
    assert (nudge.status, nudge.attempts, nudge.next_attempt_at) == (DeliveryStatus.FAILED, nudges.MAX_ATTEMPTS, None)
    sweep(runtime, ny(2027, 3, 4, 10))
    assert [(n.step, n.status) for n in nudges_of(session_factory)][-1] == (1, DeliveryStatus.SENT)


# --- pacing, dry runs, safety -----------------------------------------------------------------------------


def test_posts_in_one_channel_are_spaced_a_second_apart(runtime, fake_slack, session_factory):
    for _ in range(3):
        make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))
    pauses = Pauses()

    nudges.sweep(runtime, ny(2027, 3, 2, 10), pause=pauses, ticker=lambda: 100.0)

    assert len(posts(fake_slack)) == 3
    assert pauses == [nudges.CHANNEL_SPACING, nudges.CHANNEL_SPACING]


def test_a_dry_run_reports_and_sends_nothing_and_writes_nothing(runtime, fake_slack, session_factory):
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10), title="Paperless <b>loans</b>")
    make_idea(session_factory, Stage.READY_FOR_DECISION, ny(2027, 3, 1, 10), coach=COACH)

    report = sweep(runtime, ny(2027, 3, 8, 10), dry_run=True)

    assert [item.outcome for item in report.items] == [nudges.SweepOutcome.WOULD_SEND] * 2
    assert "IDEA-1 “Paperless <b>loans</b>” → UCOACH0001, UCOACH0002 (the PMO channel): no coach for 5" in (
        report.items[0].describe()
    )
    assert "nothing was sent" in report.summary()
    assert fake_slack.calls_to("chat.postMessage") == [] and fake_slack.calls_to("conversations.open") == []
    assert nudges_of(session_factory) == []
    with session_factory() as session:
        assert session.scalars(select(UserTimeZone)).all() == []


def test_user_text_in_a_nudge_is_escaped(runtime, fake_slack, session_factory):
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10), title="Ping <!channel> & <https://x.example|you>")

    sweep(runtime, ny(2027, 3, 2, 10))

    mrkdwn = fake_slack.only("chat.postMessage").mrkdwn
    assert "<!channel>" not in mrkdwn and "<https://x.example" not in mrkdwn
    assert "Ping &lt;!channel&gt; &amp; &lt;https://x.example|you&gt;" in mrkdwn


def test_snoozed_ideas_wait_and_then_continue_where_they_were(runtime, fake_slack, session_factory):
    idea_id = make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10))
    sweep(runtime, ny(2027, 3, 2, 10))
    change_idea(session_factory, idea_id, snoozed_until=ny(2027, 3, 5, 10))

    sweep(runtime, ny(2027, 3, 3, 10))
    sweep(runtime, ny(2027, 3, 5, 9, 59))
    assert len(posts(fake_slack)) == 1

    sweep(runtime, ny(2027, 3, 5, 10))
    assert [n.step for n in nudges_of(session_factory, idea_id)] == [0, 1]
