"""What Slack's client does when a person acts: post, run a slash command, click, submit or close a modal.

Each function sends the bot what Slack would and applies the answer the way Slack does.
"""

from __future__ import annotations

import uuid
from typing import Any

from sandbox import forms, people
from sandbox.slack_side import TIMEOUT, Answer, SlackSide
from sandbox.validate import Invalid, check_blocks
from sandbox.webapi import ApiError
from sandbox.webapi_views import push_for, replace

SLACKBOT = "USLACKBOT"
COMMANDS = ("/idea",)
TRY_AGAIN = "We had some trouble connecting. Try again?"


def notice(side: SlackSide, user: str, channel_id: str, text: str, thread_ts: str | None = None) -> None:
    """A Slackbot message only `user` sees (how Slack reports a failed command or action)."""
    message = {"channel": channel_id, "user": SLACKBOT, "text": text, "blocks": [], "ephemeral_for": user}
    if thread_ts:
        message["thread_ts"] = thread_ts
    side.ws.add_message(message)


def send(side: SlackSide, user: str, channel_id: str, text: str, thread_ts: str | None = None) -> str | None:
    """What happens when `user` presses Enter in a Message or Reply box; returns a problem to show, if any."""
    channel = side.ws.channel(channel_id)
    if channel is None or user not in channel["members"]:
        return "You can't post in this conversation."
    text = text.strip()
    if not text:
        return None
    if text.startswith("/"):
        command, _, rest = text.partition(" ")
        return run_command(side, user, channel, command, rest.strip(), thread_ts)
    # Slack's client escapes &, < and > in what people type, so their text can never be mrkdwn syntax.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    message = {"channel": channel_id, "user": user, "text": escaped, "client_msg_id": str(uuid.uuid4())}
    message["blocks"] = [_rich_text(text)]
    if thread_ts:
        message["thread_ts"] = thread_ts
    side.ws.add_message(message)
    side.message_event(message, channel)
    return None


def _rich_text(text: str) -> dict[str, Any]:
    return {
        "type": "rich_text",
        "block_id": uuid.uuid4().hex[:5],
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }


def run_command(side: SlackSide, user: str, channel: dict, command: str, text: str, thread_ts: str | None) -> None:
    if command not in COMMANDS:
        notice(
            side,
            user,
            channel["id"],
            f"`{command}` is not a valid command. In Slack, all messages that start "
            'with the "/" character are interpreted as commands.',
            thread_ts,
        )
        return None
    answer = side.command(user, channel, command, text)
    if answer.timed_out or answer.status != 200:
        error = TIMEOUT if answer.timed_out else "dispatch_failed"
        notice(side, user, channel["id"], f'{command} failed with the error "{error}"', thread_ts)
        return None
    _show_ack_body(side, user, channel["id"], answer, thread_ts)
    return None


def _show_ack_body(side: SlackSide, user: str, channel_id: str, answer: Answer, thread_ts: str | None) -> None:
    """An ack with text or blocks becomes a message: ephemeral unless response_type is in_channel."""
    body = answer.json()
    if body is None:
        body = {"text": answer.body} if answer.body.strip() else {}
    if not body.get("text") and not body.get("blocks"):
        return
    try:
        if body.get("blocks"):
            check_blocks(body["blocks"], "message", "/blocks")
    except Invalid as problem:
        notice(side, user, channel_id, f"The app's reply was refused by Slack: invalid_blocks ({problem.message})")
        return
    message = {
        "channel": channel_id,
        "user": people.BOT_USER_ID,
        "bot_id": people.BOT_ID,
        "text": body.get("text", ""),
        "blocks": body.get("blocks") or [],
    }
    if body.get("response_type") != "in_channel":
        message["ephemeral_for"] = user
    if thread_ts:
        message["thread_ts"] = thread_ts
    side.ws.add_message(message)


def _message_container(side: SlackSide, user: str, channel_id: str, ts: str) -> tuple[dict, dict] | None:
    with side.ws.lock:
        found = [m for m in side.ws.state["messages"] if m["channel"] == channel_id and m["ts"] == ts]
    message = next((m for m in found if m.get("ephemeral_for") in (None, user)), None)
    if message is None:
        return None
    from sandbox.webapi_chat import public

    container = {
        "type": "message",
        "message_ts": ts,
        "channel_id": channel_id,
        "is_ephemeral": bool(message.get("ephemeral_for")),
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    return container, public(message)


def act_in_message(side: SlackSide, user: str, channel_id: str, ts: str, block_id: str, action_id: str, raw: Any):
    """A click or pick in a message's blocks; returns a problem to show, if any."""
    found = _message_container(side, user, channel_id, ts)
    if found is None:
        return "That message is gone."
    container, message = found
    element = forms.find_element(message.get("blocks") or [], block_id, action_id)
    if element is None:
        return "That control is gone."
    channel = side.ws.channel(channel_id)
    payload = side.base("block_actions", user) | {
        "container": container,
        "trigger_id": side.api.issue_trigger(user),
        "channel": {"id": channel_id, "name": channel["name"] if channel["kind"] == "channel" else "directmessage"},
        "message": message,
        "state": {"values": forms.state_values(message.get("blocks") or [], {})},
        "response_url": side.response_url(user, channel_id, message.get("thread_ts"), ts),
        "actions": [forms.action_payload(element, block_id, raw)],
    }
    answer = side.interactive(payload)
    if answer.timed_out or answer.status != 200:
        notice(side, user, channel_id, _failed(answer), message.get("thread_ts"))
    return None


def _failed(answer: Answer) -> str:
    error = TIMEOUT if answer.timed_out else f"http_{answer.status}"
    return f"{people.APP_NAME} didn't respond in time, so your action may not have worked ({error})."


def act_in_view(side: SlackSide, user: str, view_id: str, block_id: str, action_id: str, raw: Any, state: dict):
    view = side.ws.view(view_id)
    if view is None or view["_user"] != user:
        return "That view is gone."
    element = forms.find_element(view["blocks"], block_id, action_id)
    if element is None:
        return "That control is gone."
    from sandbox.webapi_views import public_view

    shown = public_view(view) | {"state": {"values": forms.state_values(view["blocks"], state)}}
    payload = side.base("block_actions", user) | {
        "container": {"type": "view", "view_id": view_id},
        "trigger_id": side.api.issue_trigger(user),
        "view": shown,
        "actions": [forms.action_payload(element, block_id, raw)],
    }
    answer = side.interactive(payload)
    if answer.timed_out or answer.status != 200:
        return _failed(answer)
    return None


def submit(side: SlackSide, user: str, view_id: str, state: dict) -> str | None:
    """Submit the modal on top of `user`'s stack; returns a problem to show in it, if any."""
    view = side.ws.view(view_id)
    stack = side.ws.stack(user)
    if view is None or not stack or stack[-1] != view_id:
        return "This modal is no longer open."
    from sandbox.webapi_views import public_view

    with side.ws.lock:
        view["state"] = {"values": forms.state_values(view["blocks"], state)}
        view["_errors"], view["_notice"] = {}, ""
    payload = side.base("view_submission", user) | {
        "trigger_id": side.api.issue_trigger(user),
        "view": public_view(view),
        "response_urls": [],
    }
    answer = side.interactive(payload)
    if answer.timed_out or answer.status != 200:
        view["_notice"] = TRY_AGAIN
        side.ws.changed()
        return TRY_AGAIN
    return _apply_response_action(side, user, view, answer.json() or {})


def _apply_response_action(side: SlackSide, user: str, view: dict, body: dict) -> str | None:
    action = body.get("response_action")
    try:
        if action == "errors":
            inputs = {b.get("block_id") for b in view["blocks"] if b.get("type") == "input"}
            errors = body.get("errors") or {}
            if not errors or set(errors) - inputs:
                raise ApiError("invalid_arguments")
            view["_errors"] = {k: str(v) for k, v in errors.items()}
            side.ws.changed()
            return None
        if action == "update":
            replace(side.api, view, body["view"])
            return None
        if action == "push":
            push_for(side.api, user, body["view"])
            return None
        close(side, user, view["id"], everything=action == "clear", notify=False)
        return None
    except (ApiError, Invalid, KeyError, TypeError) as problem:
        log_problem = getattr(problem, "message", None) or getattr(problem, "error", None) or repr(problem)
        view["_notice"] = f"{TRY_AGAIN} (Slack refused the app's response: {log_problem})"
        side.ws.changed()
        return view["_notice"]


def close(side: SlackSide, user: str, view_id: str, *, everything: bool = False, notify: bool = True) -> None:
    """Close the top modal (Back/Cancel) or the whole stack (x, clear)."""
    with side.ws.lock:
        stack = side.ws.stack(user)
        if view_id not in stack:
            return
        closing = list(stack) if everything else [stack[-1]]
        views = [side.ws.view(v) for v in closing]
        del stack[len(stack) - len(closing) :]
    for view in views:
        side.ws.state["views"].pop(view["id"], None)
    side.ws.changed()
    if notify and views and views[-1].get("notify_on_close"):
        from sandbox.webapi_views import public_view

        payload = side.base("view_closed", user) | {"view": public_view(views[-1]), "is_cleared": everything}
        side.interactive(payload)


def respond(side: SlackSide, token: str, body: dict[str, Any]) -> tuple[int, str]:
    """A POST to a response_url: a new message, or replacing / deleting the original (up to 5 uses)."""
    target = side.response_urls.get(token)
    if target is None or target["uses"] >= 5:
        return 404, "expired_url"
    target["uses"] += 1
    if body.get("blocks"):
        try:
            check_blocks(body["blocks"], "message", "/blocks")
        except Invalid:
            return 400, "invalid_blocks"
    original = _original(side, target)
    if _truthy(body.get("delete_original")):
        if original is None:
            return 404, "message_not_found"
        side.ws.remove_message(original)
        return 200, "ok"
    if not body.get("text") and not body.get("blocks"):
        return 400, "no_text"
    if _truthy(body.get("replace_original")) and original is not None:
        with side.ws.lock:
            original["text"], original["blocks"] = body.get("text", ""), body.get("blocks") or []
        side.ws.changed()
        return 200, "ok"
    message = {
        "channel": target["channel"],
        "user": people.BOT_USER_ID,
        "bot_id": people.BOT_ID,
        "text": body.get("text", ""),
        "blocks": body.get("blocks") or [],
    }
    if body.get("response_type") != "in_channel":
        message["ephemeral_for"] = target["user"]
    if body.get("thread_ts") or target["thread_ts"]:
        message["thread_ts"] = body.get("thread_ts") or target["thread_ts"]
    side.ws.add_message(message)
    return 200, "ok"


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _original(side: SlackSide, target: dict[str, Any]) -> dict[str, Any] | None:
    if not target.get("original_ts"):
        return None
    with side.ws.lock:
        for message in side.ws.state["messages"]:
            same = message["channel"] == target["channel"] and message["ts"] == target["original_ts"]
            if same and message.get("ephemeral_for") in (None, target["user"]):
                return message
    return None
