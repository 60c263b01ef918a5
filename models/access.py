"""Who may see and do what, as plain rules."""

from __future__ import annotations

from dataclasses import dataclass

from models.idea import Idea
from models.lifecycle import DECIDE_MOVES, Move, can


def can_view(idea: Idea, user_id: str, *, is_staff: bool) -> bool:
    return is_staff or user_id in (idea.submitter_id, idea.coach_id, *idea.contributor_ids)


def can_edit_logframe(idea: Idea, user_id: str, *, is_staff: bool) -> bool:
    return is_staff or user_id in (idea.submitter_id, idea.coach_id)


def can_steer_coaching(idea: Idea, user_id: str, *, is_staff: bool) -> bool:
    """Confirm alignment or mark ready: the idea's coach or any PMO staff member."""
    return is_staff or (idea.coach_id is not None and user_id == idea.coach_id)


def can_withdraw(idea: Idea, user_id: str) -> bool:
    return may(idea, Viewer(user_id), Move.WITHDRAW)


@dataclass(frozen=True)
class Viewer:
    """Someone looking at an idea, with the roles that decide what they may do to it."""

    user_id: str
    is_staff: bool = False
    is_decider: bool = False


def may(idea: Idea, viewer: Viewer, move: Move) -> bool:
    """Whether `viewer`'s role lets them make `move` (the lifecycle says whether the stage does)."""
    user_id, is_staff = viewer.user_id, viewer.is_staff
    if move in (Move.ASSIGN_COACH, Move.REVISIT, Move.JOIN):
        return is_staff  # joining forces: staff propose it; both submitters must then agree (bot/services/joining)
    if move in (Move.MARK_READY, Move.CONFIRM_ALIGNMENT):
        return can_steer_coaching(idea, user_id, is_staff=is_staff)
    if move is Move.EDIT_LOGFRAME:
        return can_edit_logframe(idea, user_id, is_staff=is_staff)
    if move in DECIDE_MOVES:
        return viewer.is_decider
    if move in (Move.WITHDRAW, Move.RECONSIDER):
        return user_id == idea.submitter_id
    raise ValueError(f"no role rule for {move!r}")


def allowed(idea: Idea, viewer: Viewer, move: Move) -> bool:
    """The stage allows the move (the lifecycle's table) and the viewer's role does (the rules above)."""
    return can(idea.current_stage, move) and may(idea, viewer, move)
