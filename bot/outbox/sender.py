"""One delivery component: sends outbox rows, right after a commit (`kick`) or from a worker (`run_once`).

Exactly once across crashes: every post carries Slack message metadata naming its outbox row. A row whose
last attempt ended without a known answer (the process died while sending, or the client timed out) is
first looked for in its conversation (`conversations.history`/`replies` with `include_all_metadata`); when
found, its ts is adopted instead of posting again.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.delivery import Ephemeral, Message, Post
from bot.outbox import outcomes, store
from bot.outbox.outcomes import Delivered
from bot.outbox.policy import judge
from bot.outbox.store import Claim
from bot.slack import SlackGateway
from bot.views.coaching import thread_link
from bot.views.delivery import conversation_not_opened, delivery_failed
from bot.views.ids import Purpose
from models import OutboxKind, RetryPolicy

log = logging.getLogger(__name__)

EVENT_TYPE = "idea_coach_outbox"
BATCH = 20
"""Rows a worker leases at once (one claim transaction for all of them)."""
SAFE_LEASE = (store.LEASE - timedelta(seconds=12)).total_seconds()
"""A leased row is only attempted while at least one client timeout (10 s) plus margin of its lease is left."""
IN_DOUBT_SETTLE = 10.0
"""Seconds before a message whose outcome is unknown is looked for (and only then re-posted)."""
LOOK_BACK = timedelta(minutes=2)
"""How far before a row's first attempt the look-up starts: generous for clocks that disagree."""


def tag(row_id: int) -> dict:
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": row_id}}


class Outbox:
    def __init__(
        self,
        gateway: SlackGateway,
        session_factory: sessionmaker[Session],
        clock: Callable[[], datetime],
        pmo_channel_id: str,
        *,
        rng: random.Random | None = None,
    ):
        self.gateway = gateway
        self.session_factory = session_factory
        self.clock = clock
        self.pmo_channel_id = pmo_channel_id
        self.rng = rng or random.Random()
        self.owner = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._dm_channels: dict[str, str] = {}
        # Rows this sender wrote already leased to itself, by id, once their transaction has committed.
        self._leased: dict[int, tuple[float, Claim]] = {}
        self._leased_lock = threading.Lock()
        self._stash = f"outbox-leased:{self.owner}"
        event.listen(session_factory, "after_commit", self._committed)
        event.listen(
            session_factory, "after_soft_rollback", lambda session, _previous: session.info.pop(self._stash, None)
        )

    # --- what services use ----------------------------------------------------------------------

    def add(self, session: Session, messages: Iterable[Message], now: datetime | None = None) -> list[int]:
        """Write `messages` in the caller's transaction; after the commit, pass the ids to `kick`.
        A job on its own clock (the sweep) passes its `now`, so the rows are due at the job's time.
        Rows first in their conversation's order are written leased to this sender, so sending them
        after the commit needs no claim; if they are never sent here, the lease runs out and the worker
        takes them (in doubt, so it looks for them in Slack first)."""
        rows = store.rows_for(session, list(messages), now or self.clock(), lease_owner=self.owner)
        leased = {row.id: store.leased(row, self.owner, row.created_at) for row in rows if row.lease_owner}
        if leased:
            session.info.setdefault(self._stash, {}).update(leased)
        return [row.id for row in rows]

    def opening(self, session: Session, idea_id: int, purpose: str, helper_id: str) -> bool:
        """Whether a conversation with `helper_id` that a post remembered as `purpose` opens is still waiting
        for that post's delivery (in `session`'s transaction)."""
        return store.opening(session, idea_id, purpose, helper_id)

    def _committed(self, session: Session) -> None:
        leased = session.info.pop(self._stash, None)
        if not leased:
            return
        written = time.monotonic()
        with self._leased_lock:
            # Written and never kicked (a caller that failed after its commit): too old to send from here.
            for row_id in [row_id for row_id, (at, _) in self._leased.items() if at < written - SAFE_LEASE]:
                del self._leased[row_id]
            self._leased.update((row_id, (written, claim)) for row_id, claim in leased.items())

    def release_unsent(self) -> int:
        """Give back the rows this sender wrote leased and has not begun to send (the process is stopping),
        so that another instance's worker takes them at once rather than when the lease runs out."""
        with self._leased_lock:
            waiting = [claim for _, claim in self._leased.values()]
            self._leased.clear()
        for claim in waiting:
            outcomes.release(self.session_factory, claim)
        return len(waiting)

    def kick(self, ids: Iterable[int]) -> None:
        """Deliver the rows just committed, on this thread (the listener's, after its ack). What cannot
        go now is left to the worker."""
        for row_id in ids:
            self.deliver(row_id)

    def send(self, messages: Iterable[Message]) -> None:
        """Messages that belong to no transaction: ephemerals straight out, the rest through the outbox."""
        messages = list(messages)
        for message in messages:
            if isinstance(message, Ephemeral):
                self._ephemeral(message)
        queued = [message for message in messages if not isinstance(message, Ephemeral)]
        if queued:
            with transaction(self.session_factory) as session:
                ids = self.add(session, queued)
            self.kick(ids)

    # --- what workers use -----------------------------------------------------------------------

    def run_once(self, now: datetime | None = None, limit: int = 10_000) -> int:
        """Deliver (or retry, or give up) every row due at `now`; returns how many attempts were made."""
        attempted: set[int] = set()
        while len(attempted) < limit:
            claims = store.claim_due(self.session_factory, self.owner, now or self.clock(), BATCH)
            if not claims:
                break
            leased_at = time.monotonic()
            for number, claim in enumerate(claims):
                # Once per row and run (a row due again at once waits for the next run), and never
                # too close to the lease's end, when another sender could take the row while we post it.
                if claim.id in attempted or time.monotonic() - leased_at > SAFE_LEASE:
                    for rest in claims[number:]:
                        outcomes.release(self.session_factory, rest)
                    return len(attempted)
                self._attempt(claim)
                attempted.add(claim.id)
        return len(attempted)

    def deliver(self, row_id: int, now: datetime | None = None) -> bool | None:
        """One attempt at row `row_id`: True when delivered, False when it failed (and will be retried or
        was given up), None when it was not due (done, leased, or waiting its turn)."""
        with self._leased_lock:
            written, claim = self._leased.pop(row_id, (0.0, None))
        if claim is not None and time.monotonic() - written > SAFE_LEASE:
            claim = None  # too close to the lease's end to send now (as in run_once): a claim decides
        if claim is None:
            claim = store.claim(self.session_factory, self.owner, now or self.clock(), row_id)
        if claim is None:
            return None
        return self._attempt(claim)

    def add_leased(self, session: Session, message: Post, now: datetime) -> Claim:
        """Write a job's message already leased to this sender, in the job's transaction (a claim's worth of
        round trips saved); after the commit, `attempt` it. Only for messages outside any conversation's order."""
        if not message.patient:
            raise ValueError("only a job's (patient) message may be leased as it is written")
        [row] = store.rows_for(session, [message], now, lease_owner=self.owner)
        return store.leased(row, self.owner, now)

    def attempt(self, claim: Claim) -> bool:
        """Send a row leased by `add_leased`; True when delivered."""
        return self._attempt(claim)

    # --- one attempt ----------------------------------------------------------------------------

    def _attempt(self, claim: Claim) -> bool:
        posting = False
        try:
            if claim.row.kind == OutboxKind.UPDATE:
                return self._update(claim)
            if claim.row.kind == OutboxKind.FILE:
                return self._share(claim)
            channel, thread_ts = self._where(claim)
            if claim.row.in_doubt and (found := self._look_up(claim, channel, thread_ts)):
                log.info("outbox %s was already posted (%s); adopting it", claim.id, found)
                return outcomes.mark_sent(self.session_factory, claim, self._delivered(claim, channel, found))
            posting = True
            blocks = self._blocks(claim)
            posted = self.gateway.post_message(channel, claim.row.text, blocks, thread_ts, tag(claim.id))
            posting = False
            return outcomes.mark_sent(self.session_factory, claim, self._delivered(claim, posted.channel, posted.ts))
        except Exception as error:
            self._failed(claim, error, still_in_doubt=claim.row.in_doubt and not posting)
            return False

    def _update(self, claim: Claim) -> bool:
        row = claim.row
        if row.posted_ts and row.channel_id:
            channel, ts = row.channel_id, row.posted_ts
        elif (target := store.remembered(self.session_factory, row.idea_id, row.purpose)) is not None:
            channel, ts = target.channel_id, target.ts
        else:
            log.warning("no %s message to update for idea %s", row.purpose, row.idea_id)
            outcomes.mark_skipped(self.session_factory, claim, f"no {row.purpose} message")
            return False
        # chat.update is idempotent: repeating it after a crash leaves the same message.
        self.gateway.update_message(channel, ts, row.text, row.blocks)
        return outcomes.mark_sent(self.session_factory, claim, None)

    def _share(self, claim: Claim) -> bool:
        """A file share in Slack's three steps. The upload's id is recorded after the first; a row in doubt
        asks files.info whether that upload is shared in the conversation, and adopts it if so."""
        row = claim.row
        channel = self._conversation(row.channel_id)
        if row.in_doubt and row.file_id and (ts := self.gateway.file_share_ts(row.file_id, channel)):
            log.info("outbox %s file %s was already shared (%s); adopting it", claim.id, row.file_id, ts)
            return outcomes.mark_sent(self.session_factory, claim, Delivered(channel, ts))
        file_id, upload_url = self.gateway.start_upload(row.file_name, len(row.file_content))
        outcomes.note_file(self.session_factory, claim, file_id)
        self.gateway.send_upload(upload_url, row.file_content)
        # An earlier, never completed upload is discarded by Slack; only the completion shares the file.
        self.gateway.complete_upload(file_id, row.file_title, channel, row.text or None, row.thread_ts)
        return outcomes.mark_sent(self.session_factory, claim, None)

    def _where(self, claim: Claim) -> tuple[str | None, str | None]:
        """The conversation (a DM's channel id for a user) and the thread the post goes to."""
        row = claim.row
        if row.conversation_id:
            return row.conversation_id, row.thread_ts
        channel, thread_ts = row.channel_id, row.thread_ts
        if row.open_with:
            channel = self._group(row.open_with)
        elif claim.row.in_doubt or row.in_thread_of:
            channel = self._conversation(row.channel_id)
        if row.in_thread_of:
            parent = store.remembered(self.session_factory, row.idea_id, row.in_thread_of)
            if parent is None:
                log.warning("no %s message for idea %s; posting unthreaded", row.in_thread_of, row.idea_id)
            elif parent.channel_id == channel:
                thread_ts = parent.ts
        if row.in_thread_of:  # the purpose may later name another thread: keep the one we post in
            outcomes.note_resolved(self.session_factory, claim, channel, thread_ts)
        return channel, thread_ts

    def _conversation(self, channel: str) -> str:
        if channel[:1] not in ("U", "W"):
            return channel
        if channel not in self._dm_channels:
            self._dm_channels[channel] = self.gateway.open_conversation([channel])
        return self._dm_channels[channel]

    def _group(self, users: str) -> str:
        """The group DM with `users` (conversations.open answers the same id every time: kept)."""
        key = ",".join(sorted(users.split(",")))
        if key not in self._dm_channels:
            self._dm_channels[key] = self.gateway.open_conversation(users.split(","))
        return self._dm_channels[key]

    def _blocks(self, claim: Claim) -> list:
        """The row's blocks, with the link to a coaching thread opened after the row was written."""
        row = claim.row
        if not row.links_thread_of:
            return row.blocks
        thread = store.thread_of(self.session_factory, row.idea_id, row.channel_id)
        if thread is None or not thread.permalink:
            return row.blocks
        return [*row.blocks, thread_link(thread.permalink)]

    def _look_up(self, claim: Claim, channel: str | None, thread_ts: str | None) -> str | None:
        channel = self._conversation(channel or claim.row.channel_id)
        since = (claim.row.first_attempt_at or claim.now) - LOOK_BACK
        oldest = f"{since.timestamp():.6f}"
        return self.gateway.find_tagged(channel, oldest, EVENT_TYPE, "outbox_id", claim.id, thread_ts)

    def _delivered(self, claim: Claim, channel: str, ts: str) -> Delivered:
        permalink = None
        if claim.row.opens_thread_for:
            permalink = self.gateway.permalink(channel, ts)
        return Delivered(channel, ts, permalink)

    def _failed(self, claim: Claim, error: Exception, *, still_in_doubt: bool) -> None:
        verdict = judge(error, claim.row.attempts, self.rng, patient=claim.row.retry_policy == RetryPolicy.PATIENT)
        row = claim.row
        if verdict.permanent:
            log.error("outbox %s given up: Slack answered %s", claim.id, verdict.error)
            notice = None
            if row.opens_thread_for and row.idea_id is not None:
                # The conversation never opened: say so on the idea's card, where the PMO assigns coaches.
                text, blocks = conversation_not_opened(verdict.error)
                notice = Post(
                    self.pmo_channel_id,
                    text,
                    blocks,
                    idea_id=row.idea_id,
                    in_thread_of=Purpose.INTAKE_CARD,
                    tells_pmo_on_failure=False,
                )
            elif row.tells_pmo_on_failure and row.channel_id != self.pmo_channel_id:
                text, blocks = delivery_failed(row.idea_id, row.channel_id, row.text, verdict.error)
                notice = Post(self.pmo_channel_id, text, blocks, tells_pmo_on_failure=False)
            self.kick(outcomes.mark_given_up(self.session_factory, claim, verdict.error, notice))
            return
        log.warning("outbox %s attempt %s failed (%s)", claim.id, row.attempts, verdict.error)
        in_doubt = verdict.in_doubt or still_in_doubt
        # Give a request Slack may still be processing time to land before we look for it.
        delay = max(verdict.delay, IN_DOUBT_SETTLE) if in_doubt else verdict.delay
        outcomes.mark_retry(self.session_factory, claim, verdict.error, delay, in_doubt)

    def _ephemeral(self, message: Ephemeral) -> None:
        try:
            self.gateway.post_ephemeral(message.channel, message.user, message.text, message.blocks)
        except Exception as error:
            log.error("could not send an ephemeral answer to %s: %s", message.user, error)
