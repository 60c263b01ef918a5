"""A local stand-in for Slack's Socket Mode server: a websocket on 127.0.0.1 that sends envelopes and
records the acks, and can ask for a refresh (`disconnect`) or drop the connection without one."""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

APP_ID = "A0IDEACOACH"


@dataclass
class Ack:
    envelope_id: str
    connection: int
    at: float
    payload: dict[str, Any] | None


class FakeSocketMode:
    def __init__(self) -> None:
        self.connections: list[ServerConnection] = []
        self.acks: dict[str, Ack] = {}
        self.sent_at: dict[str, float] = {}
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self._server = serve(self._serve, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={next(self._ids)}"

    # --- the server -----------------------------------------------------------------------------

    def _serve(self, connection: ServerConnection) -> None:
        with self._changed:
            self.connections.append(connection)
            number = len(self.connections) - 1
            self._changed.notify_all()
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}}
        connection.send(json.dumps(hello))
        with contextlib.suppress(ConnectionClosed):
            for raw in connection:
                message = json.loads(raw)
                envelope_id = message.get("envelope_id")
                if envelope_id:
                    with self._changed:
                        self.acks[envelope_id] = Ack(envelope_id, number, time.monotonic(), message.get("payload"))
                        self._changed.notify_all()

    # --- what tests use -------------------------------------------------------------------------

    def wait_for_connections(self, count: int, timeout: float = 10) -> ServerConnection:
        """The `count`-th connection, once the app has opened it."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.connections) >= count, timeout):
                raise AssertionError(f"the app opened {len(self.connections)} connections, not {count}")
            return self.connections[count - 1]

    def send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = False, on: int = -1) -> str:
        """Send an envelope on connection number `on` (default: the newest); returns its envelope id."""
        envelope_id = f"env-{next(self._ids):06d}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
            "payload": payload,
        }
        if kind == "events_api":
            envelope |= {"retry_attempt": 0, "retry_reason": ""}
        self.sent_at[envelope_id] = time.monotonic()
        self.connections[on].send(json.dumps(envelope))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10) -> Ack:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"envelope {envelope_id} was not acknowledged within {timeout}s")
            return self.acks[envelope_id]

    def ack_delay(self, envelope_id: str) -> float:
        return self.acks[envelope_id].at - self.sent_at[envelope_id]

    def request_refresh(self) -> None:
        """What Slack sends before it retires a connection (about every few hours)."""
        message = {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}}
        self.connections[-1].send(json.dumps(message))

    def drop(self) -> None:
        """End the newest connection's TCP stream with no websocket close frame and no `disconnect`."""
        sock = self.connections[-1].socket
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
