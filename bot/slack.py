"""The one gateway to Slack's Web API.

Every call the product makes goes through `SlackGateway`, whose client is based at SLACK_API_URL. The
client retries nothing by itself: a retry handler would sleep out Retry-After in a request thread, and
re-sending after a reset could post twice. Messages are retried by the outbox (bot/outbox), which waits
in the database instead and checks Slack before re-sending when the outcome is unknown.
"""

from __future__ import annotations

import logging
import urllib.request
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def make_web_client(token: str, base_url: str, *, timeout: int = 10) -> WebClient:
    from bot.metrics import MeteredWebClient  # counts every call by method for /metrics

    return MeteredWebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])


def token_refused(token: str, base_url: str) -> str | None:
    """Why Slack refuses the bot token (auth.test), or None when it accepts it."""
    try:
        WebClient(token=token, base_url=base_url, timeout=10, retry_handlers=[]).auth_test()
    except SlackApiError as error:
        return str(error.response.get("error") or error.response.status_code)
    except Exception as error:  # Slack unreachable: the worker would fail the same way
        return str(error).splitlines()[0]
    return None


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str


class SlackGateway:
    def __init__(self, client: WebClient):
        self.client = client

    def post_message(
        self,
        channel: str,
        text: str,
        blocks: list[dict] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Posted:
        response = self.client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            metadata=metadata,
            unfurl_links=False,
            unfurl_media=False,
        )
        return Posted(channel=response["channel"], ts=response["ts"])

    def find_tagged(
        self, channel: str, oldest: str, event_type: str, key: str, value: Any, thread_ts: str | None = None
    ) -> str | None:
        """The ts of the message in `channel` (or in the thread `thread_ts`) since `oldest` whose metadata
        is `event_type` with `key` = `value`; None when there is none."""
        cursor = None
        while True:
            options = {"channel": channel, "oldest": oldest, "include_all_metadata": True, "limit": 200}
            if cursor:
                options["cursor"] = cursor
            if thread_ts:
                response = self.client.conversations_replies(ts=thread_ts, **options)
            else:
                response = self.client.conversations_history(**options)
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                if metadata.get("event_type") == event_type and (metadata.get("event_payload") or {}).get(key) == value:
                    return message["ts"]
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    def update_message(self, channel: str, ts: str, text: str, blocks: list[dict] | None = None) -> None:
        self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def post_ephemeral(self, channel: str, user: str, text: str, blocks: list[dict] | None = None) -> None:
        self.client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> str:
        return self.client.views_open(trigger_id=trigger_id, view=view)["view"]["id"]

    def push_view(self, trigger_id: str, view: dict[str, Any]) -> str:
        return self.client.views_push(trigger_id=trigger_id, view=view)["view"]["id"]

    def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        self.client.views_update(view_id=view_id, view=view)

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        self.client.views_publish(user_id=user_id, view=view)

    def permalink(self, channel: str, ts: str) -> str | None:
        try:
            return self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except SlackApiError as error:
            log.warning("chat.getPermalink failed for %s/%s: %s", channel, ts, error.response.get("error"))
            return None

    def open_conversation(self, user_ids: list[str]) -> str:
        return self.client.conversations_open(users=",".join(user_ids))["channel"]["id"]

    def user_info(self, user_id: str) -> dict[str, Any]:
        return self.client.users_info(user=user_id)["user"]

    def start_upload(self, filename: str, length: int) -> tuple[str, str]:
        """The first step of an external upload: the file's id and where to send its bytes."""
        response = self.client.files_getUploadURLExternal(filename=filename, length=length)
        return response["file_id"], response["upload_url"]

    def send_upload(self, upload_url: str, content: bytes) -> None:
        """The second step: the bytes, to the URL Slack gave (errors raise, as the client's do)."""
        request = urllib.request.Request(upload_url, data=content, method="POST")
        with urllib.request.urlopen(request, timeout=self.client.timeout) as response:
            response.read()

    def complete_upload(
        self, file_id: str, title: str, channel: str, initial_comment: str | None = None, thread_ts: str | None = None
    ) -> None:
        """The last step: the upload is finished and shared in `channel`."""
        self.client.files_completeUploadExternal(
            files=[{"id": file_id, "title": title}],
            channel_id=channel,
            initial_comment=initial_comment,
            thread_ts=thread_ts,
        )

    def file_share_ts(self, file_id: str, channel: str) -> str | None:
        """The ts of the file's share in `channel` (files.info's `shares`), None when it is not shared there."""
        try:
            shares = self.client.files_info(file=file_id)["file"].get("shares") or {}
        except SlackApiError as error:
            if error.response.get("error") in ("file_not_found", "file_deleted"):
                return None  # an upload never completed is no file yet: nothing was shared
            raise
        for visibility in ("public", "private"):
            found = (shares.get(visibility) or {}).get(channel) or []
            if found:
                return found[0].get("ts") or "shared"
        return None

    def upload_file(
        self, channel: str, filename: str, content: bytes, title: str, initial_comment: str | None = None
    ) -> str | None:
        """Share a file in `channel` (files.getUploadURLExternal, upload, files.completeUploadExternal)."""
        response = self.client.files_upload_v2(
            channel=channel, filename=filename, content=content, title=title, initial_comment=initial_comment
        )
        return (response.get("file") or {}).get("id")
