"""Safe text for Block Kit: every piece of user text shown in mrkdwn passes through `safe()`."""

from __future__ import annotations

from datetime import datetime

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
ELLIPSIS = "…"


def escape(text: str) -> str:
    """Escape Slack's three mrkdwn control characters, and nothing else."""
    return "".join(_ESCAPES.get(char, char) for char in text)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def safe(text: str | None, limit: int = 3000) -> str:
    """User text escaped for mrkdwn and clipped so the escaped form fits within `limit`."""
    text = text or ""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    budget = limit - len(ELLIPSIS)
    pieces: list[str] = []
    used = 0
    for char in text:
        piece = _ESCAPES.get(char, char)
        if used + len(piece) > budget:
            break
        pieces.append(piece)
        used += len(piece)
    return "".join(pieces).rstrip() + ELLIPSIS


def plain(text: str | None, limit: int) -> str:
    """User text for a plain_text object: no escaping needed, only clipping (never empty)."""
    return clip((text or "").strip() or "-", limit)


def user(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "_nobody yet_"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


def link(url: str, label: str) -> str:
    """A mrkdwn link whose label is user text; the URL must come from Slack, not from a user."""
    return f"<{url}|{safe(label, 200).replace('|', '¦')}>"


def date(moment: datetime, token: str = "{date_short_pretty} at {time}") -> str:
    """A date Slack renders in the reader's own time zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{token}|{fallback}>"


def ago(moment: datetime) -> str:
    return date(moment, "{ago}")


def quote(text: str | None, limit: int = 2900) -> str:
    """User text as a mrkdwn block quote."""
    body = safe(text, limit - 200)
    return "\n".join(f">{line}" for line in body.splitlines() or [""])
