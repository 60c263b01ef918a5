"""Block Kit as HTML: every block and element the product uses, with native, labelled form controls.

All text goes through `sandbox.mrkdwn` (which escapes); attribute values through `attr`. Interactive
elements carry data-block / data-action / data-type for the page's script.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from sandbox import forms, people
from sandbox.mrkdwn import plain, text_object


def attr(value: Any) -> str:
    return html.escape(str(value), quote=True)


@dataclass
class Ctx:
    surface: str  # message, modal or home
    prefix: str
    channel_names: dict[str, str] = field(default_factory=dict)
    home_url: str = "/"
    errors: dict[str, str] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    counter: int = 0

    def new_id(self) -> str:
        self.counter += 1
        return f"{self.prefix}-{self.counter}"

    def text(self, node: dict | None) -> str:
        return text_object(node, self.channel_names, self.home_url)


def _data(block_id: str, element: dict[str, Any]) -> str:
    return (
        f'data-block="{attr(block_id)}" data-action="{attr(element.get("action_id", ""))}" '
        f'data-type="{attr(element.get("type", ""))}"'
    )


def _confirm(element: dict[str, Any]) -> str:
    confirm = element.get("confirm")
    if not confirm:
        return ""
    shown = {
        "title": (confirm.get("title") or {}).get("text", "Are you sure?"),
        "text": (confirm.get("text") or {}).get("text", ""),
        "confirm": (confirm.get("confirm") or {}).get("text", "Yes"),
        "deny": (confirm.get("deny") or {}).get("text", "Cancel"),
        "style": confirm.get("style", ""),
    }
    return f' data-confirm="{attr(json.dumps(shown))}"'


def button(element: dict[str, Any], block_id: str, ctx: Ctx) -> str:
    style = element.get("style", "")
    url = element.get("url")
    label = plain((element.get("text") or {}).get("text", ""))
    if url and str(url).startswith(("http://", "https://")):
        return f'<a class="btn {attr(style)}" href="{attr(url)}" target="_blank" rel="noopener noreferrer">{label}</a>'
    return (
        f'<button type="button" class="btn {attr(style)}" {_data(block_id, element)}{_confirm(element)}>'
        f"{label}</button>"
    )


def _options_html(element: dict[str, Any], chosen: list[str]) -> str:
    def one(option: dict[str, Any]) -> str:
        selected = " selected" if option.get("value") in chosen else ""
        return f'<option value="{attr(option.get("value", ""))}"{selected}>{plain(option["text"]["text"])}</option>'

    if element.get("option_groups"):
        return "".join(
            f'<optgroup label="{attr(group["label"]["text"])}">{"".join(one(o) for o in group["options"])}</optgroup>'
            for group in element["option_groups"]
        )
    return "".join(one(option) for option in element.get("options") or [])


def _people_options(chosen: list[str]) -> str:
    return "".join(
        f'<option value="{attr(p.id)}"{" selected" if p.id in chosen else ""}>{html.escape(p.name)}</option>'
        for p in people.PEOPLE
    )


def _chosen(element: dict[str, Any], ctx: Ctx, block_id: str) -> list[str]:
    state = (ctx.state.get(block_id) or {}).get(element.get("action_id", ""))
    if state:
        if state.get("selected_option"):
            return [state["selected_option"]["value"]]
        if "selected_options" in state:
            return [o["value"] for o in state["selected_options"]]
        for key in ("selected_user", "selected_date", "value"):
            if state.get(key):
                return [state[key]]
        if "selected_users" in state:
            return list(state["selected_users"])
        return []
    initial = forms.initial_of(element)
    if initial is None:
        return []
    return [str(v) for v in initial] if isinstance(initial, list) else [str(initial)]


def select(element: dict[str, Any], block_id: str, ctx: Ctx, label_html: str) -> str:
    kind = element["type"]
    chosen = _chosen(element, ctx, block_id)
    multiple = " multiple" if kind.startswith("multi_") else ""
    options = _people_options(chosen) if kind.endswith("users_select") else _options_html(element, chosen)
    default = "Select a person" if kind.endswith("users_select") else "Select an option"
    placeholder = plain((element.get("placeholder") or {}).get("text", default))
    blank = "" if multiple else f'<option value="">{placeholder}</option>'
    return f"<select {label_html} {_data(block_id, element)}{multiple}>{blank}{options}</select>"


def choices(element: dict[str, Any], block_id: str, ctx: Ctx) -> str:
    kind = "radio" if element["type"] == "radio_buttons" else "checkbox"
    chosen = _chosen(element, ctx, block_id)
    name = ctx.new_id()
    rows = []
    for option in element.get("options") or []:
        checked = " checked" if option.get("value") in chosen else ""
        description = option.get("description")
        extra = f'<span class="hint">{ctx.text(description)}</span>' if description else ""
        rows.append(
            f'<label class="choice"><input type="{kind}" name="{name}" value="{attr(option.get("value", ""))}"'
            f" {_data(block_id, element)}{checked}> <span>{ctx.text(option.get('text'))}{extra}</span></label>"
        )
    return "".join(rows)


def text_input(element: dict[str, Any], block_id: str, ctx: Ctx, label_html: str) -> str:
    kind = element["type"]
    chosen = _chosen(element, ctx, block_id)
    value = attr(chosen[0]) if chosen else ""
    placeholder = attr((element.get("placeholder") or {}).get("text", ""))
    limits = ""
    if element.get("max_length"):
        limits += f' maxlength="{int(element["max_length"])}"'
    if element.get("min_length"):
        limits += f' data-minlength="{int(element["min_length"])}"'
    if kind == "number_input":
        step = "any" if element.get("is_decimal_allowed") else "1"
        for key, name in (("min_value", "min"), ("max_value", "max")):
            if key in element:
                limits += f' {name}="{attr(element[key])}"'
        return f'<input type="number" step="{step}" {label_html} {_data(block_id, element)} value="{value}"{limits}>'
    if kind == "plain_text_input" and element.get("multiline"):
        return (
            f'<textarea rows="4" {label_html} {_data(block_id, element)} placeholder="{placeholder}"{limits}>'
            f"{value}</textarea>"
        )
    html_type = {"email_text_input": "email", "url_text_input": "url"}.get(kind, "text")
    return (
        f'<input type="{html_type}" {label_html} {_data(block_id, element)} value="{value}" '
        f'placeholder="{placeholder}"{limits}>'
    )


def element_html(element: dict[str, Any], block_id: str, ctx: Ctx, label_html: str = "") -> str:
    kind = element.get("type")
    if kind == "button":
        return button(element, block_id, ctx)
    if kind in ("static_select", "multi_static_select", "users_select", "multi_users_select"):
        return select(element, block_id, ctx, label_html)
    if kind == "overflow":
        menu = _options_html(element, [])
        return (
            f'<select class="overflow" aria-label="More actions" {_data(block_id, element)}>'
            f'<option value="">⋯</option>{menu}</select>'
        )
    if kind in ("radio_buttons", "checkboxes"):
        return f'<div class="choices">{choices(element, block_id, ctx)}</div>'
    if kind == "datepicker":
        chosen = _chosen(element, ctx, block_id)
        value = attr(chosen[0]) if chosen else ""
        return f'<input type="date" {label_html} {_data(block_id, element)} value="{value}">'
    if kind in forms.TEXT_INPUTS:
        return text_input(element, block_id, ctx, label_html)
    if kind == "image":
        return (
            f'<img class="thumb" src="{attr(element.get("image_url", ""))}" alt="{attr(element.get("alt_text", ""))}">'
        )
    return f'<span class="unsupported">[{html.escape(str(kind))}]</span>'
