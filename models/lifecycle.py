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
    # Work on the idea that keeps its stage; in the table so the same one judge allows it.
    EDIT_LOGFRAME = "edit_logframe"
    CONFIRM_ALIGNMENT = "confirm_alignment"
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

DECIDE_MOVES = (Move.DECIDE_GO, Move.DECIDE_NO_GO, Move.DECIDE_NOT_NOW)

# Deciding an idea that is already decided is a correction: a new, visible decision, never an edit.
_DECIDABLE = (
    Stage.SUBMITTED,
    Stage.IN_COACHING,
    Stage.READY_FOR_DECISION,
    Stage.DECIDED_GO,
    Stage.DECIDED_NO_GO,
    Stage.NOT_NOW,
)
# Still being shaped: the submitter may withdraw it, and its LogFrame and alignment stay editable.
_IN_PLAY = (Stage.SUBMITTED, Stage.IN_COACHING, Stage.READY_FOR_DECISION, Stage.NOT_NOW)

TRANSITIONS: dict[tuple[Stage, Move], Stage] = {
    (Stage.SUBMITTED, Move.ASSIGN_COACH): Stage.IN_COACHING,
    (Stage.IN_COACHING, Move.ASSIGN_COACH): Stage.IN_COACHING,
    (Stage.READY_FOR_DECISION, Move.ASSIGN_COACH): Stage.READY_FOR_DECISION,
    (Stage.NOT_NOW, Move.ASSIGN_COACH): Stage.NOT_NOW,
    (Stage.IN_COACHING, Move.MARK_READY): Stage.READY_FOR_DECISION,
    **{
        (stage, move): end
        for stage in _DECIDABLE
        for move, end in zip(DECIDE_MOVES, (Stage.DECIDED_GO, Stage.DECIDED_NO_GO, Stage.NOT_NOW), strict=True)
    },
    **{(stage, Move.WITHDRAW): Stage.WITHDRAWN for stage in _IN_PLAY},
    **{(stage, Move.EDIT_LOGFRAME): stage for stage in _IN_PLAY},
    **{(stage, Move.CONFIRM_ALIGNMENT): stage for stage in _IN_PLAY},
    (Stage.DECIDED_NO_GO, Move.RECONSIDER): Stage.IN_COACHING,
    (Stage.NOT_NOW, Move.RECONSIDER): Stage.IN_COACHING,
    (Stage.NOT_NOW, Move.REVISIT): Stage.IN_COACHING,
    # Joining forces closes the later of two similar ideas once both submitters agreed.
    **{(stage, Move.JOIN): Stage.JOINED for stage in _IN_PLAY},
}


def can(stage: Stage | str, move: Move) -> bool:
    """Whether the table allows `move` from `stage`: the one answer guards and buttons both use."""
    return (Stage(stage), move) in TRANSITIONS


def stages_allowing(*moves: Move) -> frozenset[Stage]:
    """The stages from which any of `moves` is allowed."""
    return frozenset(stage for (stage, move) in TRANSITIONS if move in moves)


def stages_reached_by(*moves: Move) -> frozenset[Stage]:
    return frozenset(end for (stage, move), end in TRANSITIONS.items() if move in moves)


def stages_left_by(move: Move) -> frozenset[Stage]:
    """The stages that `move` moves an idea out of (not those where it keeps the stage)."""
    return frozenset(stage for (stage, each), end in TRANSITIONS.items() if each == move and end != stage)


DECIDED_STAGES = stages_reached_by(*DECIDE_MOVES)
# Closed: nothing more to shape; only a decision (as a correction) may still change it.
CLOSED_STAGES = frozenset(Stage) - stages_allowing(Move.EDIT_LOGFRAME)

# What the idea waits for, in each stage where it waits for someone (the nudge sweep's clocks).
AWAITING_COACH = stages_left_by(Move.ASSIGN_COACH)
AWAITING_COACHING = stages_allowing(Move.MARK_READY)
AWAITING_DECISION = stages_reached_by(Move.MARK_READY)
AWAITING_REVISIT = stages_allowing(Move.REVISIT)


class DecideAs(StrEnum):
    """How deciding from a stage reads to the decider."""

    DUE = "due"
    EARLY = "early"
    CORRECTION = "correction"


def decide_as(stage: Stage | str) -> DecideAs | None:
    """None when the table refuses a decision; a correction when one was already made; early before
    the idea was marked ready."""
    stage = Stage(stage)
    if not any(can(stage, move) for move in DECIDE_MOVES):
        return None
    if stage in DECIDED_STAGES:
        return DecideAs.CORRECTION
    return DecideAs.DUE if stage in AWAITING_DECISION else DecideAs.EARLY


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
    Move.EDIT_LOGFRAME: "have its LogFrame edited",
    Move.CONFIRM_ALIGNMENT: "have its strategy alignment changed",
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
