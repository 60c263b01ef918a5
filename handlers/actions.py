from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import coaching, intake
from bot.services.errors import Refused
from bot.views import messages
from bot.views.coaching import alignment_modal, assign_coach_modal, withdraw_modal
from bot.views.ids import Action
from bot.views.intake import intake_modal
from bot.views.logframe import logframe_modal
from handlers.replies import idea_id_of, refusals_told


def register(app: App, runtime: Runtime) -> None:
    refusing = refusals_told(runtime)

    @app.action(Action.VIEW_DETAILS.value)
    @refusing
    def view_details(ack: Ack, body: dict, action: dict) -> None:
        ack()
        found = intake.visible_idea(runtime, idea_id_of(action), body["user"]["id"], "that one")
        if found.idea is None:
            raise Refused(found.refusal)
        can_decide = runtime.settings.is_decider(body["user"]["id"])
        view = messages.details_modal(found.idea, runtime.strategy, can_decide=can_decide)
        runtime.gateway.open_view(body["trigger_id"], view)

    @app.action(Action.OPEN_INTAKE.value)
    def open_intake(ack: Ack, body: dict) -> None:
        ack()
        runtime.gateway.open_view(body["trigger_id"], intake_modal(runtime.strategy))

    @app.action(Action.COACH_THIS.value)
    @refusing
    def coach_this(ack: Ack, body: dict, action: dict) -> None:
        ack()
        user_id = body["user"]["id"]
        coaching.assign_coach(runtime, idea_id_of(action), user_id, user_id)

    @app.action(Action.ASSIGN_COACH.value)
    @refusing
    def open_assign_coach(ack: Ack, body: dict, action: dict) -> None:
        ack()
        idea = coaching.idea_for_assignment(runtime, idea_id_of(action), body["user"]["id"])
        runtime.gateway.open_view(body["trigger_id"], assign_coach_modal(idea))

    @app.action(Action.OPEN_LOGFRAME.value)
    @refusing
    def open_logframe(ack: Ack, body: dict, action: dict) -> None:
        ack()
        idea = coaching.idea_for_logframe(runtime, idea_id_of(action), body["user"]["id"])
        runtime.gateway.open_view(body["trigger_id"], logframe_modal(idea, runtime.strategy))

    @app.action(Action.OPEN_ALIGNMENT.value)
    @refusing
    def open_alignment(ack: Ack, body: dict, action: dict) -> None:
        ack()
        idea = coaching.idea_for_coach(
            runtime, idea_id_of(action), body["user"]["id"], "confirm its strategy alignment"
        )
        runtime.gateway.open_view(body["trigger_id"], alignment_modal(idea, runtime.strategy))

    @app.action(Action.MARK_READY.value)
    @refusing
    def mark_ready(ack: Ack, body: dict, action: dict) -> None:
        ack()
        coaching.mark_ready(runtime, idea_id_of(action), body["user"]["id"])

    @app.action(Action.WITHDRAW.value)
    @refusing
    def open_withdraw(ack: Ack, body: dict, action: dict) -> None:
        ack()
        idea = coaching.idea_for_withdrawal(runtime, idea_id_of(action), body["user"]["id"])
        runtime.gateway.open_view(body["trigger_id"], withdraw_modal(idea))

    @app.action(Action.REVISIT.value)
    @refusing
    def revisit(ack: Ack, body: dict, action: dict) -> None:
        ack()
        coaching.revisit(runtime, idea_id_of(action), body["user"]["id"])
