"""auth.*, users.* and files.* methods of the stand-in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import people
from sandbox.webapi import ApiError

if TYPE_CHECKING:
    from sandbox.webapi import WebApi

IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif"}
MIME_TYPES = {**IMAGE_TYPES, "csv": "text/csv", "txt": "text/plain", "pdf": "application/pdf"}


def auth_test(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": api.base_url,
        "team": "Credit Union (sandbox)",
        "user": "idea_coach",
        "team_id": people.TEAM_ID,
        "user_id": people.BOT_USER_ID,
        "bot_id": people.BOT_ID,
        "is_enterprise_install": False,
    }


def users_info(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    profile = api.user_profile(str(args.get("user") or ""))
    if profile is None:
        raise ApiError("user_not_found")
    return {"user": profile}


def users_list(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    members = [p.as_slack_user() for p in people.PEOPLE] + [people.BOT_USER]
    return {"members": members, "response_metadata": {"next_cursor": ""}}


def get_upload_url(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    filename = str(args.get("filename") or "")
    if not filename:
        raise ApiError("invalid_arguments")
    try:
        length = int(args.get("length") or 0)
    except ValueError:
        raise ApiError("invalid_arguments") from None
    if length <= 0:
        raise ApiError("invalid_arguments")
    file_id = api.ws.next_id("F")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    record = {
        "id": file_id,
        "name": filename,
        "title": filename,
        "filetype": extension,
        "mimetype": MIME_TYPES.get(extension, "application/octet-stream"),
        "declared_length": length,
        "user": people.BOT_USER_ID,
        "created": int(api.ws.now().timestamp()),
    }
    api.ws.store_file(file_id, record)
    return {"upload_url": f"{api.base_url}upload/{file_id}", "file_id": file_id}


def complete_upload(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    files = args.get("files")
    if not isinstance(files, list) or not files:
        raise ApiError("invalid_arguments")
    shared = []
    for item in files:
        record = api.ws.state["files"].get(str(item.get("id") or ""))
        if record is None or "content" not in record:
            raise ApiError("file_not_found")
        record["title"] = item.get("title") or record["name"]
        shared.append(_file_object(api, record))
    channel_id = args.get("channel_id") or args.get("channels")
    if channel_id:
        channel = api.conversation(str(channel_id).split(",")[0])
        message = {
            "channel": channel["id"],
            "user": people.BOT_USER_ID,
            "bot_id": people.BOT_ID,
            "text": str(args.get("initial_comment") or ""),
            "blocks": [],
            "files": shared,
            "subtype": "file_share",
            "upload": True,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        api.ws.add_message(message)
    api.ws.changed()
    return {"files": shared}


def _file_object(api: WebApi, record: dict[str, Any]) -> dict[str, Any]:
    url = f"{api.base_url}files/{record['id']}/{record['name']}"
    return {
        "id": record["id"],
        "name": record["name"],
        "title": record["title"],
        "mimetype": record["mimetype"],
        "filetype": record["filetype"],
        "size": record.get("size", 0),
        "url_private": url,
        "url_private_download": url + "?download=1",
        "permalink": url,
        "is_image": record["filetype"] in IMAGE_TYPES,
    }


def files_info(api: WebApi, args: dict[str, Any]) -> dict[str, Any]:
    record = api.ws.state["files"].get(str(args.get("file") or ""))
    if record is None:
        raise ApiError("file_not_found")
    return {"file": _file_object(api, record)}


METHODS = {
    "auth.test": auth_test,
    "users.info": users_info,
    "users.list": users_list,
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
    "files.info": files_info,
}
