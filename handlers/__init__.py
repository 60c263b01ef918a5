"""Slack listeners: short functions that parse, call a service and reply."""

from slack_bolt import App

from bot.runtime import Runtime
from handlers import actions, admin, commands, decisions, errors, events, home, joining, nudges, shortcuts, views


def register_all(app: App, runtime: Runtime) -> None:
    for module in (commands, shortcuts, views, actions, decisions, nudges, events, home, joining, admin, errors):
        module.register(app, runtime)
