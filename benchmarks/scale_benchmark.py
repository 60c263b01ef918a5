"""How long Slack waits on each request path in an empty pipeline and in a large one, on SQLite and PostgreSQL.

    uv run python -m benchmarks.scale_benchmark [--ideas 50000] [--database sqlite|postgresql|both] [--repeat 5]

For each database, twice: a fresh database (a throwaway SQLite file; a throwaway PostgreSQL schema, dropped
at the end) with no ideas, then one seeded in bulk with --ideas ideas (tests/support/pipeline.py: every
stage, a seventh of them Go with a decision, 500 submitters) and statistics gathered (PostgreSQL's ANALYZE,
as autovacuum would). The real app runs in this process behind its WSGI entry and the tests' fake Web API
(answering at once); signed requests go to it over HTTP as Slack sends them. Printed, per request path, the
median of --repeat requests: for commands, clicks and modal submissions the time to the ack (what Slack
waits on, 3 s at most); for events and the work after an ack, the time until the app has finished (marked
"done"). The baseline is the same path in the empty pipeline: the goal is that the large pipeline costs
about the same.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from benchmarks.schemas import fresh_database
from bot.app import create_app, wsgi_app
from bot.config import Settings, load_strategy
from bot.db import make_session_factory, upgrade
from bot.views.ids import Action
from tests.conftest import COACH, PMO_CHANNEL, SIGNING_SECRET, SUBMITTER
from tests.support.driver import SlackDriver, TrackingExecutor
from tests.support.fake_slack import FakeSlack
from tests.support.flows import (
    GOOD_ANSWERS,
    click_card,
    click_in_thread,
    coach_this,
    coaching_thread,
    decision_answers,
    open_intake,
    submit_idea,
)
from tests.support.pipeline import seed

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SEEDED = "USEED00007"  # a seeded submitter: one idea in 500, spread over the whole pipeline
PATHS = (
    "/idea submission, receipt and card (done)",
    "/idea mine (ack)",
    "/idea IDEA-n (ack)",
    "decision preview (ack)",
    "/idea portfolio after a change (ack)",
    "App Home opened (done)",
    "/idea report, last 7 days (done)",
)


def timed(step: Callable[[], object], settle: Callable[[], None], repeat: int, before=lambda: None) -> float:
    """Median milliseconds of `step` (an HTTP request answered with its ack), each after `before`."""
    timings = []
    for _ in range(repeat + 1):  # the first warms the caches and is not counted
        before()
        settle()
        started = time.perf_counter()
        step()
        timings.append(time.perf_counter() - started)
        settle()
    return 1000 * statistics.median(timings[1:])


def measure(engine: Engine, ideas: int, repeat: int) -> list[float]:
    upgrade(engine)
    session_factory = make_session_factory(engine)
    seed(session_factory, ideas)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    fake = FakeSlack().start()
    settings = Settings(
        slack_bot_token="xoxb-benchmark",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.url,
        pmo_channel_id=PMO_CHANNEL,
        pmo_staff_ids=frozenset({COACH}),
        strategy_file=ROOT / "strategy.yml",
        home_refresh_seconds=2,  # as deployed
    )
    executor = TrackingExecutor()
    app = create_app(
        settings,
        load_strategy(ROOT / "strategy.yml"),
        session_factory=session_factory,
        listener_executor=executor,
        post_ack_executor=executor,
    )
    slack = SlackDriver(wsgi_app(app), SIGNING_SECRET, executor, fake)
    try:
        return _paths(slack, session_factory, repeat)
    finally:
        slack.stop()
        executor.shutdown(wait=False)
        app.runtime.home_refresher.stop()
        fake.stop()


def _paths(slack: SlackDriver, session_factory, repeat: int) -> list[float]:
    settle = slack.executor.wait_idle
    ready = submit_idea(slack)
    coach_this(slack, ready, COACH)
    click_in_thread(slack, Action.MARK_READY, ready, COACH, coaching_thread(session_factory, ready))
    views: list[dict] = []

    def decision_form() -> None:
        click_card(slack, Action.DECIDE, ready, COACH)
        views.append(slack.fake.calls_to("views.open")[-1]["view"])

    answers = decision_answers("no_go")
    home = {"type": "app_home_opened", "user": SEEDED, "channel": "DHOME0001", "tab": "home"}
    return [
        timed(
            lambda: slack.submit_view(views.pop(), GOOD_ANSWERS, user=SUBMITTER),
            settle,
            repeat,
            before=lambda: views.append(open_intake(slack)),
        ),
        timed(lambda: slack.command("mine", user=SEEDED, settle=False), settle, repeat),
        timed(lambda: slack.command(f"IDEA-{ready}", user=SUBMITTER, settle=False), settle, repeat),
        timed(lambda: slack.submit_view(views.pop(), answers, user=COACH, settle=False), settle, repeat, decision_form),
        timed(
            lambda: slack.command("portfolio", user=COACH, settle=False),
            settle,
            repeat,
            before=lambda: submit_idea(slack),
        ),
        timed(lambda: slack.event(home), settle, repeat),
        timed(lambda: slack.command("report last 7 days", user=COACH), settle, repeat),
    ]


def runs(database: str, url: str, ideas: int, repeat: int) -> list[list[float]]:
    results = []
    for size in (0, ideas):
        with fresh_database(database, url, "scale-bench") as engine:
            results.append(measure(engine, size, repeat))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--ideas", type=int, default=50_000, help="the large pipeline's size (default 50,000)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    parser.add_argument("--repeat", type=int, default=5, help="requests to take the median of (default 5)")
    args = parser.parse_args(argv)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    columns = {database: runs(database, args.postgres_url, args.ideas, args.repeat) for database in databases}
    header = " | ".join(f"{database}: 0 ideas | {args.ideas:,} ideas" for database in databases)
    lines = [f"| request path | {header} |", "|---|" + "--:|" * (2 * len(databases))]
    for index, path in enumerate(PATHS):
        cells = [f"{columns[database][size][index]:,.0f} ms" for database in databases for size in (0, 1)]
        lines.append(f"| {path} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
