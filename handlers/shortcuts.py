"""Shortcuts: submit an idea from anywhere, or turn a message into one."""

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.views.ids import Callback
from bot.views.intake import IntakeSource, intake_modal
from handlers.wiring import bound


def submit_idea_shortcut(runtime: Runtime, ack: Ack, shortcut: dict) -> None:
    ack()
    runtime.gateway.open_view(shortcut["trigger_id"], intake_modal(runtime.strategy))


def turn_message_into_idea(runtime: Runtime, ack: Ack, shortcut: dict) -> None:
    ack()
    message_text = (shortcut.get("message") or {}).get("text") or ""
    first_line = message_text.strip().splitlines()[0] if message_text.strip() else ""
    source = IntakeSource(shortcut["channel"]["id"], shortcut["message"]["ts"])
    view = intake_modal(runtime.strategy, title=first_line, proposal=message_text, source=source)
    runtime.gateway.open_view(shortcut["trigger_id"], view)


def register(app: App, runtime: Runtime) -> None:
    app.shortcut(Callback.SUBMIT_SHORTCUT.value)(bound(runtime, submit_idea_shortcut))
    app.shortcut(Callback.MESSAGE_SHORTCUT.value)(bound(runtime, turn_message_into_idea))
