"""Answers to a nudge: "Snooze" (1 day, 3 days, a week) and "I'm on it"."""

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import nudges
from bot.views.ids import Action
from bot.views.nudges import SNOOZES, nudge_id_of, snooze_days
from handlers.replies import refusals_told
from handlers.wiring import bound


def _message_of(body: dict) -> nudges.MessageRef | None:
    """The nudge message that was clicked, so it can be replaced by what was done."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return nudges.MessageRef(channel, ts) if channel and ts else None


@refusals_told
def snooze(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    nudges.snooze(runtime, nudge_id_of(action), body["user"]["id"], snooze_days(action), _message_of(body))


@refusals_told
def on_it(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    nudges.on_it(runtime, nudge_id_of(action), body["user"]["id"], _message_of(body))


def register(app: App, runtime: Runtime) -> None:
    for action_id in SNOOZES:
        app.action(action_id.value)(bound(runtime, snooze))
    app.action(Action.ON_IT.value)(bound(runtime, on_it))
