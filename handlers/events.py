import logging

from slack_bolt import App

from bot.runtime import Runtime
from bot.services import intake
from bot.views.home import home_view

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict) -> None:
        if event.get("tab") != "home":
            return
        user_id = event["user"]
        runtime.gateway.publish_home(user_id, home_view(intake.ideas_of(runtime, user_id)))

    @app.event("message")
    def message_posted(event: dict) -> None:
        log.debug("message event in %s ignored", event.get("channel"))
