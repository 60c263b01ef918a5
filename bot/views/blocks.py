"""Small Block Kit pieces shared by the builders; each clips to Slack's limits."""

from __future__ import annotations

from typing import Any

from bot.views.ids import Action, parse_id
from bot.views.text import clip

Blocks = list[dict[str, Any]]


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}}


def sections(title: str, lines: list[str], limit: int = 2900) -> Blocks:
    """`lines` under a bold title, split across as many sections as Slack's 3000-character limit needs."""
    blocks: Blocks = []
    current = f"*{title}*"
    for line in lines:
        if len(current) + 1 + len(line) > limit:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    blocks.append(section(current))
    return blocks


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, 150)}}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 3000)}]}


def fields(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": clip(f"*{label}*\n{value}", 2000)} for label, value in pairs[:10]],
    }


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": clip(text, 75)},
        "value": clip(value, 2000),
    }
    if style:
        element["style"] = style
    return element


def id_in_button(action: dict[str, Any]) -> int | None:
    """The row id (idea, decision, proposal) a clicked button carries: button(..., str(row_id))."""
    return parse_id(action.get("value"))


def confirmed(element: dict[str, Any], title: str, text: str, confirm: str) -> dict[str, Any]:
    """`element` with a confirmation dialog Slack shows before the action is sent."""
    element["confirm"] = {
        "title": {"type": "plain_text", "text": clip(title, 100)},
        "text": {"type": "plain_text", "text": clip(text, 300)},
        "confirm": {"type": "plain_text", "text": clip(confirm, 30)},
        "deny": {"type": "plain_text", "text": "Cancel"},
    }
    return element


def actions(block_id: str, *elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": list(elements[:25])}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": clip(text, 75)}, "value": value[:150]}


def text_input(
    block_id: str,
    label: str,
    *,
    max_length: int,
    min_length: int = 0,
    optional: bool = False,
    multiline: bool = True,
    initial: str = "",
    hint: str = "",
    placeholder: str = "",
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": Action.INPUT,
        "multiline": multiline,
        "max_length": max_length,
    }
    if min_length and not optional:
        element["min_length"] = min_length
    if initial:
        element["initial_value"] = clip(initial, max_length)
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": clip(placeholder, 150)}
    return input_block(block_id, label, element, optional=optional, hint=hint)


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = ""
) -> dict[str, Any]:
    """An input block around `element`, whose action_id is Action.INPUT (input_value reads it by block)."""
    block = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": clip(label, 2000)},
        "element": element,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": clip(hint, 2000)}
    return block


def choices(
    kind: str,
    options: list[dict[str, Any]],
    initial: dict[str, Any] | None = None,
    *,
    placeholder: str = "",
    action_id: str = Action.INPUT,
) -> dict[str, Any]:
    """A radio_buttons, checkboxes or static_select element offering `options`, `initial` chosen; a form's
    input unless `action_id` says otherwise."""
    element: dict[str, Any] = {"type": kind, "action_id": action_id, "options": options}
    if initial:
        element["initial_option"] = initial
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": clip(placeholder, 150)}
    return element


def modal(
    callback_id: str,
    title: str,
    blocks: Blocks,
    *,
    submit: str | None = None,
    close: str = "Cancel",
    metadata: str = "",
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": clip(title, 24)},
        "close": {"type": "plain_text", "text": clip(close, 24)},
        "blocks": blocks[:100],
    }
    if submit:
        view["submit"] = {"type": "plain_text", "text": clip(submit, 24)}
    return view


def id_in_modal(view: dict[str, Any]) -> int | None:
    """The row id a modal built with modal(..., metadata=str(row_id)) carries back on submission."""
    return parse_id(view.get("private_metadata"))


def input_value(state: dict[str, Any], block_id: str) -> Any:
    """The value of a submitted input block's element, by element type."""
    element = state.get(block_id, {}).get(Action.INPUT, {})
    kind = element.get("type")
    if kind in ("plain_text_input", "number_input"):
        return element.get("value") or ""
    if kind in ("checkboxes", "multi_static_select"):
        return [chosen["value"] for chosen in element.get("selected_options") or []]
    if kind in ("radio_buttons", "static_select"):
        return (element.get("selected_option") or {}).get("value", "")
    if kind == "users_select":
        return element.get("selected_user") or ""
    if kind == "datepicker":
        return element.get("selected_date") or ""
    return None


def state_of(view: dict[str, Any]) -> dict[str, Any]:
    return view.get("state", {}).get("values", {})
