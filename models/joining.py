"""Two similar ideas joining forces: the proposal both submitters answer, and the credit that follows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Answer(StrEnum):
    AGREE = "agree"
    DECLINE = "decline"


class JoinState(StrEnum):
    OPEN = "open"
    AGREED = "agreed"
    DECLINED = "declined"


class JoinProposal(Base):
    """A coach's proposal that `later` closes and joins `earlier`; happens only when both submitters agree."""

    __tablename__ = "join_proposals"
    __table_args__ = (UniqueConstraint("later_idea_id", "earlier_idea_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    later_idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    earlier_idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    proposed_by: Mapped[str] = mapped_column(String(32))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    later_answer: Mapped[str | None] = mapped_column(String(16))
    earlier_answer: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=JoinState.OPEN)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def settle(later_answer: str | None, earlier_answer: str | None) -> JoinState:
    """Either refusal ends it; it happens only when both agreed."""
    if Answer.DECLINE in (later_answer, earlier_answer):
        return JoinState.DECLINED
    if later_answer == earlier_answer == Answer.AGREE:
        return JoinState.AGREED
    return JoinState.OPEN


class IdeaContributor(Base):
    """Someone credited on an idea besides its submitter (a submitter whose idea joined it); they follow it."""

    __tablename__ = "idea_contributors"

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
    joined_from_id: Mapped[int | None] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
