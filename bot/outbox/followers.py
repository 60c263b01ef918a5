"""The records that follow a patient row's outcome: a nudge's and a digest's delivery state.

Called inside the transaction that records the outcome, so the nudge or digest never disagrees with its
outbox row (a crash leaves both as they were).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from models import DeliveryStatus, Digest, Nudge, OutboxMessage


def sent(session: Session | Connection, row: OutboxMessage, channel: str | None, ts: str | None, at: datetime) -> None:
    if row.idea_id is not None:  # a nudge is about an idea; the digest about all of them
        session.execute(
            update(Nudge)
            .where(Nudge.outbox_id == row.id)
            .values(status=DeliveryStatus.SENT, sent_at=at, channel_id=channel, next_attempt_at=None)
        )
    else:  # a digest is sent once its chart is shared too: the digest job records that
        session.execute(update(Digest).where(Digest.outbox_id == row.id).values(message_ts=ts))


def failed(session: Session | Connection, row: OutboxMessage, error: str, retry_at: datetime | None) -> None:
    values = {"status": DeliveryStatus.FAILED, "last_error": error[:200], "next_attempt_at": retry_at}
    follower = Nudge if row.idea_id is not None else Digest
    session.execute(update(follower).where(follower.outbox_id == row.id).values(**values))
