from slack_bolt import App, BoltContext

from bot.runtime import Runtime
from bot.services import coaching


def register(app: App, runtime: Runtime) -> None:
    @app.event("message")
    def message_posted(event: dict, body: dict, context: BoltContext) -> None:
        coaching.record_message_event(runtime, event, body.get("event_id"), context.bot_user_id)
