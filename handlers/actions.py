"""Buttons on idea cards, details and the Home: each opens a modal or makes one move."""

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import coaching, intake
from bot.services.errors import Refused
from bot.views import messages
from bot.views.blocks import id_in_button
from bot.views.coaching import alignment_modal, assign_coach_modal, withdraw_modal
from bot.views.ids import Action
from bot.views.intake import intake_modal
from bot.views.logframe import logframe_modal
from handlers.replies import refusals_told
from handlers.wiring import bound


@refusals_told
def view_details(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    found = intake.visible_idea(runtime, id_in_button(action), body["user"]["id"], "that one")
    if found.idea is None:
        raise Refused(found.refusal)
    can_decide = runtime.settings.is_decider(body["user"]["id"])
    view = messages.details_modal(found.idea, runtime.strategy, can_decide=can_decide)
    runtime.gateway.open_view(body["trigger_id"], view)


def open_intake(runtime: Runtime, ack: Ack, body: dict) -> None:
    ack()
    runtime.gateway.open_view(body["trigger_id"], intake_modal(runtime.strategy))


@refusals_told
def coach_this(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    user_id = body["user"]["id"]
    coaching.assign_coach(runtime, id_in_button(action), user_id, user_id)


@refusals_told
def open_assign_coach(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    idea = coaching.idea_for_assignment(runtime, id_in_button(action), body["user"]["id"])
    runtime.gateway.open_view(body["trigger_id"], assign_coach_modal(idea))


@refusals_told
def open_logframe(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    idea = coaching.idea_for_logframe(runtime, id_in_button(action), body["user"]["id"])
    runtime.gateway.open_view(body["trigger_id"], logframe_modal(idea, runtime.strategy))


@refusals_told
def open_alignment(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    idea = coaching.idea_for_coach(runtime, id_in_button(action), body["user"]["id"], "confirm its strategy alignment")
    runtime.gateway.open_view(body["trigger_id"], alignment_modal(idea, runtime.strategy))


@refusals_told
def mark_ready(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    coaching.mark_ready(runtime, id_in_button(action), body["user"]["id"])


@refusals_told
def open_withdraw(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    idea = coaching.idea_for_withdrawal(runtime, id_in_button(action), body["user"]["id"])
    runtime.gateway.open_view(body["trigger_id"], withdraw_modal(idea))


@refusals_told
def revisit(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    coaching.revisit(runtime, id_in_button(action), body["user"]["id"])


LISTENERS = {
    Action.VIEW_DETAILS: view_details,
    Action.OPEN_INTAKE: open_intake,
    Action.COACH_THIS: coach_this,
    Action.ASSIGN_COACH: open_assign_coach,
    Action.OPEN_LOGFRAME: open_logframe,
    Action.OPEN_ALIGNMENT: open_alignment,
    Action.MARK_READY: mark_ready,
    Action.WITHDRAW: open_withdraw,
    Action.REVISIT: revisit,
}


def register(app: App, runtime: Runtime) -> None:
    for action_id, listener in LISTENERS.items():
        app.action(action_id.value)(bound(runtime, listener))
