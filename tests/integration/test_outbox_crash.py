"""A real process killed with SIGKILL at the two dangerous moments; after a restart every message is
delivered exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.outbox import Outbox
from bot.outbox.store import LEASE
from bot.slack import SlackGateway, make_web_client
from tests.conftest import PMO_CHANNEL, ROOT
from tests.support.outbox import assert_each_post_once, drain, rows, tagged_posts
from tests.support.outbox_child import MESSAGES


def killed_child(engine, fake_slack, mode: str, says: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    schema = "-"
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = connection.scalar(text("SELECT current_schema()"))
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.outbox_child", mode, url, schema, fake_slack.url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == says
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL


def restarted(session_factory, fake_slack) -> Outbox:
    gateway = SlackGateway(make_web_client("xoxb-test", fake_slack.url))
    return Outbox(gateway, session_factory, lambda: datetime.now(UTC), PMO_CHANNEL)


@pytest.mark.parametrize(
    "mode,says,posted_before_restart", [("after-commit", "committed", 0), ("after-answer", "answered", 1)]
)
def test_killed_process_then_restart_delivers_each_message_once(
    engine, session_factory, fake_slack, mode, says, posted_before_restart
):
    killed_child(engine, fake_slack, mode, says)
    assert len(rows(session_factory)) == len(MESSAGES)
    assert sum(tagged_posts(fake_slack).values()) == posted_before_restart

    drain(restarted(session_factory, fake_slack), start=datetime.now(UTC) + LEASE + timedelta(seconds=1))

    assert_each_post_once(fake_slack, session_factory)
    assert len(fake_slack.posted_to()) == len(MESSAGES)
