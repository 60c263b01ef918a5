"""The buttons every builder shows are exactly the moves the lifecycle's table allows for its reader.

For every stage (with and without a coach), each builder's buttons are read back as moves and compared
with `can()` from models/lifecycle.py, for the people who read that message:
- the intake card: the PMO channel (staff who decide);
- the kickoff in the coaching conversation: the submitter and the coach;
- the decision notice DM: the submitter;
- the details view: whoever asked, decider or not.
"""

from __future__ import annotations

import pytest

from bot.config import load_strategy
from bot.views.coaching import kickoff
from bot.views.decision_notice import notice_actions, preview_modal
from bot.views.ids import Action
from bot.views.messages import details_blocks, details_modal, intake_card
from models import Move, Stage
from models.access import Viewer, allowed, may
from models.decision_rules import Outcome
from models.lifecycle import DECIDE_MOVES, TRANSITIONS, can
from tests.conftest import ROOT
from tests.support.blockkit import assert_slack_sdk_accepts_blocks
from tests.support.ideas import COACH, SUBMITTER, make_idea

STRATEGY = load_strategy(ROOT / "strategy.yml")
DECIDE = frozenset(DECIDE_MOVES)

# What a click on each button asks for (the decide button opens the form for all three outcomes).
MOVES_OF_ACTION: dict[str, frozenset[Move]] = {
    Action.COACH_THIS: frozenset({Move.ASSIGN_COACH}),
    Action.ASSIGN_COACH: frozenset({Move.ASSIGN_COACH}),
    Action.REVISIT: frozenset({Move.REVISIT}),
    Action.DECIDE: DECIDE,
    Action.OPEN_LOGFRAME: frozenset({Move.EDIT_LOGFRAME}),
    Action.OPEN_ALIGNMENT: frozenset({Move.CONFIRM_ALIGNMENT}),
    Action.MARK_READY: frozenset({Move.MARK_READY}),
    Action.WITHDRAW: frozenset({Move.WITHDRAW}),
    Action.RECONSIDER: frozenset({Move.RECONSIDER}),
    Action.PROPOSE_JOIN: frozenset({Move.JOIN}),
}
# Buttons that make no move: they show, ask or answer.
NO_MOVE = {Action.VIEW_DETAILS, Action.ASK_QUESTION, Action.UNDERSTOOD}

# Which moves each builder is the place for, and who reads it. Written out here, not imported.
CARD_MOVES = frozenset({Move.ASSIGN_COACH, Move.REVISIT, *DECIDE})
KICKOFF_MOVES = frozenset({Move.EDIT_LOGFRAME, Move.CONFIRM_ALIGNMENT, Move.MARK_READY, Move.WITHDRAW})
NOTICE_MOVES = frozenset({Move.RECONSIDER})
SIMILAR_MOVES = frozenset({Move.JOIN})  # on the card, under the similar ideas it found
DETAILS_MOVES = DECIDE

CASES = [(stage, coach) for stage in Stage for coach in (COACH, None)]


def _id(case) -> str:
    stage, coach = case
    return f"{stage}-{'coach' if coach else 'no-coach'}"


def moves_shown(blocks: list[dict]) -> set[Move]:
    shown: set[Move] = set()
    for block in blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            action_id = element["action_id"]
            assert action_id in MOVES_OF_ACTION or action_id in NO_MOVE, action_id
            shown |= MOVES_OF_ACTION.get(action_id, frozenset())
    return shown


def table_allows(stage: Stage, moves: frozenset[Move]) -> set[Move]:
    return {move for move in moves if (stage, move) in TRANSITIONS}


@pytest.mark.parametrize(("stage", "coach"), CASES, ids=[_id(case) for case in CASES])
def test_the_card_offers_exactly_what_the_table_allows_the_pmo(stage: Stage, coach: str | None):
    idea = make_idea(stage=stage, coach_id=coach)
    _, blocks = intake_card(idea, STRATEGY)
    assert moves_shown(blocks) == table_allows(stage, CARD_MOVES)
    assert_slack_sdk_accepts_blocks(blocks)


@pytest.mark.parametrize("stage", list(Stage), ids=str)
def test_a_card_with_similar_ideas_offers_joining_forces_exactly_when_the_table_allows_it(stage: Stage):
    idea = make_idea(stage=stage, coach_id=COACH)
    idea.similar = [{"id": 99, "title": "An earlier idea"}]
    _, blocks = intake_card(idea, STRATEGY)
    assert moves_shown(blocks) == table_allows(stage, CARD_MOVES | SIMILAR_MOVES)


@pytest.mark.parametrize("stage", list(Stage), ids=str)
def test_the_kickoff_offers_exactly_what_the_table_allows_the_submitter_and_coach(stage: Stage):
    _, blocks = kickoff(make_idea(stage=stage), STRATEGY)
    assert moves_shown(blocks) == table_allows(stage, KICKOFF_MOVES)
    assert_slack_sdk_accepts_blocks(blocks)


@pytest.mark.parametrize("outcome", list(Outcome), ids=str)
def test_the_decision_notice_offers_reconsideration_exactly_when_the_table_allows_it(outcome: Outcome):
    idea = make_idea(stage=outcome.stage)
    block = notice_actions(idea, 9, outcome)
    assert moves_shown([block]) == table_allows(outcome.stage, NOTICE_MOVES)
    preview = preview_modal([], 5, [], outcome)
    assert ("[Ask for reconsideration]" in str(preview)) is can(outcome.stage, Move.RECONSIDER)


@pytest.mark.parametrize(("stage", "coach"), CASES, ids=[_id(case) for case in CASES])
@pytest.mark.parametrize("can_decide", [True, False], ids=["decider", "not-a-decider"])
def test_details_offer_a_decision_exactly_when_the_table_allows_one_and_the_viewer_decides(
    stage: Stage, coach: str | None, can_decide: bool
):
    idea = make_idea(stage=stage, coach_id=coach)
    expected = table_allows(stage, DETAILS_MOVES) if can_decide else set()
    assert moves_shown(details_blocks(idea, STRATEGY, can_decide=can_decide)) == expected
    assert moves_shown(details_modal(idea, STRATEGY, can_decide=can_decide)["blocks"]) == expected


def test_every_move_in_the_table_has_a_button_somewhere():
    """A move the table allows but no message offers would be one nobody could make."""
    offered = CARD_MOVES | KICKOFF_MOVES | NOTICE_MOVES | DETAILS_MOVES | SIMILAR_MOVES
    assert {move for (_, move) in TRANSITIONS} <= offered


def test_a_card_with_a_coach_offers_reassignment_and_one_without_offers_coach_this():
    with_coach = intake_card(make_idea(stage=Stage.NOT_NOW, coach_id=COACH), STRATEGY)[1]
    without = intake_card(make_idea(stage=Stage.SUBMITTED, coach_id=None), STRATEGY)[1]
    labels = [[e["text"]["text"] for e in block["elements"]] for block in (with_coach[-1], without[-1])]
    assert labels[0] == ["View details", "Reassign coach", "Reopen for coaching", "Correct decision"]
    assert labels[1] == ["View details", "Coach this", "Assign coach", "Decide early"]


# --- who: the role rules of models/access.py --------------------------------------------------------

STAFF = "USTAFF0001"
OUTSIDER = "UOUTSIDE01"
ROLES = {
    "submitter": Viewer(SUBMITTER),
    "coach": Viewer(COACH, is_staff=True),
    "staff": Viewer(STAFF, is_staff=True),
    "decider": Viewer("UDECIDE001", is_decider=True),
    "outsider": Viewer(OUTSIDER),
}
# Who may make each move, whatever the stage: written out independently of models/access.py.
MAY = {
    Move.ASSIGN_COACH: {"coach", "staff"},
    Move.REVISIT: {"coach", "staff"},
    Move.MARK_READY: {"coach", "staff"},
    Move.CONFIRM_ALIGNMENT: {"coach", "staff"},
    Move.EDIT_LOGFRAME: {"submitter", "coach", "staff"},
    Move.DECIDE_GO: {"decider"},
    Move.DECIDE_NO_GO: {"decider"},
    Move.DECIDE_NOT_NOW: {"decider"},
    Move.WITHDRAW: {"submitter"},
    Move.RECONSIDER: {"submitter"},
    Move.JOIN: {"coach", "staff"},
}


def test_every_move_has_a_role_rule():
    assert set(MAY) == set(Move)


@pytest.mark.parametrize("move", list(Move), ids=str)
def test_allowed_is_the_table_and_the_role_together(move: Move):
    for stage in Stage:
        idea = make_idea(stage=stage)
        for name, viewer in ROLES.items():
            assert may(idea, viewer, move) is (name in MAY[move]), (name, move)
            assert allowed(idea, viewer, move) is (can(stage, move) and name in MAY[move]), (stage, name, move)
