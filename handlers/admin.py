"""/idea admin (PMO_ADMIN_IDS only): see the loaded strategy and reload strategy.yml from Slack."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.config import ConfigError, load_strategy
from bot.delivery import Ephemeral
from bot.runtime import Runtime
from bot.views import messages
from bot.views.admin import REFUSAL, admin_blocks, reloaded_text
from bot.views.ids import Action
from handlers.replies import tell
from handlers.wiring import bound


def admin_command(runtime: Runtime, ack: Ack, command: dict) -> None:
    if not runtime.settings.is_admin(command["user_id"]):
        ack(text=REFUSAL, blocks=messages.notice(REFUSAL)[1])
        return
    text, blocks = admin_blocks(runtime.strategy, str(runtime.settings.strategy_file))
    ack(text=text, blocks=blocks)


def reload_strategy(runtime: Runtime, ack: Ack, body: dict) -> None:
    """Load strategy.yml again; a broken file is shown and the strategy in use is kept."""
    ack()
    user_id = body["user"]["id"]
    if not runtime.settings.is_admin(user_id):
        tell(runtime, body, REFUSAL)
        return
    source = str(runtime.settings.strategy_file)
    try:
        runtime.strategy = load_strategy(runtime.settings.strategy_file)
        problem = None
    except ConfigError as error:
        problem = str(error)
    text, blocks = admin_blocks(runtime.strategy, source, problem)
    if problem is None:
        text = reloaded_text(runtime.strategy)
        blocks.insert(1, messages.notice(f":white_check_mark: {text}")[1][0])
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    runtime.outbox.send([Ephemeral(channel, user_id, text, blocks)])


def register(app: App, runtime: Runtime) -> None:
    app.action(Action.ADMIN_RELOAD.value)(bound(runtime, reload_strategy))
