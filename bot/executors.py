"""The thread pools behind acks and the work that follows them.

Two pools, so a slow Slack never holds up an ack:

- listeners: Bolt's listener executor. A listener parses, checks, commits, acks, and may then make the
  one Web API call its trigger needs at once (views.open/views.push, whose trigger_id lives 3 s). It is
  large because its threads mostly wait on the network; threads are made only as they are needed.
- post-ack: bounded, for work that belongs to no change and may wait (the error handler's apology). Work
  queues here when Slack is slow instead of occupying the threads that ack. `Runtime.after_ack(fn)` submits
  to it. A change's own messages are delivered by its listener after the ack (Outbox.kick), or by the worker.

Both copy the submitter's context variables, so logs keep the request id and the idea reference.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import gc
import logging
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

LISTENER_THREADS = 64
POST_ACK_THREADS = 16
# Socket Mode's handler threads each hold an envelope only until Bolt's dispatch returns, which is at
# the ack (the listener goes on in the listener pool), so a few suffice; a burst queues only briefly.
SOCKET_MODE_CONCURRENCY = 16


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's contextvars."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)

    def drain(self, deadline: float) -> int:
        """Stop taking work, drop what has not started, and wait for running tasks until `deadline`
        (time.monotonic()). Returns how many threads were still busy at the deadline."""
        self.shutdown(wait=False, cancel_futures=True)
        busy = [thread for thread in list(self._threads) if thread.is_alive()]
        for thread in busy:
            thread.join(timeout=max(deadline - time.monotonic(), 0))
        return sum(1 for thread in busy if thread.is_alive())


def favour_acks() -> None:
    """Let a thread that only needs a moment (an ack) take the GIL sooner from threads encoding Web API
    calls: Python hands it over every 5 ms by default; 1 ms cut the ack p99 under a burst in the ack
    benchmark, for a little throughput. Process-wide; called where a server process starts."""
    sys.setswitchinterval(0.001)


def freeze_the_built() -> None:
    """Everything a server process has built by the time it serves (modules, the app, SQLAlchemy's mappers,
    the strategy) lives as long as the process: leave it out of every garbage collection from now on. Each
    full collection walked it all, holding the GIL: pauses of 80-90 ms in the first seconds of a burst in the
    ack benchmark, which alone put Idea Coach's ack p99 at 1.7-1.8 times the bare app's. Called once the
    process is ready to serve; garbage made later is collected as before."""
    gc.collect()
    gc.freeze()


M_ARENA_MAX = -8  # glibc's mallopt parameter number


def fewer_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives threads that allocate at once arenas of their own, up to eight per core, and keeps
    their memory; the listener threads mostly wait on the network and do not need them. Two arenas
    saved about 4 MiB of the worker's memory in the ack benchmark. Process-wide, inherited by a fork;
    where the C library is not glibc this does nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas)


DRAIN_SECONDS = 3


def wind_down(stops: Sequence[Callable[[], object]], pools: Sequence[ContextExecutor], last: Callable[[], object]):
    """How a server process stops, in HTTP and Socket Mode alike: stop the jobs, give listener and post-ack
    work already running until DRAIN_SECONDS to finish (queued work is dropped: it is in the database),
    then `last` (hand back unsent outbox rows)."""
    deadline = time.monotonic() + DRAIN_SECONDS
    for stop in stops:
        stop()
    for pool in pools:
        if busy := pool.drain(deadline):
            log.warning("stopping with %s task(s) still running; their messages stay queued", busy)
    last()


def listener_pool(threads: int = LISTENER_THREADS) -> ContextExecutor:
    return ContextExecutor(max_workers=threads, thread_name_prefix="listener")


def post_ack_pool(threads: int = POST_ACK_THREADS) -> ContextExecutor:
    return ContextExecutor(max_workers=threads, thread_name_prefix="post-ack")


def run_logged(fn, *args, **kwargs) -> None:
    """Run post-ack work; its failure is logged (nobody waits on its future)."""
    try:
        fn(*args, **kwargs)
    except Exception:
        log.exception("work after the ack failed (%s)", getattr(fn, "__qualname__", fn))
