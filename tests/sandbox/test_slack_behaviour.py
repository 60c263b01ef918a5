"""What the stand-in does with the app's answers, as Slack does: response_action, ack bodies, response_url."""

from __future__ import annotations

import json
import threading
import urllib.request
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

import pytest
from slack_sdk import WebClient

from sandbox import client, people
from sandbox.people import PMO_CHANNEL

MAYA = "U0MAYA0001"


def _modal(title: str, *, inputs: bool = True) -> dict:
    blocks = (
        [
            {
                "type": "input",
                "block_id": "name",
                "label": {"type": "plain_text", "text": "Name"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ]
        if inputs
        else []
    )
    view = {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": blocks}
    return view | ({"submit": {"type": "plain_text", "text": "Go"}} if inputs else {})


@pytest.fixture
def app_answers(sandbox):
    """Point the stand-in at a tiny app whose next answer each test sets; returns (answers, received)."""
    answers: list[dict | str] = []
    received: list[dict] = []

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        received.append(json.loads(form["payload"]) if "payload" in form else form)
        answer = answers.pop(0) if answers else ""
        payload = answer if isinstance(answer, str) else json.dumps(answer)
        start_response("200 OK", [("Content-Type", "application/json" if payload else "text/plain")])
        return [payload.encode()]

    server = make_server("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()  # quick shutdown
    sandbox.side.request_url = f"http://127.0.0.1:{server.server_port}/slack/events"
    yield answers, received
    server.shutdown()
    server.server_close()


def _open(sandbox, title: str) -> str:
    web = WebClient(token=people.BOT_TOKEN, base_url=sandbox.url + "api/")
    return web.views_open(trigger_id=sandbox.api.issue_trigger(MAYA), view=_modal(title))["view"]["id"]


def test_response_actions_errors_update_push_and_clear(sandbox, app_answers):
    answers, received = app_answers
    ws = sandbox.workspace
    first = _open(sandbox, "First")
    answers.append({"response_action": "errors", "errors": {"name": "Say more"}})
    assert client.submit(sandbox.side, MAYA, first, {"name": {"value": "x"}}) is None
    assert ws.view(first)["_errors"] == {"name": "Say more"}
    assert received[-1]["view"]["state"]["values"]["name"]["value"] == {"type": "plain_text_input", "value": "x"}
    answers.append({"response_action": "update", "view": _modal("Updated")})
    client.submit(sandbox.side, MAYA, first, {"name": {"value": "xy"}})
    assert ws.top_view(MAYA)["id"] == first and ws.top_view(MAYA)["title"]["text"] == "Updated"
    answers.append({"response_action": "push", "view": _modal("Pushed")})
    client.submit(sandbox.side, MAYA, first, {"name": {"value": "xyz"}})
    assert [ws.view(v)["title"]["text"] for v in ws.stack(MAYA)] == ["Updated", "Pushed"]
    client.submit(sandbox.side, MAYA, ws.stack(MAYA)[-1], {"name": {"value": "1"}})  # empty ack: back one
    assert [ws.view(v)["title"]["text"] for v in ws.stack(MAYA)] == ["Updated"]
    answers.append({"response_action": "push", "view": _modal("Again")})
    client.submit(sandbox.side, MAYA, first, {"name": {"value": "2"}})
    answers.append({"response_action": "clear"})
    client.submit(sandbox.side, MAYA, ws.stack(MAYA)[-1], {"name": {"value": "3"}})
    assert ws.stack(MAYA) == []


def test_errors_for_a_block_that_is_not_an_input_are_refused_as_slack_does(sandbox, app_answers):
    answers, _ = app_answers
    view_id = _open(sandbox, "First")
    answers.append({"response_action": "errors", "errors": {"nope": "x"}})
    problem = client.submit(sandbox.side, MAYA, view_id, {"name": {"value": "x"}})
    assert problem and "trouble connecting" in problem
    assert sandbox.workspace.view(view_id)["_errors"] == {}


def test_an_ack_body_is_an_ephemeral_reply_and_response_url_posts_arrive(sandbox, app_answers):
    answers, received = app_answers
    answers.append(
        {"text": "Only you see this", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hi*"}}]}
    )
    client.send(sandbox.side, MAYA, PMO_CHANNEL, "/idea help")
    reply = sandbox.workspace.messages_in(PMO_CHANNEL, MAYA)[-1]
    assert reply["ephemeral_for"] == MAYA and reply["text"] == "Only you see this"
    assert sandbox.workspace.messages_in(PMO_CHANNEL, "U0SAM00002") == []
    request = urllib.request.Request(
        received[-1]["response_url"],
        data=json.dumps({"text": "Later, by response_url"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    assert sandbox.workspace.messages_in(PMO_CHANNEL, MAYA)[-1]["text"] == "Later, by response_url"


def test_an_unknown_command_is_refused_by_slack_not_sent(sandbox, app_answers):
    _, received = app_answers
    client.send(sandbox.side, MAYA, PMO_CHANNEL, "/nope")
    assert received == []
    assert "is not a valid command" in sandbox.workspace.messages_in(PMO_CHANNEL, MAYA)[-1]["text"]


def test_response_url_can_replace_or_delete_the_message_clicked(sandbox, app_answers):
    _, received = app_answers
    web = WebClient(token=people.BOT_TOKEN, base_url=sandbox.url + "api/")
    button = {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}, "value": "1"}
    blocks = [{"type": "actions", "block_id": "b", "elements": [button]}]
    posted = web.chat_postMessage(channel=PMO_CHANNEL, text="Click me", blocks=blocks)
    assert client.act_in_message(sandbox.side, MAYA, PMO_CHANNEL, posted["ts"], "b", "go", None) is None
    url = received[-1]["response_url"]

    def post(body: dict) -> None:
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=10).close()

    post({"replace_original": True, "text": "Clicked"})
    assert sandbox.workspace.find_message(PMO_CHANNEL, posted["ts"])["text"] == "Clicked"
    post({"delete_original": True})
    assert sandbox.workspace.find_message(PMO_CHANNEL, posted["ts"]) is None
