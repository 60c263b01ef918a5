"""How listeners answer the person who acted when something is refused."""

from __future__ import annotations

import functools
from collections.abc import Callable

from bot.delivery import Ephemeral, Post
from bot.runtime import Runtime
from bot.services.errors import Refused
from bot.views import messages
from models import IllegalTransition


def tell(runtime: Runtime, body: dict, text: str) -> None:
    """A short answer only the actor sees: ephemeral where they clicked, else in their DM with the app."""
    user_id = body["user"]["id"]
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    text, blocks = messages.notice(text)
    answer = Ephemeral(channel_id, user_id, text, blocks) if channel_id else Post(user_id, text, blocks)
    runtime.outbox.send([answer])


def refusals_told(runtime: Runtime) -> Callable:
    """Turn a Refused or IllegalTransition raised by a listener into an answer to the actor.

    The wrapped listener must accept `body` (Bolt passes arguments by name).
    """

    def decorate(listener: Callable) -> Callable:
        @functools.wraps(listener)
        def wrapper(*args, **kwargs):
            try:
                return listener(*args, **kwargs)
            except (Refused, IllegalTransition) as error:
                tell(runtime, kwargs["body"], str(error))

        return wrapper

    return decorate


def closed_without_errors(ack, errors: dict[str, str]) -> bool:
    """Ack a modal submission: with field errors (False, the modal stays open) or closing it (True)."""
    if errors:
        ack(response_action="errors", errors=errors)
        return False
    ack()
    return True


def idea_id_of(action: dict) -> int | None:
    value = str(action.get("value") or "")
    return int(value) if value.isdigit() else None
