from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import nudges
from bot.views.ids import Action, parse_id
from bot.views.nudges import SNOOZES
from handlers.replies import refusals_told


def _nudge_id(action: dict) -> int | None:
    return parse_id(action.get("value"))


def _message_of(body: dict) -> nudges.MessageRef | None:
    """The nudge message that was clicked, so it can be replaced by what was done."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return nudges.MessageRef(channel, ts) if channel and ts else None


def register(app: App, runtime: Runtime) -> None:
    refusing = refusals_told(runtime)

    def snoozer(days: int):
        def snooze(ack: Ack, body: dict, action: dict) -> None:
            ack()
            nudges.snooze(runtime, _nudge_id(action), body["user"]["id"], days, _message_of(body))

        return refusing(snooze)

    for action_id, (days, _) in SNOOZES.items():
        app.action(action_id.value)(snoozer(days))

    @app.action(Action.ON_IT.value)
    @refusing
    def on_it(ack: Ack, body: dict, action: dict) -> None:
        ack()
        nudges.on_it(runtime, _nudge_id(action), body["user"]["id"], _message_of(body))
