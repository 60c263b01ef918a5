"""Block Kit checks the way Slack applies them: a payload Slack would refuse is refused here too.

Each check returns the first problem as Slack's message text (for `response_metadata.messages`), or None.
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100

SURFACE_BLOCKS = {
    "message": {"section", "divider", "image", "actions", "context", "header", "input", "rich_text", "file", "video"},
    "modal": {"section", "divider", "image", "actions", "context", "header", "input", "rich_text"},
    "home": {"section", "divider", "image", "actions", "context", "header", "input", "rich_text", "video"},
}
ELEMENTS = {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "timepicker",
    "image",
    "multi_static_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "multi_external_select",
    "overflow",
    "plain_text_input",
    "number_input",
    "email_text_input",
    "url_text_input",
    "radio_buttons",
    "static_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "external_select",
    "rich_text_input",
}
INPUT_ELEMENTS = ELEMENTS - {"button", "overflow", "image"}
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 3000}


class Invalid(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(node: Any, pointer: str, limit: int, *, plain_only: bool = False) -> None:
    if not isinstance(node, dict) or node.get("type") not in ("plain_text", "mrkdwn"):
        raise Invalid(f"[ERROR] must be a text object [json-pointer:{pointer}]")
    if plain_only and node["type"] != "plain_text":
        raise Invalid(f"[ERROR] must be a plain_text object [json-pointer:{pointer}/type]")
    text = node.get("text")
    if not isinstance(text, str) or not text:
        raise Invalid(f"[ERROR] must be more than 0 characters [json-pointer:{pointer}/text]")
    if len(text) > limit:
        raise Invalid(f"[ERROR] must be less than {limit + 1} characters [json-pointer:{pointer}/text]")


def _options(element: dict, pointer: str) -> None:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    if element["type"] in ("static_select", "multi_static_select", "radio_buttons", "checkboxes", "overflow"):
        if not options:
            raise Invalid(f"[ERROR] must provide at least 1 option [json-pointer:{pointer}/options]")
        if len(options) > 100:
            raise Invalid(f"[ERROR] no more than 100 items allowed [json-pointer:{pointer}/options]")
    for index, option in enumerate(options):
        _text(option.get("text"), f"{pointer}/options/{index}/text", 75)
        if not isinstance(option.get("value"), str) or len(option["value"]) > 150:
            raise Invalid(
                f"[ERROR] must be a string of at most 150 characters [json-pointer:{pointer}/options/{index}]"
            )


def _element(element: Any, pointer: str, allowed: set[str]) -> None:
    if not isinstance(element, dict) or element.get("type") not in allowed:
        kind = element.get("type") if isinstance(element, dict) else element
        raise Invalid(f"[ERROR] unsupported type: {kind} [json-pointer:{pointer}/type]")
    if len(str(element.get("action_id", ""))) > 255:
        raise Invalid(f"[ERROR] must be less than 256 characters [json-pointer:{pointer}/action_id]")
    if element["type"] == "button":
        _text(element.get("text"), f"{pointer}/text", 75, plain_only=True)
        if len(str(element.get("value", ""))) > 2000:
            raise Invalid(f"[ERROR] must be less than 2001 characters [json-pointer:{pointer}/value]")
        if element.get("style") not in (None, "primary", "danger"):
            raise Invalid(f"[ERROR] must be one of primary, danger [json-pointer:{pointer}/style]")
    _options(element, pointer)
    if "placeholder" in element:
        _text(element["placeholder"], f"{pointer}/placeholder", 150, plain_only=True)


def _block(block: Any, pointer: str, surface: str) -> None:
    if not isinstance(block, dict) or block.get("type") not in SURFACE_BLOCKS[surface]:
        kind = block.get("type") if isinstance(block, dict) else block
        raise Invalid(f"[ERROR] unsupported type: {kind} [json-pointer:{pointer}/type]")
    kind = block["type"]
    if len(str(block.get("block_id", ""))) > 255:
        raise Invalid(f"[ERROR] must be less than 256 characters [json-pointer:{pointer}/block_id]")
    if kind in ("section", "header"):
        if "text" in block or kind == "header":
            _text(block.get("text"), f"{pointer}/text", TEXT_LIMITS[kind], plain_only=kind == "header")
        fields = block.get("fields") or []
        if len(fields) > 10:
            raise Invalid(f"[ERROR] no more than 10 items allowed [json-pointer:{pointer}/fields]")
        for index, field in enumerate(fields):
            _text(field, f"{pointer}/fields/{index}", 2000)
        if kind == "section" and "text" not in block and not fields:
            raise Invalid(f"[ERROR] must provide either text or fields [json-pointer:{pointer}]")
        if "accessory" in block:
            _element(block["accessory"], f"{pointer}/accessory", ELEMENTS)
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > 10:
            raise Invalid(f"[ERROR] must have 1 to 10 items [json-pointer:{pointer}/elements]")
        for index, element in enumerate(elements):
            if element.get("type") != "image":
                _text(element, f"{pointer}/elements/{index}", 3000)
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements or len(elements) > 25:
            raise Invalid(f"[ERROR] must have 1 to 25 items [json-pointer:{pointer}/elements]")
        for index, element in enumerate(elements):
            _element(element, f"{pointer}/elements/{index}", ELEMENTS - {"image"})
    elif kind == "input":
        _text(block.get("label"), f"{pointer}/label", 2000, plain_only=True)
        _element(block.get("element"), f"{pointer}/element", INPUT_ELEMENTS)
        if "hint" in block:
            _text(block["hint"], f"{pointer}/hint", 2000, plain_only=True)
    elif kind == "image" and not block.get("image_url") and not block.get("slack_file"):
        raise Invalid(f"[ERROR] must provide image_url [json-pointer:{pointer}]")


def check_blocks(blocks: Any, surface: str, pointer: str) -> None:
    if not isinstance(blocks, list):
        raise Invalid(f"[ERROR] must be an array [json-pointer:{pointer}]")
    limit = MESSAGE_BLOCKS if surface == "message" else VIEW_BLOCKS
    if len(blocks) > limit:
        raise Invalid(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]")
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        _block(block, f"{pointer}/{index}", surface)
        block_id = block.get("block_id")
        if block_id:
            if block_id in seen:
                raise Invalid(f"[ERROR] duplicate block_id: {block_id} [json-pointer:{pointer}/{index}/block_id]")
            seen.add(block_id)


def check_view(view: Any) -> None:
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        raise Invalid("[ERROR] must be a modal or home view [json-pointer:/view/type]")
    check_blocks(view.get("blocks"), view["type"], "/view/blocks")
    if len(str(view.get("private_metadata", ""))) > 3000:
        raise Invalid("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(view.get("callback_id", ""))) > 255:
        raise Invalid("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")
    if view["type"] != "modal":
        return
    _text(view.get("title"), "/view/title", 24, plain_only=True)
    for key in ("submit", "close"):
        if key in view:
            _text(view[key], f"/view/{key}", 24, plain_only=True)
    has_inputs = any(block.get("type") == "input" for block in view["blocks"])
    if has_inputs and "submit" not in view:
        raise Invalid("[ERROR] submit is required when an input block is present [json-pointer:/view/submit]")
