"""Nudges and digests as sent (or being sent), and the time zones they are timed by."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.idea import Idea
from models.nudging import activity_clock


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # claimed; being sent (or the sender died: retried after the lease)
    SENT = "sent"
    FAILED = "failed"  # Slack refused or was unreachable; retried at next_attempt_at, until given up
    CANCELLED = "cancelled"  # the idea moved on before the nudge could be delivered


class Nudge(Base):
    """One step of one stage clock for one idea. The unique key is what makes it exactly once:
    it is inserted, in the transaction that claims it, before Slack is called."""

    __tablename__ = "nudges"
    __table_args__ = (UniqueConstraint("idea_id", "kind", "clock_started_at", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The start of the clock this nudge belongs to: the stage entry, or the latest reply or
    # "I'm on it" after it. A reply restarts the clock, so the next quiet spell gets its own nudges.
    clock_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    step: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(1000))  # Slack user ids, comma-separated
    channel_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The outbox row that carries it; its outcome is copied here in the transaction that records it.
    outbox_id: Mapped[int | None] = mapped_column(Integer, index=True)

    @property
    def recipients(self) -> list[str]:
        return [user_id for user_id in self.recipient.split(",") if user_id]


class UserTimeZone(Base):
    """A user's time zone from users.info, cached so nudges are timed without asking Slack each sweep."""

    __tablename__ = "user_time_zones"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tz: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Digest(Base):
    """The weekly digest for one week, claimed before it is posted so several instances post it once."""

    __tablename__ = "digests"

    week_of: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    chart_file_id: Mapped[str | None] = mapped_column(String(32))
    outbox_id: Mapped[int | None] = mapped_column(Integer)  # the outbox row that carries the message
    chart_outbox_id: Mapped[int | None] = mapped_column(Integer)  # and the one that shares its chart
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


@event.listens_for(Idea, "before_insert")
@event.listens_for(Idea, "before_update")
def _keep_activity_clock(_mapper, _connection, idea: Idea) -> None:
    """Every ORM write to an idea keeps `clock_started_at` = its latest sign of life, for the sweep's index."""
    idea.clock_started_at = activity_clock(idea.stage_entered_at, idea.last_reply_at, idea.clock_reset_at)
