"""Logging set-up: levels that really switch work off, a request id and the idea on every line, JSON lines.

Every log record gets `request_id` and `idea` (the reference, like IDEA-12, of the first idea the
request touched), from context variables set per request (bot.app's middleware) and carried into the
listener and post-ack threads (bot.executors). LOG_FORMAT=json prints one JSON object a line.
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
idea_reference: ContextVar[str | None] = ContextVar("idea_reference", default=None)

# slack_sdk decides whether to build its DEBUG strings (request bodies, views, headers) with
# `logger.level <= DEBUG`, not isEnabledFor(), so a logger left at NOTSET (0) builds them on every call
# and throws them away. These are the loggers that test the level that way; each gets a real level.
LEVEL_TESTED_LOGGERS = (
    "slack_sdk.web.base_client",
    "slack_sdk.web.internal_utils",
    "slack_sdk.web.legacy_base_client",
    "slack_sdk.socket_mode.builtin.client",
    "slack_sdk.socket_mode.builtin.internals",
    "slack_bolt.App",
    "slack_bolt.adapter.socket_mode.internals",
    "slack_bolt.IgnoringSelfEvents",
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(idea)s]: %(message)s"


class ContextFilter(logging.Filter):
    """Adds the request id and idea reference of the current context to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        record.idea = idea_reference.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "idea": getattr(record, "idea", None),
        }
        entry = {key: value for key, value in entry.items() if value not in (None, "-")}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO", log_format: str = "text") -> None:
    """Root handler on stderr in the chosen format; library loggers set to the same level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in LEVEL_TESTED_LOGGERS:
        logging.getLogger(name).setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def new_request_id(hint: str | None = None) -> str:
    return hint or uuid.uuid4().hex[:12]


def note_idea(reference: str) -> None:
    """Remember the idea this request is about (the first one it touches) for its log lines."""
    if request_id.get() is not None and idea_reference.get() is None:
        idea_reference.set(reference)


def _loaded(target, _context) -> None:
    note_idea(target.reference)


def _inserted(_mapper, _connection, target) -> None:
    note_idea(target.reference)


def track_ideas() -> None:
    """Note the idea a request loads or creates, without handlers or services having to say so."""
    from sqlalchemy import event

    from models import Idea

    if not event.contains(Idea, "load", _loaded):
        event.listen(Idea, "load", _loaded)
        event.listen(Idea, "after_insert", _inserted)
