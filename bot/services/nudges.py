"""The nudge sweep: find stalled ideas, claim each due nudge once, send it at a decent hour.

One sweep:
1. retries nudges whose earlier send failed (or whose sender died), once their time comes;
2. for each stage clock, reads only the ideas whose clock has run past the threshold (nudge_clocks);
3. for each, asks models.nudging which step is due; if its recipients are in working hours
   (working_hours), claims it and sends it through the outbox (nudge_sending).

The journey of a nudge, by module:
- nudge_clocks: which ideas have stalled, and which step each owes;
- nudge_targets: who is nudged, where, and what the nudge says;
- working_hours: people's time zones, and when a nudge may reach them;
- nudge_sending: claiming it once, sending it through the outbox, retrying it;
- nudge_answers: "Snooze" and "I'm on it";
- sweep_report: what a sweep did (or, in a dry run, would do).

Two sweepers on one database send each nudge once: a locked idea is skipped, and a claimed step is
seen (or refused by the unique key) by the other. After downtime the first sweep finds each due step
once. Job bodies take `now` and the runtime, so tests run them on a fixed clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import Row

from bot.outbox.policy import PATIENT_ATTEMPTS as MAX_ATTEMPTS
from bot.runtime import Runtime
from bot.services.nudge_answers import MessageRef, may_answer, on_it, snooze
from bot.services.nudge_clocks import candidates, due_nudges, facts_of, rules_of
from bot.services.nudge_sending import CHANNEL_SPACING, LEASE, Spacer, claim, deliver, retry_due
from bot.services.nudge_targets import notice_for, target_for
from bot.services.sweep_report import SweepItem, SweepReport
from bot.services.working_hours import ZoneBook, sending_window, shared_working_time
from models.nudging import DueNudge, NudgeKind, Rules, SweepOutcome

__all__ = [
    "CHANNEL_SPACING",
    "LEASE",
    "MAX_ATTEMPTS",
    "MessageRef",
    "SweepOutcome",
    "SweepReport",
    "candidates",
    "may_answer",
    "on_it",
    "sending_window",
    "shared_working_time",
    "snooze",
    "sweep",
]

log = logging.getLogger(__name__)

ALL_KINDS = tuple(NudgeKind)


def sweep(
    runtime: Runtime,
    now: datetime,
    *,
    dry_run: bool = False,
    kinds: Iterable[NudgeKind] = ALL_KINDS,
    pause: Callable[[float], None] = time.sleep,
    ticker: Callable[[], float] = time.monotonic,
) -> SweepReport:
    """Send every nudge due at `now` (or, with dry_run, only say which would be sent)."""
    rules = rules_of(runtime)
    report = SweepReport(now, dry_run)
    zones = ZoneBook(runtime, now, remember=not dry_run)
    spacer = Spacer(pause, ticker)
    retry_due(runtime, now, rules, zones, spacer, report)
    for kind in kinds:
        for row, due in due_nudges(runtime, kind, now, rules):
            _handle(runtime, row, due, now, rules, zones, spacer, report)
    log.info(report.summary())
    return report


def _handle(
    runtime: Runtime,
    row: Row,
    due: DueNudge,
    now: datetime,
    rules: Rules,
    zones: ZoneBook,
    spacer: Spacer,
    report: SweepReport,
) -> None:
    facts = facts_of(row)
    with runtime.session_factory() as session:
        target = target_for(runtime, session, row.id, facts, due.audience)
        notice = notice_for(
            runtime,
            session,
            row,
            facts,
            due.kind,
            due.step,
            due.audience,
            target.users,
            due.clock_start,
            now,
            None,
            rules,
        )
    if not target.reachable:
        report.items.append(SweepItem(notice, target.place, SweepOutcome.NO_RECIPIENT))
        return
    may_send, when = sending_window(zones.zones(target.users).values(), now, rules.calendar)
    if not may_send:
        report.items.append(SweepItem(notice, target.place, SweepOutcome.WAITING, when))
        return
    if report.dry_run:
        report.items.append(SweepItem(notice, target.place, SweepOutcome.WOULD_SEND))
        return
    claimed = claim(runtime, row.id, due.kind, now, rules)
    if claimed is None:
        return
    deliver(runtime, claimed, now, spacer, report)
