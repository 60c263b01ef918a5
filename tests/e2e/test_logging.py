"""Log lines carry the request id and the idea; LOG_FORMAT=json gives one JSON object a line; levels that
are off cost slack_sdk nothing."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot import logs
from tests.support.flows import GOOD_ANSWERS, open_intake


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def test_a_delivery_failure_is_logged_as_json_with_the_request_id_and_the_idea(slack, fake_slack, json_log):
    modal = open_intake(slack)
    fake_slack.fail("chat.postMessage", "channel_not_found")  # the thank-you DM is refused

    slack.submit_view(modal, GOOD_ANSWERS, user="USUBMIT001")

    entries = [json.loads(line) for line in json_log.getvalue().splitlines()]
    refused = [entry for entry in entries if "channel_not_found" in entry["message"]]
    assert len(refused) == 1, entries
    assert refused[0]["level"] == "ERROR"
    assert refused[0]["logger"] == "bot.outbox.sender"
    assert refused[0]["idea"] == "IDEA-1"
    assert len(refused[0]["request_id"]) == 12


def test_outside_a_request_a_line_has_no_request_id_or_idea(json_log):
    logging.getLogger("bot.test").warning("plain %s", "line")

    entry = json.loads(json_log.getvalue())
    assert entry["message"] == "plain line"
    assert "request_id" not in entry and "idea" not in entry


def test_configure_gives_slack_sdk_loggers_a_real_level_so_debug_strings_are_not_built():
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        logs.configure("INFO", "json")
        client_logger = logging.getLogger("slack_sdk.web.base_client")
        # slack_sdk builds its request/response DEBUG strings when `logger.level <= DEBUG`; NOTSET is 0
        assert client_logger.level == logging.INFO
        assert isinstance(root.handlers[0].formatter, logs.JsonFormatter)
        logs.configure("DEBUG", "text")
        assert client_logger.level == logging.DEBUG
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("slack_sdk.web.base_client").setLevel(logging.NOTSET)
