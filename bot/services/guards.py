"""The one way services ask whether a move is allowed: the lifecycle's table for the stage,
models/access.py for the person."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.services.errors import Refused
from models import Idea, IllegalTransition, Move
from models.access import Viewer
from models.lifecycle import can


def viewer(runtime: Runtime, user_id: str) -> Viewer:
    settings = runtime.settings
    return Viewer(user_id, is_staff=settings.is_staff(user_id), is_decider=settings.is_decider(user_id))


def ensure_stage_allows(idea: Idea, move: Move, refusal: str | None = None) -> None:
    """Refuse, before anyone fills in a form, a move the table would refuse at the commit."""
    if not can(idea.current_stage, move):
        if refusal is None:
            raise IllegalTransition(idea.current_stage, move)
        raise Refused(refusal)
