"""/idea: help, mine, a reference, the PMO's words (admin, portfolio, report), else a new idea."""

from slack_bolt import Ack, App

from bot.runtime import Runtime
from bot.services import intake
from bot.views import messages
from bot.views.intake import intake_modal
from bot.views.text import safe
from handlers import admin, reports
from handlers.wiring import bound
from models import parse_reference

LONG_TITLE = 80


def idea_command(runtime: Runtime, ack: Ack, command: dict) -> None:
    text = (command.get("text") or "").strip()
    user_id = command["user_id"]
    word = text.lower()
    if word in ("help", "?"):
        reply(ack, messages.help_message())
    elif word == "mine":
        reply(ack, messages.my_ideas(*intake.ideas_of(runtime, user_id)))
    elif word == "admin":
        admin.admin_command(runtime, ack, command)
    elif word == "portfolio":
        reports.portfolio_command(runtime, ack, command)
    elif word.split(maxsplit=1)[:1] == ["report"]:
        reports.report_command(runtime, ack, command, text[len("report") :].strip())
    elif parse_reference(text) is not None:
        found = intake.visible_idea_by_reference(runtime, text, user_id)
        if found.idea is None:
            reply(ack, messages.notice(found.refusal))
        else:
            ack(
                text=safe(messages.heading(found.idea), 300),
                blocks=messages.details_blocks(
                    found.idea, runtime.strategy, can_decide=runtime.settings.is_decider(user_id)
                ),
            )
    else:
        ack()
        proposal = text if len(text) > LONG_TITLE else ""
        runtime.gateway.open_view(command["trigger_id"], intake_modal(runtime.strategy, title=text, proposal=proposal))


def reply(ack: Ack, message: tuple[str, list]) -> None:
    text, blocks = message
    ack(text=text, blocks=blocks)


def register(app: App, runtime: Runtime) -> None:
    app.command("/idea")(bound(runtime, idea_command))
