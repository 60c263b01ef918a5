"""Domain model: SQLAlchemy tables and pure rules. Never imports slack_sdk or bot."""

from models.base import Base
from models.decision import Decision, DecisionDraft, Feedback
from models.home import HomeOpening, HomeRefresh
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
from models.idempotency import IdempotencyKey
from models.joining import IdeaContributor, JoinProposal
from models.lifecycle import IllegalTransition, Move, Stage, advance
from models.nudge import DeliveryStatus, Digest, Nudge, UserTimeZone
from models.outbox import OutboxKind, OutboxMessage, OutboxStatus, RetryPolicy

__all__ = [
    "AuditEvent",
    "Base",
    "CoachingThread",
    "Decision",
    "DecisionDraft",
    "DeliveryStatus",
    "Digest",
    "Feedback",
    "HomeOpening",
    "HomeRefresh",
    "Idea",
    "IdeaContributor",
    "IdeaGoal",
    "IdempotencyKey",
    "IllegalTransition",
    "JoinProposal",
    "LogFrame",
    "Move",
    "Nudge",
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessedEvent",
    "RetryPolicy",
    "SlackMessage",
    "Stage",
    "ThreadMessage",
    "UserTimeZone",
    "advance",
    "parse_reference",
]
