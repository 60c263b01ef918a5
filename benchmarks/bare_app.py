"""The yardstick for the ack benchmark: a Bolt app with Bolt's defaults that only acks.

Served by `benchmarks.ack_benchmark` with gunicorn (1 worker x 8 threads, no control socket), exactly as
Idea Coach is:

    gunicorn -w 1 -k gthread --threads 8 --no-control-socket benchmarks.bare_app:application
"""

from __future__ import annotations

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

app = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
)


@app.command("/idea")
def idea_command(ack) -> None:
    ack()


@app.view("idea_intake")
def intake_submitted(ack) -> None:
    ack()


application = SlackRequestHandler(app, path="/slack/events")
