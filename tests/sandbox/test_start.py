"""`idea-coach` without credentials, and `idea-coach sandbox`, start the workspace and print its URL."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bot import cli

ROOT = Path(__file__).resolve().parents[2]
MAYA = "U0MAYA0001"
START = "import sys; from bot.cli import main; sys.exit(main())"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PMO_", "DATABASE_URL"))}
    return env | {"STRATEGY_FILE": str(ROOT / "strategy.yml"), "PYTHONPATH": str(ROOT)}


def _start(cwd: Path, *args: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-c", START, "sandbox", "--port", "0", *args],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    assert match, f"no URL in {line!r}: {process.stderr.read() if process.poll() is not None else ''}"
    return process, match.group(1)


def _post(url: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _texts(url: str) -> str:
    with urllib.request.urlopen(f"{url}ui/frame?as={MAYA}&c=C0GENERAL", timeout=10) as answer:
        return json.loads(answer.read())["main"]


def test_the_workspace_keeps_its_state_across_restarts_until_reset(tmp_path):
    process, url = _start(tmp_path)
    try:
        with urllib.request.urlopen(url, timeout=10) as page:
            assert "Acting as" in page.read().decode()
        assert _post(url, "ui/send", {"as": MAYA, "channel": "C0GENERAL", "text": "Kept across restarts"})["ok"]
    finally:
        process.terminate()
        process.wait(10)
    assert (tmp_path / "idea-coach-sandbox.db").exists()
    process, url = _start(tmp_path)
    try:
        assert "Kept across restarts" in _texts(url)
    finally:
        process.terminate()
        process.wait(10)
    process, url = _start(tmp_path, "--reset")
    try:
        assert "Kept across restarts" not in _texts(url)
    finally:
        process.terminate()
        process.wait(10)


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-c", START, "sandbox", "--port", str(port)],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--port" in result.stderr


def test_no_command_and_no_credentials_starts_the_sandbox(monkeypatch):
    started = []
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setattr(cli, "sandbox_command", lambda args: started.append(args) or 0)
    assert cli.main([]) == 0
    assert started[0].command == "sandbox" and started[0].port == 3000 and not started[0].demo


def test_options_alone_are_the_default_commands(monkeypatch):
    started = []
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setattr(cli, "sandbox_command", lambda args: started.append(args) or 0)
    assert cli.main(["--demo", "--port", "3055"]) == 0
    assert started[0].command == "sandbox" and started[0].port == 3055 and started[0].demo


def test_no_command_with_credentials_serves(monkeypatch):
    served = []
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real")
    monkeypatch.setattr(cli, "serve_command", lambda settings, args: served.append((settings, args)) or 0)
    monkeypatch.setattr(cli, "sandbox_command", lambda args: pytest.fail("the sandbox started with credentials set"))
    assert cli.main([]) == 0
    [(settings, args)] = served
    assert settings.slack_bot_token == "xoxb-real"
    assert args.command == "serve" and not args.http and args.port == 3000 and args.host == "0.0.0.0"
