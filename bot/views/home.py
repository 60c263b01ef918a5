"""The App Home tab."""

from __future__ import annotations

from typing import Any

from bot.views.ids import Action
from bot.views.messages import my_ideas


def home_view(ideas: list) -> dict[str, Any]:
    _, idea_blocks = my_ideas(ideas)
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Idea Coach"}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "Have an idea that would make things better for members or colleagues? "
                    "Share it and a PMO coach will help you shape it.",
                },
                "accessory": {
                    "type": "button",
                    "style": "primary",
                    "action_id": Action.OPEN_INTAKE,
                    "text": {"type": "plain_text", "text": "Submit an idea"},
                },
            },
            {"type": "divider"},
            *idea_blocks,
        ],
    }
