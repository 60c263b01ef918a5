"""The outbox: every message the bot owes someone, written in the transaction of the change that causes it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class OutboxStatus(StrEnum):
    PENDING = "pending"  # not yet delivered; leased while someone is sending it
    SENT = "sent"
    SKIPPED = "skipped"  # an update whose message was never posted: nothing to update
    GIVEN_UP = "given_up"  # Slack refused it for good (channel_not_found, invalid_blocks, ...)


DONE = (OutboxStatus.SENT, OutboxStatus.SKIPPED, OutboxStatus.GIVEN_UP)


class RetryPolicy(StrEnum):
    PROMPT = "prompt"  # people wait for it: retried within seconds by the worker (cards, DMs, notices)
    PATIENT = "patient"  # a job's message (nudge, digest): retried by its job, minutes apart, after its checks


class OutboxKind(StrEnum):
    POST = "post"
    UPDATE = "update"
    FILE = "file"


class OutboxMessage(Base):
    """One message to deliver. Rows sharing an `order_key` (idea and conversation) go out in id order."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_order_key_id", "order_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    # As addressed: a channel id, or a user id for the app's DM with that user. For updates, the channel
    # of a message known by its ts (None when it is found by idea and purpose).
    channel_id: Mapped[str | None] = mapped_column(String(32))
    order_key: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    remember_as: Mapped[str | None] = mapped_column(String(32))
    in_thread_of: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(String(32))  # the remembered message an update replaces
    opens_thread_for: Mapped[str | None] = mapped_column(String(32))  # coach of the thread this post opens
    tells_pmo_on_failure: Mapped[bool] = mapped_column(default=True)
    open_with: Mapped[str | None] = mapped_column(String(1000))  # user ids: post in the group DM with them
    # The purpose of the post that opens a coaching thread (the kickoff): this post queues behind it and,
    # at delivery, links to the thread it opened for the addressee (then known, not at the commit).
    links_thread_of: Mapped[str | None] = mapped_column(String(32))
    # A file share: the bytes as they were at the change (a report or chart shows the figures of that moment;
    # they are small), and the id Slack gave the upload, recorded before it is completed (shared).
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_title: Mapped[str | None] = mapped_column(String(200))
    file_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    file_id: Mapped[str | None] = mapped_column(String(32))
    retry_policy: Mapped[str] = mapped_column(String(16), default=RetryPolicy.PROMPT)

    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    # True from the moment a send starts until Slack's answer is known: a crash or a timeout leaves it
    # set, and the next sender then looks for the message in Slack before posting it again.
    in_doubt: Mapped[bool] = mapped_column(default=False)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    conversation_id: Mapped[str | None] = mapped_column(String(32))  # the resolved channel (D… for DMs)
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    # The ts Slack gave the post; for an update of a message known by its ts, that message's ts.
    posted_ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
