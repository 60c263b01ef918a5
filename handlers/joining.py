"""Joining forces: a coach proposes from the intake card; each submitter answers in their DM."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import joining
from bot.views.blocks import id_in_button
from bot.views.ids import Action
from bot.views.joining import PROPOSAL_SENT, agreed, parse_pair
from handlers.replies import refusals_told, tell
from handlers.wiring import bound


@refusals_told
def propose_join(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    joining.propose(runtime, parse_pair(action.get("value") or ""), body["user"]["id"])
    tell(runtime, body, PROPOSAL_SENT)


@refusals_told
def answer_join(runtime: Runtime, ack: Ack, body: dict, action: dict) -> None:
    ack()
    joining.answer(runtime, id_in_button(action), body["user"]["id"], agreed(action))


def register(app: App, runtime: Runtime) -> None:
    app.action(Action.PROPOSE_JOIN.value)(bound(runtime, propose_join))
    for action_id in (Action.JOIN_AGREE, Action.JOIN_DECLINE):
        app.action(action_id.value)(bound(runtime, answer_join))
