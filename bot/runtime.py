"""What listeners and jobs need, built once per process and passed explicitly."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, Strategy
from bot.executors import run_logged
from bot.outbox import Outbox
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
    post_ack: Executor | None = None  # the bounded pool for work after the ack (bot.executors)
    home_refresher: HomeRefresher | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.session_factory is not None:
            from bot.services import home_refresh  # services import this module

            self.home_refresher = home_refresh.attach(self)

    @cached_property
    def outbox(self) -> Outbox:
        """Where services write the messages a change causes (`add`) and send them after commit (`kick`).
        Its clock follows this runtime's, so a test that moves `runtime.clock` moves the outbox's too."""
        return Outbox(self.gateway, self.session_factory, lambda: self.clock(), self.settings.pmo_channel_id)

    def after_ack(self, fn: Callable[..., object], /, *args, **kwargs) -> Future | None:
        """Run `fn(*args, **kwargs)` in the post-ack pool, off the listener's thread (failures are
        logged); at once, in this thread, when there is no pool (scripts, the scheduler's runtime)."""
        if self.post_ack is None:
            run_logged(fn, *args, **kwargs)
            return None
        return self.post_ack.submit(run_logged, fn, *args, **kwargs)

    def is_staff(self, user_id: str) -> bool:
        return self.settings.is_staff(user_id)

    def is_pmo(self, user_id: str) -> bool:
        """PMO staff, deciders and the PMO lead: everyone who may see any idea."""
        settings = self.settings
        return settings.is_staff(user_id) or settings.is_decider(user_id) or user_id == settings.pmo_lead_id
