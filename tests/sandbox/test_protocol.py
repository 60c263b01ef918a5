"""The stand-in speaks Slack's protocol: signed requests shaped like Slack's, and a Web API that answers
every method the bot calls and refuses what Slack refuses."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.slack import SlackGateway, make_web_client
from bot.views.ids import Action
from sandbox import client, people
from sandbox.people import PMO_CHANNEL
from tests.support.driver import SlackDriver, TrackingExecutor

MAYA, PRIYA = "U0MAYA0001", "U0PRIYA003"
ROOT = Path(__file__).resolve().parents[2]


def _web(sandbox) -> WebClient:
    return WebClient(token=people.BOT_TOKEN, base_url=sandbox.url + "api/")


def _body_of(content_type: str, body: str) -> dict:
    if "json" in content_type:
        return json.loads(body)
    form = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
    return json.loads(form["payload"]) if "payload" in form else form


def _driver_requests() -> dict[str, dict]:
    """What tests/support/driver.py (our record of Slack's own payloads) sends, by kind."""
    captured: list[tuple[str, str]] = []
    driver = SlackDriver(lambda environ, start: [], "secret", TrackingExecutor(), fake=None)
    driver.post = lambda body, content_type, **_: captured.append((content_type, body))
    try:
        driver.command("x", user=MAYA)
        driver.click("a", user=MAYA, channel=PMO_CHANNEL, message={"ts": "1.2", "text": ""})
        driver.submit_view({"id": "V1", "blocks": [], "callback_id": "c"}, {}, user=MAYA)
        driver.event({"type": "message", "channel": PMO_CHANNEL, "user": MAYA, "ts": "1.2", "text": "x"})
    finally:
        driver.stop()
    kinds = ("command", "block_actions", "view_submission", "event_callback")
    return {kind: _body_of(*request) for kind, request in zip(kinds, captured, strict=True)}


def eventually(find, timeout: float = 5):
    """What `find` returns once it returns something: the bot answers after its ack, as Slack apps do."""
    deadline = time.monotonic() + timeout
    while not (found := find()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


def _walk_to_a_thread(sandbox) -> None:
    """A command, a modal submission, a click and a thread reply, through the stand-in's client."""
    side = sandbox.side
    assert client.send(side, MAYA, PMO_CHANNEL, "/idea Text members about missing documents") is None
    view = eventually(lambda: sandbox.workspace.top_view(MAYA))
    answers = {
        "problem": {"value": "Loan files stall for days because members miss a pay stub."},
        "proposal": {"value": "Text the member the moment a document is flagged missing."},
        "beneficiaries": {"value": ["members"]},
        "goals": {"value": ["loan-cycle-time"]},
        "success_signal": {"value": "Days waiting on documents drop from 4 to 1."},
        "help_offer": {"value": "no"},
    }
    assert client.submit(side, MAYA, view["id"], answers) is None
    card = eventually(lambda: next((m for m in sandbox.workspace.messages_in(PMO_CHANNEL) if m.get("blocks")), None))
    actions = next(b for b in card["blocks"] if b["type"] == "actions")
    coach = Action.COACH_THIS.value
    assert client.act_in_message(side, PRIYA, PMO_CHANNEL, card["ts"], actions["block_id"], coach, None) is None
    group = eventually(lambda: next((c for c in sandbox.workspace.channels() if c["kind"] == "mpim"), None))
    kickoff = eventually(lambda: sandbox.workspace.messages_in(group["id"]))[0]
    assert client.send(side, PRIYA, group["id"], "What would members notice?", kickoff["ts"]) is None
    side.home_opened(MAYA)
    # Events go out in the background, as Slack sends them: the thread reply and app_home_opened.
    eventually(lambda: len([s for s in side.sent if '"event_callback"' in s[1]]) >= 2, timeout=10)


def test_every_request_is_signed_and_shaped_as_slack_sends_it(sandbox):
    _walk_to_a_thread(sandbox)
    verifier = SignatureVerifier(sandbox.workspace.signing_secret)
    ours: dict[str, dict] = {}
    for headers, body in sandbox.side.sent:
        assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]), (
            "a request the bot cannot verify"
        )
        payload = _body_of(headers["Content-Type"], body)
        ours.setdefault(payload.get("type") or ("command" if "command" in payload else "?"), payload)
    slacks = _driver_requests()
    assert set(ours) >= set(slacks), f"never sent: {set(slacks) - set(ours)}"
    assert set(ours["command"]) == set(slacks["command"])
    for kind in ("block_actions", "view_submission", "event_callback"):
        missing = set(slacks[kind]) - set(ours[kind])
        assert not missing, f"{kind} lacks {missing}"
    assert set(slacks["view_submission"]["view"]) <= set(ours["view_submission"]["view"])
    assert ours["view_submission"]["view"]["state"]["values"]["goals"]["value"]["selected_options"][0]["value"] == (
        "loan-cycle-time"
    )
    thread_reply = next(
        p
        for p in map(lambda s: _body_of(s[0]["Content-Type"], s[1]), sandbox.side.sent)
        if p.get("event", {}).get("type") == "message"
    )
    assert thread_reply["event"]["thread_ts"] and thread_reply["event"]["channel_type"] == "mpim"


# What each Web API method the bot calls (bot/slack.py) is called with here; a new one must be added.
def _examples(sandbox) -> dict:
    trigger = lambda: sandbox.api.issue_trigger(MAYA)  # noqa: E731
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
    posted = lambda web: web.chat_postMessage(channel=PMO_CHANNEL, text="hi")  # noqa: E731

    def uploaded(web) -> str:
        """A file uploaded in the external upload's first two steps (the gateway's own code for the bytes)."""
        answer = web.files_getUploadURLExternal(filename="chart.png", length=4)
        SlackGateway(web).send_upload(answer["upload_url"], b"\x89PNG")
        return answer["file_id"]

    return {
        "chat_postMessage": lambda web: posted(web),
        "chat_update": lambda web: web.chat_update(channel=PMO_CHANNEL, ts=posted(web)["ts"], text="edited"),
        "chat_postEphemeral": lambda web: web.chat_postEphemeral(channel=PMO_CHANNEL, user=MAYA, text="psst"),
        "views_open": lambda web: web.views_open(trigger_id=trigger(), view=modal),
        "views_push": lambda web: web.views_push(trigger_id=trigger(), view=modal),
        "views_update": lambda web: web.views_update(view_id=sandbox.workspace.top_view(MAYA)["id"], view=modal),
        "views_publish": lambda web: web.views_publish(user_id=MAYA, view={"type": "home", "blocks": []}),
        "chat_getPermalink": lambda web: web.chat_getPermalink(channel=PMO_CHANNEL, message_ts=posted(web)["ts"]),
        "conversations_open": lambda web: web.conversations_open(users=f"{MAYA},{PRIYA}"),
        "users_info": lambda web: web.users_info(user=MAYA),
        "files_upload_v2": lambda web: web.files_upload_v2(
            channel=PMO_CHANNEL, filename="ideas.csv", content=b"id,title\n1,x\n", title="Ideas"
        ),
        "files_getUploadURLExternal": lambda web: web.files_getUploadURLExternal(filename="chart.png", length=4),
        "files_completeUploadExternal": lambda web: web.files_completeUploadExternal(
            files=[{"id": uploaded(web), "title": "Chart"}], channel_id=PMO_CHANNEL
        ),
        "files_info": lambda web: web.files_info(file=uploaded(web)),
        "conversations_history": lambda web: web.conversations_history(channel=PMO_CHANNEL, include_all_metadata=True),
        "conversations_replies": lambda web: web.conversations_replies(channel=PMO_CHANNEL, ts=posted(web)["ts"]),
        "users_list": lambda web: web.users_list(),
        "chat_delete": lambda web: web.chat_delete(channel=PMO_CHANNEL, ts=posted(web)["ts"]),
        "auth_test": lambda web: web.auth_test(),
    }


def test_every_web_api_method_the_bot_calls_is_answered(sandbox):
    called = set(re.findall(r"self\.client\.(\w+)\(", (ROOT / "bot" / "slack.py").read_text()))
    examples = _examples(sandbox)
    assert called - set(examples) == set(), "the bot calls a method the stand-in is not tested for"
    web = _web(sandbox)
    for name, call in examples.items():
        assert call(web)["ok"], name
    history = web.conversations_history(channel=PMO_CHANNEL)
    assert [m["text"] for m in history["messages"][:1]] == ["hi"]
    shared = next(m for m in sandbox.workspace.messages_in(PMO_CHANNEL) if m.get("files"))
    assert sandbox.workspace.file_content(shared["files"][0]["id"]) == b"id,title\n1,x\n"


def test_metadata_comes_back_in_history_only_when_asked_for(sandbox):
    web = _web(sandbox)
    metadata = {"event_type": "idea_coach_delivery", "event_payload": {"key": "idea-1:kickoff"}}
    web.chat_postMessage(channel=MAYA, text="hello", metadata=metadata)
    channel = web.conversations_open(users=MAYA)["channel"]["id"]
    with_meta = web.conversations_history(channel=channel, include_all_metadata=True)["messages"][0]
    assert with_meta["metadata"] == metadata
    assert "metadata" not in web.conversations_history(channel=channel)["messages"][0]


@pytest.mark.parametrize(
    ("method", "kwargs", "error"),
    [
        (
            "chat_postMessage",
            {"channel": PMO_CHANNEL, "text": "x", "blocks": [{"type": "divider"}] * 51},
            "invalid_blocks",
        ),
        ("chat_postMessage", {"channel": PMO_CHANNEL, "text": "x", "blocks": [{"type": "carousel"}]}, "invalid_blocks"),
        ("chat_postMessage", {"channel": "CNOPE", "text": "x"}, "channel_not_found"),
        ("chat_postMessage", {"channel": PMO_CHANNEL}, "no_text"),
        ("chat_update", {"channel": PMO_CHANNEL, "ts": "1.000001", "text": "x"}, "message_not_found"),
        ("users_info", {"user": "UNOBODY"}, "user_not_found"),
        (
            "views_update",
            {"view_id": "VNOPE", "view": {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []}},
            "not_found",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_the_stand_in_refuses_what_slack_refuses(sandbox, method, kwargs, error):
    with pytest.raises(SlackApiError) as refused:
        getattr(_web(sandbox), method)(**kwargs)
    assert refused.value.response["error"] == error


def test_a_view_over_100_blocks_and_a_stale_trigger_are_refused(sandbox):
    web = _web(sandbox)
    big = {"type": "modal", "title": {"type": "plain_text", "text": "Big"}, "blocks": [{"type": "divider"}] * 101}
    with pytest.raises(SlackApiError) as refused:
        web.views_open(trigger_id=sandbox.api.issue_trigger(MAYA), view=big)
    assert refused.value.response["error"] == "invalid_arguments"
    assert "no more than 100 items" in refused.value.response["response_metadata"]["messages"][0]
    stale = sandbox.api.issue_trigger(MAYA)
    sandbox.api.triggers[stale].issued -= 4
    with pytest.raises(SlackApiError) as expired:
        web.views_open(trigger_id=stale, view={**big, "blocks": []})
    assert expired.value.response["error"] == "expired_trigger_id"


def test_a_late_ack_shows_slacks_timeout_error(sandbox):
    def slow(environ, start_response):
        time.sleep(3.5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    server = make_server("127.0.0.1", 0, slow)
    threading.Thread(target=server.handle_request, daemon=True).start()
    sandbox.side.request_url = f"http://127.0.0.1:{server.server_port}/slack/events"
    try:
        client.send(sandbox.side, MAYA, PMO_CHANNEL, "/idea Too slow")
    finally:
        server.server_close()
    notice = sandbox.workspace.messages_in(PMO_CHANNEL, MAYA)[-1]
    assert notice["ephemeral_for"] == MAYA
    assert notice["text"] == '/idea failed with the error "operation_timeout"'


def test_the_test_suites_fake_can_share_the_recorder(sandbox):
    """Calls are recorded with their answers, and a method can be told to fail, as FakeSlack does."""
    web = _web(sandbox)
    sandbox.api.fail("chat.postMessage", "ratelimited")
    with pytest.raises(SlackApiError):
        web.chat_postMessage(channel=PMO_CHANNEL, text="x")
    assert web.chat_postMessage(channel=PMO_CHANNEL, text="y")["ok"]
    answers = [call.answer["ok"] for call in sandbox.api.calls_to("chat.postMessage")]
    assert answers == [False, True]
    sandbox.api.fail("users.info", "ratelimited", status=429, times=1, Retry_After="0")
    client = make_web_client(people.BOT_TOKEN, sandbox.url + "api/")  # the bot's client: it retries nothing itself
    with pytest.raises(SlackApiError) as refused:
        client.users_info(user=MAYA)
    assert refused.value.response.status_code == 429
    assert refused.value.response.headers.get("Retry-After") == "0"
    assert client.users_info(user=MAYA)["ok"]  # the one failure was used up
    assert [call.answer["ok"] for call in sandbox.api.calls_to("users.info")] == [False, True]
