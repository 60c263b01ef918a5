from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import intake
from bot.views import messages
from bot.views.ids import Action
from bot.views.intake import intake_modal


def register(app: App, runtime: Runtime) -> None:
    @app.action(Action.VIEW_DETAILS.value)
    def view_details(ack: Ack, body: dict, action: dict) -> None:
        ack()
        user_id = body["user"]["id"]
        idea_id = int(action["value"]) if str(action.get("value", "")).isdigit() else None
        found = intake.visible_idea(runtime, idea_id, user_id, "that one")
        if found.idea is None:
            tell(runtime, body, found.refusal)
            return
        runtime.gateway.open_view(body["trigger_id"], messages.details_modal(found.idea, runtime.strategy))

    @app.action(Action.OPEN_INTAKE.value)
    def open_intake(ack: Ack, body: dict) -> None:
        ack()
        runtime.gateway.open_view(body["trigger_id"], intake_modal(runtime.strategy))


def tell(runtime: Runtime, body: dict, text: str) -> None:
    """A short ephemeral answer to the person who clicked, where they clicked (or by DM)."""
    user_id = body["user"]["id"]
    channel_id = (body.get("channel") or {}).get("id")
    text, blocks = messages.notice(text)
    if channel_id:
        runtime.gateway.post_ephemeral(channel_id, user_id, text, blocks)
    else:
        runtime.gateway.post_message(user_id, text, blocks)
