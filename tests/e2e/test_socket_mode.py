"""Socket Mode end to end, over a real websocket on 127.0.0.1 (tests/support/fake_socket_mode.py).

The app connects the way `idea-coach serve` does (bot.socket_mode.connect): apps.connections.open on the
fake Web API hands out the local ws:// URL. Envelopes are shaped as Slack sends them; every one must be
acked with its envelope_id within 3 s, and the work behind it must reach the Web API. Then the connection
is refreshed (`disconnect`) and dropped without a word, and the app must carry on.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import pytest

from bot import socket_mode
from bot.app import create_app
from bot.views.ids import Action
from tests.conftest import SUBMITTER
from tests.support.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.support.fake_socket_mode import APP_ID, FakeSocketMode

ACK_DEADLINE = 3.0
RECONNECT_WITHIN = 5.0
_numbers = itertools.count(1)


def slash_command(text: str, user: str = SUBMITTER) -> dict:
    number = next(_numbers)
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "credit",
        "channel_id": "CGENERAL1",
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/idea",
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": f"https://hooks.slack.invalid/commands/{TEAM_ID}/{number}/x",
        "trigger_id": f"{number}.{TEAM_ID}.trig{number:06d}",
    }


def button_click(action_id: str) -> dict:
    number = next(_numbers)
    return {
        "type": "block_actions",
        "token": "legacy-verification-token",
        "api_app_id": APP_ID,
        "team": {"id": TEAM_ID, "domain": "credit"},
        "user": {"id": SUBMITTER, "username": SUBMITTER.lower(), "name": SUBMITTER.lower(), "team_id": TEAM_ID},
        "is_enterprise_install": False,
        "enterprise": None,
        "trigger_id": f"{number}.{TEAM_ID}.trig{number:06d}",
        "container": {"type": "view", "view_id": "VHOME0001"},
        "view": {"id": "VHOME0001", "type": "home", "blocks": []},
        "actions": [
            {"type": "button", "action_id": action_id, "block_id": "home", "value": "", "action_ts": f"{time.time()}"}
        ],
    }


def home_opened() -> dict:
    number = next(_numbers)
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": {"type": "app_home_opened", "user": SUBMITTER, "channel": "DHOME0001", "tab": "home"},
        "type": "event_callback",
        "event_id": f"EvSOCKET{number:04d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def wait_for_call(fake: FakeSlack, method: str, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(fake.calls_to(method)) < count:
        assert time.monotonic() < deadline, f"{method} called {len(fake.calls_to(method))} times, not {count}"
        time.sleep(0.02)


@pytest.fixture
def sockets(settings, strategy, session_factory, fake_slack) -> Iterator[FakeSocketMode]:
    server = FakeSocketMode().start()
    fake_slack.socket_mode = server
    app = create_app(settings, strategy, session_factory=session_factory)
    handler = socket_mode.connect(app, "xapp-1-A0IDEACOACH-socket-test")
    try:
        server.wait_for_connections(1)
        yield server
    finally:
        handler.close()
        server.stop()


def acked_in_time(server: FakeSocketMode, envelope_id: str):
    ack = server.wait_for_ack(envelope_id, timeout=10)
    assert server.ack_delay(envelope_id) < ACK_DEADLINE, f"acked after {server.ack_delay(envelope_id):.2f}s"
    return ack


def exchange(server: FakeSocketMode, fake: FakeSlack) -> None:
    """A slash command, a button and an event: each acked in time, each doing its work."""
    opened_before, published_before = len(fake.calls_to("views.open")), len(fake.calls_to("views.publish"))
    help_id = server.send("slash_commands", slash_command("help"), accepts_response_payload=True)
    assert "Idea Coach" in str(acked_in_time(server, help_id).payload)

    intake_id = server.send("slash_commands", slash_command("Text members"), accepts_response_payload=True)
    acked_in_time(server, intake_id)
    click_id = server.send("interactive", button_click(Action.OPEN_INTAKE))
    acked_in_time(server, click_id)
    wait_for_call(fake, "views.open", opened_before + 2)

    event_id = server.send("events_api", home_opened())
    acked_in_time(server, event_id)
    wait_for_call(fake, "views.publish", published_before + 1)


def test_envelopes_are_acked_and_handled_through_a_refresh_and_a_dropped_connection(sockets, fake_slack):
    exchange(sockets, fake_slack)

    # Slack asks for a refresh and goes on delivering on the old connection for a moment. The app is
    # held while it fetches the new URL, so these envelopes are read from the old connection and acked
    # while the connections are being swapped.
    gate = fake_slack.hold("apps.connections.open")
    sockets.request_refresh()
    during = [
        sockets.send("slash_commands", slash_command("help"), accepts_response_payload=True, on=0),
        sockets.send("interactive", button_click(Action.OPEN_INTAKE), on=0),
        sockets.send("events_api", home_opened(), on=0),
    ]
    time.sleep(0.3)
    gate.set()
    for envelope_id in during:
        acked_in_time(sockets, envelope_id)
    wait_for_call(fake_slack, "views.publish", 2)
    sockets.wait_for_connections(2, timeout=RECONNECT_WITHIN)
    exchange(sockets, fake_slack)

    # The TCP stream ends with no close frame and no `disconnect`.
    started, cpu_before = time.monotonic(), time.process_time()
    sockets.drop()
    sockets.wait_for_connections(3, timeout=RECONNECT_WITHIN)
    reconnected_after = time.monotonic() - started
    time.sleep(max(0.0, 3.0 - reconnected_after))
    cpu_used = time.process_time() - cpu_before
    assert reconnected_after < RECONNECT_WITHIN
    assert cpu_used < 1.0, f"{cpu_used:.2f} CPU-seconds in the 3 s after the drop: a busy loop"
    exchange(sockets, fake_slack)
    assert all(ack.connection == 2 for ack in list(sockets.acks.values())[-4:])
