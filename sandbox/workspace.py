"""The workspace's state: conversations, messages, views, files and the clock, kept in one SQLite file.

Everything lives in memory behind one lock and is written back to the `sandbox_state` table of the
sandbox's database after each change, so a restart finds the workspace as it was left. Listeners
(the page's live updates) are told the new version number after every change.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox import people
from sandbox.people import BOT_USER_ID, GENERAL_CHANNEL, PMO_CHANNEL

STATE_KEY = "workspace"


def dm_id(user_id: str) -> str:
    """The id of the app's DM with a person (Slack's are D...; ours derive from the user id)."""
    return "D" + user_id[1:]


def initial_state() -> dict[str, Any]:
    everyone = [p.id for p in people.PEOPLE]
    channels = {
        PMO_CHANNEL: {"id": PMO_CHANNEL, "name": "pmo-ideas", "kind": "channel", "members": [*everyone, BOT_USER_ID]},
        GENERAL_CHANNEL: {"id": GENERAL_CHANNEL, "name": "general", "kind": "channel", "members": everyone},
    }
    for person in people.PEOPLE:
        channels[dm_id(person.id)] = {
            "id": dm_id(person.id),
            "name": people.APP_NAME,
            "kind": "im",
            "members": [person.id, BOT_USER_ID],
        }
    return {
        "signing_secret": secrets.token_hex(16),
        "clock_offset": 0.0,
        "last_ts": 0.0,
        "counter": 0,
        "channels": channels,
        "messages": [],
        "views": {},
        "stacks": {},
        "homes": {},
        "files": {},
    }


class Workspace:
    def __init__(self, db_path: Path | None):
        self.db_path = db_path
        self.lock = threading.RLock()
        self.version = 0
        self._listeners: list[Callable[[int], None]] = []
        self.state = self._load() or initial_state()
        self.save()

    # --- persistence ------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.db_path, timeout=10)
        connection.execute("CREATE TABLE IF NOT EXISTS sandbox_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        return connection

    def _load(self) -> dict[str, Any] | None:
        if self.db_path is None:
            return None
        with contextlib.closing(self._connect()) as connection:
            row = connection.execute("SELECT value FROM sandbox_state WHERE key = ?", (STATE_KEY,)).fetchone()
        return json.loads(row[0]) if row else None

    def save(self) -> None:
        if self.db_path is None:
            return
        with self.lock:
            document = json.dumps(self.state)
        with contextlib.closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT INTO sandbox_state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (STATE_KEY, document),
            )

    def changed(self) -> None:
        """Persist and tell the live pages; call after every change."""
        with self.lock:
            self.version += 1
            version = self.version
        self.save()
        for listener in list(self._listeners):
            listener(version)

    def subscribe(self, listener: Callable[[int], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # --- clock and ids ----------------------------------------------------------------------------

    @property
    def signing_secret(self) -> str:
        return self.state["signing_secret"]

    def now(self) -> datetime:
        """The workspace clock, which "Skip ahead" moves; the bot is given this clock."""
        return datetime.now(UTC) + timedelta(seconds=self.state["clock_offset"])

    def move_clock_to(self, moment: datetime) -> None:
        with self.lock:
            self.state["clock_offset"] = (moment - datetime.now(UTC)).total_seconds()
        self.changed()

    def next_ts(self) -> str:
        """A message timestamp on the workspace clock, unique and increasing like Slack's."""
        with self.lock:
            stamp = max(self.now().timestamp(), self.state["last_ts"] + 0.000001)
            self.state["last_ts"] = stamp
            return f"{stamp:.6f}"

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self.state["counter"] += 1
            return f"{prefix}{self.state['counter']:08d}"

    # --- conversations and messages ---------------------------------------------------------------

    def channel(self, channel_id: str) -> dict[str, Any] | None:
        return self.state["channels"].get(channel_id)

    def channels(self) -> list[dict[str, Any]]:
        return list(self.state["channels"].values())

    def stranger_channel(self, channel_id: str) -> dict[str, Any]:
        """A conversation the workspace did not know, made on first use (for test suites with ids of their own)."""
        kind = {"C": "channel", "D": "im", "G": "mpim"}[channel_id[0]]
        with self.lock:
            channel = self.state["channels"].setdefault(
                channel_id, {"id": channel_id, "name": channel_id.lower(), "kind": kind, "members": [BOT_USER_ID]}
            )
        self.changed()
        return channel

    def group_with(self, members: list[str]) -> dict[str, Any]:
        """The group DM of exactly `members` (plus the app), made on first use as conversations.open does."""
        wanted = sorted({*members, BOT_USER_ID})
        with self.lock:
            for channel in self.channels():
                if channel["kind"] == "mpim" and sorted(channel["members"]) == wanted:
                    return channel
            channel_id = self.next_id("G")
            names = [people.display_name(m).split()[0] for m in wanted if m != BOT_USER_ID]
            channel = {"id": channel_id, "name": ", ".join(names), "kind": "mpim", "members": wanted}
            self.state["channels"][channel_id] = channel
        self.changed()
        return channel

    def add_message(self, message: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            message.setdefault("ts", self.next_ts())
            message.setdefault("type", "message")
            self.state["messages"].append(message)
            parent = self.find_message(message["channel"], message.get("thread_ts"))
            if parent is not None and parent is not message:
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent.setdefault("reply_users", [])
                if message.get("user") and message["user"] not in parent["reply_users"]:
                    parent["reply_users"].append(message["user"])
                parent["latest_reply"] = message["ts"]
        self.changed()
        return message

    def find_message(self, channel_id: str, ts: str | None) -> dict[str, Any] | None:
        if not ts:
            return None
        with self.lock:
            for message in self.state["messages"]:
                if message["channel"] == channel_id and message["ts"] == ts and not message.get("ephemeral_for"):
                    return message
        return None

    def remove_message(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.state["messages"].remove(message)
        self.changed()

    def messages_in(self, channel_id: str, viewer: str | None = None) -> list[dict[str, Any]]:
        """Top-level messages (and thread broadcasts) of a conversation, oldest first, as `viewer` sees them."""
        with self.lock:
            return [
                m
                for m in self.state["messages"]
                if m["channel"] == channel_id
                and (not m.get("thread_ts") or m["thread_ts"] == m["ts"])
                and m.get("ephemeral_for") in (None, viewer)
            ]

    def replies(self, channel_id: str, thread_ts: str, viewer: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                m
                for m in self.state["messages"]
                if m["channel"] == channel_id
                and (m["ts"] == thread_ts or m.get("thread_ts") == thread_ts)
                and m.get("ephemeral_for") in (None, viewer)
            ]

    # --- views and files --------------------------------------------------------------------------

    def view(self, view_id: str) -> dict[str, Any] | None:
        return self.state["views"].get(view_id)

    def stack(self, user_id: str) -> list[str]:
        return self.state["stacks"].setdefault(user_id, [])

    def top_view(self, user_id: str) -> dict[str, Any] | None:
        stack = self.stack(user_id)
        return self.view(stack[-1]) if stack else None

    def store_file(self, file_id: str, record: dict[str, Any], content: bytes | None = None) -> None:
        with self.lock:
            existing = self.state["files"].setdefault(file_id, {})
            existing.update(record)
            if content is not None:
                existing["content"] = base64.b64encode(content).decode()
                existing["size"] = len(content)
        self.changed()

    def file_content(self, file_id: str) -> bytes | None:
        record = self.state["files"].get(file_id)
        if not record or "content" not in record:
            return None
        return base64.b64decode(record["content"])
