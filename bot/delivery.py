"""Messages that a state change causes, and their delivery through the gateway.

Services decide what to say and return these values; `deliver()` sends them after the change is
committed. Replies and updates name an earlier message by (idea, purpose), resolved at delivery.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.slack import SlackGateway
from models import SlackMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Post:
    """A new message in a channel or, with a user id as channel, in the app's DM with that user."""

    channel: str
    text: str
    blocks: list[dict] = field(default_factory=list)
    idea_id: int | None = None
    remember_as: str | None = None
    in_thread_of: str | None = None


@dataclass(frozen=True)
class Update:
    """Replace a message remembered earlier for an idea."""

    idea_id: int
    purpose: str
    text: str
    blocks: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[dict] = field(default_factory=list)


Message = Post | Update | Ephemeral


class Courier:
    def __init__(self, gateway: SlackGateway, session_factory: sessionmaker[Session]):
        self.gateway = gateway
        self.session_factory = session_factory

    def deliver(self, messages: list[Message]) -> int:
        """Send `messages` in order; returns how many failed (each failure is logged)."""
        failures = 0
        for message in messages:
            try:
                self._send(message)
            except SlackApiError as error:
                failures += 1
                log.error("Slack refused %s: %s", type(message).__name__, error.response.get("error"))
            except Exception:
                failures += 1
                log.exception("could not deliver %s", type(message).__name__)
        return failures

    def _send(self, message: Message) -> None:
        match message:
            case Post():
                thread_ts = None
                if message.in_thread_of:
                    parent = self._remembered(message.idea_id, message.in_thread_of)
                    if parent is None:
                        log.warning(
                            "no %s message for idea %s; posting unthreaded",
                            message.in_thread_of,
                            message.idea_id,
                        )
                    elif parent.channel_id == message.channel:
                        thread_ts = parent.ts
                posted = self.gateway.post_message(message.channel, message.text, message.blocks, thread_ts)
                if message.remember_as and message.idea_id is not None:
                    self._remember(message.idea_id, message.remember_as, posted.channel, posted.ts)
            case Update():
                target = self._remembered(message.idea_id, message.purpose)
                if target is None:
                    log.warning("no %s message to update for idea %s", message.purpose, message.idea_id)
                    return
                self.gateway.update_message(target.channel_id, target.ts, message.text, message.blocks)
            case Ephemeral():
                self.gateway.post_ephemeral(message.channel, message.user, message.text, message.blocks)

    def _remembered(self, idea_id: int | None, purpose: str) -> SlackMessage | None:
        if idea_id is None:
            return None
        with self.session_factory() as session:
            return session.scalar(
                select(SlackMessage).where(SlackMessage.idea_id == idea_id, SlackMessage.purpose == purpose)
            )

    def _remember(self, idea_id: int, purpose: str, channel_id: str, ts: str) -> None:
        with transaction(self.session_factory) as session:
            existing = session.scalar(
                select(SlackMessage).where(SlackMessage.idea_id == idea_id, SlackMessage.purpose == purpose)
            )
            if existing is None:
                session.add(SlackMessage(idea_id=idea_id, purpose=purpose, channel_id=channel_id, ts=ts))
            else:
                existing.channel_id, existing.ts = channel_id, ts
