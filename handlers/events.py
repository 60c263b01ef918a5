from slack_bolt import App, BoltContext

from bot.runtime import Runtime
from bot.services import coaching, intake
from bot.views.home import home_view


def register(app: App, runtime: Runtime) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict) -> None:
        if event.get("tab") != "home":
            return
        user_id = event["user"]
        runtime.gateway.publish_home(user_id, home_view(intake.ideas_of(runtime, user_id)))

    @app.event("message")
    def message_posted(event: dict, body: dict, context: BoltContext) -> None:
        coaching.record_message_event(runtime, event, body.get("event_id"), context.bot_user_id)
