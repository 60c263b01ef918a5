"""Decisions: what was decided, by whom, scored how, and explained how. Never edited once sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.decision_rules import rationale_key


def _rationale_key(context) -> str | None:
    return rationale_key(context.get_current_parameters().get("rationale") or "")


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scores: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    weighted_score: Mapped[float] = mapped_column(Float)
    goals_considered: Mapped[list[str]] = mapped_column(JSON)
    rationale: Mapped[str] = mapped_column(Text)
    # Set from the rationale on insert, so a rationale copied word for word is found by an index.
    rationale_key: Mapped[str | None] = mapped_column(String(64), index=True, default=_rationale_key)
    alternatives: Mapped[str | None] = mapped_column(Text)
    what_would_change: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[str | None] = mapped_column(String(32))
    target_start: Mapped[date | None] = mapped_column(Date)
    revisit_on: Mapped[date | None] = mapped_column(Date)
    # A Go's rough size, in the unit of strategy.yml's capacity (e.g. person-days).
    effort: Mapped[float | None] = mapped_column(Float)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DecisionDraft(Base):
    """A decision being previewed: the form's values, kept until it is sent or abandoned."""

    __tablename__ = "decision_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    decider_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent: Mapped[bool] = mapped_column(Boolean, default=False)


class Feedback(Base):
    """The submitter's optional rating of the process after a decision; may be anonymous."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[str | None] = mapped_column(String(32))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
