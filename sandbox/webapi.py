"""The Web API the bot calls at SLACK_API_URL, answered with Slack's shapes and errors.

`WebApi.call(method, args, token)` is independent of any HTTP server, records every call and can be told
to fail a method, so the test suite's fake could be built on it too.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox import people
from sandbox.validate import Invalid, check_blocks
from sandbox.workspace import Workspace, dm_id

log = logging.getLogger(__name__)

TRIGGER_SECONDS = 3.0
STRANGER = "U0STRANGER"  # whose modals a trigger_id the stand-in never issued opens (admit_strangers only)
MAX_STACK = 3
MAX_TEXT = 40_000


class RecordedCalls:
    """Looking up recorded calls, for a stand-in of Slack that keeps them (`calls_to`)."""

    def calls_to(self, method: str) -> list[Call]:
        raise NotImplementedError

    def only(self, method: str) -> Call:
        found = self.calls_to(method)
        assert len(found) == 1, f"expected one {method} call, got {len(found)}: {[c.args for c in found]}"
        return found[0]

    def only_in(self, method: str, channel: str) -> Call:
        """The one call of `method` in `channel` (an idea's change updates its card and its kickoff both)."""
        found = [call for call in self.calls_to(method) if call.get("channel") == channel]
        assert len(found) == 1, f"expected one {method} call in {channel}, got {len(found)}: {[c.args for c in found]}"
        return found[0]


class ApiError(Exception):
    def __init__(self, error: str, **extra: Any):
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Call:
    """One Web API call as the app made it (args decoded from JSON strings) and Slack's answer."""

    method: str
    args: dict[str, Any]
    answer: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.args[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.args.get(key, default)

    @property
    def text_of_blocks(self) -> str:
        """Every piece of text in the call's blocks (or view's blocks), joined, for assertions."""
        return "\n".join(_texts(self._blocks()))

    @property
    def mrkdwn(self) -> str:
        """Everything Slack would render as mrkdwn: the top-level text and every mrkdwn text object."""
        return "\n".join([self.args.get("text") or "", *_texts(self._blocks(), only_type="mrkdwn")])

    @property
    def action_ids(self) -> list[str]:
        """The action_id of every element in the call's actions blocks, in order (a message's buttons)."""
        return [
            element["action_id"]
            for block in self._blocks()
            if block["type"] == "actions"
            for element in block["elements"]
        ]

    def _blocks(self) -> list:
        return self.args.get("blocks") or (self.args.get("view") or {}).get("blocks") or []


def _texts(node: Any, only_type: str | None = None) -> list[str]:
    if isinstance(node, dict):
        wanted = only_type is None or node.get("type") == only_type
        found = [node["text"]] if isinstance(node.get("text"), str) and wanted else []
        for value in node.values():
            found.extend(_texts(value, only_type))
        return found
    if isinstance(node, list):
        return [text for item in node for text in _texts(item, only_type)]
    return []


@dataclass
class Failure:
    error: str
    status: int
    headers: dict[str, str]
    remaining: int


@dataclass
class Trigger:
    user: str
    issued: float
    used: bool = False


class WebApi:
    def __init__(self, workspace: Workspace, base_url: str = "http://127.0.0.1/", *, admit_strangers: bool = False):
        """With `admit_strangers` (for test suites with ids of their own), any bot token, user id, channel id
        and trigger_id is accepted and made on first use; everything else is checked as in the sandbox."""
        self.ws = workspace
        self.base_url = base_url
        self.admit_strangers = admit_strangers
        self.users: dict[str, dict[str, Any]] = {}  # profile fields to answer users.info with, by user id
        self.calls: list[Call] = []
        self.failures: dict[str, Failure] = {}
        self.holds: dict[str, threading.Event] = {}
        self.triggers: dict[str, Trigger] = {}
        self._lock = threading.Lock()
        from sandbox import webapi_chat, webapi_misc, webapi_views

        self.methods = {**webapi_chat.METHODS, **webapi_views.METHODS, **webapi_misc.METHODS}

    # --- what tests and the sandbox use -----------------------------------------------------------

    def fail(self, method: str, error: str, *, status: int = 200, times: int = 1, **headers: str) -> None:
        """Answer the next `times` calls to `method` with `error` (and an HTTP status and headers, e.g. 429)."""
        self.failures[method] = Failure(error, status, {k.replace("_", "-"): v for k, v in headers.items()}, times)

    def hold(self, method: str) -> threading.Event:
        """Keep answers to `method` waiting until the returned event is set (at most 10 s)."""
        gate = self.holds[method] = threading.Event()
        return gate

    def record(self, method: str, args: dict[str, Any], answer: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(method, args, answer))

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def issue_trigger(self, user_id: str) -> str:
        trigger_id = f"{int(time.time())}.{people.TEAM_ID}.{self.ws.next_id('trig')}"
        self.triggers[trigger_id] = Trigger(user_id, time.monotonic())
        return trigger_id

    # --- the API ----------------------------------------------------------------------------------

    def call(self, method: str, args: dict[str, Any], token: str | None) -> tuple[int, dict[str, Any], dict]:
        """Slack's answer to `method` with `args`: (HTTP status, body, extra headers)."""
        args = _decoded(args)
        if gate := self.holds.get(method):
            gate.wait(timeout=10)
        status, answer, headers = 200, None, {}
        failure = self.failures.get(method)
        if token != people.BOT_TOKEN and not (self.admit_strangers and str(token).startswith("xoxb-")):
            answer = {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
        elif failure and failure.remaining > 0:
            failure.remaining -= 1
            status, answer, headers = failure.status, {"ok": False, "error": failure.error}, failure.headers
        elif method not in self.methods:
            status, answer = 404, {"ok": False, "error": "unknown_method"}
        else:
            try:
                answer = {"ok": True, **self.methods[method](self, args)}
            except ApiError as error:
                answer = {"ok": False, "error": error.error, **error.extra}
            except Invalid as problem:
                answer = {
                    "ok": False,
                    "error": _invalid_name(method),
                    "response_metadata": {"messages": [problem.message]},
                }
        if not answer["ok"]:
            log.warning(
                "Slack stand-in refused %s: %s %s", method, answer["error"], answer.get("response_metadata", "")
            )
        with self._lock:
            self.calls.append(Call(method, args, answer))
        return status, answer, headers

    # --- helpers for the methods ------------------------------------------------------------------

    def known_user(self, user_id: Any) -> bool:
        user_id = str(user_id or "")
        if self.admit_strangers:
            return user_id[:1] in ("U", "W") and user_id.isalnum()
        return user_id in people.BY_ID

    def user_profile(self, user_id: str) -> dict[str, Any] | None:
        if user_id == people.BOT_USER_ID:
            return people.BOT_USER
        person = people.BY_ID.get(user_id)
        if person is not None:
            return person.as_slack_user() | self.users.get(user_id, {})
        if not self.known_user(user_id):
            return None
        base = {"id": user_id, "name": user_id.lower(), "tz": people.TIME_ZONE, "tz_offset": -18000}
        return base | self.users.get(user_id, {})

    def conversation(self, channel_id: Any, user_for_dm: bool = True) -> dict[str, Any]:
        """A channel by id; a user id names the app's DM with that user, as chat.postMessage allows."""
        channel_id = str(channel_id or "")
        if user_for_dm and channel_id[:1] in ("U", "W") and self.known_user(channel_id):
            channel_id = dm_id(channel_id)
        channel = self.ws.channel(channel_id)
        if channel is None and self.admit_strangers and channel_id[:1] in ("C", "D", "G") and channel_id.isalnum():
            channel = self.ws.stranger_channel(channel_id)
        if channel is None:
            raise ApiError("channel_not_found")
        if people.BOT_USER_ID not in channel["members"]:
            raise ApiError("not_in_channel")
        return channel

    def use_trigger(self, trigger_id: Any) -> str:
        trigger = self.triggers.get(str(trigger_id or ""))
        if trigger is None and self.admit_strangers and trigger_id:
            return STRANGER
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if time.monotonic() - trigger.issued > TRIGGER_SECONDS:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        return trigger.user

    def check_message(self, args: dict[str, Any]) -> dict[str, Any]:
        """The text/blocks of a message, checked as chat.postMessage and chat.update check them."""
        text, blocks = args.get("text"), args.get("blocks")
        if blocks in (None, "", []) and not text:
            raise ApiError("no_text")
        if blocks not in (None, "", []):
            check_blocks(blocks, "message", "/blocks")
        if text and len(str(text)) > MAX_TEXT:
            raise ApiError("msg_too_long")
        warnings = [] if text else ["missing_text"]
        return {"text": str(text or ""), "blocks": blocks or [], "warnings": warnings}


def _invalid_name(method: str) -> str:
    return "invalid_arguments" if method.startswith("views.") else "invalid_blocks"


def _decoded(args: dict[str, Any]) -> dict[str, Any]:
    """Form-encoded calls carry JSON in strings (blocks, view, files, metadata); Slack reads them as JSON."""
    decoded = dict(args)
    for key in ("blocks", "view", "files", "metadata", "attachments"):
        value = decoded.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            # A malformed one stays a string, which the checks then refuse as Slack does.
            with contextlib.suppress(ValueError):
                decoded[key] = json.loads(value)
    return decoded
