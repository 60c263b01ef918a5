"""Domain model: SQLAlchemy tables and pure rules. Never imports slack_sdk or bot."""

from models.base import Base
from models.idea import (
    AuditEvent,
    CoachingThread,
    Idea,
    IdeaGoal,
    LogFrame,
    ProcessedEvent,
    SlackMessage,
    ThreadMessage,
    parse_reference,
)
from models.lifecycle import IllegalTransition, Move, Stage, advance

__all__ = [
    "AuditEvent",
    "Base",
    "CoachingThread",
    "Idea",
    "IdeaGoal",
    "IllegalTransition",
    "LogFrame",
    "Move",
    "ProcessedEvent",
    "SlackMessage",
    "Stage",
    "ThreadMessage",
    "advance",
    "parse_reference",
]
