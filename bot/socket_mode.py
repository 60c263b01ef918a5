"""Socket Mode: one websocket to Slack, as sturdy as the HTTP front.

Why this client. slack_sdk ships four Socket Mode clients. The aiohttp and websockets ones are asyncio
clients and need Bolt's AsyncApp; this app is a sync Bolt App. Of the two sync ones, the builtin client
spins a CPU core when the TCP stream ends without a close frame: `recv()` keeps returning b"" and its
loop goes round until the ping check gives up (measured locally: 27 s and 10-26 CPU-seconds before it
reconnected); an ack after a refresh also took 3 s there. The websocket-client one notices the end of
the stream at once, without a busy loop, so it is the base here. As shipped it still has three gaps,
closed below:
- one reader thread runs every connection in turn, so a new connection waits until the old one's
  select() times out (up to 10 s) after a refresh; here each connection gets its own reader thread;
- an ack sent while the connection is being replaced is dropped ("Connection is already closed");
  here it waits up to SEND_WAIT for the new connection, and still reaches Slack within its 3 s;
- the old connection closing after a refresh triggers a second, needless reconnect; here only the
  current connection's end does. Pings also time out, so a connection that silently stops answering
  is replaced too.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Callable

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler as _BoltHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.websocket_client import SocketModeClient as _SdkClient
from websocket import WebSocketApp, WebSocketConnectionClosedException, WebSocketException

from bot.config import ConfigError
from bot.executors import SOCKET_MODE_CONCURRENCY

log = logging.getLogger(__name__)

PING_INTERVAL = 10
PING_TIMEOUT = 5
SEND_WAIT = 2.0
OVERLAP = 10.0
MAX_ORIGINS = 1000


def _is_open(session: WebSocketApp | None) -> bool:
    # Only once the handshake is done: a frame written mid-handshake would corrupt it.
    return session is not None and session.sock is not None and bool(session.sock.connected)


def _envelope_id(message: str) -> str | None:
    try:
        found = json.loads(message).get("envelope_id") if message.startswith("{") else None
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


class SocketModeClient(_SdkClient):
    def __init__(self, *args, **kwargs) -> None:
        self._lock = threading.Lock()
        self._retiring: list[WebSocketApp] = []  # replaced connections, still read until the new one opens
        self._origins: dict[str, WebSocketApp] = {}  # envelope_id -> the connection it came on
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        old = self.current_session
        if self.wss_uri is None:
            self.wss_uri = self.issue_new_wss_url()
        session = WebSocketApp(
            self.wss_uri,
            on_open=self._opened,
            on_message=self._received,
            on_error=self._failed,
            on_close=self._closed,
        )
        session.done = False  # type: ignore[attr-defined]
        self.current_session = session
        self.auto_reconnect_enabled = self.default_auto_reconnect_enabled
        # Each connection reads on a thread of its own: the old one may take seconds to notice it was
        # closed (its select() waits out its timeout), and the new one must not wait for that.
        threading.Thread(target=self._run, args=(session,), name="socket-mode", daemon=True).start()
        if not self.current_app_monitor_started:
            self.current_app_monitor_started = True
            self.current_app_monitor.start()
        if old is not None:
            # Slack keeps delivering on the old connection for a few seconds after `disconnect`: keep
            # reading it until the new one is open (or OVERLAP has passed), so nothing sent there is lost.
            with self._lock:
                self._retiring.append(old)
            closer = threading.Timer(OVERLAP, old.close)
            closer.daemon = True
            closer.start()
        log.info("Socket Mode: new connection opening")

    def _run(self, session: WebSocketApp) -> None:
        try:
            session.run_forever(ping_interval=self.ping_interval, ping_timeout=PING_TIMEOUT)
        except Exception:
            log.exception("Socket Mode connection ended with an error")
            session.close()
        finally:
            session.done = True  # type: ignore[attr-defined]

    def _run_current_session(self) -> None:
        """Not used: connect() starts a reader thread per connection."""

    def _opened(self, ws: WebSocketApp) -> None:
        if ws is not self.current_session:
            return
        with self._lock:
            retiring, self._retiring[:] = list(self._retiring), []
        for old in retiring:
            old.close()

    def _received(self, ws: WebSocketApp, message: str) -> None:
        if envelope_id := _envelope_id(message):
            with self._lock:
                self._origins[envelope_id] = ws
                if len(self._origins) > MAX_ORIGINS:  # acks that never came: forget the oldest
                    self._origins.pop(next(iter(self._origins)))
        self.enqueue_message(message)

    def _failed(self, ws: WebSocketApp, error: Exception) -> None:
        log.warning("Socket Mode connection error: %s: %s", type(error).__name__, error)

    def _closed(self, ws: WebSocketApp, code: int | None = None, reason: str | None = None) -> None:
        if ws is self.current_session and self.auto_reconnect_enabled and not self.closed:
            log.info("Socket Mode connection closed (%s %s); reconnecting", code, reason or "")
            self.connect_to_new_endpoint()

    def _monitor_current_session(self) -> None:
        # Catches a reconnect that failed in _closed (Slack's API down, say): retried every ping interval.
        session = self.current_session
        if self.auto_reconnect_enabled and not self.closed and session is not None and session.done:
            log.info("Socket Mode connection is gone; reconnecting")
            try:
                self.connect_to_new_endpoint()
            except Exception as error:
                log.error("Socket Mode could not reconnect (will try again): %s", error)

    def send_message(self, message: str) -> None:
        """Send on the connection the envelope came on while it is open, else on the current one,
        waiting up to SEND_WAIT for a replacement to open."""
        with self._lock:
            origin = self._origins.pop(envelope_id, None) if (envelope_id := _envelope_id(message)) else None
        deadline = time.monotonic() + SEND_WAIT
        while True:
            for session in (origin, self.current_session):
                if _is_open(session):
                    try:
                        session.send(message)  # type: ignore[union-attr]
                        return
                    except WebSocketException:
                        pass  # closed while sending: try the other, then wait
            if time.monotonic() > deadline or self.closed:
                raise WebSocketConnectionClosedException(f"no open Socket Mode connection within {SEND_WAIT}s")
            time.sleep(0.02)

    def close(self) -> None:
        super().close()
        with self._lock:
            retiring, self._retiring[:] = list(self._retiring), []
        for old in retiring:
            old.close()


class SocketModeHandler(_BoltHandler):
    """Bolt's websocket-client handler, on the client above."""

    def __init__(self, app: App, app_token: str):  # not super().__init__: it would start a second client
        self.app = app
        self.app_token = app_token
        self.client = SocketModeClient(
            app_token=app_token,
            logger=app.logger,
            web_client=app.client,
            ping_interval=PING_INTERVAL,
            concurrency=SOCKET_MODE_CONCURRENCY,
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]


def connect(app: App, app_token: str) -> SocketModeHandler:
    """Open the first connection, or ConfigError when Slack refuses the app-level token."""
    handler = SocketModeHandler(app, app_token)
    try:
        handler.client.wss_uri = app.client.apps_connections_open(app_token=app_token)["url"]
    except SlackApiError as error:
        handler.client.close()
        reason = error.response.get("error", "unknown error")
        raise ConfigError(f"SLACK_APP_TOKEN: Slack did not accept it: {reason}") from None
    handler.connect()
    return handler


def serve_forever(handler: SocketModeHandler, stopping: Callable[[], object] = lambda: None) -> None:
    """Block until SIGTERM or Ctrl-C (the client reconnects by itself meanwhile). On the way out the
    connection closes first, so Slack sends nothing more here, then `stopping` finishes what is in flight."""
    _sigterm.serving = True
    try:
        while not _sigterm.requested.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
        stopping()


class _Sigterm:
    """What SIGTERM has asked for, and whether the server is up yet."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.serving = False


_sigterm = _Sigterm()


def exit_on_sigterm() -> None:
    """SIGTERM stops the process with exit status 0. While it starts (installed before connecting), SIGTERM
    ends the start at once, as Ctrl-C does, through `finally` blocks; once serving, it ends the wait in
    `serve_forever`. The request is also kept: an exit raised where Python swallows exceptions (it once
    landed in an import's clean-up callback, and the process served on) still stops the server as soon as it
    is up."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(_signum, _frame) -> None:
    _sigterm.requested.set()
    if not _sigterm.serving:
        raise SystemExit(0)
