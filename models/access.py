"""Who may see and do what, as plain rules."""

from __future__ import annotations

from models.idea import Idea


def can_view(idea: Idea, user_id: str, *, is_staff: bool) -> bool:
    return is_staff or user_id in (idea.submitter_id, idea.coach_id, *idea.contributor_ids)


def can_edit_logframe(idea: Idea, user_id: str, *, is_staff: bool) -> bool:
    return is_staff or user_id in (idea.submitter_id, idea.coach_id)


def can_steer_coaching(idea: Idea, user_id: str, *, is_staff: bool) -> bool:
    """Confirm alignment or mark ready: the idea's coach or any PMO staff member."""
    return is_staff or (idea.coach_id is not None and user_id == idea.coach_id)


def can_withdraw(idea: Idea, user_id: str) -> bool:
    return user_id == idea.submitter_id
