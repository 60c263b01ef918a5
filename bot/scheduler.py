"""APScheduler wiring only: which job runs when. The job bodies are services that take (runtime, now).

Each process keeps its own schedule in memory (APScheduler 3.x must not share a job store between
processes); exactly-once delivery comes from the database claims in the services, so any number of
`serve` or `scheduler` processes may run these jobs against one database.

- nudge sweep: every 5 minutes (and at start-up): all stage clocks, retries, and a digest that is due
  but not yet posted (so a digest missed while the app was down goes out once it is back);
- revisit check: every business day at the start of working hours, organisation's time zone;
- weekly digest: on the configured day and time;
- the outbox worker (not APScheduler: a thread polling every second): messages that could not be
  delivered right after their commit.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import metrics
from bot.config import Settings, Strategy
from bot.db import make_engine, make_session_factory
from bot.outbox import OutboxWorker
from bot.outbox import store as outbox_store
from bot.runtime import Runtime, utc_now
from bot.services import coaching, decisions, digest, home_refresh, nudges
from bot.slack import SlackGateway, make_web_client
from models.nudging import NudgeKind

log = logging.getLogger(__name__)

SWEEP_MINUTES = 5
FIRST_SWEEP_DELAY = timedelta(seconds=15)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def build_runtime(settings: Settings, strategy: Strategy) -> Runtime:
    """A runtime of the scheduler's own: its own engine and Slack client, shared with no request handling."""
    engine = make_engine(settings.database_url)
    client = make_web_client(settings.slack_bot_token, settings.slack_api_url)
    return Runtime(settings, strategy, make_session_factory(engine), SlackGateway(client))


def _guarded(name: str, job: Callable[[], object]) -> None:
    try:
        job()
    except Exception:
        log.exception("scheduled %s failed; the next run will try again", name)


def _count_nudges(report) -> None:
    metrics.NUDGES_SENT.inc(len(report.sent))
    metrics.NUDGES_FAILED.inc(len(report.failed))


def sweep_job(runtime: Runtime) -> None:
    started = time.perf_counter()
    now = runtime.clock()
    _guarded("nudge sweep", lambda: _count_nudges(nudges.sweep(runtime, now)))
    _guarded("digest catch-up", lambda: digest.digest_if_due(runtime, now))
    _guarded("forgetting old event ids", lambda: coaching.forget_old_events(runtime, now))
    _guarded("forgetting delivered messages", lambda: outbox_store.forget_delivered(runtime.session_factory, now))
    _guarded("forgetting old decision previews", lambda: decisions.forget_old_drafts(runtime, now))
    _guarded("App Home refresh catch-up", lambda: home_refresh.refresh_homes(runtime))
    metrics.SWEEP_SECONDS.observe(time.perf_counter() - started)


def revisit_job(runtime: Runtime) -> None:
    now = runtime.clock()
    _guarded("revisit check", lambda: _count_nudges(nudges.sweep(runtime, now, kinds=[NudgeKind.REVISIT])))


def digest_job(runtime: Runtime) -> None:
    now = runtime.clock()
    _guarded("weekly digest", lambda: digest.digest_if_due(runtime, now))


def configure(scheduler: BaseScheduler, runtime: Runtime, *, first_sweep: datetime | None = None) -> BaseScheduler:
    calendar = runtime.strategy.calendar
    zone = calendar.work_calendar.zone
    scheduler.add_job(
        sweep_job,
        IntervalTrigger(minutes=SWEEP_MINUTES),
        args=[runtime],
        id="nudge-sweep",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=SWEEP_MINUTES * 60,
        next_run_time=first_sweep,
        replace_existing=True,
    )
    scheduler.add_job(
        revisit_job,
        CronTrigger(
            day_of_week="mon-fri", hour=calendar.work_start.hour, minute=calendar.work_start.minute, timezone=zone
        ),
        args=[runtime],
        id="revisit-check",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
        replace_existing=True,
    )
    scheduler.add_job(
        digest_job,
        CronTrigger(
            day_of_week=DAY_NAMES[calendar.digest_weekday],
            hour=calendar.digest_time.hour,
            minute=calendar.digest_time.minute,
            timezone=zone,
        ),
        args=[runtime],
        id="weekly-digest",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
        replace_existing=True,
    )
    return scheduler


def start_background(runtime: Runtime) -> Callable[[], None]:
    """Start the jobs and the outbox worker in daemon threads of this process (for `idea-coach serve`).
    Returns how to stop both: the worker finishes its current attempt and leaves the rest in the table."""
    scheduler = configure(BackgroundScheduler(timezone="UTC"), runtime, first_sweep=utc_now() + FIRST_SWEEP_DELAY)
    worker = OutboxWorker(runtime.outbox).start()
    scheduler.start()
    log.info("scheduler started: nudge sweep every %s minutes, revisit check, weekly digest", SWEEP_MINUTES)

    def stop() -> None:
        scheduler.shutdown(wait=False)  # a job already running is left to finish or be killed
        worker.stop(timeout=5)

    return stop


def start_if_first(settings: Settings, strategy: Strategy) -> Callable[[], None] | None:
    """Start the jobs here unless another process of this host already runs them for this database
    (gunicorn workers each call this after the fork). Returns how to stop them, or None.

    The lock only saves duplicate work: the jobs' database claims keep them exactly-once anyway."""
    digest_of_url = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
    lock = open(os.path.join(tempfile.gettempdir(), f"idea-coach-scheduler-{digest_of_url}.lock"), "w")  # noqa: SIM115
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        log.info("another process runs the scheduler for this database; not starting it here")
        return None
    stop_jobs = start_background(build_runtime(settings, strategy))

    def stop() -> None:
        stop_jobs()
        lock.close()

    return stop


def run_blocking(runtime: Runtime) -> None:
    """Run only the jobs, in the foreground, until interrupted (for `idea-coach scheduler`)."""
    scheduler = configure(BlockingScheduler(timezone="UTC"), runtime, first_sweep=utc_now())
    worker = OutboxWorker(runtime.outbox).start()
    log.info("Idea Coach scheduler running: nudge sweep every %s minutes, revisit check, weekly digest", SWEEP_MINUTES)
    # SIGTERM (a deployment stopping us) ends the loop; a job already running finishes first.
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    worker.stop()
