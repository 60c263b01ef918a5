"""Delivery through the outbox: messages per second with one and two workers, and commit-to-delivery latency.

    uv run python -m benchmarks.delivery_benchmark [--messages 2000] [--database sqlite|postgresql|both]

Slack is the fake Web API of the tests (tests/support/fake_slack.py), answering at once over HTTP from a
process of its own, so every message costs a real chat.postMessage round trip, a claim and a mark.

- throughput: --messages rows are committed to the outbox (in conversations of 10 messages, so the
  per-conversation order is enforced), then 1 or 2 worker processes (each its own engine and lease
  owner, as two instances would be) drain it; messages/s = rows / time until the last is marked sent.
  The run fails if any message was posted twice or not at all.
- latency: --latency-samples messages, each committed in its own transaction and delivered on the same
  thread right after the commit (`outbox.kick`), as a request does; from commit to the row marked sent.

Throwaway databases: a SQLite file in a temporary folder; a PostgreSQL schema `bench_outbox_<pid>`
(TEST_POSTGRES_URL or --postgres-url), dropped at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

from bot.db import make_engine, make_session_factory, transaction, upgrade
from bot.delivery import Post
from bot.outbox import EVENT_TYPE, Outbox
from bot.slack import SlackGateway, make_web_client
from models import OutboxMessage, OutboxStatus

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PMO = "CPMO00001"
PER_CONVERSATION = 10
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "A benchmark message about an idea."}}]


def _serve_fake(ready, stop) -> None:
    from tests.support.fake_slack import FakeSlack

    fake = FakeSlack().start()
    ready.send(fake.url)
    stop.recv()
    counts = Counter(
        m["metadata"]["event_payload"]["outbox_id"]
        for m in fake.posted
        if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE
    )
    ready.send(dict(counts))
    fake.stop()


class FakeProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._here, there = context.Pipe()
        self._stop_here, stop_there = context.Pipe()
        self.process = context.Process(target=_serve_fake, args=(there, stop_there), daemon=True)
        self.process.start()
        self.url = self._here.recv()

    def posted_counts(self) -> dict[int, int]:
        self._stop_here.send(True)
        counts = self._here.recv()
        self.process.join(5)
        return counts


@dataclass(frozen=True)
class Database:
    name: str
    url: str
    schema: str | None = None

    def engine(self):
        if self.schema:
            return create_engine(self.url, connect_args={"options": f"-csearch_path={self.schema}"}, pool_size=5)
        return make_engine(self.url)


def _outbox(engine, fake_url: str) -> Outbox:
    gateway = SlackGateway(make_web_client("xoxb-benchmark", fake_url))
    return Outbox(gateway, make_session_factory(engine), lambda: datetime.now(UTC), PMO)


def _fill(engine, count: int) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "kind": "post",
            "channel_id": PMO,
            "order_key": f"bench-{index // PER_CONVERSATION}:{PMO}",
            "text": f"Benchmark message {index}",
            "blocks": BLOCKS,
            "tells_pmo_on_failure": False,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "in_doubt": False,
            "next_attempt_at": now,
            "created_at": now,
        }
        for index in range(count)
    ]
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox"))
        connection.execute(insert(OutboxMessage), rows)


def _drain(database: Database, fake_url: str, start) -> None:
    engine = database.engine()
    outbox = _outbox(engine, fake_url)
    start.wait()
    while outbox.run_once(limit=200):
        pass
    engine.dispose()


def throughput(database: Database, workers: int, count: int) -> float:
    fake = FakeProcess()
    engine = database.engine()
    _fill(engine, count)
    context = multiprocessing.get_context("fork")
    start = context.Event()
    processes = [context.Process(target=_drain, args=(database, fake.url, start)) for _ in range(workers)]
    for process in processes:
        process.start()
    time.sleep(0.5)  # let every worker connect before the clock starts
    began = time.perf_counter()
    start.set()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    with engine.connect() as connection:
        sent = connection.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENT))
        ids = set(connection.scalars(select(OutboxMessage.id)))
    engine.dispose()
    counts = fake.posted_counts()
    if sent != count or set(counts) != ids or any(n != 1 for n in counts.values()):
        raise SystemExit(f"{database.name}, {workers} worker(s): {sent} of {count} sent; posted counts wrong")
    return count / elapsed


def latency(database: Database, samples: int) -> tuple[float, float]:
    fake = FakeProcess()
    engine = database.engine()
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox"))
    outbox = _outbox(engine, fake.url)
    timings = []
    for index in range(samples + 20):
        with transaction(outbox.session_factory) as session:
            ids = outbox.add(session, [Post(PMO, f"Latency {index}", BLOCKS)])
        committed = time.perf_counter()
        outbox.kick(ids)
        if index >= 20:  # the first ones warm connections and caches
            timings.append(time.perf_counter() - committed)
    engine.dispose()
    fake.posted_counts()
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


@dataclass(frozen=True)
class Row:
    database: str
    one: float
    two: float
    p50: float
    p99: float


def measure(database: Database, count: int, samples: int) -> Row:
    engine = database.engine()
    upgrade(engine)
    engine.dispose()
    one = throughput(database, 1, count)
    two = throughput(database, 2, count)
    p50, p99 = latency(database, samples)
    return Row(database.name, one, two, p50, p99)


def table(rows: list[Row]) -> str:
    lines = [
        "| database   | 1 worker (msg/s) | 2 workers (msg/s) | commit→delivered p50 | p99 |",
        "|------------|-----------------:|------------------:|---------------------:|----:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.database:<10} | {r.one:>16.0f} | {r.two:>17.0f} | {r.p50 * 1000:>17.1f} ms | {r.p99 * 1000:.1f} ms |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.delivery_benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="rows drained per throughput run")
    parser.add_argument("--latency-samples", type=int, default=300)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    args = parser.parse_args(argv)
    rows = []
    if args.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="outbox-bench-") as folder:
            rows.append(
                measure(
                    Database("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}"), args.messages, args.latency_samples
                )
            )
    if args.database in ("postgresql", "both"):
        schema = f"bench_outbox_{os.getpid()}"
        admin = create_engine(args.postgres_url)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            rows.append(measure(Database("postgresql", args.postgres_url, schema), args.messages, args.latency_samples))
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()
    print(f"Outbox delivery to the local fake Web API, {args.messages} messages per run ({os.cpu_count()} CPUs)")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
