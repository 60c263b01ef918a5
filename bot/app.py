"""Building the Bolt app and its HTTP front."""

from __future__ import annotations

import functools
import json
import logging
import time
from concurrent.futures import Executor
from http import HTTPStatus
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.context import BoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request.internals import build_context
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.orm import Session, sessionmaker

from bot import logs, metrics
from bot.config import Settings, Strategy
from bot.db import engine_of, is_healthy, make_engine, make_session_factory
from bot.edge import BODY_MAX, Checked, Refusal, ReplayMemory, clean_payload, guard
from bot.executors import listener_pool, post_ack_pool
from bot.outbox import store as outbox_store
from bot.runtime import Runtime
from bot.slack import SlackGateway, make_web_client
from handlers import register_all

log = logging.getLogger(__name__)


class CoachApp(App):
    """Bolt's App, timing each ack by kind of request and giving each request an id for its logs.

    `dispatch` returns once the listener has acked (the listener goes on in the listener pool), in
    HTTP mode and in Socket Mode alike, so the time around it is the ack latency."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        body = req.body if isinstance(req.body, dict) else {}
        request_token = logs.request_id.set(logs.new_request_id(body.get("event_id")))
        idea_token = logs.idea_reference.set(None)
        try:
            return super().dispatch(req)
        finally:
            metrics.ACK_SECONDS.labels(metrics.request_kind(body)).observe(time.perf_counter() - started)
            logs.idea_reference.reset(idea_token)
            logs.request_id.reset(request_token)


def create_app(
    settings: Settings,
    strategy: Strategy | None = None,
    *,
    client: WebClient | None = None,
    session_factory: sessionmaker[Session] | None = None,
    listener_executor: Executor | None = None,
    post_ack_executor: Executor | None = None,
) -> App:
    """The Bolt app with every listener registered; `app.runtime` holds its dependencies.

    Listeners run in a large pool of their own (bot.executors) so acks never queue behind Web API
    calls; `runtime.after_ack` hands slower work to a bounded post-ack pool."""
    client = client or make_web_client(settings.slack_bot_token, settings.slack_api_url)
    logs.track_ideas()
    if session_factory is None:
        session_factory = make_session_factory(make_engine(settings.database_url))
    runtime = Runtime(
        settings=settings,
        strategy=strategy or settings.strategy,
        session_factory=session_factory,
        gateway=SlackGateway(client),
        post_ack=post_ack_executor or post_ack_pool(),
    )
    options: dict[str, Any] = {
        # Bolt's own default, given so that Bolt does not look it up: it would call inspect.stack(), which
        # reads the source of every frame on the stack (about 50 ms per app under pytest's deep stacks).
        "name": "app.py",
        "client": client,
        "signing_secret": settings.slack_signing_secret,
        "listener_executor": listener_executor or listener_pool(),
        # A request no listener matches goes to handlers/errors.py, which acks it (Bolt's own answer is 404:
        # Slack shows that as an error on a button, and retries an event).
        "raise_error_for_unhandled_request": True,
    }
    app = _quietly_built(options)
    app.use(clean_payload)
    metrics.watch_outbox(functools.partial(outbox_store.backlog, session_factory))
    register_all(app, runtime)
    app.runtime = runtime  # type: ignore[attr-defined]
    return app


class _TokenCarriedByTheClient(logging.Filter):
    """Bolt warns at every start that SLACK_BOT_TOKEN (which it reads from the environment whatever it is
    given) goes unused because a client was given; ours carries that very token, so the warning would only
    mislead operators."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def _quietly_built(options: dict[str, Any]) -> App:
    bolt = logging.getLogger("slack_bolt.App")  # Bolt resets its level from the root's as it builds an app
    if not any(isinstance(known, _TokenCarriedByTheClient) for known in bolt.filters):
        bolt.addFilter(_TokenCarriedByTheClient())
    return CoachApp(**options)


def wsgi_app(app: App):
    """Slack's request URL at POST /slack/events, GET /healthz for load balancers, GET /metrics."""
    slack_handler = SlackRequestHandler(app, path="/slack/events")
    runtime: Runtime = app.runtime  # type: ignore[attr-defined]
    engine = engine_of(runtime.session_factory)
    verifier = SignatureVerifier(runtime.settings.slack_signing_secret or "")
    replays = ReplayMemory()

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/metrics" and environ.get("REQUEST_METHOD") == "GET":
            body, content_type = metrics.exposition()
            start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = is_healthy(engine)
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        checked = None
        if environ.get("PATH_INFO") == "/slack/events" and environ.get("REQUEST_METHOD") == "POST":
            checked = _guarded(environ, verifier, replays)
            if isinstance(checked, Refusal):
                body = checked.body.encode()
                headers = [("Content-Type", checked.content_type), ("Content-Length", str(len(body)))]
                start_response(f"{checked.status} {HTTPStatus(checked.status).phrase}", headers)
                return [body]
        try:
            if checked is None:
                return slack_handler(environ, start_response)
            answer = app.dispatch(_edge_checked_request(checked, environ))
            response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
            start_response(response.status, response.get_headers())
            return response.get_body()
        except Exception:
            # Bolt failed before any listener ran (reading or matching the request). An event is answered
            # 200 so that Slack does not retry it into the same failure; anyone else gets an honest 400.
            log.exception("could not handle a request; answered without handling it")
            status = "200 OK" if "json" in environ.get("CONTENT_TYPE", "") else "400 Bad Request"
            start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "0")])
            return [b""]

    return application


def _edge_checked_request(checked: Checked, environ: dict) -> BoltRequest:
    """Bolt's request for a body the edge has parsed already: Bolt's own parse would do it again (a
    submission's urlencoded view is about 10 kB, and parsing it costs more CPU than Bolt's dispatch).
    Bolt still checks the signature against the raw body."""
    request = BoltRequest(body="", query=environ.get("QUERY_STRING"), headers=checked.headers)
    request.raw_body, request.body = checked.body, checked.payload
    request.context = build_context(BoltContext({}), checked.payload)
    return request


def _guarded(environ: dict, verifier: SignatureVerifier, replays: ReplayMemory) -> Refusal | Checked:
    """Read the body once and check it at the edge."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return Refusal(400)
    if length > BODY_MAX:
        _drain(environ["wsgi.input"], length)
        return Refusal(413)
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    return guard(raw, WsgiHttpRequest(environ).get_headers(), verifier, replays)


def _drain(stream, length: int, chunk: int = 65536) -> None:
    """Read and drop an oversized body, so that the client, still sending it, receives the 413."""
    while length > 0:
        read = stream.read(min(chunk, length))
        if not read:
            return
        length -= len(read)
