"""Prometheus metrics, served at GET /metrics.

One process serves them: `serve --http` runs gunicorn with one worker (threads, not processes) and the
scheduler inside that worker, so this module's registry sees every request and every job. With more
workers each would report its own numbers; that would need prometheus-client's multiprocess mode
(PROMETHEUS_MULTIPROC_DIR), which this app does not use.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.process_collector import ProcessCollector
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

ACK_SECONDS = Histogram(
    "idea_coach_ack_seconds",
    "Time from a Slack request reaching the app to its ack, by kind of request",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10),
    registry=REGISTRY,
)
SLACK_CALLS = Counter("idea_coach_slack_api_calls", "Web API calls made, by method", ["method"], registry=REGISTRY)
SLACK_ERRORS = Counter(
    "idea_coach_slack_api_errors",
    "Web API calls that failed, by method and error (Slack's error code, or the exception's name)",
    ["method", "error"],
    registry=REGISTRY,
)
SLACK_SECONDS = Histogram(
    "idea_coach_slack_api_seconds",
    "Web API call duration, by method",
    ["method"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
    registry=REGISTRY,
)
NUDGES_SENT = Counter("idea_coach_nudges_sent", "Nudges sent by the sweep", registry=REGISTRY)
NUDGES_FAILED = Counter("idea_coach_nudges_failed", "Nudges the sweep could not send", registry=REGISTRY)
SWEEP_SECONDS = Histogram(
    "idea_coach_sweep_seconds",
    "Duration of one scheduled nudge sweep (with its digest catch-up and clean-up)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)

# --- the outbox: depth and the age of its oldest undelivered message ---------------------------------

OutboxReader = Callable[[], tuple[int, datetime | None]]
_outbox_reader: list[OutboxReader] = []


def watch_outbox(reader: OutboxReader | None) -> None:
    """Report the outbox through `reader`, which returns (undelivered count, oldest undelivered's
    created time). Called once by whoever owns the outbox; a later call replaces it, None removes it."""
    _outbox_reader[:] = [reader] if reader else []


class _OutboxCollector:
    def collect(self):
        if not _outbox_reader:
            return
        try:
            depth, oldest = _outbox_reader[0]()
        except Exception:
            log.exception("could not read the outbox for /metrics")
            return
        yield GaugeMetricFamily("idea_coach_outbox_depth", "Messages waiting in the outbox", value=depth)
        age = 0.0
        if oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
            age = max((datetime.now(UTC) - oldest).total_seconds(), 0.0)
        yield GaugeMetricFamily(
            "idea_coach_outbox_oldest_age_seconds", "Age of the oldest undelivered outbox message", value=age
        )


REGISTRY.register(_OutboxCollector())

# --- recording -------------------------------------------------------------------------------------


class MeteredWebClient(WebClient):
    """slack_sdk's client, counting and timing every Web API call by method."""

    def api_call(self, api_method: str, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super().api_call(api_method, *args, **kwargs)
        except SlackApiError as error:
            SLACK_ERRORS.labels(api_method, str(error.response.get("error") or "unknown")).inc()
            raise
        except Exception as error:
            SLACK_ERRORS.labels(api_method, type(error).__name__).inc()
            raise
        finally:
            SLACK_CALLS.labels(api_method).inc()
            SLACK_SECONDS.labels(api_method).observe(time.perf_counter() - started)


def request_kind(body: dict) -> str:
    """command, action, view_submission, view_closed, event, shortcut, options, or other."""
    if "command" in body and "type" not in body:
        return "command"
    kind = body.get("type")
    if kind == "block_actions" or kind == "interactive_message":
        return "action"
    if kind in ("shortcut", "message_action"):
        return "shortcut"
    if kind == "event_callback":
        return "event"
    if kind in ("view_submission", "view_closed"):
        return kind
    if kind in ("block_suggestion", "dialog_suggestion"):
        return "options"
    return "other"


def exposition() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
