"""Drives the real app over HTTP with requests signed and shaped exactly as Slack sends them."""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import make_server

from slack_sdk.signature import SignatureVerifier

from bot.executors import ContextExecutor
from sandbox.run import QuietHandler, ThreadingWSGIServer
from tests.support.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack

APP_ID = "A0IDEACOACH"


class TrackingExecutor(ContextExecutor):
    """Bolt's listener pool (and the post-ack pool), which tests can wait on until all work has finished."""

    def __init__(self, max_workers: int = 5) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._futures: list[Future] = []
        self._guard = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = super().submit(fn, *args, **kwargs)
        with self._guard:
            self._futures.append(future)
        return future

    def wait_idle(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self._guard:
                pending = [future for future in self._futures if not future.done()]
                self._futures = pending
            if not pending:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(pending)} listener(s) still running")
            for future in pending:
                future.exception(timeout=max(deadline - time.monotonic(), 0.01))


@dataclass
class Response:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackDriver:
    """Plays Slack's part: sends commands, interactions and events to the app's request URL."""

    def __init__(self, wsgi_app, signing_secret: str, executor: TrackingExecutor, fake: FakeSlack):
        self.signing_secret = signing_secret
        self.executor = executor
        self.fake = fake
        self._server = make_server(
            "127.0.0.1", 0, wsgi_app, server_class=ThreadingWSGIServer, handler_class=QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.005,), daemon=True)  # quick shutdown
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._counter = itertools.count(1)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- raw HTTP -------------------------------------------------------------------------------

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
        settle: bool = True,
    ) -> Response:
        """POST a signed request; with `settle`, wait until every listener it started has finished."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        if signature is None:
            signature = SignatureVerifier(self.signing_secret).generate_signature(timestamp=str(timestamp), body=body)
        request_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        request = urllib.request.Request(
            self.base_url + path, data=body.encode(), headers=request_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                response = Response(answer.status, answer.read().decode())
        except urllib.error.HTTPError as error:
            response = Response(error.code, error.read().decode())
        if settle:
            self.executor.wait_idle()
        return response

    def get(self, path: str) -> Response:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=10) as answer:
                return Response(answer.status, answer.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode())

    def _next(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):06d}"

    def trigger_id(self) -> str:
        return f"{next(self._counter)}.{TEAM_ID}.{self._next('trig')}"

    # --- slash commands -------------------------------------------------------------------------

    def command(
        self, text: str = "", *, user: str, command: str = "/idea", channel: str = "CGENERAL1", **signing
    ) -> Response:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "credit",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.invalid/commands/{TEAM_ID}/{self._next('')}/x",
            "trigger_id": self.trigger_id(),
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **signing)

    # --- interactivity --------------------------------------------------------------------------

    def interactive(self, payload: dict[str, Any], **signing) -> Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **signing)

    def _base_payload(self, kind: str, user: str) -> dict[str, Any]:
        return {
            "type": kind,
            "token": "legacy-verification-token",
            "api_app_id": APP_ID,
            "team": {"id": TEAM_ID, "domain": "credit"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def global_shortcut(self, callback_id: str, *, user: str) -> Response:
        payload = self._base_payload("shortcut", user) | {
            "callback_id": callback_id,
            "trigger_id": self.trigger_id(),
            "action_ts": f"{time.time():.6f}",
        }
        return self.interactive(payload)

    def message_shortcut(self, callback_id: str, *, user: str, channel: str, message: dict[str, Any]) -> Response:
        payload = self._base_payload("message_action", user) | {
            "callback_id": callback_id,
            "trigger_id": self.trigger_id(),
            "action_ts": f"{time.time():.6f}",
            "message_ts": message["ts"],
            "channel": {"id": channel, "name": "general"},
            "message": {"type": "message", **message},
            "response_url": f"https://hooks.slack.invalid/app/{TEAM_ID}/{self._next('')}/x",
        }
        return self.interactive(payload)

    def click(
        self,
        action_id: str,
        *,
        user: str,
        value: str = "",
        message: dict | None = None,
        channel: str | None = None,
        block_id: str = "b",
        view: dict | None = None,
    ) -> Response:
        """A button click in a message (give channel and message) or in a view (give view)."""
        payload = self._base_payload("block_actions", user) | {
            "trigger_id": self.trigger_id(),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
            payload["view"] = view
        else:
            message = message or {"ts": "1700000000.000100", "text": ""}
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel, "name": "channel"}
            payload["message"] = {"type": "message", "bot_id": "BCOACH", "user": BOT_USER_ID, **message}
            payload["response_url"] = f"https://hooks.slack.invalid/actions/{TEAM_ID}/{self._next('')}/x"
        return self.interactive(payload)

    def submit_view(
        self, view: dict[str, Any], answers: dict[str, Any], *, user: str, view_hash: str | None = None, **options
    ) -> Response:
        """Submit a modal the app opened, with `answers` by block id, as Slack would send it. The same view
        (id) with the same `view_hash` is what Slack sends for a double click or a retried submission."""
        submitted = dict(view)
        submitted.setdefault("id", self._next("V"))
        submitted["state"] = {"values": fill_state(view, answers)}
        submitted["hash"] = view_hash or self._next("hash.")
        submitted["team_id"] = TEAM_ID
        submitted["app_id"] = APP_ID
        submitted.setdefault("private_metadata", "")
        payload = self._base_payload("view_submission", user) | {
            "trigger_id": self.trigger_id(),
            "view": submitted,
            "response_urls": [],
        }
        return self.interactive(payload, **options)

    # --- events ---------------------------------------------------------------------------------

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Response:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self._next("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": retry_reason} if retry else {}
        return self.post(json.dumps(envelope), "application/json", headers=headers)


def _all_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group["options"])
    return options


def _pick(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in _all_options(element):
        if option["value"] == value:
            return option
    raise AssertionError(f"{value!r} is not an option of {element.get('action_id')}")


def fill_state(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The `state.values` Slack would send for `view` with `answers` (block id -> value) typed in."""
    unknown = set(answers) - {block.get("block_id") for block in view["blocks"]}
    if unknown:
        raise AssertionError(f"no input blocks {sorted(unknown)} in the view")
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        answer = answers.get(block["block_id"])
        kind = element["type"]
        if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
            state = {"value": None if answer is None else str(answer)}
        elif kind in ("checkboxes", "multi_static_select"):
            state = {"selected_options": [_pick(element, item) for item in answer or []]}
        elif kind in ("radio_buttons", "static_select"):
            state = {"selected_option": _pick(element, answer) if answer else None}
        elif kind == "datepicker":
            state = {"selected_date": answer}
        elif kind == "users_select":
            state = {"selected_user": answer}
        elif kind == "multi_users_select":
            state = {"selected_users": answer or []}
        else:
            raise AssertionError(f"fill_state does not know {kind}")
        values[block["block_id"]] = {element["action_id"]: {"type": kind, **state}}
    return values
