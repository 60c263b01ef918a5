"""Domain model: SQLAlchemy tables and pure rules. Never imports slack_sdk or bot."""

from models.base import Base
from models.idea import AuditEvent, Idea, IdeaGoal, SlackMessage, parse_reference
from models.lifecycle import IllegalTransition, Move, Stage, advance

__all__ = [
    "AuditEvent",
    "Base",
    "Idea",
    "IdeaGoal",
    "IllegalTransition",
    "Move",
    "SlackMessage",
    "Stage",
    "advance",
    "parse_reference",
]
