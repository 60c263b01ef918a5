"""How long the similar-idea search takes inside a submission's transaction, over 1,000 to 50,000 ideas,
on SQLite and PostgreSQL, next to the same search ranking every idea that shares a word.

    uv run python -m benchmarks.similar_benchmark [--sizes 1000,10000,50000] [--database sqlite|postgresql|both]

Each size gets a fresh database migrated to the latest schema (a throwaway SQLite file; a throwaway
PostgreSQL schema, dropped at the end), filled in bulk by the tests' seeded pipeline, whose ideas all
speak of members waiting at a branch counter. Two new ideas are then searched for, flushed in an open
transaction as a submission does: one in the same words as the pipeline ("common words": every idea
matches) and one that shares only "members" with it ("rare words"). Printed: the median of --repeat
searches, as the product runs them (the newest `WINDOW` ideas sharing a word ranked) and with the window
wider than the pipeline (every match ranked, as before the window), which is the baseline. The goal: the
product's figures stay flat as the pipeline grows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, datetime

from sqlalchemy import Engine, text

from benchmarks.schemas import fresh_database
from bot.db import make_session_factory, upgrade
from bot.services import similar
from tests.support.pipeline import flushed_idea, seed

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2027, 3, 9, 16, 0, tzinfo=UTC)
PROBES = {
    "common words": ("Members wait too long at the branch counter", "Queues at the counter grow at lunch."),
    "rare words": ("Mortgage escrow statements", "Members find the yearly escrow statement confusing."),
}


def search_ms(engine: Engine, title: str, problem: str, window: int, repeat: int) -> float:
    """Median wall time of similar_to for a new idea flushed (never committed) in an open transaction."""
    session_factory = make_session_factory(engine)
    with session_factory() as session, session.begin():
        idea = flushed_idea(session, title, problem, NOW)
        saved, similar.WINDOW = similar.WINDOW, window
        try:
            similar.similar_to(session, idea)  # warm: statement compilation, the first plan
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                similar.similar_to(session, idea)
                timings.append(time.perf_counter() - started)
        finally:
            similar.WINDOW = saved
        session.rollback()
    return 1000 * statistics.median(timings)


def measure(database: str, engine: Engine, sizes: list[int], repeat: int) -> list[str]:
    upgrade(engine)
    rows, seeded = [], 0
    for size in sizes:
        seed(make_session_factory(engine), size - seeded, now=NOW)
        seeded = size
        if database == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("ANALYZE ideas"))  # as autovacuum would have by now
        cells = []
        for title, problem in PROBES.values():
            cells.append(search_ms(engine, title, problem, similar.WINDOW, repeat))
            cells.append(search_ms(engine, title, problem, size + 10, repeat))
        rows.append(f"| {database} | {size:,} | " + " | ".join(f"{ms:,.1f} ms" for ms in cells) + " |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.similar_benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated idea counts, ascending")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    parser.add_argument("--repeat", type=int, default=5, help="searches to take the median of (default 5)")
    args = parser.parse_args(argv)
    try:
        sizes = sorted(int(size) for size in args.sizes.split(","))
    except ValueError:
        parser.error(f"--sizes: {args.sizes!r} is not a comma-separated list of numbers")
    rows = [
        f"| database | ideas | common words: window of {similar.WINDOW:,} | every match ranked "
        "| rare words: window | every match ranked |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for database in ("sqlite", "postgresql"):
        if args.database in (database, "both"):
            with fresh_database(database, args.postgres_url, "similar-bench") as engine:
                rows += measure(database, engine, sizes, args.repeat)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
