"""Starting the sandbox: the stand-in for Slack (page + Web API) and the real bot in HTTP mode beside it."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import uvicorn

from bot.config import ConfigError, Settings
from sandbox import dates, people
from sandbox.slack_side import SlackSide
from sandbox.web import Site, build
from sandbox.webapi import WebApi
from sandbox.workspace import Workspace

log = logging.getLogger(__name__)
DB_FILE = "idea-coach-sandbox.db"


class ThreadingWSGIServer(WSGIServer):
    """A WSGI server with a thread per request (the sandbox's bot front, and the test suite's)."""

    daemon_threads = True
    request_queue_size = 128  # a burst of requests at once, as gunicorn's backlog would take them

    def process_request(self, request, client_address):
        threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@dataclass
class Sandbox:
    url: str
    workspace: Workspace
    api: WebApi
    side: SlackSide
    app: object
    runtime: object
    _servers: list

    def stop(self) -> None:
        page_server, bot_server, scheduler = self._servers
        if scheduler is not None:
            scheduler()
        if self.app.runtime.home_refresher is not None:  # its timer would publish to a stand-in that is gone
            self.app.runtime.home_refresher.stop()
        bot_server.shutdown()
        bot_server.server_close()
        page_server.should_exit = True


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        problem = f"--port: cannot listen on {host}:{port} ({error.strerror}); pick another with --port N"
        raise ConfigError(problem) from None
    sock.listen(128)
    return sock


def bot_settings(api_url: str, db_path: Path, signing_secret: str, strategy_file: Path) -> Settings:
    return Settings(
        slack_bot_token=people.BOT_TOKEN,
        slack_signing_secret=signing_secret,
        slack_api_url=api_url,
        database_url=f"sqlite:///{db_path}",
        pmo_channel_id=people.PMO_CHANNEL,
        pmo_staff_ids=frozenset([*people.COACHES, people.LEAD_ID]),
        pmo_decider_ids=frozenset([people.LEAD_ID]),
        pmo_lead_id=people.LEAD_ID,
        strategy_file=strategy_file,
        log_level="WARNING",
    )


def _serve_page(site: Site, sock: socket.socket) -> uvicorn.Server:
    config = uvicorn.Config(build(site), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the sandbox's web server did not start")
        time.sleep(0.02)
    return server


def start(
    *,
    port: int = 3000,
    db_path: Path | None = None,
    strategy_file: Path = Path("strategy.yml"),
    reset: bool = False,
    demo: bool = False,
    scheduler: bool = True,
) -> Sandbox:
    """Start the workspace, its web page and the bot; returns when all answer."""
    from bot.app import create_app, wsgi_app
    from bot.cli import _migrate
    from bot.db import make_engine, make_session_factory

    db_path = (db_path or Path.cwd() / DB_FILE).resolve()
    if reset:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    sock = bind("127.0.0.1", port)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    workspace = Workspace(db_path)
    api = WebApi(workspace, url)
    side = SlackSide(api, "", url + "respond/")
    clock = workspace.now
    dates.clock = clock
    site = Site(side, lambda days: skip_ahead(sandbox, days))
    page_server = _serve_page(site, sock)

    settings = bot_settings(url + "api/", db_path, workspace.signing_secret, strategy_file)
    strategy = settings.strategy
    engine = make_engine(settings.database_url)
    _migrate(engine, settings)
    app = create_app(settings, strategy, session_factory=make_session_factory(engine))
    app.runtime.clock = clock  # the bot takes its time from the clock it is given: the workspace's
    bot_server = make_server("127.0.0.1", 0, wsgi_app(app), ThreadingWSGIServer, QuietHandler)
    # Polling every 50 ms (not the default 500 ms) lets stop() return at once; the test suite stops one per test.
    threading.Thread(target=bot_server.serve_forever, args=(0.05,), daemon=True).start()
    side.request_url = f"http://127.0.0.1:{bot_server.server_port}/slack/events"

    sandbox = Sandbox(url, workspace, api, side, app, app.runtime, [page_server, bot_server, None])
    if demo and not workspace.state["messages"]:
        from sandbox.demo import seed

        seed(sandbox)  # before the scheduler, whose sweeps must see the present, not the seeding's past
    if scheduler:
        sandbox._servers[2] = _start_scheduler(settings, strategy, clock)
    return sandbox


def _start_scheduler(settings: Settings, strategy, clock):
    """The bot's own jobs and outbox worker, as `serve` runs them, on the workspace clock; returns how to stop them."""
    from bot.scheduler import build_runtime, start_background

    runtime = build_runtime(settings, strategy)
    runtime.clock = clock
    return start_background(runtime)


def skip_ahead(sandbox: Sandbox, days: int) -> str | None:
    """Move the workspace clock `days` business days on (into working hours) and run the real sweep then."""
    from bot.scheduler import revisit_job, sweep_job
    from models.business_time import add_business_days, is_working_time, next_working_time

    if not 1 <= days <= 60:
        return "Skip ahead by 1 to 60 business days."
    calendar = sandbox.runtime.strategy.calendar.work_calendar
    target: datetime = add_business_days(sandbox.workspace.now(), days, calendar)
    if not is_working_time(target, calendar):
        target = next_working_time(target, calendar)
    sandbox.workspace.move_clock_to(target)
    sweep_job(sandbox.runtime)
    revisit_job(sandbox.runtime)
    sandbox.workspace.changed()
    return None


def serve_forever(sandbox: Sandbox) -> int:
    print(f"Idea Coach sandbox: open {sandbox.url} (Ctrl+C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sandbox.stop()
    return 0
