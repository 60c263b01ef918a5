"""A local stand-in for Slack's Web API that records every call and its body.

It answers the way Slack does (`{"ok": true, ...}`), can be told to fail a method, and serves on
127.0.0.1 at a free port. The app's WebClient is based at `url`.

It keeps what was posted (with message metadata) per conversation, so `conversations.history` and
`conversations.replies` answer as Slack does, and it can misbehave like Slack and networks do
(see "fault injection": 429 storms, 5xx outages, refused connections, answers later than a timeout).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from sandbox.webapi import Call, RecordedCalls  # recorded calls, as the sandbox's stand-in records them too

BOT_USER_ID = "UBOTCOACH"
TEAM_ID = "T0CREDIT"

JSON_FIELDS = ("blocks", "view", "attachments")


@dataclass
class Failure:
    error: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    remaining: int = 1


class FakeSlack(RecordedCalls):
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, Failure] = {}
        self._holds: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.005,), daemon=True)  # quick shutdown
        self.posted: list[dict[str, Any]] = []  # every message Slack accepted, with channel and metadata
        self._group_dms: dict[frozenset[str], str] = {}
        self.files: dict[str, dict[str, Any]] = {}  # external uploads by id: name, title, shares
        self._faults = Faults()
        self.clock = time.time  # when a message is posted (tests on a fixed clock move it with theirs)
        self._init_latency()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what tests use -------------------------------------------------------------------------

    def fail(self, method: str, error: str, *, status: int = 200, times: int = 1, **headers: str) -> None:
        self._failures[method] = Failure(error, status, headers, times)

    def hold(self, method: str) -> threading.Event:
        """Keep answers to `method` waiting until the returned event is set (at most 10 s)."""
        gate = self._holds[method] = threading.Event()
        return gate

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def methods(self) -> list[str]:
        with self._lock:
            return [call.method for call in self.calls if call.method != "auth.test"]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    # --- latency: a slow Slack (answer delay) and when each call arrived ----------------------------

    def _init_latency(self) -> None:
        self.answer_delay = 0.0  # seconds every call waits before it is answered (auth.test excepted)
        self.arrivals: list[tuple[float, str, dict[str, Any]]] = []  # (time.time(), method, args)
        self._server.socket.listen(256)  # bursts open many connections at once

    def slow_down(self, seconds: float) -> None:
        """Answer every call (but auth.test) `seconds` after it arrives, as a slow Slack would."""
        self.answer_delay = seconds

    def _arrive(self, method: str, args: dict[str, Any]) -> None:
        with self._lock:
            self.arrivals.append((time.time(), method, args))
        if self.answer_delay and method != "auth.test":
            time.sleep(self.answer_delay)

    # --- the server -----------------------------------------------------------------------------

    def _record(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict, dict]:
        self._arrive(method, args)
        if gate := self._holds.get(method):
            gate.wait(timeout=10)
        with self._lock:
            self.calls.append(Call(method, args, headers=headers))
            failure = self._failures.get(method)
            if failure is None or failure.remaining <= 0:  # a spent fail() leaves later faults to act
                failure = self._faults.failure(method)
            if failure and failure.remaining > 0:
                failure.remaining -= 1
                return failure.status, {"ok": False, "error": failure.error}, failure.headers
            answer = self._answer(method, args)
        self._faults.linger(method)
        return 200, answer, {}

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return self._socket_mode_answer()
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER_ID,
                "bot_id": "BCOACH",
                "team_id": TEAM_ID,
                "team": "Credit",
                "url": "https://credit.example/",
            }
        if method == "chat.postMessage":
            channel = args.get("channel", "")
            if channel.startswith(("U", "W")):
                channel = "D" + channel[1:]
            ts = self._now_ts()
            self._keep(channel, ts, args)
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"text": args.get("text"), "ts": ts, "bot_id": "BCOACH"},
            }
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        if method in ("views.open", "views.push", "views.update", "views.publish"):
            view = dict(args.get("view") or {})
            view.setdefault("id", args.get("view_id") or f"V{next(self._ids):08d}")
            return {"ok": True, "view": view}
        if method == "chat.getPermalink":
            return {
                "ok": True,
                "channel": args.get("channel"),
                "permalink": f"https://credit.example/archives/{args.get('channel')}/"
                f"p{str(args.get('message_ts', '')).replace('.', '')}",
            }
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": self._conversation_of(args.get("users", ""))}}
        if method in ("conversations.history", "conversations.replies"):
            return self._history(method, args)
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):08d}"
            self.files[file_id] = {"id": file_id, "name": args.get("filename"), "completed": False, "shares": {}}
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url.removesuffix('api/')}upload/{file_id}"}
        if method == "files.completeUploadExternal":
            return self._complete_upload(args)
        if method == "files.info":
            file = self.files.get(args.get("file", ""))
            if file is None or not file["completed"]:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": {"id": file["id"], "name": file["name"], "shares": file["shares"]}}
        if method == "users.info":
            user_id = args.get("user", "")
            user = self.users.get(user_id, {"tz": "America/New_York", "tz_offset": -18000})
            return {"ok": True, "user": {"id": user_id, "name": user_id.lower(), **user}}
        return {"ok": True}

    # --- Socket Mode (tests/e2e/test_socket_mode.py) ---------------------------------------------

    socket_mode = None
    """A tests.support.fake_socket_mode.FakeSocketMode whose URL apps.connections.open hands out."""

    def _socket_mode_answer(self) -> dict[str, Any]:
        if self.socket_mode is None:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_mode.url}

    # --- what was posted, as conversations.history and conversations.replies show it ----------------

    def _keep(self, channel: str, ts: str, args: dict[str, Any]) -> None:
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata or "null")
        self.posted.append(
            {
                "channel": channel,
                "ts": ts,
                "thread_ts": args.get("thread_ts") or None,
                "text": args.get("text"),
                "metadata": metadata,
            }
        )

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        """Finish uploads and share them in `channel_id` as Slack does: files.info then lists the share."""
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        channel = args.get("channel_id") or ""
        if channel[:1] in ("U", "W"):
            channel = "D" + channel[1:]
        for entry in files:
            file = self.files.get(entry["id"])
            if file is None:
                return {"ok": False, "error": "file_not_found"}
            file.update(completed=True, title=entry.get("title"))
            if channel:
                visibility = "public" if channel[:1] == "C" else "private"
                share = {"ts": self._now_ts(), "thread_ts": args.get("thread_ts") or None}
                file["shares"].setdefault(visibility, {}).setdefault(channel, []).append(share)
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def shares(self, channel: str | None = None) -> list[tuple[str, str, str]]:
        """Every share Slack made, as (file id, channel, title), in no particular order."""
        with self._lock:
            return [
                (file["id"], where, file.get("title"))
                for file in self.files.values()
                for visibility in file["shares"].values()
                for where, made in visibility.items()
                for _ in made
                if channel is None or where == channel
            ]

    def _now_ts(self) -> str:
        """A message ts as Slack makes them: the time it was posted, unique within the fake."""
        self._last_ts = max(self.clock(), getattr(self, "_last_ts", 0.0) + 0.000001)
        return f"{self._last_ts:.6f}"

    def posted_to(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self.posted if channel is None or m["channel"] == channel]

    def _conversation_of(self, users: str) -> str:
        members = frozenset(user for user in users.split(",") if user)
        if len(members) == 1:
            (only,) = members
            return "D" + only[1:]  # the app's DM with one person, as chat.postMessage to a user id lands
        if members not in self._group_dms:
            self._group_dms[members] = f"G{next(self._ids):08d}"
        return self._group_dms[members]

    def _history(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel, oldest = args.get("channel"), float(args.get("oldest") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [m for m in self.posted if m["channel"] == channel and float(m["ts"]) >= oldest]
        if method == "conversations.replies":
            parent = args.get("ts")
            found = [m for m in found if m["ts"] == parent or m["thread_ts"] == parent]
        else:
            found = [m for m in found if not m["thread_ts"]]
        found.sort(key=lambda m: float(m["ts"]), reverse=method == "conversations.history")
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = found[start : start + limit]
        messages = []
        for m in page:
            message = {"type": "message", "ts": m["ts"], "text": m["text"], "bot_id": "BCOACH"}
            if m["thread_ts"]:
                message["thread_ts"] = m["thread_ts"]
            if with_metadata and m["metadata"]:
                message["metadata"] = m["metadata"]
            messages.append(message)
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    # --- fault injection ------------------------------------------------------------------------

    def rate_limit(self, method: str, times: int, retry_after: float = 1) -> None:
        """Answer `method` with 429 and Retry-After for the next `times` calls."""
        self._faults.rate_limit(method, times, retry_after)

    def outage(self, *methods: str, status: int = 503) -> None:
        """Answer `methods` (every method if none given) with `status` until `recover()`."""
        self._faults.outage(methods, status)

    def answer_late(self, method: str, seconds: float, times: int = 1) -> None:
        """Do what `method` asks, then keep the answer back `seconds` (beyond a client's timeout)."""
        self._faults.answer_late(method, seconds, times)

    def refuse_connections(self) -> None:
        """Close the port: every call is refused until `recover()`."""
        self._server.shutdown()
        self._server.server_close()

    def recover(self) -> None:
        """End every injected fault; a closed port opens again at the same address."""
        self._faults.clear()
        if self._server.socket.fileno() == -1:
            address = self._server.server_address
            self._server = ThreadingHTTPServer(address, self._handler_class())
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.005,), daemon=True)
            self._thread.start()

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if self.path.startswith("/upload/"):  # where files.getUploadURLExternal sends the bytes
                    data = self.rfile.read(length)
                    file_id = self.path.rstrip("/").rsplit("/", 1)[-1]
                    status, _, _ = fake._record("upload", {"file_id": file_id, "content": data}, dict(self.headers))
                    self._reply(status, f"OK - {len(data)}".encode() if status == 200 else b"failed", {}, "text/plain")
                    return
                method = self.path.rstrip("/").rsplit("/", 1)[-1]
                raw = self.rfile.read(length).decode()
                self._answer(method, _parse_body(raw, self.headers.get("Content-Type", "")))

            def do_GET(self) -> None:  # slack_sdk sends users.info (and a few others) as GET
                path, _, query = self.path.partition("?")
                self._answer(path.rstrip("/").rsplit("/", 1)[-1], _parse_body(query, ""))

            def _answer(self, method: str, args: dict[str, Any]) -> None:
                status, body, extra_headers = fake._record(method, args, dict(self.headers))
                self._reply(status, json.dumps(body).encode(), extra_headers, "application/json")

            def _reply(self, status: int, payload: bytes, extra_headers: dict[str, str], content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in extra_headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        return Handler


def _parse_body(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        args = json.loads(raw or "{}")
    else:
        args = {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}
    for key in JSON_FIELDS:
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


class Faults:
    """What the fake is told to do wrong, kept apart from its normal answers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rate_limits: dict[str, Failure] = {}
        self._outage: tuple[frozenset[str], int] | None = None
        self._late: dict[str, list[float]] = {}

    def rate_limit(self, method: str, times: int, retry_after: float) -> None:
        with self._lock:
            self._rate_limits[method] = Failure("ratelimited", 429, {"Retry-After": f"{retry_after:g}"}, times)

    def outage(self, methods: tuple[str, ...], status: int) -> None:
        with self._lock:
            self._outage = (frozenset(methods), status)

    def answer_late(self, method: str, seconds: float, times: int) -> None:
        with self._lock:
            self._late.setdefault(method, []).extend([seconds] * times)

    def clear(self) -> None:
        with self._lock:
            self._rate_limits.clear()
            self._outage = None
            self._late.clear()

    def failure(self, method: str) -> Failure | None:
        with self._lock:
            if self._outage and (not self._outage[0] or method in self._outage[0]):
                return Failure("service_unavailable", self._outage[1], {}, 1)
            limit = self._rate_limits.get(method)
            return limit if limit and limit.remaining > 0 else None

    def linger(self, method: str) -> None:
        with self._lock:
            waits = self._late.get(method)
            seconds = waits.pop(0) if waits else 0
        if seconds:
            time.sleep(seconds)
