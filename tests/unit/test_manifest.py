"""Checks for the Slack app manifest at the repository root (manifest.yml).

The manifest is validated against Slack's published app manifest JSON Schema, vendored next to this
file as manifest.schema.1.0.0.json. Source: https://github.com/slackapi/manifest-schema, file
schemas/manifest.schema.1.0.0.json (commit 19557f58d932d71155ce85c581dc7c72637abe1c), copied verbatim.
The other tests check what the app's handlers rely on and what the schema does not cover.
"""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = ROOT / "manifest.yml"
SCHEMA_PATH = Path(__file__).resolve().parent / "manifest.schema.1.0.0.json"

HISTORY_SCOPE_FOR_EVENT = {
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    loaded = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "manifest.yml must be a YAML mapping"
    return loaded


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def bot_scopes(manifest: dict) -> set[str]:
    return set(manifest.get("oauth_config", {}).get("scopes", {}).get("bot", []))


def bot_events(manifest: dict) -> list[str]:
    return manifest.get("settings", {}).get("event_subscriptions", {}).get("bot_events", [])


def shortcuts_by_callback(manifest: dict) -> dict[str, dict]:
    return {s["callback_id"]: s for s in manifest.get("features", {}).get("shortcuts", [])}


def test_schema_is_a_valid_draft7_schema(schema: dict) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)


def test_manifest_validates_against_slack_schema(manifest: dict, schema: dict) -> None:
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    messages = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]
    assert not messages, "manifest.yml does not match Slack's schema:\n" + "\n".join(messages)


def test_schema_rejects_a_broken_manifest(manifest: dict, schema: dict) -> None:
    broken = json.loads(json.dumps(manifest))
    broken["features"]["shortcuts"][0]["name"] = "x" * 25
    broken["settings"]["not_a_setting"] = True
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(broken))
    assert len(errors) == 2


def test_display_name_fits_slack_limit(manifest: dict) -> None:
    name = manifest["display_information"]["name"]
    assert name == "Idea Coach"
    assert 1 <= len(name) <= 35
    assert len(manifest["features"]["bot_user"]["display_name"]) <= 35


def test_background_color_is_hex(manifest: dict) -> None:
    # The schema states this as "regex", which JSON Schema does not enforce.
    color = manifest["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", color)


def test_idea_command_exists(manifest: dict) -> None:
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert "/idea" in commands
    assert commands["/idea"]["should_escape"] is False
    assert commands["/idea"]["description"].strip()


def test_shortcuts_have_expected_callback_ids_and_types(manifest: dict) -> None:
    shortcuts = shortcuts_by_callback(manifest)
    assert "submit_idea" in shortcuts
    assert "turn_into_idea" in shortcuts
    assert shortcuts["submit_idea"]["type"] == "global"
    assert shortcuts["turn_into_idea"]["type"] == "message"


def test_shortcut_names_fit_slack_limit(manifest: dict) -> None:
    shortcuts = manifest["features"]["shortcuts"]
    assert shortcuts
    too_long = [s["name"] for s in shortcuts if len(s["name"]) > 24]
    assert not too_long, f"shortcut names longer than 24 characters: {too_long}"


def test_manifest_callback_ids_match_handlers(manifest: dict) -> None:
    from bot.views.ids import Callback

    shortcuts = shortcuts_by_callback(manifest)
    assert shortcuts.keys() == {Callback.SUBMIT_SHORTCUT.value, Callback.MESSAGE_SHORTCUT.value}


def test_every_message_event_has_its_history_scope(manifest: dict) -> None:
    events = bot_events(manifest)
    message_events = [e for e in events if e.startswith("message.")]
    assert set(message_events) == set(HISTORY_SCOPE_FOR_EVENT)
    scopes = bot_scopes(manifest)
    needed = {e: HISTORY_SCOPE_FOR_EVENT[e] for e in message_events}
    missing = {e: scope for e, scope in needed.items() if scope not in scopes}
    assert not missing, f"message events without their history scope: {missing}"


def test_app_home_opened_is_subscribed(manifest: dict) -> None:
    assert "app_home_opened" in bot_events(manifest)


def test_commands_scope_present_for_command_and_shortcuts(manifest: dict) -> None:
    assert "commands" in bot_scopes(manifest)


def test_socket_mode_on(manifest: dict) -> None:
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_interactivity_enabled(manifest: dict) -> None:
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_home_tab_enabled(manifest: dict) -> None:
    app_home = manifest["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is False
