"""A slow Slack and a burst: acks stay fast because no ack waits on the Web API, and nothing is lost.

The app runs with its production pools (bot.executors), not the tests' small tracking pool.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.app import create_app, wsgi_app
from bot.executors import SOCKET_MODE_CONCURRENCY, favour_acks
from tests.conftest import PMO_CHANNEL, SIGNING_SECRET
from tests.e2e.test_socket_mode import slash_command
from tests.support.driver import APP_ID, SlackDriver, TrackingExecutor, fill_state
from tests.support.fake_slack import TEAM_ID
from tests.support.flows import GOOD_ANSWERS

BURST = 30
SLACK_DELAY = 2.0

# "Acked within 1 s" is wall-clock time: under pytest-xdist these run while the other workers wait, until the
# acks are checked (`taking_turns.share()`); waiting for the deliveries is not timed that closely.
pytestmark = pytest.mark.exclusive


@pytest.fixture
def acks_favoured():
    """The thread switch interval `serve` sets in its server process (HTTP and Socket Mode alike)."""
    switch_interval = sys.getswitchinterval()
    favour_acks()
    yield
    sys.setswitchinterval(switch_interval)


@pytest.fixture
def production_slack(settings, strategy, session_factory, fake_slack, acks_favoured):
    app = create_app(settings, strategy, session_factory=session_factory)
    driver = SlackDriver(wsgi_app(app), SIGNING_SECRET, TrackingExecutor(), fake_slack)
    yield driver
    driver.stop()
    app.listener_runner.listener_executor.shutdown(wait=True)
    app.runtime.post_ack.shutdown(wait=True)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_with_every_web_api_call_held_2_s_a_burst_is_acked_within_1_s_and_every_modal_card_and_dm_arrives(
    production_slack, fake_slack, taking_turns
):
    slack = production_slack
    slack.command("", user="UWARMUP001", settle=False)
    assert wait_for(lambda: fake_slack.calls_to("views.open"), 5)
    modal = fake_slack.calls_to("views.open")[0]["view"]
    fake_slack.reset()
    fake_slack.slow_down(SLACK_DELAY)

    # Slack builds and signs its requests on its own machines: the bodies are ready before the clock starts,
    # so the times below are the app's, not the time this process takes to write 60 requests at once.
    submitters = [f"USUBMIT{n:03d}" for n in range(BURST)]
    requests = [
        (f"command {n}", urlencode(slash_command(f"Idea number {n}", user=f"UCOMMAND{n:02d}"))) for n in range(BURST)
    ]
    requests += [
        (f"submission {user}", urlencode({"payload": json.dumps(submission(number, user, modal))}))
        for number, user in enumerate(submitters)
    ]
    acks: dict[str, tuple[int, float, str]] = {}
    start = threading.Barrier(2 * BURST)

    def send(name: str, body: str) -> None:
        start.wait()
        began = time.monotonic()
        response = slack.post(body, "application/x-www-form-urlencoded", settle=False)
        acks[name] = (response.status, time.monotonic() - began, response.body)

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)

    assert len(acks) == 2 * BURST
    slow = {name: round(seconds, 2) for name, (_, seconds, _) in acks.items() if seconds > 1.0}
    assert slow == {}, f"acked after more than 1 s: {slow}"
    assert all(status == 200 for status, _, _ in acks.values())
    assert all(body == "" for name, (_, _, body) in acks.items() if name.startswith("submission"))
    taking_turns.share()

    def opened() -> set[str]:
        return {call["trigger_id"] for call in fake_slack.calls_to("views.open")}

    def posted_to(channels) -> list:
        return [call for call in fake_slack.calls_to("chat.postMessage") if call["channel"] in channels]

    assert wait_for(lambda: len(fake_slack.calls_to("views.open")) == BURST, 20)
    assert len(opened()) == BURST  # one modal per command, each on its own trigger
    assert wait_for(lambda: len(posted_to({PMO_CHANNEL})) == BURST, 30), "intake cards missing"
    assert wait_for(lambda: len(posted_to(set(submitters))) == BURST, 30), "thank-you DMs missing"
    assert {call["channel"] for call in posted_to(set(submitters))} == set(submitters)


def test_in_socket_mode_a_burst_against_a_2_s_slack_is_acked_within_1_s_of_arriving(
    settings, strategy, session_factory, fake_slack, acks_favoured, taking_turns
):
    """Bolt's Socket Mode adapter hands each envelope to `run_bolt_app` on one of the handler's threads and
    sends the ack when it returns; the envelopes here go through that same function on a pool of the
    handler's size."""
    app = create_app(settings, strategy, session_factory=session_factory)
    try:
        run_bolt_app(app, SocketModeRequest("slash_commands", "warm-up", socket_command(0)))
        assert wait_for(lambda: fake_slack.calls_to("views.open"), 5)
        modal = fake_slack.calls_to("views.open")[0]["view"]
        fake_slack.reset()
        fake_slack.slow_down(SLACK_DELAY)
        envelopes = [SocketModeRequest("slash_commands", f"c{n}", socket_command(n)) for n in range(1, BURST + 1)]
        envelopes += [SocketModeRequest("interactive", f"s{n}", socket_submission(n, modal)) for n in range(BURST)]

        def handle(envelope: SocketModeRequest, arrived: float) -> tuple[int, float]:
            response = run_bolt_app(app, envelope)
            return response.status, time.monotonic() - arrived

        with ThreadPoolExecutor(max_workers=SOCKET_MODE_CONCURRENCY) as handler_threads:
            arrived = time.monotonic()
            results = list(handler_threads.map(handle, envelopes, [arrived] * len(envelopes)))

        assert [status for status, _ in results] == [200] * len(envelopes)
        slow = [round(seconds, 2) for _, seconds in results if seconds > 1.0]
        assert slow == [], f"acked more than 1 s after arriving: {slow}"
        taking_turns.share()
        assert wait_for(lambda: len(fake_slack.calls_to("views.open")) == BURST, 20)
        cards = lambda: [c for c in fake_slack.calls_to("chat.postMessage") if c["channel"] == PMO_CHANNEL]  # noqa: E731
        assert wait_for(lambda: len(cards()) == BURST, 30), "intake cards missing"
    finally:
        app.listener_runner.listener_executor.shutdown(wait=True)
        app.runtime.post_ack.shutdown(wait=True)


def socket_command(number: int) -> dict:
    return slash_command(f"Idea number {number}", user=f"USOCKET{number:03d}")


def socket_submission(number: int, modal: dict) -> dict:
    return submission(number, f"USOCKSUB{number:02d}", modal)


def submission(number: int, user: str, modal: dict) -> dict:
    """A view_submission of the intake modal with good answers, as Slack sends it (HTTP and Socket Mode)."""
    view = dict(modal, id=f"VSOCK{number:04d}", hash=f"h.{number}", team_id=TEAM_ID, app_id=APP_ID)
    view["state"] = {"values": fill_state(modal, GOOD_ANSWERS | {"title": f"Idea of {user}"})}
    view.setdefault("private_metadata", "")
    return {
        "type": "view_submission",
        "token": "legacy-verification-token",
        "api_app_id": APP_ID,
        "team": {"id": TEAM_ID, "domain": "credit"},
        "user": {"id": user, "username": "socket", "name": "socket", "team_id": TEAM_ID},
        "is_enterprise_install": False,
        "enterprise": None,
        "trigger_id": f"{number}.{TEAM_ID}.sub{number:06d}",
        "view": view,
        "response_urls": [],
    }
