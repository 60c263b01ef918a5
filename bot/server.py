"""Gunicorn, run from inside `idea-coach serve --http`.

One worker process with threads. The master only supervises: the scheduler runs in the worker
(started after the fork by `post_worker_init`, behind a lock so one process per database and host
runs it), so the master never grows with a job's imports and is never forked grown.

On SIGTERM gunicorn stops accepting, finishes in-flight requests, then `worker_exit` stops the
scheduler and drains the listener and post-ack pools: queued post-ack work is dropped (it is
undelivered in the database, where the next start or another process picks it up) and running work
gets until the deadline. The master kills the worker GRACEFUL_SECONDS after the SIGTERM at the latest.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Sequence

from gunicorn.app.base import BaseApplication

from bot.executors import favour_acks

log = logging.getLogger(__name__)

GRACEFUL_SECONDS = 10
DRAIN_SECONDS = 3


class _Gunicorn(BaseApplication):
    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def run_http(
    application,
    *,
    host: str,
    port: int,
    threads: int,
    access_log: bool = False,
    in_worker: Callable[[], Callable[[], None] | None] | None = None,
    pools: Sequence = (),
) -> None:
    """Serve `application`. `in_worker` runs in the worker after the fork and returns how to stop what
    it started; `pools` (bot.executors.ContextExecutor) are drained when the worker stops."""
    stoppers: list[Callable[[], None]] = []

    def post_worker_init(_worker) -> None:
        if in_worker is not None and (stop := in_worker()) is not None:
            stoppers.append(stop)

    def worker_exit(_server, _worker) -> None:
        deadline = time.monotonic() + DRAIN_SECONDS
        for stop in stoppers:
            stop()
        for pool in pools:
            if busy := pool.drain(deadline):
                log.warning("stopping with %s task(s) still running; their messages stay queued", busy)

    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": GRACEFUL_SECONDS,
        "accesslog": "-" if access_log else None,
        "post_worker_init": post_worker_init,
        "worker_exit": worker_exit,
    }
    # Objects made so far (the app, its imports) are never freed; moving them out of the collector's
    # reach keeps the forked worker from copying the pages the collector would otherwise touch.
    gc.freeze()
    favour_acks()
    _Gunicorn(application, options).run()
