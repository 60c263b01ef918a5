"""Turning what a person picked on the page into Block Kit `state.values` and action payloads, as Slack does."""

from __future__ import annotations

import time
from typing import Any

TEXT_INPUTS = ("plain_text_input", "number_input", "email_text_input", "url_text_input")


def all_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option(element: dict[str, Any], value: Any) -> dict[str, Any] | None:
    for option in all_options(element):
        if option.get("value") == value:
            return option
    return None


def _as_list(raw: Any) -> list[str]:
    if raw in (None, ""):
        return []
    return [str(item) for item in raw] if isinstance(raw, list) else [str(raw)]


def element_state(element: dict[str, Any], raw: Any) -> dict[str, Any]:
    """One element's entry in state.values for the raw value(s) the page sent."""
    kind = element.get("type")
    if kind in TEXT_INPUTS:
        value = None if raw in (None, "") else str(raw)
        return {"type": kind, "value": value}
    if kind in ("static_select", "radio_buttons", "external_select"):
        values = _as_list(raw)
        return {"type": kind, "selected_option": _option(element, values[0]) if values else None}
    if kind in ("multi_static_select", "checkboxes"):
        picked = [_option(element, value) for value in _as_list(raw)]
        return {"type": kind, "selected_options": [option for option in picked if option]}
    if kind == "datepicker":
        return {"type": kind, "selected_date": str(raw) if raw else None}
    if kind == "timepicker":
        return {"type": kind, "selected_time": str(raw) if raw else None}
    if kind == "users_select":
        return {"type": kind, "selected_user": str(raw) if raw else None}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": _as_list(raw)}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": str(raw) if raw else None}
    return {"type": kind, "value": raw}


def input_elements(blocks: list[dict[str, Any]]):
    """(block_id, element) of every stateful element: inputs, and selects in actions blocks or accessories."""
    for block in blocks:
        block_id = block.get("block_id")
        if not block_id:
            continue
        if block.get("type") == "input":
            yield block_id, block.get("element") or {}
        elif block.get("type") == "actions":
            for element in block.get("elements") or []:
                if element.get("type") not in ("button", "overflow"):
                    yield block_id, element
        elif block.get("type") == "section" and block.get("accessory", {}).get("type") not in (None, "button", "image"):
            yield block_id, block["accessory"]


def state_values(blocks: list[dict[str, Any]], raw: dict[str, Any]) -> dict[str, Any]:
    """state.values for a view or message, from the page's {block_id: {action_id: raw value}}."""
    values: dict[str, Any] = {}
    for block_id, element in input_elements(blocks):
        action_id = element.get("action_id")
        if not action_id:
            continue
        given = (raw.get(block_id) or {}).get(action_id)
        if given is None:  # untouched: Slack sends the initial value
            given = initial_of(element)
        values.setdefault(block_id, {})[action_id] = element_state(element, given)
    return values


def initial_of(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if "initial_option" in element:
        return element["initial_option"].get("value")
    if "initial_options" in element:
        return [option.get("value") for option in element["initial_options"]]
    for key in ("initial_date", "initial_time", "initial_user", "initial_users", "initial_conversation"):
        if key in element:
            return element[key]
    if kind in TEXT_INPUTS:
        return element.get("initial_value")
    return None


def find_element(blocks: list[dict[str, Any]], block_id: str, action_id: str) -> dict[str, Any] | None:
    for block in blocks:
        if block.get("block_id") != block_id:
            continue
        candidates = [*(block.get("elements") or []), block.get("accessory") or {}, block.get("element") or {}]
        for element in candidates:
            if element.get("action_id") == action_id:
                return element
    return None


def action_payload(element: dict[str, Any], block_id: str, raw: Any) -> dict[str, Any]:
    """One entry of a block_actions payload's `actions`, for `element` used with the raw value."""
    action = {"action_id": element.get("action_id"), "block_id": block_id, "action_ts": f"{time.time():.6f}"}
    kind = element.get("type")
    if kind == "button":
        action |= {"type": "button", "text": element.get("text"), "value": element.get("value", "")}
        if element.get("style"):
            action["style"] = element["style"]
        return action
    if kind == "overflow":
        return action | {"type": "overflow", "selected_option": _option(element, raw)}
    state = element_state(element, raw)
    if "placeholder" in element:
        state["placeholder"] = element["placeholder"]
    return action | state
