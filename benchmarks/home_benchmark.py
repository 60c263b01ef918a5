"""How long the staff App Home and the portfolio take to build, and how many SQL statements they need,
over 1,000 to 100,000 ideas on SQLite and PostgreSQL.

    uv run python -m benchmarks.home_benchmark [--sizes 1000,10000,100000] [--database sqlite|postgresql|both]

Each size gets a fresh database migrated to the latest schema (a throwaway SQLite file; a throwaway
PostgreSQL schema `bench_home_<pid>`, dropped at the end), filled in bulk with ideas cycling through
every stage (every third linked to no goal, each Go with a decision and an effort). Then it builds, on a
fixed clock and without Slack, the staff Home's overview (every section, the filters and the portfolio),
the same in a request right after an idea changed (the previous portfolio will do) and as the refresher
builds it after a change (the portfolio computed again),
one filtered and paged section, and the portfolio alone without its cache, and reports the median of
--repeat builds and (in brackets) the number of statements each build sent. The goal: the statement
counts do not grow with the number of ideas, and the staff Home takes under 100 ms at 100,000 ideas on
PostgreSQL.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, event, func, select, text, update

from benchmarks.schemas import fresh_schemas
from bot.config import Settings, load_strategy
from bot.db import make_engine, make_session_factory, upgrade
from bot.runtime import Runtime
from bot.services import home, portfolio
from bot.views.home import HomeState
from models import Idea
from tests.support.pipeline import seed

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2027, 3, 9, 16, 0, tzinfo=UTC)
STAFF = "UCOACH0001"


@dataclass
class Timing:
    seconds: float
    statements: int


@dataclass
class Result:
    database: str
    ideas: int
    overview: Timing
    changed: Timing
    refreshed: Timing
    filtered: Timing
    portfolio: Timing


def runtime_on(engine: Engine) -> Runtime:
    settings = Settings(
        slack_bot_token="xoxb-benchmark",
        pmo_channel_id="CPMO00001",
        pmo_staff_ids=frozenset({STAFF, "UCOACH0002"}),
        strategy_file=ROOT / "strategy.yml",
        home_refresh_seconds=2,  # as deployed: a Home built in a request may use the previous portfolio
    )
    return Runtime(settings, load_strategy(ROOT / "strategy.yml"), make_session_factory(engine), None, lambda: NOW)  # type: ignore[arg-type]


def timed(
    engine: Engine, build: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None
) -> Timing:
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    build()  # warm the caches (statement compilation, query plans)
    timings, counts = [], []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(repeat):
            before()
            statements.clear()
            started = time.perf_counter()
            build()
            timings.append(time.perf_counter() - started)
            counts.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return Timing(statistics.median(timings), max(counts))


_changes = itertools.count(1)


def touch(engine: Engine) -> None:
    """Change one idea, as any stage move or reply does: the portfolio's cache no longer holds."""
    later = NOW + timedelta(seconds=next(_changes))
    with engine.begin() as connection:
        connection.execute(
            update(Idea).where(Idea.id == select(func.min(Idea.id)).scalar_subquery()).values(updated_at=later)
        )


def measure(database: str, engine: Engine, size: int, repeat: int) -> Result:
    upgrade(engine)
    runtime = runtime_on(engine)
    seed(runtime.session_factory, size, now=NOW)
    if database == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))  # fresh statistics, as autovacuum would have by now
    filtered = HomeState(section="ready", page=3, goal="loan-cycle-time", coach="UCOACH0002")
    with runtime.session_factory() as session:
        warm = session  # one session for the portfolio alone, as /idea portfolio uses
        return Result(
            database,
            size,
            timed(engine, lambda: home.build(runtime, STAFF, HomeState(), in_request=True), repeat),
            timed(
                engine,
                lambda: home.build(runtime, STAFF, HomeState(), in_request=True),
                repeat,
                before=lambda: touch(engine),
            ),
            timed(engine, lambda: home.build(runtime, STAFF, HomeState()), repeat, before=lambda: touch(engine)),
            timed(engine, lambda: home.build(runtime, STAFF, filtered), repeat),
            timed(engine, lambda: portfolio.portfolio_in(warm, runtime.strategy), repeat),
        )


def sqlite_runs(sizes: list[int], repeat: int) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory(prefix="home-bench-") as folder:
        for size in sizes:
            engine = make_engine(f"sqlite:///{Path(folder) / f'bench-{size}.db'}")
            try:
                results.append(measure("sqlite", engine, size, repeat))
            finally:
                engine.dispose()
    return results


def postgres_runs(sizes: list[int], repeat: int, url: str) -> list[Result]:
    results = []
    with fresh_schemas(url, f"bench_home_{os.getpid()}") as fresh:
        for size in sizes:
            engine = fresh()
            try:
                results.append(measure("postgresql", engine, size, repeat))
            finally:
                engine.dispose()
    return results


def table(results: list[Result]) -> str:
    lines = [
        "| database | ideas | staff Home | after a change, in a request | after a change, the refresher's build "
        "| filtered page | portfolio, uncached |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        timings = (r.overview, r.changed, r.refreshed, r.filtered, r.portfolio)
        cells = " | ".join(f"{t.seconds * 1000:,.0f} ms ({t.statements})" for t in timings)
        lines.append(f"| {r.database} | {r.ideas:,} | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.home_benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated idea counts")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    parser.add_argument("--repeat", type=int, default=5, help="builds to take the median of (default 5)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(size) for size in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes: {args.sizes!r} is not a comma-separated list of numbers")
    results = []
    if args.database in ("sqlite", "both"):
        results += sqlite_runs(sizes, args.repeat)
    if args.database in ("postgresql", "both"):
        results += postgres_runs(sizes, args.repeat, args.postgres_url)
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
