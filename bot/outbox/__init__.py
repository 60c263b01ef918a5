"""The delivery outbox: every Post and Update a change causes, sent exactly once (see README, "Delivery")."""

from bot.outbox.sender import EVENT_TYPE, Outbox
from bot.outbox.worker import OutboxWorker

__all__ = ["EVENT_TYPE", "Outbox", "OutboxWorker"]
