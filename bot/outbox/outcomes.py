"""Recording what happened to an attempt, each in one short transaction on a plain connection.

These run after every send (two or more per submission), without an ORM session: a session's set-up and
tear-down cost more CPU than the statements themselves. The statements rows end with (sent, skipped,
given up) are built once, with bound parameters. Every statement is conditional on the lease (`_MINE`):
a sender whose lease ran out records nothing, and the sender that took over adopts what it posted.
Giving up is the exception: it writes the PMO's notice as outbox rows, so it runs in a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, bindparam, func, insert, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot.db import plain_transaction, transaction
from bot.delivery import Post
from bot.outbox import followers
from bot.outbox.store import Claim, rows_for
from models import CoachingThread, OutboxMessage, OutboxStatus, RetryPolicy, SlackMessage

_OUTBOX = OutboxMessage.__table__
_MINE = and_(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.lease_owner == bindparam("owner"))
_SENT = (
    update(_OUTBOX)
    .where(_MINE)
    .values(
        status=OutboxStatus.SENT,
        sent_at=bindparam("at", type_=_OUTBOX.c.sent_at.type),
        lease_until=None,
        in_doubt=False,
        # An update (no message of its own) keeps what the row knew.
        conversation_id=func.coalesce(
            bindparam("channel", type_=_OUTBOX.c.conversation_id.type), _OUTBOX.c.conversation_id
        ),
        posted_ts=func.coalesce(bindparam("ts", type_=_OUTBOX.c.posted_ts.type), _OUTBOX.c.posted_ts),
    )
)


def _upsert(dialect_insert):
    statement = dialect_insert(SlackMessage.__table__)
    return statement.on_conflict_do_update(
        index_elements=[SlackMessage.idea_id, SlackMessage.purpose],
        set_={"channel_id": statement.excluded.channel_id, "ts": statement.excluded.ts},
    )


_REMEMBER = {"postgresql": _upsert(postgresql_insert), "sqlite": _upsert(sqlite_insert)}
"""Where an idea's message for a purpose lives now: one statement, inserting or replacing."""


def _mine(claim: Claim) -> dict:
    return {"row_id": claim.id, "owner": claim.owner}


@dataclass(frozen=True)
class Delivered:
    channel: str
    ts: str
    permalink: str | None = None


def mark_sent(session_factory: sessionmaker[Session], claim: Claim, delivered: Delivered | None) -> bool:
    """Record the outcome and, in the same transaction, remember where the message lives (its ts)."""
    row = claim.row
    where = {"channel": delivered.channel, "ts": delivered.ts} if delivered else {"channel": None, "ts": None}
    with plain_transaction(session_factory) as connection:
        if connection.execute(_SENT, _mine(claim) | where | {"at": claim.now}).rowcount != 1:
            return False  # our lease ran out and another sender took over; it will adopt what we posted
        if row.retry_policy == RetryPolicy.PATIENT:
            followers.sent(connection, row, delivered and delivered.channel, delivered and delivered.ts, claim.now)
        if delivered is None or row.idea_id is None:
            return True
        if row.remember_as:
            remember = _REMEMBER[connection.dialect.name]
            place = {"channel_id": delivered.channel, "ts": delivered.ts}
            connection.execute(remember, {"idea_id": row.idea_id, "purpose": row.remember_as} | place)
        if row.opens_thread_for:
            connection.execute(
                insert(CoachingThread.__table__).values(
                    idea_id=row.idea_id,
                    channel_id=delivered.channel,
                    thread_ts=delivered.ts,
                    coach_id=row.opens_thread_for,
                    permalink=delivered.permalink,
                    opened_at=claim.now,
                )
            )
    return True


def note_file(session_factory: sessionmaker[Session], claim: Claim, file_id: str) -> None:
    """Keep the id of the upload before it is completed, so a sender in doubt can ask Slack where it is shared."""
    with plain_transaction(session_factory) as connection:
        connection.execute(update(_OUTBOX).where(_MINE).values(file_id=file_id), _mine(claim))


def note_resolved(
    session_factory: sessionmaker[Session], claim: Claim, conversation: str | None, thread_ts: str | None
) -> None:
    """Keep where the message goes, so a later look-up after a crash searches the right conversation."""
    with plain_transaction(session_factory) as connection:
        values = {"conversation_id": conversation, "thread_ts": thread_ts}
        connection.execute(update(_OUTBOX).where(_MINE).values(**values), _mine(claim))


_ENDED = (
    update(_OUTBOX)
    .where(_MINE)
    .values(
        status=bindparam("status", type_=_OUTBOX.c.status.type),
        lease_until=None,
        in_doubt=False,
        last_error=bindparam("error", type_=_OUTBOX.c.last_error.type),
    )
)
"""A row nobody will try again: skipped, or given up."""


def _ended(claim: Claim, status: OutboxStatus, error: str) -> dict:
    return _mine(claim) | {"status": status, "error": error[:200]}


def mark_skipped(session_factory: sessionmaker[Session], claim: Claim, reason: str) -> None:
    with plain_transaction(session_factory) as connection:
        connection.execute(_ENDED, _ended(claim, OutboxStatus.SKIPPED, reason))


def release(session_factory: sessionmaker[Session], claim: Claim) -> None:
    """Hand a leased row back untried (as it was), for this or another sender to take at once."""
    with plain_transaction(session_factory) as connection:
        connection.execute(
            update(_OUTBOX)
            .where(_MINE)
            .values(lease_until=None, lease_owner=None, in_doubt=claim.row.in_doubt, attempts=_OUTBOX.c.attempts - 1),
            _mine(claim),
        )


def mark_retry(session_factory: sessionmaker[Session], claim: Claim, error: str, delay: float, in_doubt: bool) -> None:
    retry_at = claim.now + timedelta(seconds=delay)
    with plain_transaction(session_factory) as connection:
        values = {
            "next_attempt_at": retry_at,
            "lease_until": None,
            "lease_owner": None,
            "in_doubt": in_doubt,
            "last_error": error[:200],
        }
        done = connection.execute(update(_OUTBOX).where(_MINE).values(**values), _mine(claim)).rowcount
        if done == 1 and claim.row.retry_policy == RetryPolicy.PATIENT:
            followers.failed(connection, claim.row, error, retry_at)


def mark_given_up(session_factory: sessionmaker[Session], claim: Claim, error: str, notice: Post | None) -> list[int]:
    """Give the row up; `notice` (telling the PMO) is written in the same transaction, so it is told once."""
    with transaction(session_factory) as session:
        done = session.execute(_ENDED, _ended(claim, OutboxStatus.GIVEN_UP, error)).rowcount
        if done == 1 and claim.row.retry_policy == RetryPolicy.PATIENT:
            followers.failed(session, claim.row, error, None)
        if done != 1 or notice is None:
            return []
        return [row.id for row in rows_for(session, [notice], claim.now)]
