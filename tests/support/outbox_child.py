"""A process that commits outbox rows and is then killed (by the test, with SIGKILL) at a chosen moment.

    python -m tests.support.outbox_child MODE DATABASE_URL SCHEMA|- FAKE_SLACK_URL

MODE `after-commit`: commits the rows, says "committed", and waits to be killed before sending any.
MODE `after-answer`: commits the rows, sends them; after Slack's answer to the first one and before
it is marked sent, says "answered" and waits to be killed.
"""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime

from sqlalchemy import create_engine

from bot.db import make_session_factory, transaction
from bot.delivery import Post
from bot.outbox import Outbox
from bot.slack import SlackGateway, make_web_client

PMO = "CPMO00001"
PERSON = "USUBMIT001"
MESSAGES = [Post(PMO, "Card one"), Post(PERSON, "Receipt one"), Post(PMO, "Card two"), Post(PERSON, "Receipt two")]


def main(mode: str, url: str, schema: str, fake_url: str) -> None:
    options = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema != "-" else {}
    engine = create_engine(url, **options)
    gateway = SlackGateway(make_web_client("xoxb-test", fake_url))
    outbox = Outbox(gateway, make_session_factory(engine), lambda: datetime.now(UTC), PMO)
    with transaction(outbox.session_factory) as session:
        ids = outbox.add(session, MESSAGES)
    if mode == "after-commit":
        print("committed", flush=True)
        threading.Event().wait()
    post = gateway.post_message

    def answered_then_wait(*args, **kwargs):
        posted = post(*args, **kwargs)
        print("answered", flush=True)
        threading.Event().wait()
        return posted

    gateway.post_message = answered_then_wait
    outbox.kick(ids)


if __name__ == "__main__":
    main(*sys.argv[1:5])
