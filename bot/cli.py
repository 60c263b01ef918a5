"""The `idea-coach` command."""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

from bot.config import ConfigError, Settings, load_settings

EXIT_CONFIG = 2


class _Parser(argparse.ArgumentParser):
    """A usage mistake is one line naming it, and exit 2, like every other operator mistake (argparse's own
    error prints the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"idea-coach: {message} (see {self.prog} --help)\n")


def _parser() -> _Parser:
    parser = _Parser(prog="idea-coach", description="Idea Coach: a PMO's idea pipeline in Slack.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bot (Socket Mode when SLACK_APP_TOKEN is set)")
    serve.add_argument("--http", action="store_true", help="serve HTTP (POST /slack/events, GET /healthz)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    serve.add_argument("--threads", type=int, default=8, help="HTTP worker threads (default 8)")
    serve.add_argument("--access-log", action="store_true", help="log every HTTP request (off by default)")

    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="TASK")
    db_commands.add_parser("upgrade", help="apply the Alembic migrations")

    commands.add_parser("check", help="validate the configuration and strategy.yml")

    commands.add_parser("scheduler", help="run only the scheduled jobs (nudge sweep, revisits, weekly digest)")
    sweep = commands.add_parser("sweep", help="run one nudge sweep now (or as if at --at) and report it")
    sweep.add_argument("--at", metavar="ISO-TIME", help="sweep as if it were this time (no zone: strategy's zone)")
    sweep.add_argument("--dry-run", action="store_true", help="print the nudges it would send; send nothing")

    sandbox = commands.add_parser("sandbox", help="try it without Slack: a local workspace in the browser")
    sandbox.add_argument("--port", type=int, default=3000, help="port on 127.0.0.1 (default 3000)")
    sandbox.add_argument("--demo", action="store_true", help="start with a realistic pipeline of ideas")
    sandbox.add_argument("--reset", action="store_true", help="forget the saved sandbox and start over")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        # Two commands on a fresh machine: the product runs, against Slack when credentials are set; options
        # given alone are that command's (`idea-coach --demo`).
        argv = ["serve" if os.environ.get("SLACK_BOT_TOKEN") else "sandbox", *argv]
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        return sandbox_command(args)
    try:
        settings = load_settings()
        from bot import logs

        logs.configure(settings.log_level, settings.log_format)
        if args.command == "check":
            return check(settings)
        if args.command == "db":
            return db_upgrade(settings)
        if args.command == "serve":
            return serve_command(settings, args)
        if args.command == "scheduler":
            return scheduler_command(settings)
        if args.command == "sweep":
            return sweep_command(settings, args)
    except ConfigError as error:
        print(f"idea-coach: {error}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def check(settings: Settings) -> int:
    settings.require("SLACK_BOT_TOKEN", "PMO_CHANNEL_ID", "PMO_STAFF_IDS")
    settings.check_token_kinds()
    if not settings.slack_app_token:
        settings.require("SLACK_SIGNING_SECRET")
    strategy = settings.strategy
    print(
        f"ok: {strategy.organisation} {strategy.year}, {len(strategy.goals)} goals, "
        f"{len(strategy.criteria)} criteria, {len(settings.pmo_staff_ids)} PMO staff"
    )
    return 0


def db_upgrade(settings: Settings) -> int:
    from bot.db import make_engine

    _migrate(make_engine(settings.database_url), settings)
    print("ok: database is at the latest schema")
    return 0


def _migrate(engine, settings: Settings) -> None:
    from bot.db import upgrade

    try:
        upgrade(engine)
    except Exception as error:
        raise ConfigError(f"DATABASE_URL: could not migrate {engine.url!r}: {str(error).splitlines()[0]}") from None


def _migrate_in_child() -> None:
    """`idea-coach db upgrade` in a short-lived child, so the long-running server never holds alembic's
    modules (with mako and pygments) in memory. Its one-line error becomes ours."""
    import subprocess

    done = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.startswith("idea-coach: ")]
        raise ConfigError(
            lines[-1].removeprefix("idea-coach: ") if lines else f"db upgrade failed: {done.stderr[-300:]}"
        )


def serve_command(settings: Settings, args: argparse.Namespace) -> int:
    settings.require("SLACK_BOT_TOKEN", "PMO_CHANNEL_ID", "PMO_STAFF_IDS")
    socket_mode = bool(settings.slack_app_token) and not args.http
    settings.check_token_kinds()
    if not socket_mode:
        settings.require("SLACK_SIGNING_SECRET")
    strategy = settings.strategy
    _migrate_in_child()
    if socket_mode:
        return _serve_socket_mode(settings, strategy)
    from bot.server import run_http
    from bot.slack import token_refused

    # Checked here, so a refused token is one line and exit 2; the app itself is built in the worker.
    if refusal := token_refused(settings.slack_bot_token, settings.slack_api_url):
        raise ConfigError(f"SLACK_BOT_TOKEN: Slack did not accept it: {refusal}")
    build = functools.partial(_served, settings, strategy)
    run_http(build, host=args.host, port=args.port, threads=args.threads, access_log=args.access_log)
    return 0


def _app(settings: Settings, strategy):
    from bot.app import create_app
    from bot.db import make_engine, make_session_factory

    try:
        return create_app(settings, strategy, session_factory=make_session_factory(make_engine(settings.database_url)))
    except Exception as error:  # Bolt verifies the token with auth.test on start
        raise ConfigError(f"SLACK_BOT_TOKEN: Slack did not accept it: {error}") from None


def _serve_socket_mode(settings: Settings, strategy) -> int:
    from bot import socket_mode as sockets
    from bot.executors import favour_acks, fewer_malloc_arenas, freeze_the_built, wind_down
    from bot.scheduler import build_runtime, start_background

    fewer_malloc_arenas()
    sockets.exit_on_sigterm()
    app = _app(settings, strategy)
    handler = sockets.connect(app, settings.slack_app_token)  # a refused app token ends here
    stop_jobs = start_background(build_runtime(settings, strategy))
    logging.getLogger(__name__).info("Idea Coach running in Socket Mode")
    favour_acks()
    freeze_the_built()
    sockets.serve_forever(handler, lambda: wind_down([stop_jobs], _pools(app), app.runtime.outbox.release_unsent))
    return 0


def _pools(app) -> list:
    """The pools a stopping server drains: Bolt's listeners and the post-ack work."""
    return [app.listener_runner.listener_executor, app.runtime.post_ack]


def _served(settings: Settings, strategy):
    """The HTTP app, built in gunicorn's worker after the fork, with the jobs it starts there."""
    from bot.app import wsgi_app
    from bot.scheduler import start_if_first
    from bot.server import Served

    app = _app(settings, strategy)
    return Served(
        wsgi_app(app),
        pools=_pools(app),
        start=lambda: start_if_first(settings, strategy),
        stopped=app.runtime.outbox.release_unsent,  # rows written leased and not yet sent: to the next worker
    )


def scheduler_command(settings: Settings) -> int:
    settings.require("SLACK_BOT_TOKEN", "PMO_CHANNEL_ID", "PMO_STAFF_IDS")
    strategy = settings.strategy
    from bot.db import make_engine
    from bot.scheduler import build_runtime, run_blocking

    _migrate(make_engine(settings.database_url), settings)
    run_blocking(build_runtime(settings, strategy))
    return 0


def sweep_command(settings: Settings, args: argparse.Namespace) -> int:
    settings.require("SLACK_BOT_TOKEN", "PMO_CHANNEL_ID", "PMO_STAFF_IDS")
    strategy = settings.strategy
    now = parse_at(args.at, strategy.calendar.time_zone) if args.at else None
    from bot.db import make_engine
    from bot.runtime import utc_now
    from bot.scheduler import build_runtime
    from bot.services.nudges import sweep

    _migrate(make_engine(settings.database_url), settings)
    report = sweep(build_runtime(settings, strategy), now or utc_now(), dry_run=args.dry_run)
    for item in report.items:
        print(item.describe())
    print(report.summary())
    return 0


def sandbox_command(args: argparse.Namespace) -> int:
    """A local Slack-like workspace with the real bot; needs no Slack credentials."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        from sandbox.run import serve_forever, start

        strategy_file = Path(os.environ.get("STRATEGY_FILE") or "strategy.yml")
        return serve_forever(start(port=args.port, demo=args.demo, reset=args.reset, strategy_file=strategy_file))
    except ConfigError as error:
        print(f"idea-coach: {error}", file=sys.stderr)
        return EXIT_CONFIG


def parse_at(value: str, time_zone: str):
    """An ISO 8601 time; without a zone it is read in the strategy's time zone."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"--at: {value!r} is not an ISO time (like 2027-03-02T10:00 or 2027-03-02T15:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment.astimezone(UTC)


if __name__ == "__main__":
    sys.exit(main())
