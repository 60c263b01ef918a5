"""File shares are outbox rows too: `/idea portfolio`'s chart and `/idea report`'s CSV and chart are shared
by the outbox with its retries, each exactly once, even when Slack's answer to the completing call is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.delivery import FileShare
from bot.outbox import Outbox
from bot.slack import SlackGateway, make_web_client
from models import OutboxKind, OutboxStatus
from tests.conftest import COACH, PMO_CHANNEL
from tests.support.flows import submit_idea
from tests.support.outbox import drain, pending, rows

DM = "D" + COACH[1:]  # the fake's DM with the coach


def file_rows(session_factory):
    return [row for row in rows(session_factory) if row.kind == OutboxKind.FILE]


def later(seconds: float = 31) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def test_a_report_asked_for_while_uploads_fail_is_shared_once_in_order_after_slack_recovers(
    slack, session_factory, app
):
    submit_idea(slack)
    slack.fake.outage("files.getUploadURLExternal", "files.completeUploadExternal")

    assert slack.command("report last 90 days", user=COACH).status == 200

    waiting = file_rows(session_factory)
    assert [row.status for row in waiting] == [OutboxStatus.PENDING] * 2
    assert waiting[0].file_name.endswith(".csv") and waiting[1].file_name.endswith("-flow.png")
    assert slack.fake.shares() == []
    slack.fake.recover()
    drain(app.runtime.outbox, start=later())

    shared = slack.fake.shares(DM)
    assert sorted(title for _, _, title in shared) == sorted(row.file_title for row in waiting)
    completes = slack.fake.calls_to("files.completeUploadExternal")  # none was tried while uploads failed
    assert len(completes) == 2
    assert "Ideas report" in completes[0]["files"] and "Flow through the stages" in completes[1]["files"]
    assert all(row.status == OutboxStatus.SENT for row in file_rows(session_factory))
    uploaded = [call["content"] for call in slack.fake.calls_to("upload")]
    assert uploaded[-1].startswith(b"\x89PNG") and uploaded[-2].decode("utf-8-sig").startswith("reference")


def test_the_portfolio_chart_waits_out_a_429_and_is_shared_once(slack, session_factory, app):
    slack.fake.rate_limit("files.getUploadURLExternal", times=3, retry_after=20)

    assert slack.command("portfolio", user=COACH).status == 200

    [row] = file_rows(session_factory)
    assert row.status == OutboxStatus.PENDING and row.next_attempt_at >= row.created_at + timedelta(seconds=19)
    drain(app.runtime.outbox, start=later(21), step=timedelta(seconds=21))

    assert [(title, where) for _, where, title in slack.fake.shares()] == [(row.file_title, DM)]
    assert file_rows(session_factory)[0].status == OutboxStatus.SENT


def impatient(session_factory, fake_slack) -> Outbox:
    """An outbox whose Web API client gives up after one second, as a process that loses Slack's answer."""
    gateway = SlackGateway(make_web_client("xoxb-test", fake_slack.url, timeout=1))
    return Outbox(gateway, session_factory, lambda: datetime.now(UTC), PMO_CHANNEL)


def test_a_share_whose_answer_was_lost_is_found_with_files_info_and_not_shared_again(session_factory, fake_slack):
    outbox = impatient(session_factory, fake_slack)
    fake_slack.answer_late("files.completeUploadExternal", 1.6)

    outbox.send([FileShare(PMO_CHANNEL, "chart.png", b"\x89PNG-bytes", "A chart")])

    [row] = pending(session_factory)
    assert row.in_doubt and row.file_id, "the upload's id was kept before the share was completed"
    assert len(fake_slack.shares(PMO_CHANNEL)) == 1, "Slack did share it; only its answer was lost"
    drain(outbox, start=later())

    assert fake_slack.only("files.info")["file"] == row.file_id
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
    assert fake_slack.shares(PMO_CHANNEL) == [(row.file_id, PMO_CHANNEL, "A chart")]
    [sent] = file_rows(session_factory)
    assert sent.status == OutboxStatus.SENT and sent.posted_ts


def test_a_share_slack_never_completed_is_completed_once_on_a_new_upload(session_factory, fake_slack):
    outbox = impatient(session_factory, fake_slack)
    fake_slack.outage("files.completeUploadExternal")  # 503: Slack may or may not have acted

    outbox.send([FileShare(PMO_CHANNEL, "chart.png", b"\x89PNG-bytes", "A chart")])

    [row] = pending(session_factory)
    assert row.in_doubt and row.file_id
    fake_slack.recover()
    drain(outbox, start=later())

    assert fake_slack.only("files.info")["file"] == row.file_id  # looked for first: not shared
    [(file_id, where, _)] = fake_slack.shares()
    assert where == PMO_CHANNEL and file_id != row.file_id
    assert file_rows(session_factory)[0].status == OutboxStatus.SENT
