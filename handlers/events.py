"""Messages in idea threads: the coaching conversation is recorded against its idea."""

from slack_bolt import App, BoltContext

from bot.runtime import Runtime
from bot.services import coaching
from handlers.wiring import bound


def message_posted(runtime: Runtime, event: dict, body: dict, context: BoltContext) -> None:
    coaching.record_message_event(runtime, event, body.get("event_id"), context.bot_user_id)


def register(app: App, runtime: Runtime) -> None:
    app.event("message")(bound(runtime, message_posted))
