"""What the PMO is told when Slack refuses a message for good."""

from __future__ import annotations

from bot.views.blocks import Blocks, section
from bot.views.text import safe, user

REASONS = {
    "channel_not_found": "the conversation no longer exists",
    "not_in_channel": "the app is not a member of the channel",
    "is_archived": "the channel is archived",
    "invalid_blocks": "the message was malformed (a bug: please report it)",
    "user_not_found": "the person is no longer in the workspace",
    "account_inactive": "the person's account is deactivated",
}


def delivery_failed(idea_id: int | None, addressed_to: str | None, what: str, error: str) -> tuple[str, Blocks]:
    about = f" about IDEA-{idea_id}" if idea_id is not None else ""
    where = ""
    if addressed_to:
        where = f" to {user(addressed_to)}" if addressed_to[:1] in ("U", "W") else f" to <#{addressed_to}>"
    reason = REASONS.get(error, f"Slack answered `{safe(error, 60)}`")
    text = (
        f":warning: I couldn't deliver a message{about}{where}: {reason}. I won't try again. "
        f"It began: “{safe(what, 200)}”"
    )
    return text, [section(text)]


def conversation_not_opened(error: str) -> tuple[str, Blocks]:
    """Told in the card's thread when a coaching conversation's first message could not be delivered."""
    text = f"I couldn't open the coaching conversation ({safe(error, 100)}). Reassign the coach to retry."
    return text, [section(text)]
