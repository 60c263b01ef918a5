"""The outbox's retry policy: what each failure means for the next attempt."""

from __future__ import annotations

import random
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.outbox.policy import RETRY_CAP, UNKNOWN_ERROR_ATTEMPTS, backoff, judge


def answer(status: int, error: str, **headers: str) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.invalid/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": error},
        headers=headers,
        status_code=status,
    )
    return SlackApiError("refused", response)


RNG = random.Random(7)


def test_a_429_waits_exactly_as_long_as_slack_asks_however_long():
    verdict = judge(answer(429, "ratelimited", **{"Retry-After": "600"}), attempts=40, rng=RNG)
    assert (verdict.delay, verdict.permanent, verdict.in_doubt) == (600.0, False, False)


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_blocks"])
def test_errors_that_cannot_heal_are_given_up_at_once(error):
    assert judge(answer(200, error), attempts=1, rng=RNG).permanent


def test_5xx_backs_off_doubling_with_jitter_up_to_the_cap_and_may_have_posted():
    delays = [judge(answer(503, "service_unavailable"), attempts=n, rng=RNG) for n in range(1, 12)]
    assert all(v.in_doubt and not v.permanent for v in delays)
    assert delays[0].delay <= 1 and delays[3].delay >= 4 and max(v.delay for v in delays) <= RETRY_CAP


def test_a_refused_connection_reached_nobody_and_a_timeout_may_have():
    refused = judge(URLError(ConnectionRefusedError(111, "Connection refused")), attempts=1, rng=RNG)
    timed_out = judge(TimeoutError("timed out"), attempts=1, rng=RNG)
    assert (refused.in_doubt, timed_out.in_doubt) == (False, True)
    assert not refused.permanent and not timed_out.permanent


def test_an_unknown_error_is_retried_a_while_then_given_up():
    assert not judge(answer(200, "something_new"), attempts=1, rng=RNG).permanent
    assert judge(answer(200, "something_new"), attempts=UNKNOWN_ERROR_ATTEMPTS, rng=RNG).permanent


def test_jitter_stays_in_the_upper_half():
    for attempts in range(1, 10):
        ceiling = min(RETRY_CAP, 2 ** (attempts - 1))
        assert ceiling / 2 <= backoff(attempts, random.Random(attempts)) <= ceiling
