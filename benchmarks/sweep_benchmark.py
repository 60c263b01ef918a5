"""How long one nudge sweep takes over 1,000 to 100,000 ideas with about 1% due, on SQLite and PostgreSQL.

    uv run python -m benchmarks.sweep_benchmark [--sizes 1000,10000,100000] [--database sqlite|postgresql|both]

Each size gets a fresh database migrated to the latest schema (a throwaway SQLite file; a throwaway
PostgreSQL schema `bench_<pid>`, dropped at the end), filled with a bulk insert: 1% of the ideas stalled
(spread over the four clocks: no coach, quiet coaching, awaiting decision, revisit date reached), the
rest spread over every stage with recent activity or closed. Then it times, on a fixed clock:

- dry run: one `sweep(..., dry_run=True)` (median of --repeat runs): finds and explains every due nudge;
- sending: one real sweep against an in-memory Slack gateway: claims, records and "sends" each nudge;
- next tick: the sweep five minutes later, when everything due has been sent.

A control run repeats the largest size with only as many due ideas as the smallest size has: its
times should match the smallest size's, not the largest's, if the cost follows the due ideas.

Pacing between posts in one channel (one a second, as Slack asks) is switched off: it is wall-clock
waiting, not work. Set TEST_POSTGRES_URL (or --postgres-url) to use another server.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

from benchmarks.schemas import fresh_schemas
from bot.config import Settings, load_strategy
from bot.db import make_engine, make_session_factory, upgrade
from bot.runtime import Runtime
from bot.services import nudges
from bot.slack import Posted
from models import CoachingThread, Idea, Stage

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2027, 3, 9, 16, 0, tzinfo=UTC)  # Tuesday 11:00 in New York
STAFF = frozenset({"UCOACH0001", "UCOACH0002", "UCOACH0003"})
SUBMITTER = "USUBMIT001"
DUE_EVERY = 100  # 1% of ideas are due


class MemoryGateway:
    """Slack that answers at once and keeps nothing but a count."""

    def __init__(self) -> None:
        self.posts = 0
        self._ids = 0

    def post_message(self, channel: str, text: str, blocks=None, thread_ts=None, metadata=None) -> Posted:
        self.posts += 1
        return Posted(channel, f"{1_700_000_000 + self.posts}.000100")

    def open_conversation(self, user_ids: list[str]) -> str:
        self._ids += 1
        return f"G{self._ids:08d}"

    def user_info(self, user_id: str) -> dict[str, Any]:
        return {"id": user_id, "tz": "America/New_York"}

    def update_message(self, *args, **kwargs) -> None:
        pass

    def permalink(self, channel: str, ts: str) -> str:
        return f"https://example.invalid/{channel}/{ts}"


def _idea(index: int, due_every: int = DUE_EVERY) -> tuple[dict[str, Any], bool]:
    """The row for idea number `index`, and whether it needs a coaching thread."""
    hour = timedelta(hours=1)
    row: dict[str, Any] = {
        "title": f"Idea {index}",
        "problem": "Members wait too long for loan documents.",
        "proposal": "Text them the moment a document is missing.",
        "beneficiaries": ["members"],
        "success_signal": "Median wait under a day.",
        "help_offer": "yes",
        "goal_unsure": False,
        "submitter_id": SUBMITTER,
        "coach_id": None,
        "last_reply_at": None,
        "last_reply_by": None,
        "revisit_on": None,
        "created_at": NOW - timedelta(days=60),
        "updated_at": NOW - hour,
    }
    thread = False
    if index % due_every == 0:  # stalled
        stale = NOW - timedelta(days=10)
        kind = (index // due_every) % 4
        if kind == 0:
            row |= {"stage": Stage.SUBMITTED, "stage_entered_at": stale}
        elif kind == 1:
            row |= {"stage": Stage.IN_COACHING, "stage_entered_at": stale, "coach_id": "UCOACH0001",
                    "last_reply_at": stale, "last_reply_by": SUBMITTER}  # fmt: skip
            thread = True
        elif kind == 2:
            row |= {"stage": Stage.READY_FOR_DECISION, "stage_entered_at": stale, "coach_id": "UCOACH0002"}
        else:
            row |= {"stage": Stage.NOT_NOW, "stage_entered_at": NOW - timedelta(days=90), "coach_id": "UCOACH0003",
                    "revisit_on": (NOW - timedelta(days=1)).date()}  # fmt: skip
    else:
        bucket = index % 10
        if bucket < 4:  # decided or withdrawn long ago
            stage = (Stage.DECIDED_GO, Stage.DECIDED_NO_GO, Stage.WITHDRAWN, Stage.DECIDED_GO)[bucket]
            row |= {"stage": stage, "stage_entered_at": NOW - timedelta(days=200), "coach_id": "UCOACH0001"}
        elif bucket < 6:  # coaching, lively
            row |= {"stage": Stage.IN_COACHING, "stage_entered_at": NOW - timedelta(days=20), "coach_id": "UCOACH0002",
                    "last_reply_at": NOW - hour, "last_reply_by": SUBMITTER}  # fmt: skip
        elif bucket == 6:  # just submitted
            row |= {"stage": Stage.SUBMITTED, "stage_entered_at": NOW - hour}
        elif bucket == 7:  # just marked ready
            row |= {"stage": Stage.READY_FOR_DECISION, "stage_entered_at": NOW - timedelta(days=1),
                    "coach_id": "UCOACH0003"}  # fmt: skip
        else:  # not now, to be revisited later (or never)
            revisit = (NOW + timedelta(days=30)).date() if bucket == 8 else None
            row |= {"stage": Stage.NOT_NOW, "stage_entered_at": NOW - timedelta(days=40), "coach_id": "UCOACH0001",
                    "revisit_on": revisit}  # fmt: skip
    # What models.nudge keeps current on every ORM write; a bulk insert must set it itself.
    row["clock_started_at"] = max(moment for moment in (row["stage_entered_at"], row["last_reply_at"]) if moment)
    return row, thread


def fill(engine: Engine, size: int, due_every: int = DUE_EVERY) -> int:
    """Bulk-insert `size` ideas (and threads for the quiet ones); returns how many are due."""
    rows, threaded = [], []
    for index in range(size):
        row, thread = _idea(index, due_every)
        rows.append(row)
        if thread:
            threaded.append(index + 1)  # ids start at 1 in a fresh database
    with engine.begin() as connection:
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(Idea), rows[start : start + 10_000])
        if threaded:
            connection.execute(
                insert(CoachingThread),
                [
                    {"idea_id": idea_id, "channel_id": f"G{idea_id:08d}", "thread_ts": f"{idea_id}.000100",
                     "coach_id": "UCOACH0001", "permalink": None, "opened_at": NOW - timedelta(days=10)}
                    for idea_id in threaded
                ],
            )  # fmt: skip
        connection.execute(text("ANALYZE"))
    return sum(1 for index in range(size) if index % due_every == 0)


@dataclass
class Result:
    database: str
    ideas: int
    due: int
    dry_run: float
    sending: float
    sent: int
    next_tick: float


def runtime_on(engine: Engine, gateway: MemoryGateway) -> Runtime:
    settings = Settings(
        slack_bot_token="xoxb-benchmark",
        pmo_channel_id="CPMO00001",
        pmo_staff_ids=STAFF,
        pmo_decider_ids=frozenset({"UCOACH0001", "UCOACH0002"}),
        pmo_lead_id="ULEAD00001",
        strategy_file=ROOT / "strategy.yml",
    )
    return Runtime(settings, load_strategy(ROOT / "strategy.yml"), make_session_factory(engine), gateway)  # type: ignore[arg-type]


def measure(database: str, engine: Engine, size: int, repeat: int, due_every: int = DUE_EVERY) -> Result:
    upgrade(engine)
    due = fill(engine, size, due_every)
    gateway = MemoryGateway()
    runtime = runtime_on(engine, gateway)
    quiet = {"pause": lambda _seconds: None}

    nudges.sweep(runtime, NOW, dry_run=True, **quiet)  # warm the caches (time zones, query plans)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = nudges.sweep(runtime, NOW, dry_run=True, **quiet)
        timings.append(time.perf_counter() - started)
    planned = len(report.planned)
    if planned != due:
        raise SystemExit(f"{database} {size}: expected {due} due nudges, the dry run found {planned}")

    started = time.perf_counter()
    sent = len(nudges.sweep(runtime, NOW, **quiet).sent)
    sending = time.perf_counter() - started

    started = time.perf_counter()
    again = nudges.sweep(runtime, NOW + timedelta(minutes=5), **quiet)
    next_tick = time.perf_counter() - started
    if again.sent:
        raise SystemExit(f"{database} {size}: the next tick sent {len(again.sent)} nudges again")
    return Result(database, size, due, statistics.median(timings), sending, sent, next_tick)


def sqlite_runs(runs: list[tuple[int, int]], repeat: int) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as folder:
        for number, (size, due_every) in enumerate(runs):
            engine = make_engine(f"sqlite:///{Path(folder) / f'bench-{number}.db'}")
            try:
                results.append(measure("sqlite", engine, size, repeat, due_every))
            finally:
                engine.dispose()
    return results


def postgres_runs(runs: list[tuple[int, int]], repeat: int, url: str) -> list[Result]:
    results = []
    with fresh_schemas(url, f"bench_{os.getpid()}") as fresh:
        for size, due_every in runs:
            engine = fresh()
            try:
                results.append(measure("postgresql", engine, size, repeat, due_every))
            finally:
                engine.dispose()
    return results


def table(results: list[Result]) -> str:
    lines = [
        "| database   |   ideas |  due | dry-run sweep | sending sweep (sent) | next tick |",
        "|------------|--------:|-----:|--------------:|---------------------:|----------:|",
    ]
    for r in results:
        lines.append(
            f"| {r.database:<10} | {r.ideas:>7,} | {r.due:>4} | {r.dry_run * 1000:>10.0f} ms | "
            f"{r.sending * 1000:>9.0f} ms ({r.sent:>4}) | {r.next_tick * 1000:>6.0f} ms |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep_benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated idea counts")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    parser.add_argument("--repeat", type=int, default=3, help="dry runs to take the median of (default 3)")
    parser.add_argument(
        "--no-control", action="store_true", help="skip the control run: the largest size with the smallest's due count"
    )
    args = parser.parse_args(argv)
    sizes = sorted(int(part.replace("_", "")) for part in args.sizes.split(",") if part.strip())
    runs = [(size, DUE_EVERY) for size in sizes]
    if not args.no_control and len(sizes) > 1:  # same due count as the smallest size, many more ideas
        runs.append((sizes[-1], DUE_EVERY * sizes[-1] // sizes[0]))

    results: list[Result] = []
    if args.database in ("sqlite", "both"):
        results += sqlite_runs(runs, args.repeat)
    if args.database in ("postgresql", "both"):
        results += postgres_runs(runs, args.repeat, args.postgres_url)
    print(f"One nudge sweep, ~1% of ideas due, at {NOW:%Y-%m-%d %H:%M} UTC ({os.cpu_count()} CPUs)")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
