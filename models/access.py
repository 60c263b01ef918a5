"""Who may see and do what, as plain rules."""

from __future__ import annotations

from models.idea import Idea


def can_view(idea: Idea, user_id: str, *, is_staff: bool) -> bool:
    return is_staff or idea.submitter_id == user_id or idea.coach_id == user_id
