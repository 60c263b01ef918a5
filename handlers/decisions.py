from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import decisions
from bot.views import decisions as views
from bot.views.coaching import idea_id_of as idea_id_in_view
from bot.views.ids import Action, Callback
from handlers.replies import closed_without_errors, idea_id_of, refusals_told, submission_key


def register(app: App, runtime: Runtime) -> None:
    refusing = refusals_told(runtime)

    @app.action(Action.DECIDE.value)
    @refusing
    def open_decision(ack: Ack, body: dict, action: dict) -> None:
        ack()
        form = decisions.decision_form(runtime, idea_id_of(action), body["user"]["id"])
        view = views.decision_modal(
            form.idea, runtime.strategy, form.prefill, correcting=form.correcting, early=form.early
        )
        if body.get("container", {}).get("type") == "view":
            runtime.gateway.push_view(body["trigger_id"], view)
        else:
            runtime.gateway.open_view(body["trigger_id"], view)

    @app.view(Callback.DECISION.value)
    @refusing
    def decision_previewed(ack: Ack, body: dict, view: dict) -> None:
        proposal = views.parse_decision(view, runtime.strategy)
        errors = decisions.check(runtime, proposal)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        preview = decisions.preview(runtime, idea_id_in_view(view), proposal, body["user"]["id"])
        ack(response_action="push", view=preview.view)

    @app.view(Callback.DECISION_PREVIEW.value)
    @refusing
    def decision_sent(ack: Ack, body: dict, view: dict) -> None:
        ack(response_action="clear")
        decisions.send(runtime, idea_id_in_view(view), body["user"]["id"], once=submission_key(view))

    @app.action(Action.UNDERSTOOD.value)
    @refusing
    def understood(ack: Ack, body: dict, action: dict) -> None:
        ack()
        decisions.acknowledge(runtime, idea_id_of(action), body["user"]["id"])

    @app.action(Action.ASK_QUESTION.value)
    @refusing
    def ask_question(ack: Ack, body: dict, action: dict) -> None:
        ack()
        decisions.ask_question(runtime, idea_id_of(action), body["user"]["id"])

    @app.action(Action.RECONSIDER.value)
    @refusing
    def open_reconsider(ack: Ack, body: dict, action: dict) -> None:
        ack()
        idea = decisions.idea_for_reconsideration(runtime, idea_id_of(action), body["user"]["id"])
        runtime.gateway.open_view(body["trigger_id"], views.reconsider_modal(idea))

    @app.view(Callback.RECONSIDER.value)
    @refusing
    def reconsideration_asked(ack: Ack, body: dict, view: dict) -> None:
        new_information, errors = views.parse_reconsider(view)
        if closed_without_errors(ack, errors):
            idea_id, user_id = idea_id_in_view(view), body["user"]["id"]
            decisions.reconsider(runtime, idea_id, new_information, user_id, once=submission_key(view))

    @app.action(Action.GIVE_FEEDBACK.value)
    @refusing
    def open_feedback(ack: Ack, body: dict, action: dict) -> None:
        ack()
        idea = decisions.submitters_idea(runtime, idea_id_of(action), body["user"]["id"], "give feedback on it")
        runtime.gateway.open_view(body["trigger_id"], views.feedback_modal(idea))

    @app.view(Callback.FEEDBACK.value)
    @refusing
    def feedback_given(ack: Ack, body: dict, view: dict) -> None:
        rating, comment, anonymous, errors = views.parse_feedback(view)
        if closed_without_errors(ack, errors):
            idea_id, user_id, once = idea_id_in_view(view), body["user"]["id"], submission_key(view)
            decisions.record_feedback(runtime, idea_id, user_id, rating, comment, anonymous, once=once)
