"""Slack's half of the protocol: signed requests to the bot's POST /slack/events, and what Slack does
with the answers (ack bodies, response_action, the 3-second rule).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from sandbox import people
from sandbox.webapi import WebApi

log = logging.getLogger(__name__)

ACK_SECONDS = 3.0
TIMEOUT = "operation_timeout"


@dataclass
class Answer:
    status: int | None  # None: no answer within 3 seconds
    body: str

    @property
    def timed_out(self) -> bool:
        return self.status is None

    def json(self) -> dict[str, Any] | None:
        if not self.body.strip().startswith("{"):
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class SlackSide:
    def __init__(self, api: WebApi, request_url: str, respond_base: str):
        self.api = api
        self.ws = api.ws
        self.request_url = request_url
        self.respond_base = respond_base
        self.response_urls: dict[str, dict[str, Any]] = {}
        self.sent: list[tuple[dict[str, str], str]] = []  # (headers, body) of every request, for tests

    # --- transport --------------------------------------------------------------------------------

    def post(self, body: str, content_type: str, extra_headers: dict[str, str] | None = None) -> Answer:
        timestamp = str(int(time.time()))
        signature = SignatureVerifier(self.ws.signing_secret).generate_signature(timestamp=timestamp, body=body)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra_headers or {}),
        }
        self.sent.append((headers, body))
        request = urllib.request.Request(self.request_url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=ACK_SECONDS) as answer:
                return Answer(answer.status, answer.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode())
        except (TimeoutError, urllib.error.URLError) as error:
            log.warning("the app did not answer within %ss: %s", ACK_SECONDS, error)
            return Answer(None, "")

    def interactive(self, payload: dict[str, Any]) -> Answer:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    # --- payload pieces ---------------------------------------------------------------------------

    def response_url(
        self, user: str, channel: str | None, thread_ts: str | None = None, original_ts: str | None = None
    ) -> str:
        """A URL the app may POST to five times; from a message action, it can replace or delete that message."""
        token = uuid.uuid4().hex
        self.response_urls[token] = {
            "user": user,
            "channel": channel,
            "thread_ts": thread_ts,
            "original_ts": original_ts,
            "uses": 0,
        }
        return f"{self.respond_base}{token}"

    def base(self, kind: str, user: str) -> dict[str, Any]:
        name = people.BY_ID[user].name.split()[0].lower()
        return {
            "type": kind,
            "token": "sandbox-verification-token",
            "api_app_id": people.APP_ID,
            "team": {"id": people.TEAM_ID, "domain": people.TEAM_DOMAIN},
            "user": {"id": user, "username": name, "name": name, "team_id": people.TEAM_ID},
            "is_enterprise_install": False,
            "enterprise": None,
        }

    # --- slash commands and events ----------------------------------------------------------------

    def command(self, user: str, channel: dict[str, Any], command: str, text: str) -> Answer:
        form = {
            "token": "sandbox-verification-token",
            "team_id": people.TEAM_ID,
            "team_domain": people.TEAM_DOMAIN,
            "channel_id": channel["id"],
            "channel_name": _channel_name(channel),
            "user_id": user,
            "user_name": people.BY_ID[user].name.split()[0].lower(),
            "command": command,
            "text": text,
            "api_app_id": people.APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.response_url(user, channel["id"]),
            "trigger_id": self.api.issue_trigger(user),
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any], *, wait: bool = False) -> None:
        """An Events API callback; Slack sends these on its own time, so by default in the background."""
        envelope = {
            "token": "sandbox-verification-token",
            "team_id": people.TEAM_ID,
            "api_app_id": people.APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": people.TEAM_ID,
                    "user_id": people.BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        send = lambda: self._deliver_event(envelope)  # noqa: E731
        if wait:
            send()
        else:
            threading.Thread(target=send, daemon=True).start()

    def _deliver_event(self, envelope: dict[str, Any]) -> None:
        # Slack retries an event that is not acknowledged in time, up to three times.
        for attempt in range(4):
            headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"} if attempt else {}
            answer = self.post(json.dumps(envelope), "application/json", headers)
            if answer.status is not None and answer.status < 500:
                return

    def message_event(self, message: dict[str, Any], channel: dict[str, Any]) -> None:
        if people.BOT_USER_ID not in channel["members"]:
            return  # Slack only tells the app about conversations it is in
        event = {
            "type": "message",
            "channel": channel["id"],
            "user": message["user"],
            "text": message["text"],
            "ts": message["ts"],
            "event_ts": message["ts"],
            "team": people.TEAM_ID,
            "client_msg_id": message.get("client_msg_id", str(uuid.uuid4())),
            "blocks": message.get("blocks", []),
            "channel_type": channel["kind"] if channel["kind"] != "mpim" else "mpim",
        }
        if message.get("thread_ts"):
            event["thread_ts"] = message["thread_ts"]
            event["parent_user_id"] = (self.ws.find_message(channel["id"], message["thread_ts"]) or {}).get("user")
        self.event(event)

    def home_opened(self, user: str) -> None:
        home = self.ws.state["homes"].get(user)
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": "D" + user[1:],
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        if home and (view := self.ws.view(home)):
            from sandbox.webapi_views import public_view

            event["view"] = public_view(view)
        self.event(event)


def _channel_name(channel: dict[str, Any]) -> str:
    if channel["kind"] == "im":
        return "directmessage"
    if channel["kind"] == "mpim":
        return "mpdm-" + channel["id"].lower()
    return channel["name"]
