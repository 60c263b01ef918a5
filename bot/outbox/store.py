"""The outbox's rows: writing them with the change and claiming them with a lease (what happened to an
attempt is recorded in bot/outbox/outcomes.py).

Claims are conditional updates (the lease must be free and every earlier row of the same idea and
conversation done), so two senders never hold one row and a conversation's messages keep their order.
On PostgreSQL the worker's search for the next row also takes `FOR UPDATE SKIP LOCKED`, so several
workers pass each other instead of queueing on one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.db import transaction
from bot.delivery import FileShare, Post, Update
from models import CoachingThread, OutboxKind, OutboxMessage, OutboxStatus, RetryPolicy, SlackMessage

LEASE = timedelta(seconds=30)
"""Longer than one send (client timeout 10 s, plus a history look-up), short enough that a crashed
sender's messages go out within a minute of a restart."""


def rows_for(
    session: Session, messages: list[Post | Update | FileShare], now: datetime, lease_owner: str | None = None
) -> list[OutboxMessage]:
    """Outbox rows for `messages`, inserted in `session`'s transaction in the given order; returned as
    detached objects with their ids. With `lease_owner`, each row that nothing undelivered precedes in its
    conversation's order is written leased to it for a first attempt, sparing the sender a claim's
    transaction after the commit."""
    session.flush()  # what the change wrote so far (the idea the rows refer to) goes first
    rows, keys = [], set()
    for message in messages:
        if isinstance(message, Post):
            row = OutboxMessage(
                kind=OutboxKind.POST,
                idea_id=message.idea_id,
                channel_id=message.channel or None,
                order_key=_post_key(session, message, rows),
                remember_as=message.remember_as,
                in_thread_of=message.in_thread_of,
                opens_thread_for=message.opens_thread_for,
                tells_pmo_on_failure=message.tells_pmo_on_failure and not message.patient,
                thread_ts=message.thread_ts,
                open_with=",".join(message.open_with) or None,
                links_thread_of=message.links_thread_of,
                retry_policy=RetryPolicy.PATIENT if message.patient else RetryPolicy.PROMPT,
            )
        elif isinstance(message, Update):
            row = OutboxMessage(
                kind=OutboxKind.UPDATE,
                idea_id=message.idea_id,
                purpose=message.purpose,
                # A message known by its ts: the update targets it directly (posted_ts names it).
                channel_id=message.channel if message.ts else None,
                posted_ts=message.ts,
                # Replacing a clicked message is a courtesy: its failure is logged, not reported to the PMO.
                tells_pmo_on_failure=not message.ts,
                order_key=_update_key(session, message, rows),
                retry_policy=RetryPolicy.PROMPT,
            )
        elif isinstance(message, FileShare):
            row = _file_row(message)
        else:
            raise TypeError(f"{type(message).__name__} is not delivered through the outbox")
        if isinstance(message, FileShare):
            row.text, row.blocks = message.initial_comment or "", []
        else:
            row.text, row.blocks = message.text, list(message.blocks)
        row.status, row.attempts, row.in_doubt = OutboxStatus.PENDING, 0, False
        row.next_attempt_at = row.created_at = now
        if lease_owner and row.order_key not in keys:
            row.lease_owner, row.lease_until, row.first_attempt_at = lease_owner, now + LEASE, now
            row.attempts, row.in_doubt = 1, True  # as a claim would: a crash from here on leaves it in doubt
        if row.order_key:
            keys.add(row.order_key)
        rows.append(row)
    if lease_owner and keys:
        _take_turns(session, keys)
    _insert(session, rows)
    if lease_owner and keys:
        _queue_behind_earlier(session, rows)
    return rows


_OUTBOX = OutboxMessage.__table__
_COLUMNS = [column.key for column in _OUTBOX.columns if column.key != "id"]
_INSERT = insert(_OUTBOX).returning(_OUTBOX.c.id, sort_by_parameter_order=True)


_NULL_UNLESS_GIVEN = {
    column.key for column in _OUTBOX.columns if column.default is None and column.server_default is None
}


def _insert(session: Session, rows: list[OutboxMessage]) -> None:
    """One INSERT for all the rows (a statement built once, no unit of work to track them). Columns no row
    sets are left out: a submission's two posts then take 34 parameters instead of 62, under the 50 up to
    which psycopg caches a query's parsing and prepares it on PostgreSQL."""
    keys = [
        key for key in _COLUMNS if key not in _NULL_UNLESS_GIVEN or any(getattr(row, key) is not None for row in rows)
    ]
    values = [{key: getattr(row, key) for key in keys} for row in rows]
    for row, row_id in zip(rows, session.execute(_INSERT, values).scalars(), strict=True):
        row.id = row_id


ORDER_LOCKS = 0x1DEA
"""The first key of PostgreSQL's two-key advisory locks that make writers of one conversation take turns."""


def _take_turns(session: Session, keys: set[str]) -> None:
    """On PostgreSQL, lock each conversation's order (sorted, so writers never wait on each other in a
    circle) before the rows get their ids: a rival transaction writing to the same conversation waits for
    our commit, then sees our rows as earlier. On SQLite the write lock already serialises writers."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(_ORDER_LOCK, {"space": ORDER_LOCKS, "keys": sorted(keys)})


_ORDER_LOCK = text("SELECT pg_advisory_xact_lock(:space, hashtext(key)) FROM unnest(CAST(:keys AS text[])) AS key")


_FIRST_PENDING = (
    select(_OUTBOX.c.order_key, func.min(_OUTBOX.c.id))
    .where(_OUTBOX.c.order_key.in_(bindparam("keys", expanding=True)), _OUTBOX.c.status == OutboxStatus.PENDING)
    .group_by(_OUTBOX.c.order_key)
)


def _queue_behind_earlier(session: Session, rows: list[OutboxMessage]) -> None:
    """Rows written leased that an undelivered earlier row of their order precedes give the lease back and
    wait their turn (a claim takes them once the earlier row is done)."""
    leased = {row.order_key for row in rows if row.lease_owner and row.order_key}
    if not leased:
        return
    first = dict(session.connection().execute(_FIRST_PENDING, {"keys": sorted(leased)}).all())
    waiting = [row for row in rows if row.lease_owner and row.order_key and first.get(row.order_key) != row.id]
    if not waiting:
        return
    unleased = {"lease_owner": None, "lease_until": None, "first_attempt_at": None, "attempts": 0, "in_doubt": False}
    session.execute(update(_OUTBOX).where(_OUTBOX.c.id.in_([row.id for row in waiting])).values(**unleased))
    for row in waiting:
        for key, value in unleased.items():
            setattr(row, key, value)


def _file_row(message: FileShare) -> OutboxMessage:
    return OutboxMessage(
        kind=OutboxKind.FILE,
        idea_id=message.idea_id,
        channel_id=message.channel,
        # Files of one request (a report's CSV, then its chart) go out in order, with or without an idea.
        order_key=_key(message.idea_id, message.channel) or f"files:{message.channel}",
        file_name=message.filename,
        file_title=message.title,
        file_content=message.content,
        tells_pmo_on_failure=True,
        retry_policy=RetryPolicy.PROMPT,
    )


def _key(idea_id: int | None, channel: str | None) -> str | None:
    return f"{idea_id}:{channel}" if idea_id is not None and channel else None


def _post_key(session: Session, message: Post, batch: list[OutboxMessage]) -> str | None:
    if message.patient:
        return None  # a job's message stands alone: it must not hold up (or wait for) a conversation's order
    if message.links_thread_of:
        behind = _latest_key(session, batch, message.idea_id, message.links_thread_of, pending=True)
        if behind:
            return behind
    if message.open_with:
        # A group DM opened at delivery: its posts (a kickoff and what goes in its thread) share one order.
        return _key(message.idea_id, "with:" + ",".join(sorted(message.open_with)))
    return _key(message.idea_id, message.channel)


def _latest_key(
    session: Session, batch: list[OutboxMessage], idea_id: int | None, purpose: str, *, pending: bool = False
) -> str | None:
    """The order of the latest row remembered as `purpose` for the idea: in this batch, else in the table
    (rows written earlier in this transaction count)."""
    for row in reversed(batch):
        if row.idea_id == idea_id and row.remember_as == purpose:
            return row.order_key
    query = select(OutboxMessage.order_key).where(
        OutboxMessage.idea_id == idea_id, OutboxMessage.remember_as == purpose
    )
    if pending:
        query = query.where(OutboxMessage.status == OutboxStatus.PENDING)
    return session.scalar(query.order_by(OutboxMessage.id.desc()).limit(1))


def _update_key(session: Session, message: Update, batch: list[OutboxMessage]) -> str | None:
    """An update queues behind the post it replaces (and that post's conversation); updates of a message
    known by its ts queue behind each other."""
    if message.ts:
        return f"ts:{message.channel}:{message.ts}"
    key = _latest_key(session, batch, message.idea_id, message.purpose)
    if key:
        return key
    channel = session.scalar(
        select(SlackMessage.channel_id).where(
            SlackMessage.idea_id == message.idea_id, SlackMessage.purpose == message.purpose
        )
    )
    return _key(message.idea_id, channel or message.purpose)


@dataclass(frozen=True)
class Claim:
    """A row leased for one attempt, as it was before the lease (`in_doubt` from earlier attempts)."""

    row: OutboxMessage
    owner: str
    now: datetime

    @property
    def id(self) -> int:
        return self.row.id


# Built once: aliasing the mapped class copies its columns, which cost more CPU than the rest of a claim.
_EARLIER = aliased(OutboxMessage, name="earlier")


def _claimable(now: datetime):
    earlier = _EARLIER
    return and_(
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
        ~exists().where(
            earlier.order_key == OutboxMessage.order_key,
            earlier.id < OutboxMessage.id,
            earlier.status == OutboxStatus.PENDING,
        ),
    )


def claim(session_factory: sessionmaker[Session], owner: str, now: datetime, row_id: int) -> Claim | None:
    """Lease row `row_id` for one attempt; None when it is not due (sent, leased, or waiting its turn)."""
    with transaction(session_factory) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.id == row_id, _claimable(now)))
        return _take(session, row, owner, now) if row is not None else None


def claim_due(session_factory: sessionmaker[Session], owner: str, now: datetime, limit: int) -> list[Claim]:
    """Lease up to `limit` due rows (at most one per conversation: the next in its order)."""
    with transaction(session_factory) as session:
        query = (
            select(OutboxMessage)
            .where(_claimable(now), OutboxMessage.retry_policy == RetryPolicy.PROMPT)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxMessage)
        rows = list(session.scalars(query))
        return [claim for row in rows if (claim := _take(session, row, owner, now)) is not None]


def _take(session: Session, row: OutboxMessage, owner: str, now: datetime) -> Claim | None:
    """The conditional update that makes the lease ours (on SQLite the only guard against a rival)."""
    session.expunge(row)
    taken = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, _claimable(now))
        .values(
            lease_until=now + LEASE,
            lease_owner=owner,
            attempts=OutboxMessage.attempts + 1,
            in_doubt=True,
            first_attempt_at=row.first_attempt_at or now,
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    row.attempts += 1
    return Claim(row, owner, now)


def leased(row: OutboxMessage, owner: str, now: datetime) -> Claim:
    """The claim for a row `rows_for` wrote already leased: as a claim sees it, not in doubt before this
    attempt. The row itself becomes the claim's (it is detached, and its writer needs only its id)."""
    row.in_doubt = False
    return Claim(row, owner, now)


def remembered(session_factory: sessionmaker[Session], idea_id: int | None, purpose: str) -> SlackMessage | None:
    if idea_id is None:
        return None
    with session_factory() as session:
        return session.scalar(
            select(SlackMessage).where(SlackMessage.idea_id == idea_id, SlackMessage.purpose == purpose)
        )


def thread_of(session_factory: sessionmaker[Session], idea_id: int | None, coach_id: str) -> CoachingThread | None:
    """The idea's latest coaching thread with `coach_id` as its coach."""
    with session_factory() as session:
        return session.scalar(
            select(CoachingThread)
            .where(CoachingThread.idea_id == idea_id, CoachingThread.coach_id == coach_id)
            .order_by(CoachingThread.id.desc())
            .limit(1)
        )


def cancel(session: Session, row_id: int, now: datetime) -> None:
    """Drop a row nobody is sending (its job found it no longer matters), in the job's transaction."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
        )
        .values(status=OutboxStatus.SKIPPED, last_error="cancelled")
    )


def opening(session: Session, idea_id: int, purpose: str, helper_id: str) -> bool:
    """Whether a post remembered as `purpose` that opens the idea's conversation with `helper_id` is still
    to be delivered: what belongs in its thread can queue behind it rather than open another."""
    waiting = exists().where(
        OutboxMessage.idea_id == idea_id,
        OutboxMessage.remember_as == purpose,
        OutboxMessage.opens_thread_for == helper_id,
        OutboxMessage.status == OutboxStatus.PENDING,
    )
    return bool(session.scalar(select(waiting)))


def status_of(session_factory: sessionmaker[Session], row_id: int) -> str | None:
    with session_factory() as session:
        return session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row_id))


def shared_file(session_factory: sessionmaker[Session], row_id: int) -> str | None:
    """The Slack file id of a file row once it is shared, else None."""
    with session_factory() as session:
        row = session.get(OutboxMessage, row_id)
        return row.file_id if row is not None and row.status == OutboxStatus.SENT else None


def backlog(session_factory: sessionmaker[Session]) -> tuple[int, datetime | None]:
    """How many rows are undelivered, and when the oldest of them was written (for metrics)."""
    with session_factory() as session:
        count, oldest = session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.status == OutboxStatus.PENDING)
        ).one()
    return count, oldest


KEPT = timedelta(days=7)
"""Delivered rows are kept a week for inspection, then forgotten (what they said lives in Slack)."""
GIVEN_UP_KEPT = timedelta(days=30)
"""Rows Slack refused for good (the PMO was told at the time) are kept a month for operators to look into,
then forgotten with whatever file they carried."""


def forget_delivered(session_factory: sessionmaker[Session], now: datetime) -> int:
    with transaction(session_factory) as session:
        return session.execute(
            delete(OutboxMessage).where(
                or_(
                    and_(
                        OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.SKIPPED]),
                        OutboxMessage.created_at < now - KEPT,
                    ),
                    and_(OutboxMessage.status == OutboxStatus.GIVEN_UP, OutboxMessage.created_at < now - GIVEN_UP_KEPT),
                )
            )
        ).rowcount
