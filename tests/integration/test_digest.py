"""The weekly digest on a real database against the fake Slack (2027-03-08 is a Monday; digest Monday 09:00)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import digest
from bot.views.ids import Purpose
from models import Decision, Digest, SlackMessage, Stage, ThreadMessage
from tests.conftest import COACH, COACH_2, PMO_CHANNEL, SUBMITTER
from tests.support.connection_guard import held_while_slack_answers
from tests.support.nudging import add_thread, make_idea, ny, runtime_for

DIGEST_TIME = ny(2027, 3, 8, 9)


@pytest.fixture
def runtime(settings, strategy, session_factory):
    return runtime_for(settings, strategy, session_factory)


def decide(session_factory, idea_id, outcome, at, by=COACH_2):
    with session_factory() as session, session.begin():
        session.add(
            Decision(
                idea_id=idea_id,
                outcome=outcome,
                decided_by=by,
                decided_at=at,
                scores=[],
                weighted_score=3.5,
                goals_considered=[],
                rationale="Because.",
            )
        )


def coach_reply(session_factory, idea_id, thread, user, at):
    with session_factory() as session, session.begin():
        session.add(
            ThreadMessage(
                idea_id=idea_id,
                thread_id=thread.id,
                channel_id=thread.channel_id,
                ts=f"{at.timestamp():.6f}",
                user_id=user,
                text="Let's talk about it.",
                posted_at=at,
            )
        )


@pytest.fixture
def pipeline(session_factory):
    """A week of activity; returns the ids by name."""
    ids = {}
    ids["new"] = make_idea(
        session_factory,
        Stage.IN_COACHING,
        ny(2027, 3, 2, 10),
        title="Card <controls> & alerts",
        coach=COACH,
        reply=(ny(2027, 3, 3, 10), COACH),
    )
    thread = add_thread(session_factory, ids["new"], COACH, ny(2027, 3, 2, 11))
    coach_reply(session_factory, ids["new"], thread, COACH, ny(2027, 3, 3, 10))  # 1.0 day after submission

    ids["unassigned"] = make_idea(session_factory, Stage.SUBMITTED, ny(2027, 2, 1, 10), title="Drive-up ATM")
    with session_factory() as session, session.begin():
        session.add(
            SlackMessage(
                idea_id=ids["unassigned"], purpose=Purpose.INTAKE_CARD, channel_id=PMO_CHANNEL, ts="1700000001.000100"
            )
        )

    ids["quiet"] = make_idea(
        session_factory, Stage.IN_COACHING, ny(2027, 2, 10, 10), title="Loan status texts", coach=COACH_2
    )
    quiet_thread = add_thread(session_factory, ids["quiet"], COACH_2, ny(2027, 2, 10, 11), channel="GQUIET001")
    coach_reply(session_factory, ids["quiet"], quiet_thread, SUBMITTER, ny(2027, 2, 11, 9))  # not the coach
    coach_reply(session_factory, ids["quiet"], quiet_thread, COACH_2, ny(2027, 2, 12, 10))  # 2.0 days

    ids["go"] = make_idea(session_factory, Stage.DECIDED_GO, ny(2027, 3, 4, 10), created=ny(2027, 2, 15, 10))
    decide(session_factory, ids["go"], "go", ny(2027, 3, 4, 10))  # 17 days, this week
    ids["no_go"] = make_idea(session_factory, Stage.DECIDED_NO_GO, ny(2027, 2, 26, 10), created=ny(2027, 2, 20, 10))
    decide(session_factory, ids["no_go"], "no_go", ny(2027, 2, 26, 10))  # 6 days, last week
    return ids


def test_the_digest_posts_the_weeks_picture_and_a_chart(runtime, fake_slack, session_factory, pipeline):
    result = digest.digest_if_due(runtime, DIGEST_TIME)

    assert result.posted and result.chart_uploaded
    post = fake_slack.only("chat.postMessage")
    assert post["channel"] == PMO_CHANNEL
    text = post.mrkdwn
    assert f"*New ideas (1)*\n• *IDEA-{pipeline['new']}* Card &lt;controls&gt; &amp; alerts — In coaching" in text
    assert f"*Decisions this week (1)*\n• *IDEA-{pipeline['go']}*" in text and f"Go by <@{COACH_2}>" in text
    assert f"IDEA-{pipeline['no_go']}*" not in text.split("*Stalled")[0].split("*Decisions")[1]
    stalled = text.split("*Stalled (2)*")[1]
    assert f"<https://credit.example/archives/{PMO_CHANNEL}/p1700000001000100|IDEA-{pipeline['unassigned']}>" in stalled
    assert f"<https://credit.example/archives/GQUIET001/p1800000{pipeline['quiet']:03d}000100|IDEA-" in stalled
    assert stalled.index(f"IDEA-{pipeline['unassigned']}") < stalled.index(f"IDEA-{pipeline['quiet']}")  # longest
    assert "1.5 days (n=2, last 90 days)" in text  # first coach reply: 1.0 and 2.0 days
    assert "11.5 days (n=2, last 90 days)" in text  # decision: 17 and 6 days
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for b in post["blocks"] for f in b.get("fields", [])}
    assert (fields["*Submitted*"], fields["*In coaching*"], fields["*Decided: go*"]) == ("1", "2", "1")
    assert len(post["blocks"]) <= 50

    requested = fake_slack.only("files.getUploadURLExternal")
    assert requested["filename"] == "idea-pipeline.png"
    uploaded = fake_slack.only("upload")["content"]
    assert uploaded.startswith(b"\x89PNG") and int(requested["length"]) == len(uploaded)
    completed = fake_slack.only("files.completeUploadExternal")
    assert completed["channel_id"] == PMO_CHANNEL


def test_while_slack_is_asked_for_the_stalled_ideas_links_the_digest_holds_no_database_connection(
    runtime, fake_slack, engine, pipeline
):
    """A process has few connections and none to spare (bot.db.POOL_SIZE): a slow Slack must not hold one."""

    def digest_job():
        digest.digest_if_due(runtime, DIGEST_TIME)

    held = held_while_slack_answers(fake_slack, "chat.getPermalink", engine, digest_job)

    assert held == 0
    assert f"|IDEA-{pipeline['unassigned']}>" in fake_slack.only("chat.postMessage").mrkdwn  # the link still made it


def test_the_digest_is_posted_once_per_week_and_not_before_its_time(runtime, fake_slack, session_factory):
    assert digest.digest_if_due(runtime, DIGEST_TIME - timedelta(days=7)) is not None  # the week before
    fake_slack.reset()

    assert digest.digest_if_due(runtime, DIGEST_TIME - timedelta(minutes=1)) is None
    assert digest.digest_if_due(runtime, DIGEST_TIME) is not None
    assert digest.digest_if_due(runtime, DIGEST_TIME + timedelta(minutes=5)) is None
    assert digest.digest_if_due(runtime, DIGEST_TIME + timedelta(days=3)) is None  # caught up already

    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_digest_missed_while_down_goes_out_when_back_within_the_week(runtime, fake_slack):
    assert digest.digest_if_due(runtime, DIGEST_TIME + timedelta(days=2, hours=5)).week_of == "2027-03-08"
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_failed_chart_upload_is_retried_without_posting_the_message_again(runtime, fake_slack, session_factory):
    fake_slack.fail("files.completeUploadExternal", "internal_error")

    first = digest.digest_if_due(runtime, DIGEST_TIME)
    assert (first.posted, first.chart_uploaded) == (True, False)
    with session_factory() as session:
        row = session.get(Digest, DIGEST_TIME.date())
        assert (row.status, row.next_attempt_at) == ("failed", DIGEST_TIME + timedelta(minutes=5))

    assert digest.digest_if_due(runtime, DIGEST_TIME + timedelta(minutes=4)) is None
    again = digest.digest_if_due(runtime, DIGEST_TIME + timedelta(minutes=5))

    assert (again.posted, again.chart_uploaded) == (True, True)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 2
    with session_factory() as session:
        assert session.get(Digest, DIGEST_TIME.date()).status == "sent"


def test_the_digest_moment_follows_the_configured_day_and_time(runtime):
    assert digest.digest_moment(runtime, ny(2027, 3, 10, 12)) == DIGEST_TIME
    assert digest.digest_moment(runtime, ny(2027, 3, 8, 8, 59)) == DIGEST_TIME - timedelta(days=7)
