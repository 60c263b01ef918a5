"""Gunicorn, run from inside `idea-coach serve --http`.

One worker process with threads. The master stays lean: it only supervises, and never imports the
app. The worker builds the app after the fork (`load`) and runs the scheduler (started by
`post_worker_init`, behind a lock so one process per database and host runs it). A master that built
the app first would be forked grown, and every page the worker then touched would be held twice.

On SIGTERM gunicorn stops accepting, finishes in-flight requests, then `worker_exit` stops the
scheduler and drains the listener and post-ack pools: queued post-ack work is dropped (it is
undelivered in the database, where the next start or another process picks it up) and running work
gets until the deadline; then outbox rows the worker wrote leased and never began to send are handed
back for another instance to take at once. The master kills the worker GRACEFUL_SECONDS after the SIGTERM
at the latest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from bot.executors import favour_acks, fewer_malloc_arenas, freeze_the_built, wind_down

log = logging.getLogger(__name__)

GRACEFUL_SECONDS = 10


@dataclass
class Served:
    """What the worker builds after the fork: the WSGI app, the pools to drain when it stops, the
    background work to start (returning how to stop it, or None when another process runs it), and what
    to do last."""

    wsgi: Callable
    pools: Sequence = ()
    start: Callable[[], Callable[[], None] | None] | None = None
    stopped: Callable[[], object] = lambda: None  # after the pools have drained


class _ThroughOurLogging(Logger):
    """gunicorn's own lines (start, signals, worker exits, and the access log when asked for) go to the root
    logger that `bot.logs.configure` set up, so they share its format: with LOG_FORMAT=json, every line on
    stderr is one JSON object, gunicorn's included."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for own in (self.error_log, self.access_log):
            for handler in list(own.handlers):
                own.removeHandler(handler)
            own.propagate = True


class _Gunicorn(BaseApplication):
    def __init__(self, build: Callable[[], Served], options: dict):
        self.build = build
        self.options = options
        self.served: Served | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        self.served = self.build()  # in the worker: gunicorn loads the app after the fork unless preloading
        return self.served.wsgi


def run_http(build: Callable[[], Served], *, host: str, port: int, threads: int, access_log: bool = False) -> None:
    """Serve what `build` makes, calling it in the worker after the fork."""
    stoppers: list[Callable[[], None]] = []

    def post_worker_init(_worker) -> None:
        served = server.served
        if served is not None and served.start is not None and (stop := served.start()) is not None:
            stoppers.append(stop)
        freeze_the_built()

    def worker_exit(_server, _worker) -> None:
        served = server.served
        if served is not None:
            wind_down(stoppers, served.pools, served.stopped)

    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": GRACEFUL_SECONDS,
        "accesslog": "-" if access_log else None,
        "logger_class": _ThroughOurLogging,
        # gunicorn's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): a second instance on the
        # host would take it over and the first to stop would delete it. Nothing here uses it.
        "control_socket_disable": True,
        "post_worker_init": post_worker_init,
        "worker_exit": worker_exit,
    }
    favour_acks()
    fewer_malloc_arenas()
    server = _Gunicorn(build, options)
    server.run()
