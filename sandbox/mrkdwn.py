"""Slack's mrkdwn as HTML, the way Slack's client shows it; everything else stays text.

Order matters for safety: special sequences (`<...>`) are cut out first and rendered by code that escapes
every piece; the rest is HTML-escaped before any formatting is applied, so no input can produce markup.
"""

from __future__ import annotations

import html
import re

from sandbox import dates, people

EMOJI = {
    "white_check_mark": "✅",
    "warning": "⚠️",
    "speech_balloon": "💬",
    "pencil2": "✏️",
    "zzz": "💤",
    "wave": "👋",
    "tada": "🎉",
    "rotating_light": "🚨",
    "large_green_circle": "🟢",
    "hourglass_flowing_sand": "⏳",
    "calendar": "📆",
    "bulb": "💡",
    "x": "❌",
    "bar_chart": "📊",
    "memo": "📝",
    "thumbsup": "👍",
    "+1": "👍",
    "eyes": "👀",
    "heavy_check_mark": "✔️",
    "no_entry": "⛔",
    "mag": "🔍",
    "star": "⭐",
    "clipboard": "📋",
    "bell": "🔔",
    "seedling": "🌱",
    "dart": "🎯",
    "rocket": "🚀",
    "pause_button": "⏸️",
    "inbox_tray": "📥",
}

SPECIAL = re.compile(r"<([^<>\n]{1,2000})>")
CODE = re.compile(r"`([^`\n]+)`")
EMPHASIS = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "del"),
)
EMOJI_CODE = re.compile(r":([a-z0-9_+-]+):")
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def unescape(text: str) -> str:
    """Slack's three entities (and only those) back to characters, for display."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain(text: str) -> str:
    """A plain_text object: shown literally, emoji names as emoji."""
    return _emoji(html.escape(text or ""))


def _emoji(escaped: str) -> str:
    return EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), escaped)


def _special(inner: str, channel_names: dict[str, str], home_url: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f'<span class="mention">@{html.escape(people.display_name(target[1:]))}</span>'
    if target.startswith("#"):
        name = label or channel_names.get(target[1:], target[1:])
        return f'<span class="mention">#{html.escape(unescape(name))}</span>'
    if target.startswith("!"):
        word, _, rest = target[1:].partition("^")
        if word in ("here", "channel", "everyone"):
            return f'<span class="mention">@{word}</span>'
        parts = rest.split("^")
        if word == "date" and len(parts) >= 2 and (shown := dates.render(parts[0], parts[1])) is not None:
            return html.escape(shown)
        return html.escape(unescape(label or word))
    url = unescape(target)
    text = html.escape(unescape(label or target))
    if not url.startswith(SAFE_SCHEMES):
        return text
    external = not url.startswith(home_url)
    extra = ' target="_blank" rel="noopener noreferrer"' if external else ""
    return f'<a href="{html.escape(url, quote=True)}"{extra}>{text}</a>'


def _inline(line: str, channel_names: dict[str, str], home_url: str) -> str:
    pieces: list[str] = []

    def keep(fragment: str) -> str:
        pieces.append(fragment)
        return f"\x00{len(pieces) - 1}\x00"

    line = line.replace("\x00", "")
    line = CODE.sub(lambda m: keep(f"<code>{html.escape(unescape(m.group(1)))}</code>"), line)
    line = SPECIAL.sub(lambda m: keep(_special(m.group(1), channel_names, home_url)), line)
    escaped = _emoji(html.escape(unescape(line), quote=False))
    for pattern, tag in EMPHASIS:
        escaped = pattern.sub(lambda m, tag=tag: f"<{tag}>{m.group(1)}</{tag}>", escaped)
    return re.sub(r"\x00(\d+)\x00", lambda m: pieces[int(m.group(1))], escaped)


def _is_quote(line: str) -> bool:
    return line.startswith(("&gt;", ">"))


def _paragraphs(text: str, channel_names: dict[str, str], home_url: str) -> str:
    out: list[str] = []
    quote: list[str] = []
    for line in text.split("\n"):
        if _is_quote(line):
            body = line.removeprefix("&gt;").removeprefix(">").removeprefix(" ")
            quote.append(_inline(body, channel_names, home_url))
            continue
        if quote:
            out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
            quote = []
        out.append(_inline(line, channel_names, home_url) + "<br>")
    if quote:
        out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
    result = "".join(out)
    return result.removesuffix("<br>")


def mrkdwn(text: str, channel_names: dict[str, str] | None = None, home_url: str = "/") -> str:
    """HTML for a mrkdwn string: bold, italic, strike, code, code blocks, quotes, links, mentions, emoji."""
    channel_names = channel_names or {}
    parts = (text or "").split("```")
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 1 and index < len(parts) - 1:
            out.append(f"<pre>{html.escape(unescape(part.strip(chr(10))))}</pre>")
        else:
            out.append(_paragraphs(part, channel_names, home_url))
    return "".join(out)


def text_object(node: dict | None, channel_names: dict[str, str] | None = None, home_url: str = "/") -> str:
    if not node:
        return ""
    if node.get("type") == "mrkdwn":
        return mrkdwn(node.get("text", ""), channel_names, home_url)
    return plain(node.get("text", ""))
