"""Whole blocks as HTML (section, header, context, divider, actions, image, input, rich_text)."""

from __future__ import annotations

import html
from typing import Any

from sandbox.blockkit import Ctx, attr, element_html
from sandbox.mrkdwn import mrkdwn, plain


def section(block: dict[str, Any], ctx: Ctx) -> str:
    block_id = block.get("block_id", "")
    body = f'<div class="text">{ctx.text(block["text"])}</div>' if block.get("text") else ""
    if block.get("fields"):
        body += '<div class="fields">' + "".join(f"<div>{ctx.text(f)}</div>" for f in block["fields"]) + "</div>"
    accessory = block.get("accessory")
    side = ""
    if accessory:
        label = ""
        if accessory.get("type") not in ("button", "image", "overflow"):
            label = 'aria-label="' + attr((block.get("text") or {}).get("text", "Choose")[:80]) + '"'
        side = f'<div class="accessory">{element_html(accessory, block_id, ctx, label)}</div>'
    return f'<div class="block section"><div class="main">{body}</div>{side}</div>'


def context(block: dict[str, Any], ctx: Ctx) -> str:
    parts = []
    for element in block.get("elements") or []:
        if element.get("type") == "image":
            parts.append(f'<img src="{attr(element.get("image_url", ""))}" alt="{attr(element.get("alt_text", ""))}">')
        else:
            parts.append(f"<span>{ctx.text(element)}</span>")
    return f'<div class="block context">{"".join(parts)}</div>'


def actions(block: dict[str, Any], ctx: Ctx) -> str:
    block_id = block.get("block_id", "")
    items = []
    for element in block.get("elements") or []:
        label = ""
        if element.get("type") not in ("button", "overflow"):
            placeholder = (element.get("placeholder") or {}).get("text", "Choose")
            label = f'aria-label="{attr(placeholder)}"'
        items.append(element_html(element, block_id, ctx, label))
    return f'<div class="block actions">{"".join(items)}</div>'


def image(block: dict[str, Any], ctx: Ctx) -> str:
    title = f"<figcaption>{ctx.text(block['title'])}</figcaption>" if block.get("title") else ""
    source = block.get("image_url") or (block.get("slack_file") or {}).get("url", "")
    return (
        f'<figure class="block image"><img src="{attr(source)}" alt="{attr(block.get("alt_text", ""))}">'
        f"{title}</figure>"
    )


def input_block(block: dict[str, Any], ctx: Ctx) -> str:
    block_id = block.get("block_id", "")
    element = block.get("element") or {}
    control_id = ctx.new_id()
    label = plain((block.get("label") or {}).get("text", ""))
    optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
    error = ctx.errors.get(block_id)
    error_id = f"{control_id}-error"
    described = f' aria-describedby="{error_id}" aria-invalid="true"' if error else ""
    required = "" if block.get("optional") else ' data-required="1"'
    hint = f'<div class="hint">{plain(block["hint"]["text"])}</div>' if block.get("hint") else ""
    error_html = f'<div class="field-error" id="{error_id}" role="alert">{html.escape(error)}</div>' if error else ""
    if element.get("type") in ("radio_buttons", "checkboxes"):
        control = element_html(element, block_id, ctx)
        return (
            f'<fieldset class="block input" data-input="{attr(block_id)}"{required}{described}>'
            f"<legend>{label}</legend>{optional}{control}{hint}{error_html}</fieldset>"
        )
    control = element_html(element, block_id, ctx, f'id="{control_id}"{described}')
    return (
        f'<div class="block input" data-input="{attr(block_id)}"{required}>'
        f'<div class="label-row"><label for="{control_id}">{label}</label>{optional}</div>'
        f"{control}{hint}{error_html}</div>"
    )


def rich_text(block: dict[str, Any], ctx: Ctx) -> str:
    """rich_text as people type it here: its text is literal (never read as mrkdwn), so it is only escaped."""
    pieces = []
    for section_ in block.get("elements") or []:
        for item in section_.get("elements") or []:
            if item.get("type") == "text":
                pieces.append(plain(item.get("text", "")).replace("\n", "<br>"))
            elif item.get("type") == "link":
                pieces.append(plain(item.get("text") or item.get("url", "")))
            elif item.get("type") == "user":
                pieces.append(mrkdwn(f"<@{item.get('user_id', '')}>"))
    return f'<div class="block rich">{"".join(pieces)}</div>'


RENDERERS = {
    "section": section,
    "context": context,
    "actions": actions,
    "image": image,
    "input": input_block,
    "rich_text": rich_text,
}


def render_blocks(blocks: list[dict[str, Any]], ctx: Ctx) -> str:
    out = []
    for block in blocks or []:
        kind = block.get("type")
        if kind == "divider":
            out.append('<hr class="block divider">')
        elif kind == "header":
            out.append(f'<h3 class="block header">{plain((block.get("text") or {}).get("text", ""))}</h3>')
        elif kind in RENDERERS:
            out.append(RENDERERS[kind](block, ctx))
        else:
            out.append(f'<div class="block unsupported">Unsupported block: {html.escape(str(kind))}</div>')
    return "".join(out)
