"""The `idea-coach` command: tokens of the wrong kind, and an app-level token Slack refuses, each end with one
line naming the token and exit status 2.

Most cases call `bot.cli.main(argv)` in this process (`run_cli`, as tests/integration/test_cli.py does). One
case of each kind starts the real `python -m bot.cli` (`run_cli_process`): the exit status of the process
itself, and one line at the end of its stderr with no traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_cli import run_cli, run_cli_process
from tests.support.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]

IN_A_PROCESS = {("check", "user-token"), ("serve", "app-token-as-bot-token"), ("serve", "invalid_auth")}
"""The cases run in a real process; the others run in this one."""


def runner(*case: str):
    return run_cli_process if case in IN_A_PROCESS else run_cli


def our_line(stderr: str) -> str:
    """The command's own message: the last line, the only one it writes, and never a traceback."""
    assert "Traceback" not in stderr, stderr
    ours = [line for line in stderr.splitlines() if line.startswith("idea-coach: ")]
    assert len(ours) == 1 and stderr.splitlines()[-1] == ours[0], stderr
    return ours[0]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_APP_TOKEN": "xapp-1-A0IDEACOACH-cli-test",
        "PMO_CHANNEL_ID": "CPMO00001",
        "PMO_STAFF_IDS": "UCOACH0001",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'idea-coach.db'}",
        "STRATEGY_FILE": str(ROOT / "strategy.yml"),
    }


WRONG_KINDS = {
    "app-token-as-bot-token": (
        {"SLACK_BOT_TOKEN": "xapp-1-A0IDEACOACH-cli-test"},
        "SLACK_BOT_TOKEN must start with xoxb-, but it holds the token that belongs in SLACK_APP_TOKEN",
    ),
    "bot-token-as-app-token": (
        {"SLACK_APP_TOKEN": "xoxb-cli-test"},
        "SLACK_APP_TOKEN must start with xapp-, but it holds the token that belongs in SLACK_BOT_TOKEN",
    ),
    "user-token": (
        {"SLACK_BOT_TOKEN": "xoxp-a-user-token"},
        "SLACK_BOT_TOKEN must start with xoxb-, but it starts 'xoxp-'",
    ),
}


@pytest.mark.parametrize("kind", WRONG_KINDS)
@pytest.mark.parametrize("command", ["check", "serve"])
def test_a_token_of_the_wrong_kind_is_named_in_one_line(env, kind, command):
    changes, expected = WRONG_KINDS[kind]
    result = runner(command, kind)(command, **env | changes)

    assert result.returncode == 2
    assert our_line(result.stderr).startswith(f"idea-coach: {expected}")


def test_check_accepts_tokens_of_the_right_kind(env):
    result = run_cli("check", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


@pytest.mark.parametrize("error", ["invalid_auth", "not_allowed_token_type", "token_revoked"])
def test_serve_ends_with_one_line_and_exit_2_when_slack_refuses_the_app_token(env, error):
    fake = FakeSlack().start()
    try:
        fake.fail("apps.connections.open", error, times=10)
        result = runner("serve", error)("serve", **env | {"SLACK_API_URL": fake.url})
        opened = fake.calls_to("apps.connections.open")
    finally:
        fake.stop()

    assert result.returncode == 2
    assert our_line(result.stderr) == f"idea-coach: SLACK_APP_TOKEN: Slack did not accept it: {error}"
    assert len(opened) == 1
    assert opened[0].headers.get("Authorization") == f"Bearer {env['SLACK_APP_TOKEN']}"
