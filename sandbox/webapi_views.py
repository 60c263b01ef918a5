"""views.* methods: modals with their stack (open, push, update) and the Home tab (publish)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from sandbox import people
from sandbox.validate import check_view
from sandbox.webapi import MAX_STACK, ApiError

if TYPE_CHECKING:
    from sandbox.webapi import WebApi

INTERNAL = ("_user", "_errors", "_notice")


def public_view(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k not in INTERNAL}


def _stored(api: WebApi, view: dict[str, Any], user: str, *, view_id: str | None = None, **links) -> dict[str, Any]:
    """Store `view` as Slack does: with an id, a fresh hash, empty state, and the ids it links to."""
    check_view(view)
    view_id = view_id or api.ws.next_id("V")
    record = {
        "id": view_id,
        "team_id": people.TEAM_ID,
        "type": view["type"],
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": f"{int(api.ws.now().timestamp())}.{secrets.token_hex(4)}",
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "external_id": view.get("external_id", ""),
        "app_id": people.APP_ID,
        "app_installed_team_id": people.TEAM_ID,
        "bot_id": people.BOT_ID,
        "_user": user,
        "_errors": {},
        **links,
    }
    for key in ("title", "submit", "close"):
        if key in view:
            record[key] = view[key]
    with api.ws.lock:
        api.ws.state["views"][view_id] = record
    return record


def _triggered_view(api: WebApi, args: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """views.open and views.push: a valid modal, and the user whose fresh trigger_id it spends."""
    view = args.get("view")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments")
    check_view(view)
    return view, api.use_trigger(args.get("trigger_id"))


def open_view(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    view, user = _triggered_view(api, args)
    record = _stored(api, view, user, root_view_id=None, previous_view_id=None)
    record["root_view_id"] = record["id"]
    with api.ws.lock:
        stack = api.ws.stack(user)
        for old in stack:
            api.ws.state["views"].pop(old, None)
        stack[:] = [record["id"]]
    api.ws.changed()
    return {"view": public_view(record)}


def push_view(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    view, user = _triggered_view(api, args)
    return {"view": public_view(push_for(api, user, view))}


def push_for(api: WebApi, user: str, view: dict[str, Any]) -> dict[str, Any]:
    """Put `view` on top of `user`'s modal stack (views.push, or response_action push)."""
    with api.ws.lock:
        stack = api.ws.stack(user)
        if not stack:
            raise ApiError("not_found")
        if len(stack) >= MAX_STACK:
            raise ApiError("push_limit_reached")
        root = api.ws.view(stack[0])
        record = _stored(api, view, user, root_view_id=root["id"], previous_view_id=stack[-1])
        stack.append(record["id"])
    api.ws.changed()
    return record


def update_view(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    view = args.get("view")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments")
    with api.ws.lock:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next(
                (v["id"] for v in api.ws.state["views"].values() if v["external_id"] == args["external_id"]), None
            )
        current = api.ws.view(str(view_id or ""))
        if current is None:
            raise ApiError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        record = replace(api, current, view)
    return {"view": public_view(record)}


def replace(api: WebApi, current: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
    """`view` in place of `current`, keeping its id and place in the stack (views.update, response_action update)."""
    links = {"root_view_id": current.get("root_view_id"), "previous_view_id": current.get("previous_view_id")}
    record = _stored(api, view, current["_user"], view_id=current["id"], **links)
    api.ws.changed()
    return record


def publish(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    view, user = args.get("view"), str(args.get("user_id") or "")
    if not api.known_user(user):
        raise ApiError("user_not_found")
    if not isinstance(view, dict) or view.get("type") != "home":
        raise ApiError("invalid_arguments")
    with api.ws.lock:
        existing = api.ws.state["homes"].get(user)
        if existing and args.get("hash") and args["hash"] != api.ws.view(existing)["hash"]:
            raise ApiError("hash_conflict")
        record = _stored(api, view, user, view_id=existing)
        api.ws.state["homes"][user] = record["id"]
    api.ws.changed()
    return {"view": public_view(record)}


METHODS = {"views.open": open_view, "views.push": push_view, "views.update": update_view, "views.publish": publish}
