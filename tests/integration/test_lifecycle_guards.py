"""Every service guard refuses exactly the moves the lifecycle's table refuses, on both databases.

For each stage and each move a service offers, an idea is put in the database at that stage and the
service is called by someone whose role allows the move; so only the stage can refuse it. A refused
move leaves the stage alone; an allowed one lands where the table says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.services import coaching, decisions, joining
from bot.services.errors import Refused
from models import Idea, IllegalTransition, Move, Stage
from models.decision_rules import CriterionScore, Outcome, Proposal
from models.lifecycle import DECIDE_MOVES, TRANSITIONS, can
from models.logframe import Column, Level, cell_key
from tests.conftest import COACH, COACH_2, OUTSIDER, SUBMITTER
from tests.support.nudging import add_thread, make_idea, runtime_for

NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
OTHER_SUBMITTER = OUTSIDER  # another staff member, who submitted the earlier of two similar ideas
REFUSALS = (Refused, IllegalTransition)


def _proposal(runtime, outcome: Outcome) -> Proposal:
    base = Proposal(
        outcome=outcome.value,
        scores=[CriterionScore(c.id, 3, f"Because of {c.title.lower()}, in a line") for c in runtime.strategy.criteria],
        goals_considered=[runtime.strategy.goals[0].id],
        rationale=(
            "It saves members days of waiting on loan documents, and lending already has the text templates "
            "and the member consent it needs to start in March."
        ),
    )
    if outcome is Outcome.GO:
        return replace(
            base,
            next_steps="Lending scopes the texts in March.",
            owner_id=COACH,
            target_start=date(2027, 4, 1),
            effort=15,
        )
    base = replace(
        base,
        alternatives="Ask the portal vendor to switch on its reminders early.",
        what_would_change="If the portal replacement slips past September, bring it back.",
    )
    return replace(base, revisit_on=date(2027, 6, 7)) if outcome is Outcome.NOT_NOW else base


def _decide(outcome: Outcome) -> Callable:
    def decide(runtime, idea_id: int) -> None:
        decisions.decision_form(runtime, idea_id, COACH)
        proposal = _proposal(runtime, outcome)
        assert decisions.check(runtime, proposal) == {}
        shown = decisions.preview(runtime, idea_id, proposal, COACH)
        decisions.send(runtime, shown.draft_id, COACH)

    return decide


# Each move, done through its service by a person whose role allows it.
SERVICES: dict[Move, Callable] = {
    Move.ASSIGN_COACH: lambda runtime, idea_id: coaching.assign_coach(runtime, idea_id, COACH_2, COACH_2),
    Move.MARK_READY: lambda runtime, idea_id: coaching.mark_ready(runtime, idea_id, COACH),
    Move.CONFIRM_ALIGNMENT: lambda runtime, idea_id: coaching.save_alignment(
        runtime, idea_id, [runtime.strategy.goals[0].id], "It shortens the loan cycle directly.", COACH
    ),
    Move.EDIT_LOGFRAME: lambda runtime, idea_id: coaching.save_logframe(
        runtime, idea_id, {cell_key(Level.GOAL, Column.MEASURE): "Days waiting, 4 to 1"}, SUBMITTER
    ),
    Move.WITHDRAW: lambda runtime, idea_id: coaching.withdraw(runtime, idea_id, "The portal will do this.", SUBMITTER),
    Move.RECONSIDER: lambda runtime, idea_id: decisions.reconsider(
        runtime, idea_id, "The vendor said the portal slips to 2028.", SUBMITTER
    ),
    Move.REVISIT: lambda runtime, idea_id: coaching.revisit(runtime, idea_id, COACH),
    **{move: _decide(outcome) for outcome in Outcome for move in [outcome.move]},
}

# The checks made before a form opens, so nobody fills one in only to be refused at the end.
PRE_CHECKS: dict[Move, Callable] = {
    Move.ASSIGN_COACH: lambda runtime, idea_id: coaching.idea_for_assignment(runtime, idea_id, COACH_2),
    Move.CONFIRM_ALIGNMENT: lambda runtime, idea_id: coaching.idea_for_coach(runtime, idea_id, COACH, "align it"),
    Move.EDIT_LOGFRAME: lambda runtime, idea_id: coaching.idea_for_logframe(runtime, idea_id, SUBMITTER),
    Move.WITHDRAW: lambda runtime, idea_id: coaching.idea_for_withdrawal(runtime, idea_id, SUBMITTER),
    Move.RECONSIDER: lambda runtime, idea_id: decisions.idea_for_reconsideration(runtime, idea_id, SUBMITTER),
    **{move: lambda runtime, idea_id: decisions.decision_form(runtime, idea_id, COACH) for move in DECIDE_MOVES},
}


def test_every_move_in_the_table_has_a_service():
    # Joining needs two ideas: test_joining_forces_is_refused_exactly_where_the_table_refuses covers it.
    assert {move for (_, move) in TRANSITIONS} == {*SERVICES, Move.JOIN}


@pytest.fixture
def runtime(settings, strategy, session_factory):
    runtime = runtime_for(settings, strategy, session_factory)
    runtime.clock = lambda: NOW
    return runtime


def _idea_at(runtime, stage: Stage) -> int:
    idea_id = make_idea(runtime.session_factory, stage, NOW, coach=COACH, revisit_on=date(2027, 3, 1))
    add_thread(runtime.session_factory, idea_id, COACH, NOW)
    return idea_id


def _stage_of(runtime, idea_id: int) -> Stage:
    with runtime.session_factory() as session:
        return session.get(Idea, idea_id).current_stage


@pytest.mark.parametrize("move", list(SERVICES), ids=str)
def test_each_service_refuses_exactly_what_the_table_refuses(runtime, fake_slack, move: Move):
    for stage in Stage:
        idea_id = _idea_at(runtime, stage)
        if can(stage, move):
            SERVICES[move](runtime, idea_id)
            assert _stage_of(runtime, idea_id) is TRANSITIONS[(stage, move)], (stage, move)
        else:
            with pytest.raises(REFUSALS):
                SERVICES[move](runtime, idea_id)
            assert _stage_of(runtime, idea_id) is stage, (stage, move)


@pytest.mark.parametrize("move", list(PRE_CHECKS), ids=str)
def test_each_pre_check_refuses_exactly_what_the_table_refuses(runtime, move: Move):
    for stage in Stage:
        idea_id = _idea_at(runtime, stage)
        if can(stage, move):
            PRE_CHECKS[move](runtime, idea_id)
        else:
            with pytest.raises(REFUSALS):
                PRE_CHECKS[move](runtime, idea_id)


@pytest.mark.parametrize(
    ("move", "service"),
    [
        (Move.REVISIT, lambda runtime, idea_id: coaching.revisit(runtime, idea_id, SUBMITTER)),
        (Move.WITHDRAW, lambda runtime, idea_id: coaching.withdraw(runtime, idea_id, "Not mine to keep.", COACH)),
        (Move.RECONSIDER, lambda runtime, idea_id: decisions.reconsider(runtime, idea_id, "New facts here.", COACH)),
    ],
    ids=["revisit-by-submitter", "withdraw-by-coach", "reconsider-by-coach"],
)
def test_roles_still_refuse_where_the_stage_allows(runtime, move: Move, service):
    """The stage allowing a move is not enough: models/access.py's role rules still apply."""
    stage = next(stage for stage in Stage if can(stage, move))
    idea_id = _idea_at(runtime, stage)
    with pytest.raises(Refused, match=r"^Only"):
        service(runtime, idea_id)
    assert _stage_of(runtime, idea_id) is stage


def test_joining_forces_is_refused_exactly_where_the_table_refuses(runtime, fake_slack):
    earlier = make_idea(runtime.session_factory, Stage.SUBMITTED, NOW, submitter=OTHER_SUBMITTER)
    for stage in Stage:
        later = _idea_at(runtime, stage)
        if can(stage, Move.JOIN):
            proposal = joining.propose(runtime, (later, earlier), COACH)
            joining.answer(runtime, proposal.id, SUBMITTER, agree=True)
            joining.answer(runtime, proposal.id, OTHER_SUBMITTER, agree=True)
            assert _stage_of(runtime, later) is TRANSITIONS[(stage, Move.JOIN)], stage
        else:
            with pytest.raises(REFUSALS):
                joining.propose(runtime, (later, earlier), COACH)
            assert _stage_of(runtime, later) is stage, stage
