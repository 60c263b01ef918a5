"""Joining forces: a coach proposes from the intake card; each submitter answers in their DM."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import joining
from bot.services.errors import Refused
from bot.views.ids import Action
from bot.views.joining import parse_pair
from handlers.replies import idea_id_of, tell
from models import IllegalTransition


def propose_join(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    try:
        joining.propose(runtime, parse_pair(action.get("value") or ""), body["user"]["id"])
    except (Refused, IllegalTransition) as problem:
        tell(runtime, body, str(problem))
        return
    tell(runtime, body, "I've asked both submitters. Nothing changes unless both agree.")


def answer_join(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    agree = action.get("action_id") == Action.JOIN_AGREE
    try:
        joining.answer(runtime, idea_id_of(action), body["user"]["id"], agree)
    except (Refused, IllegalTransition) as problem:
        tell(runtime, body, str(problem))


def register(app: App, runtime: Runtime) -> None:
    app.action(Action.PROPOSE_JOIN.value)(lambda ack, body, action: propose_join(runtime, ack, body, action))
    for action_id in (Action.JOIN_AGREE, Action.JOIN_DECLINE):
        app.action(action_id.value)(lambda ack, body, action: answer_join(runtime, ack, body, action))
