"""What to do when Slack (or the network) fails a delivery: wait as asked, back off, or give up.

- 429: wait exactly as long as Retry-After says, for as many rounds as Slack asks.
- 5xx, timeouts, resets, refused connections: exponential back-off with jitter, capped at RETRY_CAP so
  a message people wait for goes out within RETRY_CAP (plus one worker poll) of Slack's recovery.
- Errors that cannot heal (the channel is gone, the blocks are invalid...): give up at once.
- An error code we do not know: retried with back-off, given up after UNKNOWN_ERROR_ATTEMPTS.

A job's own messages (nudges, the digest) are "patient": nobody is waiting on them this minute, so they are
retried by their job at PATIENT_BACKOFF (or later if Retry-After says so), after the job has checked they
still matter, and given up after PATIENT_ATTEMPTS whatever the error.
"""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass
from datetime import timedelta
from http.client import RemoteDisconnected
from urllib.error import URLError

from slack_sdk.errors import SlackApiError

RETRY_CAP = 30.0
FIRST_RETRY = 1.0
UNKNOWN_ERROR_ATTEMPTS = 10
PATIENT_BACKOFF = (timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=45), timedelta(hours=2))
PATIENT_ATTEMPTS = 5

PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "cant_update_message",
        "channel_not_found",
        "edit_window_closed",
        "invalid_arguments",
        "invalid_auth",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "is_archived",
        "message_not_found",
        "metadata_too_large",
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "not_authed",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
        "token_revoked",
        "too_many_attachments",
        "user_not_found",
        "user_not_in_channel",
    }
)
# Answers that say Slack may or may not have acted: the message could exist, so look before re-posting.
UNCERTAIN_ERRORS = frozenset({"internal_error", "fatal_error", "request_timeout", "service_unavailable"})


@dataclass(frozen=True)
class Verdict:
    error: str
    delay: float = 0.0  # seconds until the next attempt
    permanent: bool = False
    in_doubt: bool = False  # Slack may have posted it: look for it before posting again


def backoff(attempts: int, rng: random.Random) -> float:
    """Seconds before retry number `attempts` (1, 2, ...): doubling from FIRST_RETRY, capped, with jitter
    in its upper half so instances that failed together do not come back together."""
    ceiling = min(RETRY_CAP, FIRST_RETRY * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def patient_delay(attempts: int) -> timedelta:
    """When a patient message (or a step of its job) is tried again after failed attempt number `attempts`."""
    return PATIENT_BACKOFF[min(max(attempts, 1), len(PATIENT_BACKOFF)) - 1]


def judge(error: Exception, attempts: int, rng: random.Random, *, patient: bool = False) -> Verdict:
    verdict = _judge(error, attempts, rng)
    if not patient:
        return verdict
    asked = verdict.delay if verdict.error == "ratelimited" or verdict.error == "http_429" else 0.0
    return Verdict(
        verdict.error,
        max(patient_delay(attempts).total_seconds(), asked),
        permanent=attempts >= PATIENT_ATTEMPTS,
        in_doubt=verdict.in_doubt,
    )


def describe(error: Exception) -> str:
    """A short text for the error, for the records (`last_error`)."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "slack_error")[:200]
    return f"{type(error).__name__}: {error}"[:200]


def _judge(error: Exception, attempts: int, rng: random.Random) -> Verdict:
    if isinstance(error, SlackApiError):
        return _judge_answer(error, attempts, rng)
    if _refused(error):
        return Verdict("connection refused", backoff(attempts, rng))
    name = "timeout" if isinstance(error, (TimeoutError, socket.timeout)) else type(error).__name__
    # A timeout or a reset may come after Slack received the request: the outcome is unknown.
    return Verdict(name, backoff(attempts, rng), in_doubt=True)


def _judge_answer(error: SlackApiError, attempts: int, rng: random.Random) -> Verdict:
    response = error.response
    status = getattr(response, "status_code", 200) or 200
    code = str((response.get("error") if hasattr(response, "get") else None) or f"http_{status}")
    if status == 429 or code == "ratelimited":
        asked = retry_after(response)
        return Verdict(code, FIRST_RETRY if asked is None else asked)
    if status >= 500 or code in UNCERTAIN_ERRORS:
        return Verdict(code, backoff(attempts, rng), in_doubt=True)
    if code in PERMANENT_ERRORS:
        return Verdict(code, permanent=True)
    return Verdict(code, backoff(attempts, rng), permanent=attempts >= UNKNOWN_ERROR_ATTEMPTS)


def retry_after(response) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return max(float(value), 0.0)
            except (TypeError, ValueError):
                return None
    return None


def _refused(error: BaseException) -> bool:
    """Nothing reached Slack: safe to send again without looking."""
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError) and not isinstance(error, RemoteDisconnected)
