from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.lifecycle import Move, Stage, advance
from models.logframe import Worksheet

if TYPE_CHECKING:
    from models.joining import IdeaContributor

REFERENCE_PREFIX = "IDEA-"


class Idea(Base):
    __tablename__ = "ideas"
    # The nudge sweep reads only stalled ideas through these (see bot/services/nudges.py).
    __table_args__ = (
        Index("ix_ideas_stage_clock_started_at", "stage", "clock_started_at"),
        Index("ix_ideas_stage_revisit_on", "stage", "revisit_on"),
        # The App Home's sections page through a stage in the order ideas entered it.
        Index("ix_ideas_stage_stage_entered_at", "stage", "stage_entered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    problem: Mapped[str] = mapped_column(Text)
    proposal: Mapped[str] = mapped_column(Text)
    beneficiaries: Mapped[list[str]] = mapped_column(JSON, default=list)
    beneficiary_detail: Mapped[str | None] = mapped_column(String(500))
    success_signal: Mapped[str] = mapped_column(Text)
    tried_before: Mapped[str | None] = mapped_column(Text)
    help_offer: Mapped[str] = mapped_column(String(16))
    goal_unsure: Mapped[bool] = mapped_column(default=False)
    submitter_id: Mapped[str] = mapped_column(String(32), index=True)
    source_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_message_ts: Mapped[str | None] = mapped_column(String(32))
    source_permalink: Mapped[str | None] = mapped_column(String(500))
    stage: Mapped[str] = mapped_column(String(32), index=True, default=Stage.SUBMITTED)
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    coach_id: Mapped[str | None] = mapped_column(String(32), index=True)
    alignment_note: Mapped[str | None] = mapped_column(Text)
    last_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_reply_by: Mapped[str | None] = mapped_column(String(32))
    revisit_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Nudges: a snooze delays the next one; "I'm on it" restarts the stage clock. clock_started_at is the
    # latest of stage_entered_at, last_reply_at and clock_reset_at, kept current by models.nudge.
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    clock_reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Indexed: the portfolio's cache asks for the latest change (bot/services/portfolio.py).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Earlier ideas that sounded similar at submission ({"id", "title"}), shown on the intake card.
    similar: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    goals: Mapped[list[IdeaGoal]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="IdeaGoal.goal_id", lazy="selectin"
    )
    audit_events: Mapped[list[AuditEvent]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="AuditEvent.id"
    )
    logframe: Mapped[LogFrame | None] = relationship(cascade="all, delete-orphan", lazy="selectin")
    threads: Mapped[list[CoachingThread]] = relationship(
        cascade="all, delete-orphan", order_by="CoachingThread.id", lazy="selectin"
    )
    contributors: Mapped[list[IdeaContributor]] = relationship(
        cascade="all, delete-orphan", order_by="IdeaContributor.joined_at", lazy="selectin"
    )

    @property
    def contributor_ids(self) -> list[str]:
        """People credited besides the submitter (submitters of ideas that joined this one); they follow it."""
        return [credit.user_id for credit in self.contributors]

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.id}"

    @property
    def current_stage(self) -> Stage:
        return Stage(self.stage)

    @property
    def worksheet(self) -> Worksheet:
        return Worksheet.from_cells(self.logframe.cells if self.logframe else None)

    @property
    def current_thread(self) -> CoachingThread | None:
        return self.threads[-1] if self.threads else None

    def set_goals(self, goal_ids: list[str]) -> None:
        self.goals = [IdeaGoal(goal_id=goal_id) for goal_id in dict.fromkeys(goal_ids)]

    @property
    def goal_ids(self) -> list[str]:
        return [link.goal_id for link in self.goals]

    def move(self, move: Move, *, actor_id: str, at: datetime, detail: dict[str, Any] | None = None) -> Stage:
        """Apply a lifecycle move, stamping the stage clock and the audit trail."""
        previous = self.current_stage
        new_stage = advance(previous, move)
        if new_stage != previous:
            self.stage = new_stage
            self.stage_entered_at = at
        self.updated_at = at
        self.record(move.value, actor_id=actor_id, at=at, from_stage=previous, to_stage=new_stage, detail=detail)
        return new_stage

    def record(
        self,
        action: str,
        *,
        actor_id: str,
        at: datetime,
        from_stage: Stage | None = None,
        to_stage: Stage | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.audit_events.append(
            AuditEvent(
                actor_id=actor_id,
                action=action,
                from_stage=from_stage,
                to_stage=to_stage,
                detail=detail or {},
                at=at,
            )
        )


def parse_reference(text: str) -> int | None:
    """The idea id in 'IDEA-12' (any case), or None."""
    match = _REFERENCE.fullmatch(text.strip())
    return int(match.group(1)) if match else None


_REFERENCE = re.compile(rf"{REFERENCE_PREFIX}([0-9]{{1,9}})", re.IGNORECASE)


class IdeaGoal(Base):
    __tablename__ = "idea_goals"

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    goal_id: Mapped[str] = mapped_column(String(64), primary_key=True)

    idea: Mapped[Idea] = relationship(back_populates="goals")


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # reports read a period's events

    idea: Mapped[Idea] = relationship(back_populates="audit_events")


class SlackMessage(Base):
    """Where a message the bot posted about an idea lives, so it can be updated or threaded on."""

    __tablename__ = "slack_messages"
    __table_args__ = (UniqueConstraint("idea_id", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))


class CoachingThread(Base):
    """A conversation where an idea is coached: the kickoff message and the replies under it."""

    __tablename__ = "coaching_threads"
    __table_args__ = (UniqueConstraint("channel_id", "thread_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    coach_id: Mapped[str] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(500))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ThreadMessage(Base):
    """A human reply in a coaching thread, kept with the idea; edits and deletions are reflected."""

    __tablename__ = "thread_messages"
    __table_args__ = (UniqueConstraint("channel_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("coaching_threads.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProcessedEvent(Base):
    """Events API deliveries already handled, by event_id, so Slack's retries are stored once."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LogFrame(Base):
    __tablename__ = "logframes"

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    cells: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
