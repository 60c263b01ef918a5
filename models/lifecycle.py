"""The idea's stages and the one table of moves between them.

Pure Python: no database, no Slack. Every stage change in the product goes through `advance()`.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    SUBMITTED = "submitted"
    IN_COACHING = "in_coaching"
    READY_FOR_DECISION = "ready_for_decision"
    DECIDED_GO = "decided_go"
    DECIDED_NO_GO = "decided_no_go"
    NOT_NOW = "not_now"
    WITHDRAWN = "withdrawn"
    JOINED = "joined"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STAGES


class Move(StrEnum):
    ASSIGN_COACH = "assign_coach"
    MARK_READY = "mark_ready"
    DECIDE_GO = "decide_go"
    DECIDE_NO_GO = "decide_no_go"
    DECIDE_NOT_NOW = "decide_not_now"
    WITHDRAW = "withdraw"
    RECONSIDER = "reconsider"
    REVISIT = "revisit"
    JOIN = "join"


STAGE_LABELS: dict[Stage, str] = {
    Stage.SUBMITTED: "Submitted",
    Stage.IN_COACHING: "In coaching",
    Stage.READY_FOR_DECISION: "Ready for decision",
    Stage.DECIDED_GO: "Decided: go",
    Stage.DECIDED_NO_GO: "Decided: no-go",
    Stage.NOT_NOW: "Not now",
    Stage.WITHDRAWN: "Withdrawn",
    Stage.JOINED: "Joined forces with another idea",
}

CLOSED_STAGES = frozenset({Stage.DECIDED_GO, Stage.DECIDED_NO_GO, Stage.WITHDRAWN, Stage.JOINED})

# Deciding an idea that is already decided is a correction: a new, visible decision, never an edit.
_DECIDABLE = (
    Stage.SUBMITTED,
    Stage.IN_COACHING,
    Stage.READY_FOR_DECISION,
    Stage.DECIDED_GO,
    Stage.DECIDED_NO_GO,
    Stage.NOT_NOW,
)
DECIDED_STAGES = frozenset({Stage.DECIDED_GO, Stage.DECIDED_NO_GO, Stage.NOT_NOW})

TRANSITIONS: dict[tuple[Stage, Move], Stage] = {
    (Stage.SUBMITTED, Move.ASSIGN_COACH): Stage.IN_COACHING,
    (Stage.IN_COACHING, Move.ASSIGN_COACH): Stage.IN_COACHING,
    (Stage.READY_FOR_DECISION, Move.ASSIGN_COACH): Stage.READY_FOR_DECISION,
    (Stage.NOT_NOW, Move.ASSIGN_COACH): Stage.NOT_NOW,
    (Stage.IN_COACHING, Move.MARK_READY): Stage.READY_FOR_DECISION,
    **{(stage, Move.DECIDE_GO): Stage.DECIDED_GO for stage in _DECIDABLE},
    **{(stage, Move.DECIDE_NO_GO): Stage.DECIDED_NO_GO for stage in _DECIDABLE},
    **{(stage, Move.DECIDE_NOT_NOW): Stage.NOT_NOW for stage in _DECIDABLE},
    **{
        (stage, Move.WITHDRAW): Stage.WITHDRAWN
        for stage in (Stage.SUBMITTED, Stage.IN_COACHING, Stage.READY_FOR_DECISION, Stage.NOT_NOW)
    },
    (Stage.DECIDED_NO_GO, Move.RECONSIDER): Stage.IN_COACHING,
    (Stage.NOT_NOW, Move.RECONSIDER): Stage.IN_COACHING,
    (Stage.NOT_NOW, Move.REVISIT): Stage.IN_COACHING,
    # Joining forces closes the later of two similar ideas once both submitters agreed.
    **{
        (stage, Move.JOIN): Stage.JOINED
        for stage in (Stage.SUBMITTED, Stage.IN_COACHING, Stage.READY_FOR_DECISION, Stage.NOT_NOW)
    },
}


class IllegalTransition(Exception):
    """A move that the lifecycle does not allow from the idea's current stage."""

    def __init__(self, stage: Stage, move: Move):
        self.stage = stage
        self.move = move
        super().__init__(f"An idea that is '{stage.label}' cannot {MOVE_PHRASES[move]}.")


MOVE_PHRASES: dict[Move, str] = {
    Move.ASSIGN_COACH: "be assigned a coach",
    Move.MARK_READY: "be marked ready for decision",
    Move.DECIDE_GO: "be decided go",
    Move.DECIDE_NO_GO: "be decided no-go",
    Move.DECIDE_NOT_NOW: "be decided not now",
    Move.WITHDRAW: "be withdrawn",
    Move.RECONSIDER: "be reconsidered",
    Move.REVISIT: "be revisited",
    Move.JOIN: "join forces with another idea",
}


def advance(stage: Stage, move: Move) -> Stage:
    """The stage an idea reaches by `move`, or IllegalTransition."""
    try:
        return TRANSITIONS[(Stage(stage), move)]
    except KeyError:
        raise IllegalTransition(Stage(stage), move) from None


def allowed_moves(stage: Stage) -> set[Move]:
    return {move for (from_stage, move) in TRANSITIONS if from_stage == stage}
