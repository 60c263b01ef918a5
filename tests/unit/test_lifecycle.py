"""The lifecycle's one table of moves, and how an Idea applies a move (in memory, no database)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from models import Idea, IllegalTransition, Move, Stage, advance, lifecycle
from models.lifecycle import CLOSED_STAGES, TRANSITIONS, allowed_moves

# The table as the product promises it, written out independently of models/lifecycle.py so that a
# changed entry there fails here.
EXPECTED: dict[tuple[Stage, Move], Stage] = {
    (Stage.SUBMITTED, Move.ASSIGN_COACH): Stage.IN_COACHING,
    (Stage.IN_COACHING, Move.ASSIGN_COACH): Stage.IN_COACHING,
    (Stage.READY_FOR_DECISION, Move.ASSIGN_COACH): Stage.READY_FOR_DECISION,
    (Stage.NOT_NOW, Move.ASSIGN_COACH): Stage.NOT_NOW,
    (Stage.IN_COACHING, Move.MARK_READY): Stage.READY_FOR_DECISION,
    # Deciding is possible before a decision and, as a visible correction, after one.
    **{
        (stage, move): end
        for stage in (
            Stage.SUBMITTED,
            Stage.IN_COACHING,
            Stage.READY_FOR_DECISION,
            Stage.DECIDED_GO,
            Stage.DECIDED_NO_GO,
            Stage.NOT_NOW,
        )
        for move, end in (
            (Move.DECIDE_GO, Stage.DECIDED_GO),
            (Move.DECIDE_NO_GO, Stage.DECIDED_NO_GO),
            (Move.DECIDE_NOT_NOW, Stage.NOT_NOW),
        )
    },
    (Stage.SUBMITTED, Move.WITHDRAW): Stage.WITHDRAWN,
    (Stage.IN_COACHING, Move.WITHDRAW): Stage.WITHDRAWN,
    (Stage.READY_FOR_DECISION, Move.WITHDRAW): Stage.WITHDRAWN,
    (Stage.NOT_NOW, Move.WITHDRAW): Stage.WITHDRAWN,
    (Stage.DECIDED_NO_GO, Move.RECONSIDER): Stage.IN_COACHING,
    (Stage.NOT_NOW, Move.RECONSIDER): Stage.IN_COACHING,
    (Stage.NOT_NOW, Move.REVISIT): Stage.IN_COACHING,
    # Work that keeps the stage: the LogFrame and the alignment stay editable until the idea is closed.
    **{
        (stage, move): stage
        for stage in (Stage.SUBMITTED, Stage.IN_COACHING, Stage.READY_FOR_DECISION, Stage.NOT_NOW)
        for move in (Move.EDIT_LOGFRAME, Move.CONFIRM_ALIGNMENT)
    },
    (Stage.SUBMITTED, Move.JOIN): Stage.JOINED,
    (Stage.IN_COACHING, Move.JOIN): Stage.JOINED,
    (Stage.READY_FOR_DECISION, Move.JOIN): Stage.JOINED,
    (Stage.NOT_NOW, Move.JOIN): Stage.JOINED,
}

ILLEGAL = [(stage, move) for stage in Stage for move in Move if (stage, move) not in EXPECTED]

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=5)


def _id(value) -> str:
    # Sets sorted: ids must not depend on hash order, or pytest-xdist's workers collect different tests.
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(str(part) for part in value)) + "}"
    return "-".join(str(part) for part in value) if isinstance(value, tuple) else str(value)


def make_idea(stage: Stage) -> Idea:
    return Idea(
        id=7,
        title="Text members about missing documents",
        problem="Loan files stall for days.",
        proposal="Send a text when a document is missing.",
        beneficiaries=["members"],
        success_signal="Fewer stalled files",
        help_offer="yes",
        submitter_id="USUBMIT001",
        stage=stage,
        stage_entered_at=T0,
        created_at=T0,
        updated_at=T0,
    )


def test_the_product_table_is_exactly_the_expected_table():
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("start", "move", "end"), [(s, m, e) for (s, m), e in EXPECTED.items()], ids=_id)
def test_a_legal_move_lands_on_its_stage(start: Stage, move: Move, end: Stage):
    assert advance(start, move) is end


@pytest.mark.parametrize(("start", "move"), ILLEGAL, ids=_id)
def test_every_move_outside_the_table_is_illegal(start: Stage, move: Move):
    with pytest.raises(IllegalTransition) as raised:
        advance(start, move)
    assert raised.value.stage is start
    assert raised.value.move is move
    assert start.label in str(raised.value)


def test_advance_accepts_the_stage_as_stored_in_the_database_plain_string():
    assert advance("in_coaching", Move.MARK_READY) is Stage.READY_FOR_DECISION


@pytest.mark.parametrize(
    ("start", "move", "message"),
    [
        (Stage.DECIDED_GO, Move.WITHDRAW, "An idea that is 'Decided: go' cannot be withdrawn."),
        (
            Stage.SUBMITTED,
            Move.MARK_READY,
            "An idea that is 'Submitted' cannot be marked ready for decision.",
        ),
        (Stage.WITHDRAWN, Move.RECONSIDER, "An idea that is 'Withdrawn' cannot be reconsidered."),
        (
            Stage.DECIDED_NO_GO,
            Move.ASSIGN_COACH,
            "An idea that is 'Decided: no-go' cannot be assigned a coach.",
        ),
    ],
    ids=_id,
)
def test_an_illegal_move_explains_itself_in_plain_words(start: Stage, move: Move, message: str):
    with pytest.raises(IllegalTransition, match=f"^{re.escape(message)}$"):
        advance(start, move)


def test_closed_stages_are_exactly_decided_go_decided_no_go_withdrawn_and_joined():
    assert frozenset({Stage.DECIDED_GO, Stage.DECIDED_NO_GO, Stage.WITHDRAWN, Stage.JOINED}) == CLOSED_STAGES
    assert {stage for stage in Stage if not stage.is_open} == set(CLOSED_STAGES)


@pytest.mark.parametrize(
    ("stage", "moves"),
    [
        (Stage.DECIDED_GO, {Move.DECIDE_GO, Move.DECIDE_NO_GO, Move.DECIDE_NOT_NOW}),
        (Stage.WITHDRAWN, set()),
        (Stage.JOINED, set()),
        (Stage.DECIDED_NO_GO, {Move.RECONSIDER, Move.DECIDE_GO, Move.DECIDE_NO_GO, Move.DECIDE_NOT_NOW}),
    ],
    ids=_id,
)
def test_closed_stages_offer_only_the_moves_in_the_table(stage: Stage, moves: set[Move]):
    assert allowed_moves(stage) == moves
    for move in set(Move) - moves:
        with pytest.raises(IllegalTransition):
            advance(stage, move)


def test_allowed_moves_of_an_open_stage_match_the_table():
    assert allowed_moves(Stage.NOT_NOW) == {
        Move.JOIN,
        Move.ASSIGN_COACH,
        Move.WITHDRAW,
        Move.RECONSIDER,
        Move.REVISIT,
        Move.DECIDE_GO,
        Move.DECIDE_NO_GO,
        Move.DECIDE_NOT_NOW,
        Move.EDIT_LOGFRAME,
        Move.CONFIRM_ALIGNMENT,
    }
    assert allowed_moves(Stage.IN_COACHING) == {
        Move.JOIN,
        Move.ASSIGN_COACH,
        Move.MARK_READY,
        Move.DECIDE_GO,
        Move.DECIDE_NO_GO,
        Move.DECIDE_NOT_NOW,
        Move.WITHDRAW,
        Move.EDIT_LOGFRAME,
        Move.CONFIRM_ALIGNMENT,
    }


def test_every_stage_has_a_human_label_not_its_stored_value():
    for stage in Stage:
        assert stage.label and stage.label != stage.value


# --- Idea.move ----------------------------------------------------------------------------------


def test_a_move_that_changes_the_stage_stamps_the_stage_clock_and_audits_from_and_to():
    idea = make_idea(Stage.SUBMITTED)

    result = idea.move(Move.ASSIGN_COACH, actor_id="UCOACH0001", at=T1, detail={"coach": "UCOACH0001"})

    assert result is Stage.IN_COACHING
    assert idea.stage == Stage.IN_COACHING
    assert idea.stage_entered_at == T1
    assert idea.updated_at == T1
    [event] = idea.audit_events
    assert (event.action, event.actor_id, event.at) == ("assign_coach", "UCOACH0001", T1)
    assert (event.from_stage, event.to_stage) == (Stage.SUBMITTED, Stage.IN_COACHING)
    assert event.detail == {"coach": "UCOACH0001"}


def test_a_move_that_keeps_the_stage_leaves_the_stage_clock_alone_but_is_still_audited():
    idea = make_idea(Stage.IN_COACHING)

    result = idea.move(Move.ASSIGN_COACH, actor_id="UCOACH0002", at=T1)

    assert result is Stage.IN_COACHING
    assert idea.stage_entered_at == T0
    assert idea.updated_at == T1
    [event] = idea.audit_events
    assert (event.from_stage, event.to_stage) == (Stage.IN_COACHING, Stage.IN_COACHING)
    assert event.action == "assign_coach"
    assert event.detail == {}


def test_every_move_appends_one_audit_event_in_order():
    idea = make_idea(Stage.SUBMITTED)

    idea.move(Move.ASSIGN_COACH, actor_id="UCOACH0001", at=T0 + timedelta(minutes=1))
    idea.move(Move.MARK_READY, actor_id="UCOACH0001", at=T0 + timedelta(minutes=2))
    idea.move(Move.DECIDE_NOT_NOW, actor_id="UPMOLEAD01", at=T0 + timedelta(minutes=3))
    idea.move(Move.REVISIT, actor_id="UPMOLEAD01", at=T0 + timedelta(minutes=4))

    trail = [(e.action, e.from_stage, e.to_stage) for e in idea.audit_events]
    assert trail == [
        ("assign_coach", Stage.SUBMITTED, Stage.IN_COACHING),
        ("mark_ready", Stage.IN_COACHING, Stage.READY_FOR_DECISION),
        ("decide_not_now", Stage.READY_FOR_DECISION, Stage.NOT_NOW),
        ("revisit", Stage.NOT_NOW, Stage.IN_COACHING),
    ]
    assert idea.stage_entered_at == T0 + timedelta(minutes=4)


def test_an_illegal_move_changes_nothing_on_the_idea():
    idea = make_idea(Stage.DECIDED_GO)

    with pytest.raises(IllegalTransition, match="cannot be withdrawn"):
        idea.move(Move.WITHDRAW, actor_id="USUBMIT001", at=T1)

    assert idea.stage == Stage.DECIDED_GO
    assert idea.stage_entered_at == T0
    assert idea.updated_at == T0
    assert idea.audit_events == []


def test_changing_a_decision_is_a_new_audited_move_from_the_old_decision():
    idea = make_idea(Stage.DECIDED_GO)

    idea.move(Move.DECIDE_NO_GO, actor_id="UPMOLEAD01", at=T1, detail={"reason": "budget"})

    assert idea.stage == Stage.DECIDED_NO_GO
    assert idea.stage_entered_at == T1
    [event] = idea.audit_events
    assert (event.action, event.from_stage, event.to_stage) == ("decide_no_go", Stage.DECIDED_GO, Stage.DECIDED_NO_GO)


def test_repeating_a_decision_keeps_the_stage_clock_but_is_audited():
    idea = make_idea(Stage.DECIDED_GO)

    idea.move(Move.DECIDE_GO, actor_id="UPMOLEAD01", at=T1)

    assert (idea.stage, idea.stage_entered_at, idea.updated_at) == (Stage.DECIDED_GO, T0, T1)
    assert [(e.from_stage, e.to_stage) for e in idea.audit_events] == [(Stage.DECIDED_GO, Stage.DECIDED_GO)]


# --- what the table answers for guards, buttons and the sweep ----------------------------------------


def test_can_is_exactly_the_table():
    for stage in Stage:
        for move in Move:
            assert lifecycle.can(stage, move) is ((stage, move) in EXPECTED)
            assert lifecycle.can(stage.value, move) is ((stage, move) in EXPECTED)


def test_the_stage_sets_derived_from_the_table():
    assert {Stage.DECIDED_GO, Stage.DECIDED_NO_GO, Stage.NOT_NOW} == lifecycle.DECIDED_STAGES
    assert {Stage.SUBMITTED} == lifecycle.AWAITING_COACH
    assert {Stage.IN_COACHING} == lifecycle.AWAITING_COACHING
    assert {Stage.READY_FOR_DECISION} == lifecycle.AWAITING_DECISION
    assert {Stage.NOT_NOW} == lifecycle.AWAITING_REVISIT
    assert lifecycle.stages_allowing(Move.RECONSIDER) == {Stage.DECIDED_NO_GO, Stage.NOT_NOW}


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        (Stage.SUBMITTED, lifecycle.DecideAs.EARLY),
        (Stage.IN_COACHING, lifecycle.DecideAs.EARLY),
        (Stage.READY_FOR_DECISION, lifecycle.DecideAs.DUE),
        (Stage.DECIDED_GO, lifecycle.DecideAs.CORRECTION),
        (Stage.DECIDED_NO_GO, lifecycle.DecideAs.CORRECTION),
        (Stage.NOT_NOW, lifecycle.DecideAs.CORRECTION),
        (Stage.WITHDRAWN, None),
    ],
    ids=_id,
)
def test_deciding_reads_as_due_early_a_correction_or_not_at_all(stage: Stage, expected):
    assert lifecycle.decide_as(stage) is expected
