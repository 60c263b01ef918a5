"""Deciding on an idea (form, preview, send) and what its submitter can do with the decision."""

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import decisions
from bot.views import after_decision
from bot.views import decisions as views
from bot.views.blocks import id_in_button, id_in_modal
from bot.views.ids import Action, Callback
from handlers.replies import closed_without_errors, refusals_told, submission_key
from handlers.wiring import bound


@refusals_told
def open_decision(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    form = decisions.decision_form(runtime, id_in_button(action), body["user"]["id"])
    view = views.decision_modal(form.idea, runtime.strategy, form.prefill, correcting=form.correcting, early=form.early)
    if body.get("container", {}).get("type") == "view":
        runtime.gateway.push_view(body["trigger_id"], view)
    else:
        runtime.gateway.open_view(body["trigger_id"], view)


@refusals_told
def decision_previewed(runtime: Runtime, ack: Ack, body: dict, view: dict) -> None:
    proposal = views.parse_decision(view, runtime.strategy)
    errors = decisions.check(runtime, proposal)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    preview = decisions.preview(runtime, id_in_modal(view), proposal, body["user"]["id"])
    ack(response_action="push", view=preview.view)


@refusals_told
def decision_sent(runtime: Runtime, ack: Ack, body: dict, view: dict) -> None:
    ack(response_action="clear")
    decisions.send(runtime, id_in_modal(view), body["user"]["id"], once=submission_key(view))


@refusals_told
def understood(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    decisions.acknowledge(runtime, id_in_button(action), body["user"]["id"])


@refusals_told
def ask_question(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    decisions.ask_question(runtime, id_in_button(action), body["user"]["id"])


@refusals_told
def open_reconsider(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    idea = decisions.idea_for_reconsideration(runtime, id_in_button(action), body["user"]["id"])
    runtime.gateway.open_view(body["trigger_id"], after_decision.reconsider_modal(idea))


@refusals_told
def reconsideration_asked(runtime: Runtime, ack: Ack, body: dict, view: dict) -> None:
    new_information, errors = after_decision.parse_reconsider(view)
    if closed_without_errors(ack, errors):
        idea_id, user_id = id_in_modal(view), body["user"]["id"]
        decisions.reconsider(runtime, idea_id, new_information, user_id, once=submission_key(view))


@refusals_told
def open_feedback(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    idea = decisions.submitters_idea(runtime, id_in_button(action), body["user"]["id"], "give feedback on it")
    runtime.gateway.open_view(body["trigger_id"], after_decision.feedback_modal(idea))


@refusals_told
def feedback_given(runtime: Runtime, ack: Ack, body: dict, view: dict) -> None:
    rating, comment, anonymous, errors = after_decision.parse_feedback(view)
    if closed_without_errors(ack, errors):
        idea_id, user_id, once = id_in_modal(view), body["user"]["id"], submission_key(view)
        decisions.record_feedback(runtime, idea_id, user_id, rating, comment, anonymous, once=once)


def register(app: App, runtime: Runtime) -> None:
    app.action(Action.DECIDE.value)(bound(runtime, open_decision))
    app.view(Callback.DECISION.value)(bound(runtime, decision_previewed))
    app.view(Callback.DECISION_PREVIEW.value)(bound(runtime, decision_sent))
    app.action(Action.UNDERSTOOD.value)(bound(runtime, understood))
    app.action(Action.ASK_QUESTION.value)(bound(runtime, ask_question))
    app.action(Action.RECONSIDER.value)(bound(runtime, open_reconsider))
    app.view(Callback.RECONSIDER.value)(bound(runtime, reconsideration_asked))
    app.action(Action.GIVE_FEEDBACK.value)(bound(runtime, open_feedback))
    app.view(Callback.FEEDBACK.value)(bound(runtime, feedback_given))
