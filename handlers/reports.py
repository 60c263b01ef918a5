"""/idea portfolio and /idea report (PMO staff only): an answer first, the files after the ack."""

from __future__ import annotations

import logging

from slack_bolt import Ack

from bot.delivery import FileShare
from bot.runtime import Runtime
from bot.services import portfolio, reports
from bot.services.errors import Refused
from bot.views import messages
from bot.views.portfolio import portfolio_blocks, portfolio_chart
from bot.views.report import period_text
from models.reporting import PeriodError, parse_period

log = logging.getLogger(__name__)


def portfolio_command(runtime: Runtime, ack: Ack, command: dict) -> None:
    user_id = command["user_id"]
    try:
        portfolio.ensure_pmo(runtime, user_id, "see the portfolio")
    except Refused as refusal:
        ack(text=str(refusal), blocks=messages.notice(str(refusal))[1])
        return
    current = portfolio.portfolio(runtime)
    text, blocks = portfolio_blocks(current)
    ack(text=text, blocks=blocks)
    # The chart is drawn after the ack, so the answer never waits on matplotlib; the outbox shares it (and
    # retries the share as it retries messages).
    title = f"Effort committed per goal against capacity, {current.year}"
    runtime.outbox.send([FileShare(user_id, "portfolio.png", portfolio_chart(current), title)])


def report_command(runtime: Runtime, ack: Ack, command: dict, period_words: str) -> None:
    user_id = command["user_id"]
    try:
        reports.ensure_allowed(runtime, user_id)
        period = parse_period(period_words, runtime.strategy.calendar.work_calendar.today(runtime.clock()))
    except (Refused, PeriodError) as problem:
        ack(text=str(problem), blocks=messages.notice(str(problem))[1])
        return
    answer = f"Preparing the ideas report for {period_text(period)}. It will arrive in your DM with the app."
    ack(text=answer, blocks=messages.notice(answer)[1])
    reports.send_report(runtime, user_id, period)
