"""The last resort: an unexpected error is logged with a short reference and the person is told."""

from __future__ import annotations

import logging
import uuid

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError

from bot.delivery import Ephemeral, Post
from bot.runtime import Runtime
from bot.views import messages
from handlers.wiring import bound

log = logging.getLogger(__name__)


def _actor(body: dict) -> tuple[str | None, str | None]:
    """(user, channel) of whoever is waiting on this request, if anyone (events have no one waiting)."""
    if body.get("type") == "event_callback":
        return None, None
    if "command" in body:
        return body.get("user_id"), body.get("channel_id")
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    return user.get("id"), channel.get("id") or container.get("channel_id")


def _kind(body: dict) -> str:
    return body.get("type") or ("command" if "command" in body else "request")


def unexpected(runtime: Runtime, error: Exception, body: dict, response: BoltResponse | None) -> BoltResponse | None:
    if isinstance(error, BoltUnhandledRequestError):
        return _unhandled(runtime, body)
    request_id = uuid.uuid4().hex[:8]
    kind = _kind(body)
    log.error("request %s (%s) failed: %r", request_id, kind, error, exc_info=error)
    user_id, channel_id = _actor(body)
    text, blocks = messages.notice(messages.something_went_wrong(request_id))
    if user_id and "command" in body and response is not None:
        # Not yet acknowledged: the answer itself can carry the apology, only to the person.
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text, "blocks": blocks})
    if user_id:
        answer = Ephemeral(channel_id, user_id, text, blocks) if channel_id else Post(user_id, text, blocks)
        runtime.after_ack(runtime.outbox.send, [answer])
    if response is not None:
        # Not yet acknowledged: answer 200 so Slack neither shows a time-out nor retries the failure.
        return BoltResponse(status=200, body="")
    return None


def _unhandled(runtime: Runtime, body: dict) -> BoltResponse:
    """A request no listener matches (a button of a message from an earlier version, an event or command the
    app was never meant to get): acked, logged once, and the person who clicked is told nothing changed."""
    kind = _kind(body)
    actions = body.get("actions") if isinstance(body.get("actions"), list) else []
    names = [body.get("command"), body.get("callback_id"), (body.get("view") or {}).get("callback_id")]
    names += [action.get("action_id") for action in actions if isinstance(action, dict)]
    log.warning("no listener for this %s (%s); acked", kind, ", ".join(str(name) for name in names if name) or "-")
    user_id, channel_id = _actor(body)
    text, blocks = messages.notice(messages.NOT_MINE_ANY_MORE)
    if user_id and "command" in body:
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text, "blocks": blocks})
    if user_id and channel_id and kind in ("block_actions", "message_action", "interactive_message"):
        runtime.after_ack(runtime.outbox.send, [Ephemeral(channel_id, user_id, text, blocks)])
    return BoltResponse(status=200, body="")


def register(app: App, runtime: Runtime) -> None:
    app.error(bound(runtime, unexpected))
