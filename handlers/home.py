"""The App Home: publishing it when opened, its filters and paging, and the explanation it links to."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import home
from bot.views.blocks import id_in_button
from bot.views.home import HomeState, apply_action
from bot.views.ids import Action
from handlers.replies import refusals_told
from handlers.wiring import bound

HOME_ACTIONS = (
    Action.HOME_STAGE,
    Action.HOME_GOAL,
    Action.HOME_COACH,
    Action.HOME_CLEAR,
    Action.HOME_SECTION,
    Action.HOME_PAGE,
)


def home_opened(runtime: Runtime, event: dict) -> None:
    if event.get("tab") == "home":
        home.show(runtime, event["user"], opened=True)


def home_changed(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    """A filter, section or page chosen in the Home: the new state travels in the view's metadata."""
    ack()
    state = HomeState.from_metadata((body.get("view") or {}).get("private_metadata"))
    home.show(runtime, body["user"]["id"], apply_action(state, action))


@refusals_told
def open_explanation(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    view = home.explanation(runtime, id_in_button(action), body["user"]["id"])
    runtime.gateway.open_view(body["trigger_id"], view)


def register(app: App, runtime: Runtime) -> None:
    app.event("app_home_opened")(bound(runtime, home_opened))
    for action_id in HOME_ACTIONS:
        app.action(action_id.value)(bound(runtime, home_changed))
    app.action(Action.OPEN_EXPLANATION.value)(bound(runtime, open_explanation))
