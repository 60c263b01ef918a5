"""Block Kit for nudges: the reminder itself, with snooze and "I'm on it", and how it reads once handled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime

from bot.views.blocks import Blocks, actions, button, context, section
from bot.views.ids import Action, parse_id
from bot.views.text import date, safe, user
from models.nudging import Audience, NudgeKind

SNOOZES: dict[Action, tuple[int, str]] = {
    Action.SNOOZE_DAY: (1, "Snooze 1 day"),
    Action.SNOOZE_3_DAYS: (3, "Snooze 3 days"),
    Action.SNOOZE_WEEK: (5, "Snooze 1 week"),
}
"""Snooze buttons: business days, and their label."""

FOOTER = "Reminders wait for working hours. Snooze puts off the next one; “I'm on it” restarts the clock."
ESCALATES = " After two reminders the PMO lead is told."
ALREADY_ANSWERED = "This reminder has already been answered that way, so nothing has changed."


@dataclass(frozen=True)
class NudgeNotice:
    """Everything a nudge message says; `mentions` are the people it addresses."""

    nudge_id: int | None
    kind: NudgeKind
    step: int
    audience: Audience
    idea_id: int
    reference: str
    title: str
    submitter_id: str
    coach_id: str | None
    last_reply_by: str | None
    mentions: tuple[str, ...]
    stalled_days: float
    revisit_on: Date | None = None
    earlier_mentions: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.reference} · {self.title}"


def business_days(days: float) -> str:
    whole = max(int(days), 1)
    return f"{whole} business day" + ("" if whole == 1 else "s")


def mentions(user_ids: tuple[str, ...]) -> str:
    return ", ".join(user(user_id) for user_id in user_ids) or "_nobody_"


def _on(day: Date | None) -> str:
    return f" on {day:%A, %B} {day.day}" if day else ""


def _idea(notice: NudgeNotice) -> str:
    return f"*{safe(notice.heading, 200)}*"


def _body(notice: NudgeNotice) -> tuple[str, str]:
    """(fallback text, mrkdwn) for the notice."""
    idea, days = _idea(notice), business_days(notice.stalled_days)
    again = "Another reminder: " if notice.step == 1 else ""
    if notice.audience is Audience.PMO_LEAD:
        reason = {
            NudgeKind.UNASSIGNED: f"has been waiting for a coach for {days}",
            NudgeKind.COACHING_QUIET: f"has had no reply in its coaching thread for {days}",
            NudgeKind.AWAITING_DECISION: f"has been ready for a decision for {days}",
            NudgeKind.REVISIT: f"was due to be revisited{_on(notice.revisit_on)}",
        }[notice.kind]
        return (
            f"Escalation: {notice.reference} {reason}",
            f":rotating_light: {mentions(notice.mentions)}, {idea} {reason}, and two reminders to "
            f"{mentions(notice.earlier_mentions)} haven't moved it. Could you step in?",
        )
    if notice.kind is NudgeKind.UNASSIGNED:
        return (
            f"{notice.reference} has been waiting for a coach for {days}",
            f":wave: {again}{idea} has been waiting for a coach for {days}. "
            f"{mentions(notice.mentions)}, could one of you pick it up?",
        )
    if notice.kind is NudgeKind.COACHING_QUIET:
        if notice.audience is Audience.SUBMITTER:
            return (
                f"{notice.reference}: your coach is waiting for your reply",
                f":speech_balloon: {again}{user(notice.submitter_id)}, this conversation has been quiet for {days} "
                f"since {user(notice.coach_id)} last wrote. When you have a moment, reply here so we can keep "
                f"{notice.reference} moving.",
            )
        if notice.last_reply_by and notice.last_reply_by != notice.coach_id:
            said = f"{user(notice.last_reply_by)} wrote last"
        else:
            said = "nobody has written here yet"
        return (
            f"{notice.reference}: the coaching conversation is waiting on you",
            f":speech_balloon: {again}{user(notice.coach_id)}, this conversation has been quiet for {days} "
            f"and {said}. Over to you: a question or a next step would keep {notice.reference} moving.",
        )
    if notice.kind is NudgeKind.AWAITING_DECISION:
        return (
            f"{notice.reference} has been ready for a decision for {days}",
            f":hourglass_flowing_sand: {again}{idea} has been ready for a decision for {days} "
            f"(coach: {user(notice.coach_id)}). {mentions(notice.mentions)}, could you decide it or say what's "
            "missing?",
        )
    when = _on(notice.revisit_on)
    return (
        f"Time to revisit {notice.reference}",
        f":calendar: {again}{idea} was decided *not now*, to be revisited{when}. "
        f"{mentions(notice.mentions)}, time to take another look.",
    )


def nudge_message(notice: NudgeNotice) -> tuple[str, Blocks]:
    text, body = _body(notice)
    blocks: Blocks = [section(body)]
    value = str(notice.nudge_id or "")
    buttons = []
    if notice.audience not in (Audience.SUBMITTER, Audience.COACH):  # those are read in the thread itself
        buttons.append(button("View details", Action.VIEW_DETAILS, str(notice.idea_id)))
    if notice.kind is NudgeKind.UNASSIGNED and notice.audience is Audience.PMO_CHANNEL:
        buttons.append(button("Coach this", Action.COACH_THIS, str(notice.idea_id)))
    buttons.append(button("I'm on it", Action.ON_IT, value, "primary"))
    buttons += [button(label, action_id, value) for action_id, (_, label) in SNOOZES.items()]
    blocks.append(actions(f"nudge:{notice.nudge_id or 0}", *buttons))
    blocks.append(context(FOOTER + (ESCALATES if notice.audience is not Audience.PMO_LEAD else "")))
    return text, blocks


def nudge_id_of(action: dict) -> int | None:
    """The nudge an "I'm on it" or snooze button of nudge_message() answers."""
    return parse_id(action.get("value"))


def snooze_days(action: dict) -> int:
    """How many business days the snooze button clicked puts the next nudge off."""
    days, _ = SNOOZES[Action(action["action_id"])]
    return days


def snoozed_note(actor_id: str, until: datetime) -> str:
    return f":zzz: {user(actor_id)} snoozed this until {date(until)}."


def on_it_note(actor_id: str) -> str:
    return f":white_check_mark: {user(actor_id)} is on it. The clock has restarted."


def moved_on_note(reference: str, stage_label: str) -> str:
    return f":fast_forward: {reference} has moved on since this reminder (it is {stage_label.lower()} now)."


def handled_message(notice: NudgeNotice, note_text: str) -> tuple[str, Blocks]:
    """The nudge once someone has snoozed it or taken it on: the same words, no buttons, who did what."""
    text, body = _body(notice)
    return text, [section(body), context(note_text)]
