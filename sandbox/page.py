"""The page's parts as HTML: sidebar, conversation, thread pane, Home tab and modal."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sandbox import people
from sandbox.blockkit import Ctx, attr
from sandbox.blocks import render_blocks
from sandbox.mrkdwn import mrkdwn, plain
from sandbox.workspace import Workspace, dm_id

ZONE = ZoneInfo(people.TIME_ZONE)


def link(me: str, channel: str, **extra: str) -> str:
    return "/?" + urlencode({"as": me, "c": channel, **extra})


def conversation_name(channel: dict[str, Any], me: str) -> str:
    if channel["kind"] == "channel":
        return "#" + channel["name"]
    if channel["kind"] == "im":
        return people.APP_NAME
    others = [people.display_name(m) for m in channel["members"] if m not in (me, people.BOT_USER_ID)]
    return ", ".join(others) or "Just you"


def channel_names(ws: Workspace) -> dict[str, str]:
    return {c["id"]: c["name"] for c in ws.channels() if c["kind"] == "channel"}


def sidebar(ws: Workspace, me: str, current: str, tab: str) -> str:
    def item(channel: dict[str, Any], label: str, icon: str) -> str:
        here = channel["id"] == current
        current_attr = ' aria-current="page" class="here"' if here else ""
        return (
            f'<li><a href="{attr(link(me, channel["id"]))}"{current_attr} data-nav>'
            f'<span class="icon" aria-hidden="true">{icon}</span>{html.escape(label)}</a></li>'
        )

    mine = [c for c in ws.channels() if me in c["members"]]
    channels = "".join(item(c, "#" + c["name"], "") for c in mine if c["kind"] == "channel")
    app_dm = ws.channel(dm_id(me))
    direct = item(app_dm, people.APP_NAME, "💡")
    groups = "".join(item(c, conversation_name(c, me), "👥") for c in mine if c["kind"] == "mpim")
    return (
        f'<h2 class="section-title">Channels</h2><ul class="nav">{channels}</ul>'
        f'<h2 class="section-title">Direct messages</h2><ul class="nav">{direct}{groups}</ul>'
    )


def when(ts: str) -> str:
    moment = datetime.fromtimestamp(float(ts), ZONE)
    return moment.strftime("%a %d %b, %-I:%M %p")


def _author(message: dict[str, Any]) -> tuple[str, str]:
    user = message.get("user", "")
    if user == "USLACKBOT":
        return "Slackbot", "🤖"
    if message.get("bot_id") or user == people.BOT_USER_ID:
        return people.APP_NAME, "💡"
    name = people.display_name(user)
    return name, "".join(part[0] for part in name.split()[:2])


def _files(message: dict[str, Any]) -> str:
    out = []
    for file in message.get("files") or []:
        url = "/files/{}/{}".format(attr(file["id"]), attr(file["name"]))
        title = html.escape(file.get("title") or file["name"])
        if file.get("is_image"):
            out.append(
                f'<figure class="file image"><img src="{url}" alt="{title}"><figcaption>{title}</figcaption></figure>'
            )
        else:
            out.append(
                f'<a class="file download" href="{url}?download=1" download="{attr(file["name"])}" '
                f'aria-label="Download {title}">'
                f'<span class="file-icon" aria-hidden="true">📄</span><span>{title}<small>'
                f"{html.escape(file.get('filetype', '').upper())} · Download</small></span></a>"
            )
    return "".join(out)


def message_html(ws: Workspace, message: dict[str, Any], me: str, *, in_thread: bool = False) -> str:
    name, avatar = _author(message)
    ctx = Ctx("message", f"m{message['ts'].replace('.', '')}", channel_names(ws), "/")
    # People's messages show their text (escaped as typed, so only *bold*, _italic_, `code` and the like work).
    body = render_blocks(message["blocks"], ctx) if message.get("blocks") and message.get("bot_id") else ""
    if not body:
        body = f'<div class="text">{mrkdwn(message.get("text", ""), ctx.channel_names)}</div>'
    ephemeral = ""
    if message.get("ephemeral_for"):
        ephemeral = '<div class="ephemeral-note">👁 Only visible to you</div>'
    thread = ""
    replies = message.get("reply_count", 0)
    if not in_thread and replies:
        label = f"{replies} repl{'y' if replies == 1 else 'ies'}"
        thread = f'<button type="button" class="thread-link" data-thread="{attr(message["ts"])}">{label}</button>'
    reply_action = ""
    if not in_thread and not message.get("ephemeral_for"):
        reply_action = (
            f'<button type="button" class="reply-action" data-thread="{attr(message["ts"])}" '
            f'aria-label="Reply in thread">💬</button>'
        )
    edited = ' <span class="edited">(edited)</span>' if message.get("edited") else ""
    kind = " ephemeral" if message.get("ephemeral_for") else ""
    return (
        f'<article class="message{kind}" id="m{attr(message["ts"].replace(".", ""))}" '
        f'aria-label="{attr(name)}, {attr(when(message["ts"]))}" data-channel="{attr(message["channel"])}" '
        f'data-ts="{attr(message["ts"])}" data-container="message">'
        f'<div class="avatar" aria-hidden="true">{html.escape(avatar)}</div><div class="content">'
        f'<div class="meta"><span class="author">{html.escape(name)}</span>'
        f"<time>{html.escape(when(message['ts']))}</time>{edited}</div>{ephemeral}"
        f'<div class="blocks">{body}</div>{_files(message)}{thread}</div>{reply_action}</article>'
    )


def messages_html(ws: Workspace, channel_id: str, me: str) -> str:
    messages = ws.messages_in(channel_id, me)
    if not messages:
        return '<p class="empty">No messages yet. Say hello, or type <code>/idea</code> to share an idea.</p>'
    return "".join(message_html(ws, m, me) for m in messages)


def thread_html(ws: Workspace, channel_id: str, thread_ts: str, me: str) -> str:
    replies = ws.replies(channel_id, thread_ts, me)
    return "".join(message_html(ws, m, me, in_thread=True) for m in replies)


def header_html(ws: Workspace, channel: dict[str, Any], me: str, tab: str) -> str:
    name = html.escape(conversation_name(channel, me))
    if channel["kind"] != "im":
        count = len([m for m in channel["members"] if m != people.BOT_USER_ID])
        return f'<h1>{name}</h1><span class="members">{count} members</span>'
    tabs = []
    for key, label in (("home", "Home"), ("messages", "Messages")):
        selected = "true" if tab == key else "false"
        href = attr(link(me, channel["id"], tab=key))
        tabs.append(f'<a role="tab" aria-selected="{selected}" href="{href}" data-nav data-tab="{key}">{label}</a>')
    return f'<h1><span aria-hidden="true">💡</span> {name}</h1><div role="tablist" class="tabs">{"".join(tabs)}</div>'


def home_html(ws: Workspace, me: str) -> str:
    view_id = ws.state["homes"].get(me)
    view = ws.view(view_id) if view_id else None
    if view is None:
        return '<p class="empty">Loading the Home tab…</p>'
    ctx = Ctx("home", "home", channel_names(ws), "/", state=view["state"].get("values", {}))
    blocks = render_blocks(view["blocks"], ctx)
    return f'<div class="home" data-container="view" data-view="{attr(view["id"])}">{blocks}</div>'


def modal_html(ws: Workspace, me: str) -> tuple[str, str]:
    """The top modal of `me`'s stack and a key that changes whenever it must be drawn again."""
    stack = ws.stack(me)
    if not stack:
        return "", ""
    view = ws.view(stack[-1])
    key = f"{view['id']}:{view['hash']}:{sorted(view['_errors'].items())}:{view.get('_notice', '')}:{len(stack)}"
    ctx = Ctx("modal", view["id"], channel_names(ws), "/", view["_errors"], view["state"].get("values", {}))
    title = plain(view["title"]["text"])
    back = (
        '<button type="button" class="icon-btn" data-modal="back" aria-label="Go back">←</button>'
        if len(stack) > 1
        else ""
    )
    close_text = plain((view.get("close") or {}).get("text", "Cancel"))
    submit = ""
    if view.get("submit"):
        submit = f'<button type="submit" class="btn primary">{plain(view["submit"]["text"])}</button>'
    notice = (
        f'<div class="modal-notice" role="alert">{html.escape(view["_notice"])}</div>' if view.get("_notice") else ""
    )
    body = (
        f'<div class="overlay"><div role="dialog" aria-modal="true" aria-labelledby="modal-title" class="modal" '
        f'data-container="view" data-view="{attr(view["id"])}">'
        f'<form class="modal-form" novalidate><header>{back}<h2 id="modal-title">{title}</h2>'
        f'<button type="button" class="icon-btn" data-modal="dismiss" aria-label="Dismiss">×</button></header>'
        f'<div class="modal-body">{notice}{render_blocks(view["blocks"], ctx)}</div>'
        f'<footer><button type="button" class="btn" data-modal="close">{close_text}</button>{submit}</footer>'
        f"</form></div></div>"
    )
    return body, key


def switcher(me: str) -> str:
    options = "".join(
        f'<option value="{attr(p.id)}"{" selected" if p.id == me else ""}>{html.escape(p.label)}</option>'
        for p in people.PEOPLE
    )
    return f'<label for="acting-as">Acting as</label><select id="acting-as">{options}</select>'
