"""What listeners and jobs need, built once per process and passed explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, Strategy
from bot.delivery import Courier
from bot.slack import SlackGateway

if TYPE_CHECKING:
    from bot.services.home_refresh import HomeRefresher


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    strategy: Strategy
    session_factory: sessionmaker[Session]
    gateway: SlackGateway
    clock: Callable[[], datetime] = field(default=utc_now)
    home_refresher: HomeRefresher | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.session_factory is not None:
            from bot.services import home_refresh  # services import this module

            self.home_refresher = home_refresh.attach(self)

    @property
    def courier(self) -> Courier:
        return Courier(self.gateway, self.session_factory)

    def is_staff(self, user_id: str) -> bool:
        return self.settings.is_staff(user_id)

    def is_pmo(self, user_id: str) -> bool:
        """PMO staff, deciders and the PMO lead: everyone who may see any idea."""
        settings = self.settings
        return settings.is_staff(user_id) or settings.is_decider(user_id) or user_id == settings.pmo_lead_id
