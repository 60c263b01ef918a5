"""The `idea-coach` command: exit codes, one-line errors, migrations, and HTTP serving.

Most runs call `bot.cli.main(argv)` in this process (`run_cli`), with stdout and stderr captured and
SystemExit caught: the same code paths without a second or two of interpreter start-up each. What
only a real process proves runs in a subprocess (`run_cli_process`, the `served` server): the exit
status of `python -m bot.cli` itself, a one-line error with nothing else on stderr, serving HTTP, and
stopping on SIGTERM.

Each run gets a controlled environment: the caller's environment without any Slack, PMO, database or
strategy settings, plus exactly what the test sets. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.conftest import turn
from tests.support.fake_slack import TEAM_ID, FakeSlack

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 60
HEALTH_TIMEOUT = 30
SIGNING_SECRET = "cli-test-signing-secret-0d2c"
PMO_CHANNEL = "CPMO00001"
COACH = "UCOACH0001"


def clean_environ() -> dict[str, str]:
    return clean_environ_of(os.environ)


def clean_environ_of(environ) -> dict[str, str]:
    dropped = ("DATABASE_URL", "STRATEGY_FILE", "LOG_LEVEL", "LOG_FORMAT")
    return {
        key: value
        for key, value in environ.items()
        if not key.upper().startswith(("SLACK_", "PMO_")) and key.upper() not in dropped
    }


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`idea-coach ARGS` in this process, in the controlled environment; shaped like subprocess.run's result."""
    from bot.cli import main

    saved_environ = dict(os.environ)
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level  # main() sets up logging; pytest's stays
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(clean_environ_of(saved_environ) | env)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's usage errors
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved_environ)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    return subprocess.CompletedProcess(["idea-coach", *args], code, stdout.getvalue(), stderr.getvalue())


def run_cli_process(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot.cli ARGS` in a subprocess: for what only a real process proves."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=clean_environ() | env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("idea-coach: "), stderr
    return lines[0]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'idea-coach.db'}"


@pytest.fixture
def valid_env(database_url: str) -> dict[str, str]:
    return valid_env_of(database_url)


def valid_env_of(database_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "PMO_CHANNEL_ID": PMO_CHANNEL,
        "PMO_STAFF_IDS": f"{COACH},UCOACH0002",
        "DATABASE_URL": database_url,
        "STRATEGY_FILE": str(ROOT / "strategy.yml"),
    }


# --- check --------------------------------------------------------------------------------------


def test_check_with_nothing_set_exits_2_with_one_line_naming_the_bot_token():
    result = run_cli_process("check")

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "SLACK_BOT_TOKEN is not set" in line
    assert result.stdout == ""


def test_check_with_a_broken_strategy_file_exits_2_naming_the_file_and_the_field(valid_env, tmp_path):
    strategy = (ROOT / "strategy.yml").read_text(encoding="utf-8")
    broken = tmp_path / "broken-strategy.yml"
    broken.write_text(strategy.replace("pillar: growth", "pillar: world-domination"), encoding="utf-8")

    result = run_cli("check", **valid_env | {"STRATEGY_FILE": str(broken)})

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert str(broken) in line
    assert "goals[4].pillar" in line
    assert "world-domination" in line


def test_check_with_a_missing_strategy_file_exits_2_naming_it(valid_env, tmp_path):
    missing = tmp_path / "no-such-strategy.yml"

    result = run_cli("check", **valid_env | {"STRATEGY_FILE": str(missing)})

    assert result.returncode == 2
    assert one_line(result.stderr) == f"idea-coach: {missing}: file not found (set STRATEGY_FILE to its path)"


def test_check_with_everything_valid_exits_0_and_says_ok(valid_env):
    result = run_cli("check", **valid_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
    assert "8 goals, 5 criteria, 2 PMO staff" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_in_socket_mode_does_not_need_a_signing_secret(valid_env):
    env = valid_env | {"SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "xapp-1-cli-test"}

    result = run_cli("check", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_check_over_http_needs_the_signing_secret(valid_env):
    result = run_cli("check", **valid_env | {"SLACK_SIGNING_SECRET": ""})

    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in one_line(result.stderr)


def test_check_with_an_unknown_log_level_exits_2_with_one_line_naming_it(valid_env):
    result = run_cli("check", **valid_env | {"LOG_LEVEL": "verbose"})

    assert result.returncode == 2, result.stderr
    assert "LOG_LEVEL" in one_line(result.stderr)


def test_an_unknown_command_is_a_usage_error_not_a_traceback():
    result = run_cli_process("launch")

    assert result.returncode == 2
    assert "invalid choice: 'launch'" in one_line(result.stderr)


def test_a_malformed_option_is_one_line_naming_it():
    result = run_cli("sandbox", "--port", "abc")

    assert result.returncode == 2
    assert "--port" in one_line(result.stderr) and "idea-coach sandbox --help" in result.stderr


# --- db upgrade ---------------------------------------------------------------------------------


def table_names(path: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows}


def test_db_upgrade_on_a_fresh_sqlite_file_creates_the_schema(tmp_path):
    path = tmp_path / "fresh.db"
    assert not path.exists()

    result = run_cli("db", "upgrade", DATABASE_URL=f"sqlite:///{path}")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
    tables = table_names(path)
    assert {"ideas", "idea_goals", "audit_events", "slack_messages", "alembic_version"} <= tables


def test_db_upgrade_twice_is_harmless(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    assert run_cli("db", "upgrade", DATABASE_URL=url).returncode == 0

    again = run_cli("db", "upgrade", DATABASE_URL=url)

    assert again.returncode == 0, again.stderr
    assert "ideas" in table_names(tmp_path / "twice.db")


def test_db_upgrade_with_an_unsupported_url_exits_2_with_one_line():
    result = run_cli("db", "upgrade", DATABASE_URL="mysql://root@localhost/ideas")

    assert result.returncode == 2
    assert one_line(result.stderr).startswith("idea-coach: DATABASE_URL is invalid")


# --- serve: configuration errors ----------------------------------------------------------------


def test_serve_with_malformed_staff_ids_exits_2_with_one_line(valid_env):
    result = run_cli("serve", "--http", **valid_env | {"PMO_STAFF_IDS": "UCOACH0001, bob"})

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "PMO_STAFF_IDS is invalid" in line
    assert "'bob'" in line


def test_serve_ends_with_one_line_naming_the_token_when_slack_refuses_it(valid_env):
    fake = FakeSlack().start()
    try:
        fake.fail("auth.test", "invalid_auth", times=10)
        result = run_cli("serve", "--http", "--port", "0", **valid_env | {"SLACK_API_URL": fake.url})
    finally:
        fake.stop()

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("idea-coach: SLACK_BOT_TOKEN: Slack did not accept it")
    assert "invalid_auth" in last


# --- serve --http: a smoke test over real HTTP --------------------------------------------------


EPHEMERAL_PORTS = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_port() -> int:
    """A free port below the kernel's ephemeral range. `serve` binds it seconds later (after its migration
    child); meanwhile other pytest-xdist workers' tests bind port 0 all the time, and one of them once took a
    port from that range, so /healthz was answered by another test's app."""
    lowest_ephemeral = int(EPHEMERAL_PORTS.read_text().split()[0]) if EPHEMERAL_PORTS.exists() else 0
    for _ in range(100 if lowest_ephemeral > 20_000 else 0):
        port = random.randrange(10_000, lowest_ephemeral)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def stop(process: subprocess.Popen) -> None:
    """End the server we started: SIGTERM, then SIGKILL to its own process group if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):  # a worker the master left behind
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def fake_slack_server() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@contextlib.contextmanager
def serving(env: dict[str, str], log_path: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`idea-coach serve --http` running in a subprocess; yields its base URL and process once /healthz answers."""
    port = free_port()
    log = log_path.open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--http", "--port", str(port), "--host", "127.0.0.1", *extra],
        cwd=ROOT,
        env=clean_environ() | env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"serve exited with {process.returncode}:\n{log.read()[-3000:]}")
            with contextlib.suppress(OSError):
                if http(base + "/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"/healthz did not answer 200 within {HEALTH_TIMEOUT}s:\n{log.read()[-3000:]}")
            time.sleep(0.05)
        yield base, process
    finally:
        stop(process)
        log.close()


@pytest.fixture(scope="module")
def served_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the `served` server keeps its database and log."""
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="module")
def served_slack() -> Iterator[FakeSlack]:
    """The fake Slack of the `served` server."""
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest, served_slack: FakeSlack, served_folder: Path) -> Iterator[str]:
    """One `serve --http` for the tests below that only send it requests: a start takes a few seconds."""
    env = valid_env_of(f"sqlite:///{served_folder / 'idea-coach.db'}") | {"SLACK_API_URL": served_slack.url}
    env |= {"LOG_FORMAT": "json"}
    with contextlib.ExitStack() as stack:
        with turn(request.config):  # started and stopped outside any test's turn (tests/conftest.py)
            base, _ = stack.enter_context(serving(env, served_folder / "serve.log", "--access-log"))
        yield base
        with turn(request.config):
            stack.close()


def signed_command(base: str, text: str, user: str) -> tuple[int, str]:
    body = urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "credit",
            "channel_id": "CGENERAL1",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/idea",
            "text": text,
            "api_app_id": "A0IDEACOACH",
            "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.invalid/commands/{TEAM_ID}/1/x",
            "trigger_id": f"1.{TEAM_ID}.trig000001",
        }
    )
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    return http(base + "/slack/events", data=body.encode(), headers=headers)


def test_serve_http_answers_health_checks_and_signed_slash_commands(served, served_slack, served_folder):
    status, body = http(served + "/healthz")
    assert status == 200
    assert json.loads(body) == {"ok": True, "database": "up"}
    assert "ideas" in table_names(served_folder / "idea-coach.db")  # serve migrated the database
    assert served_slack.calls_to("auth.test"), "the bot token was not verified with Slack"

    status, body = signed_command(served, "help", user="USUBMIT001")

    assert status == 200, body
    reply = json.loads(body)
    assert "/idea mine" in reply["blocks"][0]["text"]["text"]
    assert reply["text"] == "How to use Idea Coach"


def test_with_log_format_json_every_line_the_server_writes_is_one_json_object_gunicorns_included(served, served_folder):
    assert http(served + "/healthz")[0] == 200
    log = served_folder / "serve.log"
    deadline = time.monotonic() + 5
    while '"gunicorn.access"' not in log.read_text():  # written just after the answer
        assert time.monotonic() < deadline, "no access line for /healthz:\n" + log.read_text()[-2000:]
        time.sleep(0.05)

    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    assert any(
        entry["logger"] == "gunicorn.error" and entry["message"].startswith("Starting gunicorn") for entry in entries
    )
    assert any(entry["logger"] == "gunicorn.access" and "GET /healthz" in entry["message"] for entry in entries)
    # Nothing misleads at start: Bolt's "token will be unused" (the client carries it), gunicorn's control socket.
    assert not [entry for entry in entries if "unused" in entry["message"] or "Control socket" in entry["message"]]


def test_serve_http_refuses_a_request_with_a_forged_signature(served):
    status, _ = http(
        served + "/slack/events",
        data=b"command=%2Fidea&text=help",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
    )
    assert status == 401


def test_serve_http_on_sigterm_finishes_work_in_flight_and_exits_0_within_10_s(fake_slack_server, valid_env, tmp_path):
    env = valid_env | {"SLACK_API_URL": fake_slack_server.url}
    with serving(env, tmp_path / "serve.log") as (base, process):
        gate = fake_slack_server.hold("views.open")  # Slack is slow to open the modal
        status, _ = signed_command(base, "Paperless loan files", user="USUBMIT001")
        assert status == 200  # acked; the listener now waits on views.open
        deadline = time.monotonic() + 5
        while not fake_slack_server.arrivals or fake_slack_server.arrivals[-1][1] != "views.open":
            assert time.monotonic() < deadline, "views.open never reached the fake Slack"
            time.sleep(0.05)

        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        time.sleep(1)
        gate.set()  # Slack answers while the server is stopping
        code = process.wait(timeout=15)
        took = time.monotonic() - stopping

    assert code == 0
    assert took < 10
    assert len(fake_slack_server.calls_to("views.open")) == 1
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def test_serve_in_socket_mode_on_sigterm_closes_the_connection_and_exits_0_within_10_s(
    fake_slack_server, valid_env, tmp_path
):
    from tests.support.fake_socket_mode import FakeSocketMode

    sockets = FakeSocketMode().start()
    fake_slack_server.socket_mode = sockets
    env = valid_env | {"SLACK_API_URL": fake_slack_server.url, "SLACK_APP_TOKEN": "xapp-1-A0IDEACOACH-sigterm"}
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=ROOT,
        env=clean_environ() | env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        sockets.wait_for_connections(1, timeout=HEALTH_TIMEOUT)
        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
        took = time.monotonic() - stopping
    finally:
        if process.poll() is None:
            process.kill()
        sockets.stop()

    assert code == 0, log.read_text()[-2000:]
    assert took < 10
    assert "Traceback" not in log.read_text()
    assert "will be unused" not in log.read_text()  # Bolt's warning about the token our client carries
