"""The one validation layer between Slack's requests and everything behind them.

HTTP requests pass `guard()` before Bolt sees them: the signature is checked (a malformed timestamp is a
401, not a crash), the body must parse, its fields must have the types and formats listeners rely on, and a
signed request seen before is answered without being handled again. Every request, in HTTP and Socket Mode,
then passes `clean_payload` (a Bolt middleware), which strips the control characters that no text we store
may hold (PostgreSQL refuses NUL outright; the others are invisible and only cause trouble).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

BODY_MAX = 1_000_000
"""Slack's largest payloads (a full modal's state) are well under this."""

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
SLACK_ID = re.compile(r"[A-Z0-9]{2,31}")
TS = re.compile(r"[0-9]{1,12}\.[0-9]{1,9}")


# --- text -----------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """`text` without control characters (tab and line breaks kept), lone surrogates or non-characters."""
    return _CONTROL.sub("", text)


def cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {cleaned(key): cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [cleaned(item) for item in value]
    return value


ECHOED = ("view", "message")
"""Parts of a payload whose `blocks` Slack echoes back: the app's own, built by bot/views, which no listener
reads (they read a view's `state` and the clicked action). A submission's view blocks are three quarters of
its payload, so cleaning skips them."""


def clean_payload(req, resp, next):
    """Bolt middleware: listeners only ever see cleaned text (the app's own echoed blocks aside)."""
    body = cleaned_payload(req.body)
    req.body.clear()  # a key may have been cleaned too
    req.body.update(body)
    return next()


def cleaned_payload(payload: dict[str, Any]) -> dict[str, Any]:
    echoed = {
        key: payload[key]["blocks"] for key in ECHOED if isinstance(payload.get(key), dict) and "blocks" in payload[key]
    }
    body = cleaned({key: {**value, "blocks": []} if key in echoed else value for key, value in payload.items()})
    for key, blocks in echoed.items():
        body[key]["blocks"] = blocks
    return body


# --- shapes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Required:
    spec: Any


@dataclass(frozen=True)
class ListOf:
    spec: Any
    non_empty: bool = False


@dataclass(frozen=True)
class MapOf:
    spec: Any


OPTION = {"value": Required(str)}
MESSAGE = {"ts": TS, "thread_ts": TS, "text": str, "user": SLACK_ID, "bot_id": str, "subtype": str}
ELEMENT = {
    "type": str,
    "value": str,
    "selected_option": OPTION,
    "selected_options": ListOf(OPTION),
    "selected_date": str,
    "selected_user": SLACK_ID,
    "selected_users": ListOf(SLACK_ID),
}
VIEW = {
    "id": str,
    "hash": str,
    "type": str,
    "callback_id": str,
    "private_metadata": str,
    "blocks": ListOf(dict),
    "state": {"values": MapOf(MapOf(ELEMENT))},
}
SUBMITTED_VIEW = VIEW | {
    "callback_id": Required(str),
    "type": Required(str),
    "state": Required({"values": Required(MapOf(MapOf(ELEMENT)))}),
}
ACTION = {"action_id": Required(str), "block_id": str, "value": str, "type": str, "selected_option": OPTION}
INTERACTIVE = {
    "type": Required(str),
    "user": Required({"id": Required(SLACK_ID)}),
    "team": {"id": str},
    "enterprise": {"id": str},
    "channel": {"id": SLACK_ID},
    "container": {"type": str, "channel_id": SLACK_ID, "message_ts": TS, "view_id": str},
    "message": MESSAGE,
    "message_ts": TS,
    "view": VIEW,
    "trigger_id": str,
    "response_url": str,
    "callback_id": str,
    "actions": ListOf(ACTION),
    "api_app_id": str,
    "user_id": str,
    "channel_id": str,
    "team_id": str,
    "enterprise_id": str,
}
BY_KIND = {
    "block_actions": {"trigger_id": Required(str), "actions": Required(ListOf(ACTION, non_empty=True))},
    "shortcut": {"trigger_id": Required(str), "callback_id": Required(str)},
    "message_action": {
        "trigger_id": Required(str),
        "callback_id": Required(str),
        "channel": Required({"id": Required(SLACK_ID)}),
        "message": Required(MESSAGE | {"ts": Required(TS)}),
    },
    "view_submission": {"view": Required(SUBMITTED_VIEW)},
    "view_closed": {"view": Required(SUBMITTED_VIEW)},
}
ID_LIKE = (str, {"id": str})
"""How Bolt itself reads users, channels and teams before any listener runs: a string or an object with an id."""
OTHER_EVENT = {
    "type": Required(str),
    "user": ID_LIKE,
    "channel": ID_LIKE,
    "user_id": str,
    "channel_id": str,
    "item": {"channel": ID_LIKE, "user": ID_LIKE},
    "assistant_thread": {"channel_id": str},
    "message": {"user": ID_LIKE},
    "previous_message": {"user": ID_LIKE},
}
EVENT = {
    "type": Required(str),
    "subtype": str,
    "user": SLACK_ID,
    "channel": SLACK_ID,
    "ts": TS,
    "thread_ts": TS,
    "deleted_ts": TS,
    "text": str,
    "bot_id": str,
    "tab": str,
    "message": MESSAGE,
    "previous_message": MESSAGE,
}
ENVELOPE = {
    "type": Required(str),
    "event": Required(EVENT),
    "event_id": str,
    "team_id": str,
    "api_app_id": str,
    "enterprise_id": str,
    "context_team_id": str,
    "is_ext_shared_channel": bool,
    "authorizations": ListOf({"team_id": str, "user_id": str, "enterprise_id": str}),
}
COMMAND = {"command": Required(str), "user_id": Required(SLACK_ID), "trigger_id": Required(str), "channel_id": str}


def _problem(value: Any, spec: Any, path: str) -> str | None:
    if isinstance(spec, Required):
        return f"{path} is missing" if value is None else _problem(value, spec.spec, path)
    if value is None:
        return None
    if isinstance(spec, tuple):  # alternatives
        return None if any(_problem(value, one, path) is None for one in spec) else f"{path} has the wrong type"
    if isinstance(spec, re.Pattern):
        return None if isinstance(value, str) and spec.fullmatch(value) else f"{path} is not a Slack id or ts"
    if isinstance(spec, type):
        ok = isinstance(value, spec) and not (spec is int and isinstance(value, bool))
        return None if ok else f"{path} should be {spec.__name__}, not {type(value).__name__}"
    if isinstance(spec, ListOf):
        if not isinstance(value, list) or (spec.non_empty and not value):
            return f"{path} should be a list"
        items = enumerate(value)
        return next((p for i, item in items if (p := _problem(item, Required(spec.spec), f"{path}[{i}]"))), None)
    if isinstance(spec, MapOf):
        if not isinstance(value, dict):
            return f"{path} should be an object"
        items = value.items()
        return next((p for key, item in items if (p := _problem(item, Required(spec.spec), f"{path}.{key}"))), None)
    if not isinstance(value, dict):
        return f"{path} should be an object, not {type(value).__name__}"
    for key, item_spec in spec.items():
        if isinstance(item_spec, Required) and value.get(key) is None:
            return f"{path}.{key} is missing"
        if problem := _problem(value.get(key), item_spec, f"{path}.{key}"):
            return problem
    return None


def shape_problem(payload: Any) -> str | None:
    """What is wrong with a parsed request body's shape, in a few words; None when listeners can use it."""
    if not isinstance(payload, dict):
        return "the body is not an object"
    kind = payload.get("type")
    if not isinstance(kind, str | None):
        return "type is not a string"
    if "ssl_check" in payload:
        return None
    if "command" in payload and kind is None:
        return _problem(payload, COMMAND, "command")
    if kind == "url_verification":
        return None if isinstance(payload.get("challenge"), str) else "challenge is missing"
    if kind == "event_callback":
        event = payload.get("event")
        if isinstance(event, dict) and event.get("type") not in ("message", "app_home_opened"):
            return _problem(payload, ENVELOPE | {"event": Required(OTHER_EVENT)}, "body")
        if isinstance(event, dict) and event.get("type") == "app_home_opened":
            return _problem(payload, ENVELOPE | {"event": Required(EVENT | {"user": Required(SLACK_ID)})}, "body")
        return _problem(payload, ENVELOPE, "body")
    return _problem(payload, INTERACTIVE | BY_KIND.get(kind, {}), "payload")


# --- the HTTP front -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    status: int
    body: str = ""
    content_type: str = "text/plain"


def parse_body(raw: str, content_type: str) -> Any:
    """The request body as Bolt reads it: JSON for events, a form (with a JSON `payload`) otherwise."""
    if content_type.startswith("application/json") or raw.startswith("{"):
        return json.loads(raw)
    form = dict(parse_qsl(raw, keep_blank_values=True))
    return json.loads(form["payload"]) if "payload" in form else form


@dataclass(frozen=True)
class Checked:
    """A request that may go on to Bolt: its body as sent (Bolt checks the signature again), as parsed, and
    its headers."""

    body: str
    payload: dict[str, Any]
    headers: dict[str, str]


def guard(raw: bytes, headers: dict[str, str], verifier: SignatureVerifier, replays: ReplayMemory) -> Refusal | Checked:
    """The request, parsed, when it may go on to Bolt, else how to answer it instead."""
    timestamp, signature = headers.get("x-slack-request-timestamp", ""), headers.get("x-slack-signature", "")
    if not _TIMESTAMP.fullmatch(timestamp):
        log.warning("refused a request whose X-Slack-Request-Timestamp is not a number")
        return Refusal(401)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(401) if not verifier.is_valid(raw, timestamp, signature) else _bad("the body is not UTF-8")
    if not verifier.is_valid(body, timestamp, signature):
        log.warning("refused a request with an invalid or expired signature")
        return Refusal(401)
    try:
        payload = parse_body(body, headers.get("content-type", ""))
    except (ValueError, RecursionError):
        return _bad("the body is not valid JSON")
    if problem := shape_problem(payload):
        if isinstance(payload, dict) and "command" in payload and payload.get("type") is None:
            log.warning("refused a slash command: %s", problem)
            return Refusal(200, "Sorry, I couldn't read that command. Please try again.")
        return _bad(problem, 200 if isinstance(payload, dict) and payload.get("type") == "event_callback" else 400)
    if payload.get("type") not in ("event_callback", "url_verification") and replays.seen(signature):
        log.warning("refused a replayed request (its signature was seen before); nothing was done")
        return Refusal(200)
    return Checked(body, payload, headers)


def _bad(problem: str, status: int = 400) -> Refusal:
    """Events are answered 200 (a retry would be just as malformed); interactivity gets an honest 400."""
    log.warning("refused a malformed request: %s", problem)
    return Refusal(status)


class ReplayMemory:
    """Signatures of the interactive requests this process handled in Slack's 5-minute window.

    Kept in memory, not in the database: a write on every request's ack path made acks queue behind each
    other in a burst (in the burst test, the slowest ack went from 0.36 s to 0.9 s on SQLite). A replay that
    reaches another instance is still harmless, because every change a request makes claims its own
    idempotency key (bot/services/once.py) in the change's transaction."""

    def __init__(self, window: float = 330.0, most: int = 100_000):
        # Slack's signatures are good for 300 s (Bolt refuses older timestamps); a little more for skew.
        self.window = window
        self.most = most
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def seen(self, signature: str, now: float | None = None) -> bool:
        """Remember `signature`; True when it was already remembered within the window."""
        now = time.monotonic() if now is None else now
        with self._lock:
            while self._seen and (len(self._seen) >= self.most or next(iter(self._seen.values())) < now):
                self._seen.popitem(last=False)
            if signature in self._seen:
                return True
            self._seen[signature] = now + self.window
            return False
