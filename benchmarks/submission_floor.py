"""What an intake submission costs in CPU, next to the least its required parts cost on this machine.

    uv run python -m benchmarks.submission_floor [--submissions 500] [--database-url URL] [--paced 100]

All in this one process, one request at a time, against the tests' fake Web API running in a process of its
own and answering at once (its CPU is not counted):

- Idea Coach: signed intake submissions through the app's WSGI entry (edge check, Bolt, validation, the
  change's transaction, then the two posts and their outcomes after the ack), CPU of the whole process.
- The parts no implementation on this stack can skip, each measured alone:
  - a bare Bolt app (Bolt's defaults, a listener that only acks) handling the same signed request;
  - slack_sdk posting the two messages Idea Coach posted (the last submission's outbox rows, as stored);
  - the rows the last submission wrote (idempotency key, idea, goal, audit event, Home mark, two outbox
    rows), written again by prebuilt SQLAlchemy Core statements in one transaction;
  - the two outcomes (outbox row sent, where the message lives), each in its own short transaction.

Their sum is a floor for Slack Bolt + slack_sdk + SQLAlchemy without the ORM, before building any message's
wording or searching for similar ideas; the ack benchmark's bare app adds gunicorn's own cost on top of Bolt's.
A throwaway SQLite file unless --database-url names a PostgreSQL server (a fresh schema, dropped at the end).

With --paced MS, Idea Coach and the bare app run again with MS of idle time before each submission: what a
request costs when it arrives at a steady rate (the ack benchmark's 10 a second is --paced 100), starting with
whatever caches the idle time left, which a back-to-back loop never pays.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import Engine, Table, insert, select, update

from benchmarks.ack_benchmark import SECRET, sign, submission_body
from benchmarks.schemas import fresh_database
from bot.app import create_app, wsgi_app
from bot.config import Settings, load_strategy
from bot.db import make_session_factory, upgrade
from bot.outbox.outcomes import _REMEMBER, _SENT
from bot.views.intake import intake_modal
from models import AuditEvent, HomeRefresh, Idea, IdeaGoal, IdempotencyKey, OutboxMessage
from tests.support.driver import TrackingExecutor

ROOT = Path(__file__).resolve().parents[1]
WARM_UP = 30
FAKE_SLACK = (
    "from tests.support.fake_slack import FakeSlack; import time; f = FakeSlack().start(); print(f.url, flush=True)\n"
    "while True: time.sleep(2); f.calls.clear(); f.posted.clear()"
)


def call(application, body: str) -> None:
    """One signed POST to /slack/events through a WSGI application; fails unless answered 200."""
    headers = sign(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body.encode()),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body.encode())),
        "CONTENT_TYPE": headers.pop("Content-Type"),
    } | {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    status = []
    b"".join(application(environ, lambda answer, _headers, *_: status.append(answer)))
    if not status[0].startswith("200"):
        raise SystemExit(f"the app answered {status[0]}")


def cpu_per_call(
    work: Callable[[int], None], count: int, settle: Callable[[], None] = lambda: None, pause: float = 0.0
) -> float:
    """Process CPU in ms per call of `work(i)`, after a warm-up (first compilations, caches, connections);
    with `pause`, the process idles that many seconds before each call (sleeping costs no CPU)."""
    for number in range(WARM_UP):
        work(count + number)
    settle()
    started = time.process_time()
    for number in range(count):
        if pause:
            time.sleep(pause)
        work(number)
    settle()
    return 1000 * (time.process_time() - started) / count


def idea_coach(engine: Engine, api_url: str, bodies: list[str], pause: float = 0.0) -> float:
    strategy = load_strategy(ROOT / "strategy.yml")
    settings = Settings(
        slack_bot_token="xoxb-floor",
        slack_signing_secret=SECRET,
        slack_api_url=api_url,
        pmo_channel_id="CPMO00001",
        pmo_staff_ids=frozenset({"UCOACH01"}),
        strategy_file=ROOT / "strategy.yml",
        home_refresh_seconds=0,
    )
    executor = TrackingExecutor(8)
    app = create_app(
        settings,
        strategy,
        session_factory=make_session_factory(engine),
        listener_executor=executor,
        post_ack_executor=executor,
    )
    application = wsgi_app(app)
    try:

        def submit(number: int) -> None:
            call(application, bodies[number])
            executor.wait_idle()  # the posts after the ack done before the next request, as each part below runs

        return cpu_per_call(submit, len(bodies) - WARM_UP, pause=pause)
    finally:
        executor.shutdown(wait=False)


def bare_bolt(api_url: str, bodies: list[str], pause: float = 0.0) -> float:
    app = App(client=WebClient(token="xoxb-floor", base_url=api_url), signing_secret=SECRET)
    app.view("idea_intake")(lambda ack: ack())
    application = SlackRequestHandler(app)
    return cpu_per_call(lambda number: call(application, bodies[number]), len(bodies) - WARM_UP, pause=pause)


@dataclass(frozen=True)
class Written:
    """The rows Idea Coach's last submission wrote, as stored."""

    idea: dict
    goals: list[dict]
    events: list[dict]
    posts: list[dict]

    @classmethod
    def last(cls, engine: Engine) -> Written:
        ideas, goals, events, outbox = (model.__table__ for model in (Idea, IdeaGoal, AuditEvent, OutboxMessage))
        with engine.connect() as connection:
            idea = connection.execute(select(ideas).order_by(ideas.c.id.desc()).limit(1)).one()._asdict()

            def rows(table: Table) -> list[dict]:
                return [row._asdict() for row in connection.execute(select(table).where(table.c.idea_id == idea["id"]))]

            return cls(idea, rows(goals), rows(events), rows(outbox))


def two_posts(written: Written, api_url: str, count: int) -> float:
    client = WebClient(token="xoxb-floor", base_url=api_url)

    def post(_number: int) -> None:
        for row in written.posts:
            client.chat_postMessage(
                channel=row["channel_id"],
                text=row["text"],
                blocks=row["blocks"],
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": "idea_coach_outbox", "event_payload": {"outbox_id": row["id"]}},
            )

    return cpu_per_call(post, count)


def _without_id(row: dict) -> dict:
    return {key: value for key, value in row.items() if key != "id"}


_NEW_KEY = insert(IdempotencyKey.__table__)
_NEW_IDEA = insert(Idea.__table__).returning(Idea.__table__.c.id)
_NEW_GOALS = insert(IdeaGoal.__table__)
_NEW_EVENTS = insert(AuditEvent.__table__)
_NEW_MARK = insert(HomeRefresh.__table__)
_NEW_POSTS = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id, sort_by_parameter_order=True)


def the_writes(engine: Engine, written: Written, count: int) -> float:
    """The submission's rows written again (a new idea, new keys) by prebuilt statements in one transaction."""
    idea = _without_id(written.idea)
    events = [_without_id(event) for event in written.events]
    posts = [_without_id(post) for post in written.posts]
    at = written.idea["created_at"]

    def write(number: int) -> None:
        with engine.begin() as connection:
            connection.execute(_NEW_KEY, {"key": f"floor:{number}:{time.perf_counter_ns()}", "created_at": at})
            new = connection.execute(_NEW_IDEA, idea).scalar_one()
            connection.execute(_NEW_GOALS, [goal | {"idea_id": new} for goal in written.goals])
            connection.execute(_NEW_EVENTS, [event | {"idea_id": new} for event in events])
            connection.execute(_NEW_MARK, {"user_id": idea["submitter_id"], "requested_at": at})
            rows = [post | {"idea_id": new, "order_key": f"{new}:{post['channel_id']}"} for post in posts]
            connection.execute(_NEW_POSTS, rows).all()

    return cpu_per_call(write, count)


def two_outcomes(engine: Engine, written: Written, count: int) -> float:
    """The submission's two rows marked sent and where each message lives remembered, with the statements
    bot/outbox/outcomes.py runs, each row in a transaction of its own."""
    remember = _REMEMBER[engine.dialect.name]
    outbox = OutboxMessage.__table__
    with engine.begin() as connection:
        ids = [row["id"] for row in written.posts]
        connection.execute(update(outbox).where(outbox.c.id.in_(ids)).values(lease_owner="floor"))

    def mark(number: int) -> None:
        for row in written.posts:
            ts = f"{number}.{row['id']}"
            with engine.begin() as connection:
                sent = {"row_id": row["id"], "owner": "floor", "at": row["created_at"], "channel": row["channel_id"]}
                connection.execute(_SENT, sent | {"ts": ts})
                place = {"idea_id": row["idea_id"], "purpose": row["remember_as"], "channel_id": row["channel_id"]}
                connection.execute(remember, place | {"ts": ts})

    return cpu_per_call(mark, count)


def signed_bodies(count: int, first: int = 0) -> list[str]:
    """Intake submissions numbered from `first` (each its own idea: a repeat would be answered as one)."""
    view = intake_modal(load_strategy(ROOT / "strategy.yml"), title="")
    return [submission_body(number, f"{number}.T0CREDIT.floor{number}", view) for number in range(first, first + count)]


def measure(engine: Engine, api_url: str, submissions: int) -> dict[str, float]:
    bodies = signed_bodies(submissions + WARM_UP)
    figures = {"Idea Coach: a whole submission": idea_coach(engine, api_url, bodies)}
    figures["bare Bolt app: the same request, acked"] = bare_bolt(api_url, bodies)
    written = Written.last(engine)
    figures["slack_sdk: the two posts"] = two_posts(written, api_url, submissions)
    figures["Core: the same rows, one transaction"] = the_writes(engine, written, submissions)
    figures["Core: the two outcomes"] = two_outcomes(engine, written, submissions)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: a throwaway SQLite file)")
    parser.add_argument(
        "--paced",
        type=float,
        default=0.0,
        metavar="MS",
        help="also measure Idea Coach and the bare app with MS of idle time before each submission "
        "(100: the ack benchmark's 10 a second)",
    )
    options = parser.parse_args()
    fake = subprocess.Popen([sys.executable, "-c", FAKE_SLACK], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        api_url = fake.stdout.readline().strip()
        with _database(options.database_url) as engine:
            upgrade(engine)
            figures = measure(engine, api_url, options.submissions)
            paced = measure_paced(engine, api_url, options.submissions, options.paced / 1000) if options.paced else {}
    finally:
        fake.kill()
    report(figures, options)
    if paced:
        report_paced(paced, figures, options)


def measure_paced(engine: Engine, api_url: str, submissions: int, pause: float) -> dict[str, float]:
    """Idea Coach and the bare app again, idle before each submission: as at a steady rate, each request
    starts with the caches the idle time left it, which a back-to-back loop never does."""
    bodies = signed_bodies(submissions + WARM_UP, first=10 * (submissions + WARM_UP))
    return {
        "Idea Coach: a whole submission": idea_coach(engine, api_url, bodies, pause),
        "bare Bolt app: the same request, acked": bare_bolt(api_url, bodies, pause),
    }


def _database(url: str | None):
    """A throwaway SQLite file, or a fresh schema on the PostgreSQL server at `url`."""
    return fresh_database("postgresql" if url else "sqlite", url or "", "submission-floor")


def report(figures: dict[str, float], options: argparse.Namespace) -> None:
    database = "PostgreSQL" if options.database_url else "SQLite"
    print(f"CPU per intake submission, {options.submissions} submissions one at a time, {database}, instant Web API")
    parts = [value for name, value in figures.items() if not name.startswith("Idea Coach")]
    for name, value in figures.items():
        print(f"  {name:<42} {value:6.2f} ms")
    print(f"  {'floor: the parts above, summed':<42} {sum(parts):6.2f} ms")


def report_paced(paced: dict[str, float], figures: dict[str, float], options: argparse.Namespace) -> None:
    print(f"The same, {options.paced:g} ms idle before each submission (back to back in brackets)")
    for name, value in paced.items():
        print(f"  {name:<42} {value:6.2f} ms  ({figures[name]:.2f})")


if __name__ == "__main__":
    main()
