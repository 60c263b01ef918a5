"""What listeners and jobs need, built once per process and passed explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, Strategy
from bot.outbox import Outbox
from bot.slack import SlackGateway


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    strategy: Strategy
    session_factory: sessionmaker[Session]
    gateway: SlackGateway
    clock: Callable[[], datetime] = field(default=utc_now)

    @cached_property
    def outbox(self) -> Outbox:
        """Where services write the messages a change causes (`add`) and send them after commit (`kick`).
        Its clock follows this runtime's, so a test that moves `runtime.clock` moves the outbox's too."""
        return Outbox(self.gateway, self.session_factory, lambda: self.clock(), self.settings.pmo_channel_id)

    def is_staff(self, user_id: str) -> bool:
        return self.settings.is_staff(user_id)

    def is_pmo(self, user_id: str) -> bool:
        """PMO staff, deciders and the PMO lead: everyone who may see any idea."""
        settings = self.settings
        return settings.is_staff(user_id) or settings.is_decider(user_id) or user_id == settings.pmo_lead_id
