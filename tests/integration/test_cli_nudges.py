"""`idea-coach sweep` and `idea-coach scheduler` as an operator runs them: subprocesses against the fake Slack."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import make_engine, make_session_factory
from models import Stage
from tests.integration.test_cli import clean_environ, one_line, run_cli
from tests.support.fake_slack import FakeSlack
from tests.support.nudging import make_idea, nudges_of, ny

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def env(tmp_path: Path, fake: FakeSlack) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_SIGNING_SECRET": "cli-test-signing-secret",
        "SLACK_API_URL": fake.url,
        "PMO_CHANNEL_ID": "CPMO00001",
        "PMO_STAFF_IDS": "UCOACH0001,UCOACH0002",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'idea-coach.db'}",
        "STRATEGY_FILE": str(ROOT / "strategy.yml"),
    }


@pytest.fixture
def stalled(env: dict[str, str]):
    """A migrated database with one idea waiting for a coach since Monday 2027-03-01 10:00 New York."""
    assert run_cli("db", "upgrade", **env).returncode == 0
    engine = make_engine(env["DATABASE_URL"])
    session_factory = make_session_factory(engine)
    make_idea(session_factory, Stage.SUBMITTED, ny(2027, 3, 1, 10), title="Paperless loan files")
    yield session_factory
    engine.dispose()


def test_sweep_dry_run_prints_who_which_idea_and_why_and_sends_nothing(env, fake, stalled):
    result = run_cli("sweep", "--at", "2027-03-02T10:00", "--dry-run", **env)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "IDEA-1 “Paperless loan files” → UCOACH0001, UCOACH0002 (the PMO channel): no coach for 1 business day "
        "[would send]"
    )
    assert lines[-1].startswith("dry run at 2027-03-02 15:00 UTC: 1 nudge(s) would be sent")
    assert fake.calls_to("chat.postMessage") == []
    assert nudges_of(stalled) == []


def test_sweep_sends_the_nudge_and_a_second_sweep_does_not_repeat_it(env, fake, stalled):
    first = run_cli("sweep", "--at", "2027-03-02T15:00Z", **env)
    again = run_cli("sweep", "--at", "2027-03-02T15:05:00+00:00", **env)

    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert "1 sent" in first.stdout.splitlines()[-1]
    assert "0 sent" in again.stdout.splitlines()[-1]
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert [nudge.status for nudge in nudges_of(stalled)] == ["sent"]


def test_sweep_before_the_threshold_reports_nothing_due(env, fake, stalled):
    result = run_cli("sweep", "--at", "2027-03-02T09:59", "--dry-run", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "dry run at 2027-03-02 14:59 UTC: 0 nudge(s) would be sent, 0 waiting for working hours; nothing was sent"
    ]


@pytest.mark.parametrize("value", ["tomorrow", "2027-13-01T10:00", "10 o'clock", "2027-03-02T10:00\nextra"])
def test_sweep_with_a_bad_at_exits_2_with_one_line(env, value):
    result = run_cli("sweep", "--at", value, "--dry-run", **env)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("idea-coach: --at: ") and "is not an ISO time" in line


def test_sweep_needs_the_same_configuration_as_serve(env):
    result = run_cli("sweep", "--dry-run", **env | {"PMO_CHANNEL_ID": ""})

    assert result.returncode == 2
    assert "PMO_CHANNEL_ID is not set" in one_line(result.stderr)


def test_scheduler_command_runs_the_jobs_until_stopped(env, fake, stalled, tmp_path):
    log = (tmp_path / "scheduler.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "scheduler"],
        cwd=ROOT,
        env=clean_environ() | env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not fake.calls_to("files.completeUploadExternal"):  # the start-up sweep posts this week's digest
            assert process.poll() is None, (tmp_path / "scheduler.log").read_text()[-3000:]
            assert time.monotonic() < deadline, (tmp_path / "scheduler.log").read_text()[-3000:]
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        log.close()
    digest = next(call for call in fake.calls_to("chat.postMessage") if call["text"].startswith("Idea pipeline"))
    assert digest["channel"] == "CPMO00001"
    assert fake.calls_to("upload")[0]["content"].startswith(b"\x89PNG")
