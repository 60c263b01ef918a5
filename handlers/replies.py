"""How listeners answer the person who acted when something is refused."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

from bot.delivery import Ephemeral, Post
from bot.runtime import Runtime
from bot.services.errors import Refused
from bot.services.once import Repeated
from bot.views import messages
from models import IllegalTransition


def tell(runtime: Runtime, body: dict, text: str) -> None:
    """A short answer only the actor sees: ephemeral where they clicked, else in their DM with the app."""
    user_id = body["user"]["id"]
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    text, blocks = messages.notice(text)
    answer = Ephemeral(channel_id, user_id, text, blocks) if channel_id else Post(user_id, text, blocks)
    runtime.outbox.send([answer])


def refusals_told(listener: Callable) -> Callable:
    """Turn a Refused or IllegalTransition raised by a listener into an answer to the actor, acking first
    if the listener had not yet; a Repeated request is told only when it carries something to say.

    The listener takes `runtime`, `ack` and `body` (Bolt passes arguments by name; tests may pass any way).
    """
    signature = inspect.signature(listener)

    @functools.wraps(listener)
    def wrapper(*args, **kwargs):
        try:
            return listener(*args, **kwargs)
        except (Refused, IllegalTransition, Repeated) as error:
            given = signature.bind(*args, **kwargs).arguments
            ack = given["ack"]
            if ack.response is None:
                ack()
            if str(error):
                tell(given["runtime"], given["body"], str(error))

    return wrapper


def closed_without_errors(ack, errors: dict[str, str]) -> bool:
    """Ack a modal submission: with field errors (False, the modal stays open) or closing it (True)."""
    if errors:
        ack(response_action="errors", errors=errors)
        return False
    ack()
    return True


def submission_key(view: dict) -> str | None:
    """What makes a view submission the same one again: Slack sends a double click or a retry with the
    same view id and hash (the hash changes whenever the view itself is updated)."""
    view_id, view_hash = view.get("id"), view.get("hash")
    return f"view:{view_id}:{view_hash}" if view_id and view_hash else None
