"""Who has the App Home open and with which filters, and whose Home needs publishing again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class HomeOpening(Base):
    """The last time a person opened the Home tab, and the view state (filters, page) it shows them."""

    __tablename__ = "home_openings"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class HomeRefresh(Base):
    """A Home to publish again because an idea it shows changed; user_id None stands for every PMO Home.

    Rows are only ever inserted by changes (no unique key, so concurrent changes never conflict) and
    deleted by the refresher, which publishes each person once however many rows name them.
    """

    __tablename__ = "home_refreshes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
