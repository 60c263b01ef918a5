"""chat.* and conversations.* methods of the stand-in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import people
from sandbox.workspace import dm_id

if TYPE_CHECKING:
    from sandbox.webapi import WebApi

from sandbox.webapi import ApiError

INTERNAL_KEYS = ("channel", "ephemeral_for")


def public(message: dict[str, Any], *, with_metadata: bool = True) -> dict[str, Any]:
    """A message as the Web API returns it (no channel key; metadata only when asked for)."""
    shown = {k: v for k, v in message.items() if k not in INTERNAL_KEYS}
    if not with_metadata:
        shown.pop("metadata", None)
    return shown


def _metadata(args: dict[str, Any]) -> dict[str, Any] | None:
    metadata = args.get("metadata")
    if metadata in (None, ""):
        return None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str):
        raise ApiError("invalid_metadata_format")
    if not isinstance(metadata.get("event_payload", {}), dict):
        raise ApiError("invalid_metadata_format")
    return metadata


def post_message(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.conversation(args.get("channel"))
    content = api.check_message(args)
    thread_ts = args.get("thread_ts") or None
    if thread_ts and api.ws.find_message(channel["id"], str(thread_ts)) is None:
        raise ApiError("thread_not_found")
    message = {
        "channel": channel["id"],
        "user": people.BOT_USER_ID,
        "bot_id": people.BOT_ID,
        "app_id": people.APP_ID,
        "team": people.TEAM_ID,
        "text": content["text"],
        "blocks": content["blocks"],
    }
    if thread_ts:
        message["thread_ts"] = str(thread_ts)
    if metadata := _metadata(args):
        message["metadata"] = metadata
    api.ws.add_message(message)
    answer: dict[str, Any] = {"channel": channel["id"], "ts": message["ts"], "message": public(message)}
    if content["warnings"]:
        answer["warning"] = ",".join(content["warnings"])
        answer["response_metadata"] = {"warnings": content["warnings"]}
    return answer


def _own_message(api: WebApi, args: dict[str, Any], refusal: str) -> tuple[dict, dict]:
    """The conversation and the app's own message at args' channel and ts, as chat.update/delete find them."""
    channel = api.conversation(args.get("channel"), user_for_dm=False)
    message = api.ws.find_message(channel["id"], str(args.get("ts") or ""))
    if message is None:
        raise ApiError("message_not_found")
    if message.get("bot_id") != people.BOT_ID:
        raise ApiError(refusal)
    return channel, message


def update(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    channel, message = _own_message(api, args, "cant_update_message")
    content = api.check_message(args)
    with api.ws.lock:
        message["text"], message["blocks"] = content["text"], content["blocks"]
        message["edited"] = {"user": people.BOT_USER_ID, "ts": api.ws.next_ts()}
        if metadata := _metadata(args):
            message["metadata"] = metadata
    api.ws.changed()
    return {"channel": channel["id"], "ts": message["ts"], "text": message["text"], "message": public(message)}


def post_ephemeral(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.conversation(args.get("channel"))
    user = str(args.get("user") or "")
    if not api.known_user(user):
        raise ApiError("user_not_found")
    if user not in channel["members"] and not api.admit_strangers:
        raise ApiError("user_not_in_channel")
    content = api.check_message(args)
    message = {
        "channel": channel["id"],
        "user": people.BOT_USER_ID,
        "bot_id": people.BOT_ID,
        "text": content["text"],
        "blocks": content["blocks"],
        "ephemeral_for": user,
    }
    if args.get("thread_ts"):
        message["thread_ts"] = str(args["thread_ts"])
    api.ws.add_message(message)
    return {"message_ts": message["ts"]}


def delete(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    channel, message = _own_message(api, args, "cant_delete_message")
    api.ws.remove_message(message)
    return {"channel": channel["id"], "ts": message["ts"]}


def permalink(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.conversation(args.get("channel"), user_for_dm=False)
    ts = str(args.get("message_ts") or "")
    message = api.ws.find_message(channel["id"], ts)
    if message is None and not api.admit_strangers:  # a suite's invented messages are taken as read
        raise ApiError("message_not_found")
    thread = (message or {}).get("thread_ts") or ts
    link = f"{api.base_url}archives/{channel['id']}/p{ts.replace('.', '')}"  # Slack's shape; the page opens it
    if thread != ts:
        link += f"?thread_ts={thread}&cid={channel['id']}"
    return {"channel": channel["id"], "permalink": link}


def conversations_open(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("channel"):
        return {"channel": {"id": api.conversation(args["channel"], user_for_dm=False)["id"]}}
    users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not users:
        raise ApiError("users_list_not_supplied")
    if len(users) > 8:
        raise ApiError("too_many_users")
    unknown = [u for u in users if not api.known_user(u) and u != people.BOT_USER_ID]
    if unknown:
        raise ApiError("user_not_found")
    humans = [u for u in users if u != people.BOT_USER_ID]
    if len(humans) == 1:
        channel = api.ws.channel(dm_id(humans[0])) or api.ws.stranger_channel(dm_id(humans[0]))
        return {"channel": {"id": channel["id"]}, "no_op": True, "already_open": True}
    channel = api.ws.group_with(humans)
    return {"channel": {"id": channel["id"], "is_mpim": True}}


def _window(messages: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or 9e12)

    def inside(ts: float) -> bool:
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest or (not args.get("oldest") and ts == oldest)

    return [m for m in messages if inside(float(m["ts"]))]


def history(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.conversation(args.get("channel"), user_for_dm=False)
    with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    found = _window(api.ws.messages_in(channel["id"]), args)
    limit = max(1, min(int(args.get("limit") or 100), 999))
    newest_first = sorted(found, key=lambda m: float(m["ts"]), reverse=True)
    page = newest_first[:limit]
    return {
        "messages": [public(m, with_metadata=with_metadata) for m in page],
        "has_more": len(newest_first) > limit,
        "pin_count": 0,
        "response_metadata": {"next_cursor": ""},
    }


def replies(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.conversation(args.get("channel"), user_for_dm=False)
    ts = str(args.get("ts") or "")
    if api.ws.find_message(channel["id"], ts) is None:
        raise ApiError("thread_not_found")
    with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    found = _window(api.ws.replies(channel["id"], ts), args)
    limit = max(1, min(int(args.get("limit") or 1000), 1000))
    ordered = sorted(found, key=lambda m: float(m["ts"]))[:limit]
    return {
        "messages": [public(m, with_metadata=with_metadata) for m in ordered],
        "has_more": len(found) > limit,
        "response_metadata": {"next_cursor": ""},
    }


def info(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.ws.channel(str(args.get("channel") or ""))
    if channel is None:
        raise ApiError("channel_not_found")
    kind = channel["kind"]
    return {
        "channel": {
            "id": channel["id"],
            "name": channel["name"] if kind == "channel" else None,
            "is_channel": kind == "channel",
            "is_im": kind == "im",
            "is_mpim": kind == "mpim",
            "is_private": kind != "channel",
            "is_member": people.BOT_USER_ID in channel["members"],
            "num_members": len(channel["members"]),
        }
    }


def members(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.conversation(args.get("channel"), user_for_dm=False)
    return {"members": list(channel["members"]), "response_metadata": {"next_cursor": ""}}


METHODS = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "chat.delete": delete,
    "chat.getPermalink": permalink,
    "conversations.open": conversations_open,
    "conversations.history": history,
    "conversations.replies": replies,
    "conversations.info": info,
    "conversations.members": members,
}
