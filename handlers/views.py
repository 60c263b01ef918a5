from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import coaching, intake
from bot.views import coaching as coaching_views
from bot.views.ids import Callback
from bot.views.intake import IntakeSource, parse_intake
from bot.views.logframe import parse_logframe
from handlers.replies import closed_without_errors, refusals_told, submission_key


def register(app: App, runtime: Runtime) -> None:
    refusing = refusals_told(runtime)

    @app.view(Callback.INTAKE.value)
    @refusing
    def intake_submitted(ack: Ack, body: dict, view: dict) -> None:
        draft, errors = parse_intake(view, runtime.strategy)
        if closed_without_errors(ack, errors):
            source = IntakeSource.from_metadata(view.get("private_metadata"))
            intake.submit_idea(runtime, draft, body["user"]["id"], source, once=submission_key(view))

    @app.view(Callback.ASSIGN_COACH.value)
    @refusing
    def coach_chosen(ack: Ack, body: dict, view: dict) -> None:
        coach_id = coaching_views.parse_assign_coach(view)
        idea_id = coaching_views.idea_id_of(view)
        errors = {}
        if not runtime.is_staff(coach_id):
            errors[coaching_views.COACH_BLOCK] = "Choose someone on the PMO staff list."
        elif (idea := intake.load_idea(runtime, idea_id or 0)) is not None and idea.coach_id == coach_id:
            errors[coaching_views.COACH_BLOCK] = "They are already coaching this idea."
        if closed_without_errors(ack, errors):
            coaching.assign_coach(runtime, idea_id, coach_id, body["user"]["id"], once=submission_key(view))

    @app.view(Callback.LOGFRAME.value)
    @refusing
    def logframe_saved(ack: Ack, body: dict, view: dict) -> None:
        cells, errors = parse_logframe(view, runtime.strategy)
        if closed_without_errors(ack, errors):
            idea_id = coaching_views.idea_id_of(view)
            coaching.save_logframe(runtime, idea_id, cells, body["user"]["id"], once=submission_key(view))

    @app.view(Callback.ALIGNMENT.value)
    @refusing
    def alignment_saved(ack: Ack, body: dict, view: dict) -> None:
        goal_ids, note_text, errors = coaching_views.parse_alignment(view, runtime.strategy)
        if closed_without_errors(ack, errors):
            idea_id, user_id = coaching_views.idea_id_of(view), body["user"]["id"]
            coaching.save_alignment(runtime, idea_id, goal_ids, note_text, user_id, once=submission_key(view))

    @app.view(Callback.WITHDRAW.value)
    @refusing
    def withdrawal_confirmed(ack: Ack, body: dict, view: dict) -> None:
        reason, errors = coaching_views.parse_withdraw(view)
        if closed_without_errors(ack, errors):
            idea_id = coaching_views.idea_id_of(view)
            coaching.withdraw(runtime, idea_id, reason, body["user"]["id"], once=submission_key(view))
