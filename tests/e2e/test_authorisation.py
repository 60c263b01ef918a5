"""Every state-changing action as every role: who may is let through; everyone else is told why, and nothing
changes (every row of every table compared before and after)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.services.intake import load_idea
from bot.views.after_decision import feedback_modal, reconsider_modal
from bot.views.coaching import alignment_modal, assign_coach_modal, withdraw_modal
from bot.views.decisions import decision_modal
from bot.views.ids import Action
from bot.views.logframe import logframe_modal
from models import Base, Decision, OutboxMessage
from tests.conftest import COACH, COACH_2, OUTSIDER, SUBMITTER
from tests.support.flows import (
    click_card,
    click_in_thread,
    coach_this,
    coaching_thread,
    decision_answers,
    submit_idea,
)

DECIDER = "UDECIDE001"
LEAD = "ULEAD00001"
ROLES = {
    "submitter": SUBMITTER,
    "another staff member": OUTSIDER,
    "coach": COACH,
    "PMO staff": COACH_2,
    "decider": DECIDER,
    "lead": LEAD,
}


@pytest.fixture
def settings(settings):
    """Deciding is the deciders' alone here, so that PMO staff and deciders are different roles."""
    return settings.model_copy(update={"pmo_decider_ids": frozenset({DECIDER}), "pmo_lead_id": LEAD})


def snapshot(session_factory) -> dict[str, list]:
    """Every row of every table, except the refusal itself (a DM to the actor about no idea, queued in the
    outbox when there is no channel)."""
    rows = {}
    with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            query = select(table)
            if table.name == OutboxMessage.__tablename__:
                query = query.where(table.c.idea_id.is_not(None))
            rows[table.name] = sorted(map(repr, session.execute(query)))
    return rows


@dataclass
class Stage:
    """An idea at some point of its life, built through the app, and what the app needs to act on it."""

    slack: object
    session_factory: object
    runtime: object
    idea_id: int = 0

    @property
    def idea(self):
        return load_idea(self.runtime, self.idea_id)

    @property
    def thread(self):
        return coaching_thread(self.session_factory, self.idea_id)

    def submitted(self) -> Stage:
        self.idea_id = submit_idea(self.slack)
        return self

    def coaching(self) -> Stage:
        coach_this(self.submitted().slack, self.idea_id, COACH)
        return self

    def ready(self) -> Stage:
        click_in_thread(self.coaching().slack, Action.MARK_READY, self.idea_id, COACH, self.thread)
        return self

    def preview(self) -> dict:
        form = decision_modal(self.ready().idea, self.runtime.strategy, None)
        return self.slack.submit_view(form, decision_answers("no_go"), user=DECIDER).json()["view"]

    def decided(self) -> Stage:
        self.slack.submit_view(self.preview(), {}, user=DECIDER)
        return self

    def decision_id(self) -> int:
        with self.session_factory() as session:
            return session.scalars(select(Decision.id).where(Decision.idea_id == self.idea_id)).one()

    def dm_click(self, action: Action, value: int, user: str):
        message = {"ts": "1700000099.000100", "text": "decision"}
        return self.slack.click(action, value=str(value), user=user, channel="DSUBMIT001", message=message)


LOGFRAME = {"purpose.objective": "members return missing documents within a day"}


def _submit(s: Stage, view: dict, answers: dict) -> Callable[[str], object]:
    return lambda user: s.slack.submit_view(view, answers, user=user)


def _click_card(s: Stage, action: Action) -> Callable[[str], object]:
    return lambda user: click_card(s.slack, action, s.idea_id, user)


def _click_thread(s: Stage, action: Action) -> Callable[[str], object]:
    thread = s.thread
    return lambda user: click_in_thread(s.slack, action, s.idea_id, user, thread)


def _click_dm(s: Stage, action: Action, value: int) -> Callable[[str], object]:
    return lambda user: s.dm_click(action, value, user)


ACTIONS: dict[str, tuple[Callable[[Stage], Callable[[str], object]], set[str]]] = {
    "coach this": (lambda s: _click_card(s.submitted(), Action.COACH_THIS), {COACH, COACH_2}),
    "assign a coach": (
        lambda s: _submit(s.submitted(), assign_coach_modal(s.idea), {"coach": COACH_2}),
        {COACH, COACH_2},
    ),
    "save the LogFrame": (
        lambda s: _submit(s.coaching(), logframe_modal(s.idea, s.runtime.strategy), LOGFRAME),
        {SUBMITTER, COACH, COACH_2},
    ),
    "confirm alignment": (
        lambda s: _submit(
            s.coaching(), alignment_modal(s.idea, s.runtime.strategy), {"goals": ["paper-reduction"], "note": "x" * 20}
        ),
        {COACH, COACH_2},
    ),
    "mark ready": (lambda s: _click_thread(s.coaching(), Action.MARK_READY), {COACH, COACH_2}),
    "withdraw": (lambda s: _submit(s.coaching(), withdraw_modal(s.idea), {"reason": "Not needed now."}), {SUBMITTER}),
    "preview a decision": (
        lambda s: _submit(s.ready(), decision_modal(s.idea, s.runtime.strategy, None), decision_answers("no_go")),
        {DECIDER},
    ),
    "send a decision": (lambda s: _submit(s, s.preview(), {}), {DECIDER}),
    "thanks, understood": (lambda s: _click_dm(s.decided(), Action.UNDERSTOOD, s.decision_id()), {SUBMITTER}),
    "ask a question": (lambda s: _click_dm(s.decided(), Action.ASK_QUESTION, s.idea_id), {SUBMITTER}),
    "ask for reconsideration": (
        lambda s: _submit(s.decided(), reconsider_modal(s.idea), {"new_information": "n" * 40}),
        {SUBMITTER},
    ),
    "give feedback": (lambda s: _submit(s.decided(), feedback_modal(s.idea), {"rating": "4"}), {SUBMITTER}),
}


def told(slack, user: str) -> str:
    """What the app said to `user` alone: an ephemeral where they clicked, or a DM for a modal."""
    calls = slack.fake.calls_to("chat.postEphemeral") + slack.fake.calls_to("chat.postMessage")
    return " ".join(call.mrkdwn for call in calls if user in (call.get("user"), call.get("channel")))


REPEATABLE = {"coach this", "save the LogFrame", "confirm alignment"}
"""Actions that one allowed person after another may take on the same idea, each changing something."""


def test_every_role_either_may_or_is_told_and_nothing_changes(app, slack, session_factory):
    for action, (arrange, allowed) in ACTIONS.items():
        act = arrange(Stage(slack, session_factory, app.runtime))
        before = snapshot(session_factory)  # each refusal is compared with it: none may change anything
        for role, user in ROLES.items():
            if user in allowed:
                continue
            slack.fake.reset()
            response = act(user)
            assert response.status == 200, (action, role)
            after = snapshot(session_factory)
            changed = {name: (before[name], rows) for name, rows in after.items() if rows != before[name]}
            assert not changed, f"{action} as {role} changed {changed}"
            assert told(slack, user), f"{action} as {role} was refused in silence"

        # Refusals changed nothing, so the first allowed person acts on the same idea.
        for n, user in enumerate(sorted(allowed)):
            if n and action not in REPEATABLE:
                act = arrange(Stage(slack, session_factory, app.runtime))
            before = snapshot(session_factory)
            response = act(user)
            assert response.status == 200 and "errors" not in response.body, (action, user, response.body)
            assert snapshot(session_factory) != before, f"{action} by {user} changed nothing"
