"""Messages that a state change causes.

Services decide what to say and return these values. Posts and updates are written to the outbox in
the transaction of the change (`runtime.outbox.add(session, messages)`) and sent right after the commit
(`runtime.outbox.kick(ids)`); ephemeral answers go straight out (`runtime.outbox.send`), as they cannot
wait. Replies and updates name an earlier message by (idea, purpose), resolved at delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Post:
    """A new message in a channel or, with a user id as channel, in the app's DM with that user."""

    channel: str
    text: str
    blocks: list[dict] = field(default_factory=list)
    idea_id: int | None = None
    remember_as: str | None = None
    in_thread_of: str | None = None
    # Once posted, the message's thread becomes the idea's coaching conversation with this coach.
    opens_thread_for: str | None = None
    tells_pmo_on_failure: bool = True
    thread_ts: str | None = None  # a thread known by its ts (rather than by `in_thread_of`)
    open_with: tuple[str, ...] = ()  # post in the group DM with these people (channel unused)
    # Queued behind the idea's latest post remembered as this purpose (a kickoff) and, at delivery, given a
    # link to the coaching thread that post opened with the addressee as coach.
    links_thread_of: str | None = None
    # A job's message (nudge, digest): retried by the job itself, minutes apart, not by the worker.
    patient: bool = False


@dataclass(frozen=True)
class Update:
    """Replace a message remembered earlier for an idea (by `purpose`), or one known by `channel` and `ts`
    (a message somebody clicked, such as a nudge)."""

    idea_id: int | None
    purpose: str | None
    text: str
    blocks: list[dict] = field(default_factory=list)
    channel: str | None = None
    ts: str | None = None


@dataclass(frozen=True)
class FileShare:
    """A file shared in a channel (or, with a user id as channel, in the app's DM with that user). Files
    sharing a conversation (and idea) keep their order."""

    channel: str
    filename: str
    content: bytes
    title: str
    initial_comment: str | None = None
    idea_id: int | None = None


@dataclass(frozen=True)
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[dict] = field(default_factory=list)


Message = Post | Update | FileShare | Ephemeral
