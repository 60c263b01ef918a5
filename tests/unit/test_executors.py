"""The pools behind acks: post-ack work runs off the caller's thread with its log context; drain stops cleanly."""

from __future__ import annotations

import logging
import threading
import time

from bot import logs
from bot.executors import ContextExecutor, post_ack_pool
from bot.runtime import Runtime


def runtime_with(pool) -> Runtime:
    return Runtime(settings=None, strategy=None, session_factory=None, gateway=None, post_ack=pool)  # type: ignore[arg-type]


def test_after_ack_runs_in_the_post_ack_pool_with_the_callers_request_id():
    pool = post_ack_pool()
    seen = {}

    def work(value: int) -> None:
        seen.update(value=value, thread=threading.current_thread().name, request=logs.request_id.get())

    token = logs.request_id.set("req-123")
    try:
        runtime_with(pool).after_ack(work, 7).result(timeout=5)
    finally:
        logs.request_id.reset(token)
        pool.shutdown()
    assert (seen["value"], seen["request"]) == (7, "req-123")
    assert seen["thread"].startswith("post-ack")


def test_after_ack_without_a_pool_runs_at_once_and_a_failure_is_logged_not_raised(caplog):
    def broken() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        assert runtime_with(None).after_ack(broken) is None
    assert "work after the ack failed" in caplog.text and "boom" in caplog.text


def test_drain_drops_queued_work_and_waits_for_running_work_until_the_deadline():
    pool = ContextExecutor(max_workers=1)
    release = threading.Event()
    running = pool.submit(release.wait, 5)
    queued = pool.submit(lambda: "never")
    threading.Timer(0.2, release.set).start()

    busy = pool.drain(time.monotonic() + 3)

    assert busy == 0
    assert running.result(timeout=1) is True
    assert queued.cancelled()
