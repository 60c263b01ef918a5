"""Idempotency: a change is made at most once per request key, whatever Slack or a double click repeats."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import IdempotencyKey

log = logging.getLogger(__name__)

KEYS_KEPT = timedelta(days=2)
"""Repeats come within minutes (double clicks, Slack's retries, replays inside Slack's 5-minute window)."""


_CLAIM = insert(IdempotencyKey.__table__)


class Repeated(Exception):
    """This request was already handled and nothing changed; the message, when there is one, tells the person."""


def claim(session: Session, key: str | None, now: datetime, repeated: str = "") -> None:
    """Record `key` in the caller's transaction, first, so that a second claim of it (on any instance) waits
    for the first to finish and is then refused by the primary key: the whole repeat rolls back."""
    if not key:
        return
    if len(key) > 200:
        key = key[:120] + ":" + hashlib.sha256(key.encode()).hexdigest()
    try:
        # A plain INSERT on the session's connection: nothing for the unit of work to track.
        session.connection().execute(_CLAIM, {"key": key, "created_at": now})
    except IntegrityError as error:
        log.info("request %s was already handled; nothing changed", key)
        raise Repeated(repeated) from error


def forget_old_keys(session: Session, now: datetime) -> int:
    return session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEYS_KEPT)).rowcount
