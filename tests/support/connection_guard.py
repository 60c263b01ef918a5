"""No Web API call while the calling thread holds a database connection.

A process has few connections and no overflow (bot.db.POOL_SIZE), and Slack can take seconds to answer; a
thread that waits on Slack holding one leaves requests waiting for it (and, in a transaction, holds its row
locks too). Every pooled connection's holder is tracked through the pool's events, every call slack_sdk
makes is checked against them, and a test fails when one was made by a thread holding a connection.
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path

from slack_sdk.web.base_client import BaseClient
from sqlalchemy import event
from sqlalchemy.pool import Pool

_ROOT = str(Path(__file__).resolve().parents[2])
_holders: dict[int, int] = {}  # id of a pooled connection's record -> the thread holding it
_lock = threading.Lock()
seen: list[str] = []
"""One line per offending call since the last `take()`: the method and where the product made it."""


def _checked_out(_dbapi_connection, record, _proxy) -> None:
    with _lock:
        _holders[id(record)] = threading.get_ident()


def _checked_in(_dbapi_connection, record) -> None:
    with _lock:
        _holders.pop(id(record), None)


def _where() -> str:
    """The innermost frames outside installed packages (the product's, and the test's)."""
    frames = [frame for frame in traceback.extract_stack()[:-2] if "/site-packages/" not in frame.filename]
    return " <- ".join(f"{_short(frame.filename)}:{frame.lineno} {frame.name}" for frame in reversed(frames[-4:]))


def _short(path: str) -> str:
    return path.split(f"{_ROOT}/", 1)[-1]


def install() -> None:
    """Track connections and check calls, for the rest of the process."""
    event.listen(Pool, "checkout", _checked_out)
    event.listen(Pool, "checkin", _checked_in)
    call = BaseClient.api_call

    def checked(client, api_method, *args, **kwargs):
        me = threading.get_ident()
        with _lock:
            if me in _holders.values():
                seen.append(f"{api_method} <- {_where()}")
        return call(client, api_method, *args, **kwargs)

    BaseClient.api_call = checked


def take() -> list[str]:
    """The offending calls since the last take, and forget them."""
    with _lock:
        found, seen[:] = list(seen), []
    return found


def held_while_slack_answers(fake, method: str, engine, work) -> int:
    """How many of `engine`'s connections are checked out while `fake` holds the first `method` call that
    `work()` (run on a thread of its own) makes; the call is then answered and `work` finishes."""

    def arrived() -> int:  # arrivals, unlike recorded calls, are never reset
        return sum(name == method for _, name, _ in list(fake.arrivals))

    before = arrived()
    gate = fake.hold(method)
    worker = threading.Thread(target=work)
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while arrived() <= before:
            assert time.monotonic() < deadline, f"{method} never reached Slack"
            time.sleep(0.01)
        return engine.pool.checkedout()
    finally:
        gate.set()
        worker.join(10)
