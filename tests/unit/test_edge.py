"""The edge's pure parts: which characters are stripped, and which shapes listeners may rely on."""

from __future__ import annotations

import pytest

from bot.edge import ReplayMemory, clean_text, cleaned, cleaned_payload, shape_problem


def test_control_characters_are_stripped_but_line_breaks_and_tabs_kept():
    assert clean_text("a\x00b\x07c\x1bd\x7fe\x85f\ud800g\ufffeh") == "abcdefgh"
    assert clean_text("line one\r\nline\ttwo\n") == "line one\r\nline\ttwo\n"
    assert clean_text("Zoë 👍 ٣ ²") == "Zoë 👍 ٣ ²"


def test_cleaning_reaches_keys_lists_and_nested_objects_and_leaves_other_values():
    assert cleaned({"a\x00": ["x\x00", {"y": "z\x01"}], "n": 3, "b": None}) == {
        "a": ["x", {"y": "z"}],
        "n": 3,
        "b": None,
    }


CLICK = {
    "type": "block_actions",
    "user": {"id": "USUBMIT001"},
    "trigger_id": "1.2.3",
    "actions": [{"action_id": "idea_coach_this", "value": "1"}],
}


def test_a_payload_is_cleaned_but_the_blocks_slack_echoes_back_are_left_as_the_app_built_them():
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "ours\x00"}}]
    payload = {
        "user": {"name": "a\x00b"},
        "view": {"blocks": blocks, "state": {"values": {"title": {"v": {"value": "x\x01y"}}}}},
        "message": {"blocks": blocks, "text": "t\x02"},
        "actions": [{"value": "v\x03"}],
    }

    body = cleaned_payload(payload)

    assert body["user"] == {"name": "ab"} and body["actions"] == [{"value": "v"}]
    assert body["view"]["state"]["values"]["title"]["v"]["value"] == "xy"
    assert body["message"]["text"] == "t"
    assert body["view"]["blocks"] is blocks and body["message"]["blocks"] is blocks
    assert cleaned_payload({"view": "not an object\x00"}) == {"view": "not an object"}


def test_a_well_formed_click_command_and_event_pass():
    assert shape_problem(CLICK) is None
    assert shape_problem({"command": "/idea", "user_id": "U1X", "trigger_id": "1.2"}) is None
    event = {"type": "message", "user": "U1X", "channel": "C1X", "ts": "1.2", "thread_ts": "1.1"}
    assert shape_problem({"type": "event_callback", "event": event}) is None
    assert shape_problem({"type": "event_callback", "event": {"type": "reaction_added", "user": "U1"}}) is None


@pytest.mark.parametrize(
    "payload,problem",
    [
        ([CLICK], "the body is not an object"),
        (CLICK | {"type": ["block_actions"]}, "type is not a string"),
        (CLICK | {"user": ["USUBMIT001"]}, "payload.user should be an object, not list"),
        (CLICK | {"user": {"id": "u\x00"}}, "payload.user.id is not a Slack id or ts"),
        (CLICK | {"actions": []}, "payload.actions should be a list"),
        (CLICK | {"actions": [None]}, "payload.actions[0] is missing"),
        (CLICK | {"actions": [{"action_id": 7}]}, "payload.actions[0].action_id should be str, not int"),
        ({k: v for k, v in CLICK.items() if k != "trigger_id"}, "payload.trigger_id is missing"),
        (
            {"type": "view_submission", "user": {"id": "U1X"}, "view": {"callback_id": "c", "type": "modal"}},
            "payload.view.state is missing",
        ),
        (
            {"type": "event_callback", "event": {"type": "message", "user": ["U1X"], "ts": "1.2"}},
            "body.event.user is not a Slack id or ts",
        ),
        (
            {"type": "event_callback", "event": {"type": "reaction_added", "channel": 5}},
            "body.event.channel has the wrong type",
        ),
        ({"command": "/idea", "user_id": "U1X"}, "command.trigger_id is missing"),
    ],
)
def test_wrong_shapes_are_named(payload, problem):
    assert shape_problem(payload) == problem


def test_the_replay_memory_knows_a_signature_for_its_window_only():
    memory = ReplayMemory(window=300, most=3)
    assert memory.seen("v0=a", now=0) is False
    assert memory.seen("v0=a", now=299) is True  # a replay inside Slack's 5 minutes
    assert memory.seen("v0=a", now=301) is False  # forgotten once the signature itself has expired
    for name in ("v0=b", "v0=c", "v0=d"):
        memory.seen(name, now=302)
    assert memory.seen("v0=a", now=303) is False  # bounded: the oldest made room
