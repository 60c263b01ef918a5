"""Modal submissions of intake and coaching: parse, and on no field errors close and call the service."""

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import coaching, intake
from bot.views import coaching as coaching_views
from bot.views.blocks import id_in_modal
from bot.views.ids import Callback
from bot.views.intake import IntakeSource, parse_intake
from bot.views.logframe import parse_logframe
from handlers.replies import closed_without_errors, refusals_told, submission_key
from handlers.wiring import bound


@refusals_told
def intake_submitted(runtime: Runtime, ack: Ack, body: dict, view: dict) -> None:
    draft, errors = parse_intake(view, runtime.strategy)
    if closed_without_errors(ack, errors):
        source = IntakeSource.from_metadata(view.get("private_metadata"))
        intake.submit_idea(runtime, draft, body["user"]["id"], source, once=submission_key(view))


@refusals_told
def coach_chosen(runtime: Runtime, ack: Ack, body: dict, view: dict) -> None:
    coach_id = coaching_views.parse_assign_coach(view)
    idea_id = id_in_modal(view)
    errors = {}
    if not runtime.is_staff(coach_id):
        errors[coaching_views.COACH_BLOCK] = coaching_views.NOT_STAFF
    elif (idea := intake.load_idea(runtime, idea_id or 0)) is not None and idea.coach_id == coach_id:
        errors[coaching_views.COACH_BLOCK] = coaching_views.ALREADY_COACHING
    if closed_without_errors(ack, errors):
        coaching.assign_coach(runtime, idea_id, coach_id, body["user"]["id"], once=submission_key(view))


@refusals_told
def logframe_saved(runtime: Runtime, ack: Ack, body: dict, view: dict) -> None:
    cells, errors = parse_logframe(view, runtime.strategy)
    if closed_without_errors(ack, errors):
        idea_id = id_in_modal(view)
        coaching.save_logframe(runtime, idea_id, cells, body["user"]["id"], once=submission_key(view))


@refusals_told
def alignment_saved(runtime: Runtime, ack: Ack, body: dict, view: dict) -> None:
    goal_ids, note_text, errors = coaching_views.parse_alignment(view, runtime.strategy)
    if closed_without_errors(ack, errors):
        idea_id, user_id = id_in_modal(view), body["user"]["id"]
        coaching.save_alignment(runtime, idea_id, goal_ids, note_text, user_id, once=submission_key(view))


@refusals_told
def withdrawal_confirmed(runtime: Runtime, ack: Ack, body: dict, view: dict) -> None:
    reason, errors = coaching_views.parse_withdraw(view)
    if closed_without_errors(ack, errors):
        idea_id = id_in_modal(view)
        coaching.withdraw(runtime, idea_id, reason, body["user"]["id"], once=submission_key(view))


def register(app: App, runtime: Runtime) -> None:
    app.view(Callback.INTAKE.value)(bound(runtime, intake_submitted))
    app.view(Callback.ASSIGN_COACH.value)(bound(runtime, coach_chosen))
    app.view(Callback.LOGFRAME.value)(bound(runtime, logframe_saved))
    app.view(Callback.ALIGNMENT.value)(bound(runtime, alignment_saved))
    app.view(Callback.WITHDRAW.value)(bound(runtime, withdrawal_confirmed))
