"""Checks that built Block Kit stays within Slack's limits and keeps user text inert.

Our own reading of Slack's documented limits (see shared/docs/slack-platform-facts.md), and slack_sdk's
models, whose `to_dict()` raises SlackObjectFormationError on the limits they know.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_HOME_BLOCKS = 100

HOSTILE = "<!channel> <!here> & <@U999> <https://evil.example|Reset password> <#C1|x> >"
# What the product itself writes into mrkdwn and is allowed to be live: mentions of known ids,
# dates, and links whose URL came from Slack. Anything else in angle brackets is user text escaping.
PRODUCT_TOKENS = re.compile(
    r"<@(?:USUBMIT001|UCOACH0001)>"
    r"|<!date\^\d+\^[^|<>]+\|[^<>]+>"
    r"|<https://credit\.example/[^|<>\s]*\|[^|<>]*>"
)
BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def fill(pattern: str, length: int) -> str:
    return (pattern * (length // len(pattern) + 1))[:length]


# --- the checks ---------------------------------------------------------------------------------


def _text_problems(where: str, obj: Any, limit: int, kind: str | None = None) -> list[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return [f"{where}: not a text object: {obj!r:.80}"]
    found = []
    if kind and obj.get("type") != kind:
        found.append(f"{where}: must be {kind}, is {obj.get('type')}")
    if not obj["text"]:
        found.append(f"{where}: empty text")
    if len(obj["text"]) > limit:
        found.append(f"{where}: {len(obj['text'])} chars > {limit}")
    return found


def _options_problems(where: str, options: list[dict[str, Any]], max_options: int) -> list[str]:
    found = [f"{where}: {len(options)} options > {max_options}"] if len(options) > max_options else []
    for index, option in enumerate(options):
        found += _text_problems(f"{where}[{index}].text", option.get("text"), 75, "plain_text")
        if not 1 <= len(option.get("value", "")) <= 150:
            found.append(f"{where}[{index}].value: length {len(option.get('value', ''))}")
    return found


def _element_problems(where: str, element: dict[str, Any]) -> list[str]:
    found = []
    kind = element.get("type")
    if len(element.get("action_id", "")) > 255:
        found.append(f"{where}.action_id too long")
    if "placeholder" in element:
        found += _text_problems(f"{where}.placeholder", element["placeholder"], 150, "plain_text")
    if kind == "button":
        found += _text_problems(f"{where}.text", element.get("text"), 75, "plain_text")
        if len(element.get("value", "")) > 2000:
            found.append(f"{where}.value: {len(element['value'])} chars > 2000")
    elif kind == "plain_text_input":
        maximum = element.get("max_length", 3000)
        if not 1 <= maximum <= 3000:
            found.append(f"{where}.max_length {maximum} outside 1-3000")
        if element.get("min_length", 0) > maximum:
            found.append(f"{where}.min_length above max_length")
        if len(element.get("initial_value", "")) > maximum:
            found.append(f"{where}.initial_value: {len(element['initial_value'])} chars > {maximum}")
    elif kind in ("checkboxes", "radio_buttons"):
        found += _options_problems(f"{where}.options", element.get("options", []), 10)
    elif kind in ("static_select", "multi_static_select"):
        groups = element.get("option_groups")
        if groups is not None:
            if len(groups) > 100:
                found.append(f"{where}.option_groups: {len(groups)} > 100")
            every = [option for group in groups for option in group.get("options", [])]
            found += _options_problems(f"{where}.option_groups[*].options", every, 100)
            for index, group in enumerate(groups):
                found += _text_problems(f"{where}.option_groups[{index}].label", group.get("label"), 75)
        else:
            found += _options_problems(f"{where}.options", element.get("options", []), 100)
    return found


def limit_problems(blocks: list[dict[str, Any]], max_blocks: int) -> list[str]:
    """Every way `blocks` break Slack's documented Block Kit limits (empty when none)."""
    found = [f"{len(blocks)} blocks > {max_blocks}"] if len(blocks) > max_blocks else []
    for index, block in enumerate(blocks):
        kind = block.get("type")
        where = f"blocks[{index}]({kind})"
        if len(block.get("block_id", "")) > 255:
            found.append(f"{where}.block_id too long")
        if kind == "section":
            if "text" in block:
                found += _text_problems(f"{where}.text", block["text"], 3000)
            section_fields = block.get("fields", [])
            if len(section_fields) > 10:
                found.append(f"{where}: {len(section_fields)} fields > 10")
            for number, field in enumerate(section_fields):
                found += _text_problems(f"{where}.fields[{number}]", field, 2000)
            if "text" not in block and not section_fields:
                found.append(f"{where}: neither text nor fields")
            if "accessory" in block:
                found += _element_problems(f"{where}.accessory", block["accessory"])
        elif kind == "header":
            found += _text_problems(f"{where}.text", block.get("text"), 150, "plain_text")
        elif kind == "context":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 10:
                found.append(f"{where}: {len(elements)} elements")
            for number, element in enumerate(elements):
                found += _text_problems(f"{where}.elements[{number}]", element, 3000)
        elif kind == "actions":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 25:
                found.append(f"{where}: {len(elements)} elements")
            for number, element in enumerate(elements):
                found += _element_problems(f"{where}.elements[{number}]", element)
        elif kind == "input":
            found += _text_problems(f"{where}.label", block.get("label"), 2000, "plain_text")
            if "hint" in block:
                found += _text_problems(f"{where}.hint", block["hint"], 2000, "plain_text")
            found += _element_problems(f"{where}.element", block.get("element", {}))
        elif kind != "divider":
            found.append(f"{where}: a block type these checks do not know")
    return found


def view_problems(view: dict[str, Any]) -> list[str]:
    max_blocks = MAX_HOME_BLOCKS if view["type"] == "home" else MAX_MODAL_BLOCKS
    found = limit_problems(view["blocks"], max_blocks)
    for key in ("title", "submit", "close"):
        if key in view:
            found += _text_problems(f"view.{key}", view[key], 24, "plain_text")
    if len(view.get("private_metadata", "")) > 3000:
        found.append(f"view.private_metadata: {len(view['private_metadata'])} chars > 3000")
    if len(view.get("callback_id", "")) > 255:
        found.append("view.callback_id too long")
    if len(json.dumps(view).encode()) > 250_000:
        found.append("view over 250 kB")
    return found


def mrkdwn_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str) else []
        return own + [text for value in node.values() for text in mrkdwn_texts(value)]
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn_texts(item)]
    return []


def everything(node: Any) -> str:
    """All mrkdwn text in `node`, joined, for assertions."""
    return "\n".join(mrkdwn_texts(node))


def live_markup(*mrkdwn: str) -> list[str]:
    """Pieces of mrkdwn that Slack would treat as markup but the product did not write."""
    found = []
    for text in mrkdwn:
        rest = PRODUCT_TOKENS.sub("", text)
        rest = re.sub(r"^>", "", rest, flags=re.MULTILINE)  # block-quote markers from quote()
        found += re.findall(r"<[^<>]{0,40}>?|>", rest)
        found += [text[match.start() : match.start() + 6] for match in BROKEN_ENTITY.finditer(rest)]
    return found


def _prune(node: Any) -> Any:
    """JSON form without the empty values slack_sdk leaves out of to_dict()."""
    if isinstance(node, dict):
        pruned = {key: _prune(value) for key, value in node.items()}
        return {key: value for key, value in pruned.items() if value not in (None, "", [], {})}
    if isinstance(node, list):
        return [_prune(item) for item in node]
    return node


def slack_sdk_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    parsed = Block.parse_all(blocks)
    assert None not in parsed, "slack_sdk did not recognise a block"
    return [block.to_dict() for block in parsed]  # raises SlackObjectFormationError


def assert_slack_sdk_accepts_blocks(blocks: list[dict[str, Any]]) -> None:
    serialised = slack_sdk_blocks(blocks)
    assert json.loads(json.dumps(serialised)) == _prune(json.loads(json.dumps(blocks)))


def assert_slack_sdk_accepts_view(view: dict[str, Any]) -> None:
    serialised = View(**view).to_dict()  # raises SlackObjectFormationError
    assert json.loads(json.dumps(serialised)) == _prune(json.loads(json.dumps(view)))
