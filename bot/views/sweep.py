"""What `idea-coach sweep` prints (and the scheduler logs): a line per nudge and a summary, for operators."""

from __future__ import annotations

from datetime import datetime

from bot.views.nudges import NudgeNotice, business_days
from models.nudging import ESCALATION_STEP, NudgeKind, Place, SweepOutcome

PLACES = {
    Place.PMO_CHANNEL: "the PMO channel",
    Place.DM: "a DM",
    Place.COACHING_THREAD: "the coaching thread",
    Place.DECIDERS_GROUP_DM: "a group DM with the deciders",
    Place.LEAD_DM: "a DM with the PMO lead",
}
OUTCOMES = {
    SweepOutcome.SENT: "sent",
    SweepOutcome.FAILED: "failed",
    SweepOutcome.WOULD_SEND: "would send",
    SweepOutcome.WAITING: "waiting for working hours",
    SweepOutcome.RETRY_WAITING: "retry waiting for working hours",
    SweepOutcome.WOULD_RETRY: "would retry",
    SweepOutcome.CANCELLED: "cancelled: the idea moved on",
    SweepOutcome.NO_RECIPIENT: "nobody to send it to",
}


def reason(notice: NudgeNotice) -> str:
    """Why the nudge is due, in a few words."""
    days = business_days(notice.stalled_days)
    why = {
        NudgeKind.UNASSIGNED: f"no coach for {days}",
        NudgeKind.COACHING_QUIET: f"no reply in the coaching thread for {days}",
        NudgeKind.AWAITING_DECISION: f"ready for a decision for {days}",
        NudgeKind.REVISIT: "its revisit date has come",
    }[notice.kind]
    if notice.step >= ESCALATION_STEP:
        return f"{why}; escalation after two reminders"
    return why + ("; second reminder" if notice.step == 1 else "")


def item_line(notice: NudgeNotice, place: Place, outcome: SweepOutcome, not_before: datetime | None = None) -> str:
    """One nudge: who, which idea, where, why, and what the sweep did with it."""
    who = ", ".join(notice.mentions) or "nobody"
    line = f"{notice.reference} “{notice.title}” → {who} ({PLACES[place]}): {reason(notice)}"
    if not_before is not None:
        return line + f" [{OUTCOMES[outcome]}, from {not_before:%Y-%m-%d %H:%M} UTC]"
    return line + f" [{OUTCOMES[outcome]}]"


def summary(now: datetime, dry_run: bool, counts: dict[SweepOutcome, int]) -> str:
    def count(*outcomes: SweepOutcome) -> int:
        return sum(counts.get(outcome, 0) for outcome in outcomes)

    waiting = count(SweepOutcome.WAITING, SweepOutcome.RETRY_WAITING)
    if dry_run:
        planned = count(SweepOutcome.WOULD_SEND, SweepOutcome.WOULD_RETRY)
        return (
            f"dry run at {now:%Y-%m-%d %H:%M} UTC: {planned} nudge(s) would be sent, "
            f"{waiting} waiting for working hours; nothing was sent"
        )
    return (
        f"sweep at {now:%Y-%m-%d %H:%M} UTC: {count(SweepOutcome.SENT)} sent, {count(SweepOutcome.FAILED)} failed "
        f"(retried later), {waiting} waiting for working hours"
    )
