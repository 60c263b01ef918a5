"""Block Kit for coaching: the kickoff, notes, the coach's catch-up, and the coaching modals."""

from __future__ import annotations

from typing import Any

from bot.config import Strategy
from bot.views.blocks import (
    Blocks,
    actions,
    button,
    context,
    fields,
    input_block,
    input_value,
    modal,
    section,
    state_of,
    text_input,
)
from bot.views.ids import Action, Callback
from bot.views.intake import goals_select
from bot.views.logframe import FIELD_LABELS, GOAL_OBJECTIVE
from bot.views.messages import goals_text, heading
from bot.views.text import date, link, quote, safe, user
from models import Idea, Move, ThreadMessage
from models.access import Viewer, allowed

COACHING_QUESTIONS = (
    "*1. What are we trying to accomplish, and why?* The goal it serves, the change we'd see, and the deliverables.",
    "*2. How will we measure success?* Quantity, quality, time, and how we'd check each.",
    "*3. What other conditions must exist?* Things outside our control that must hold, and what we'd do if they don't.",
    "*4. How do we get there?* Activities, people, rough effort. (We ask this last on purpose.)",
    "*And: what other ways could reach the same goal?*",
)

ALIGNMENT_NOTE_MAX = 1000
WITHDRAW_REASON_MIN = 10
WITHDRAW_REASON_MAX = 1000


def kickoff(idea: Idea, strategy: Strategy, *, previous_coach: str | None = None) -> tuple[str, Blocks]:
    """The first message of a coaching conversation; the conversation happens in its thread."""
    greeting = (
        f"Hi {user(idea.submitter_id)}! I'm {user(idea.coach_id)} from the PMO, and I'll be your coach for "
        f"*{idea.reference}*. My job is to help you shape this idea and connect it to our goals before the "
        "PMO decides, not to judge it."
    )
    if previous_coach:
        greeting += f"\nI'm picking up from {user(previous_coach)}; everything said so far is kept with the idea."
    text = f"Coaching for {idea.reference}: {safe(idea.title, 150)}"
    blocks: Blocks = [
        section(greeting),
        section(f"*{safe(heading(idea), 200)}*\n{quote(idea.proposal, 800)}"),
        fields(("Goals it may serve", goals_text(idea, strategy)), ("LogFrame", idea.worksheet.completeness)),
        section("*Let's think it through together. Reply in this thread:*\n" + "\n".join(COACHING_QUESTIONS)),
        context(
            "Everything said in this thread is kept with the idea. "
            "The LogFrame worksheet captures the answers; either of you can fill it in."
        ),
    ]
    if buttons := kickoff_buttons(idea):
        blocks.append(actions(f"kickoff:{idea.id}", *buttons))
    return text, blocks


KICKOFF_BUTTONS = (
    (Move.EDIT_LOGFRAME, "Fill in the LogFrame", Action.OPEN_LOGFRAME, "primary"),
    (Move.CONFIRM_ALIGNMENT, "Strategy alignment", Action.OPEN_ALIGNMENT, None),
    (Move.MARK_READY, "Ready for decision", Action.MARK_READY, None),
    (Move.WITHDRAW, "Withdraw idea", Action.WITHDRAW, None),
)


def kickoff_readers(idea: Idea) -> tuple[Viewer, ...]:
    """The kickoff is shared by the submitter and the coach (PMO staff)."""
    return Viewer(idea.submitter_id), Viewer(idea.coach_id or "", is_staff=True)


def kickoff_buttons(idea: Idea) -> list[dict[str, Any]]:
    """A button for each move the lifecycle allows now and either reader's role allows."""
    return [
        button(label, action_id, str(idea.id), style)
        for move, label, action_id, style in KICKOFF_BUTTONS
        if any(allowed(idea, reader, move) for reader in kickoff_readers(idea))
    ]


def note(text: str) -> tuple[str, Blocks]:
    """A short status line in a thread; `text` must already be safe mrkdwn."""
    return text, [context(text)]


def catch_up(
    idea: Idea, strategy: Strategy, recent: list[ThreadMessage], previous_coach: str | None
) -> tuple[str, Blocks]:
    """The DM a newly assigned coach gets: the idea, the LogFrame so far, the latest messages."""
    worksheet = idea.worksheet
    intro = f"You're now coaching *{idea.reference}* for {user(idea.submitter_id)}."
    if previous_coach:
        intro += f" {user(previous_coach)} coached it before you."
    blocks: Blocks = [
        section(intro),
        section(f"*{safe(idea.title, 150)}*\n*Problem:* {safe(idea.problem, 600)}\n*Idea:* {safe(idea.proposal, 600)}"),
        fields(
            ("Goals", goals_text(idea, strategy)),
            ("Stage", idea.current_stage.label),
            ("LogFrame", worksheet.completeness),
            ("Success signal", safe(idea.success_signal, 300)),
        ),
    ]
    filled = [f"• {label}: {safe(value, 200)}" for label, value in logframe_lines(idea, strategy)]
    if filled:
        blocks.append(section("*LogFrame so far*\n" + "\n".join(filled[:12])))
    if recent:
        lines = [
            f"{user(message.user_id)} ({date(message.posted_at)}): {safe(message.text, 300)}" for message in recent
        ]
        blocks.append(section("*Latest in the thread*\n" + "\n".join(lines)))
    # The link to the new thread is added at delivery (`thread_link`): the thread opens after the commit.
    return f"You're now coaching {idea.reference}: {safe(idea.title, 150)}", blocks


def thread_link(permalink: str) -> dict[str, Any]:
    return context(link(permalink, "Open the coaching thread"))


def logframe_lines(idea: Idea, strategy: Strategy) -> list[tuple[str, str]]:
    """(label, text) for every filled cell, in worksheet order; the goal shown by its title."""
    cells = idea.worksheet.cells
    lines = []
    for key, label in FIELD_LABELS.items():
        value = cells.get(key)
        if not value:
            continue
        if key == GOAL_OBJECTIVE:
            goal = strategy.goal(value)
            value = goal.title if goal else value
        lines.append((label, value))
    return lines


def ready_notice(idea: Idea) -> tuple[str, Blocks]:
    text = f"{idea.reference} is ready for a decision"
    return text, [
        section(
            f":large_green_circle: *{safe(heading(idea), 200)}* is ready for a decision. "
            f"Coach: {user(idea.coach_id)}. LogFrame: {idea.worksheet.completeness}."
        ),
        actions(f"ready:{idea.id}", button("View details", Action.VIEW_DETAILS, str(idea.id))),
    ]


# --- modals ---------------------------------------------------------------------------------------

COACH_BLOCK = "coach"
GOALS_BLOCK = "goals"
NOTE_BLOCK = "note"
REASON_BLOCK = "reason"
NOT_STAFF = "Choose someone on the PMO staff list."
ALREADY_COACHING = "They are already coaching this idea."


def assign_coach_modal(idea: Idea) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "users_select",
        "action_id": Action.INPUT,
        "placeholder": {"type": "plain_text", "text": "Choose a PMO coach"},
    }
    if idea.coach_id:
        element["initial_user"] = idea.coach_id
    return modal(
        Callback.ASSIGN_COACH,
        "Assign a coach",
        [
            section(f"Who should coach *{safe(heading(idea), 200)}*?"),
            input_block(COACH_BLOCK, "Coach", element),
        ],
        submit="Assign",
        metadata=str(idea.id),
    )


def parse_assign_coach(view: dict[str, Any]) -> str:
    return input_value(state_of(view), COACH_BLOCK) or ""


def alignment_modal(idea: Idea, strategy: Strategy) -> dict[str, Any]:
    goals = goals_select(strategy, idea.goal_ids, unsure=False)
    return modal(
        Callback.ALIGNMENT,
        "Strategy alignment",
        [
            section(f"Which of this year's goals does *{safe(heading(idea), 200)}* serve, and how?"),
            input_block(GOALS_BLOCK, "Annual goals", goals),
            text_input(
                NOTE_BLOCK,
                "How it connects to the strategy",
                max_length=ALIGNMENT_NOTE_MAX,
                min_length=10,
                initial=idea.alignment_note or "",
                hint="In a sentence or two: which goal it moves, and by roughly how much.",
            ),
        ],
        submit="Save",
        metadata=str(idea.id),
    )


def parse_alignment(view: dict[str, Any], strategy: Strategy) -> tuple[list[str], str, dict[str, str]]:
    state = state_of(view)
    goal_ids = input_value(state, GOALS_BLOCK) or []
    note_text = input_value(state, NOTE_BLOCK) or ""
    errors: dict[str, str] = {}
    known = {goal.id for goal in strategy.goals}
    if not goal_ids:
        errors[GOALS_BLOCK] = "Choose at least one annual goal."
    elif any(goal_id not in known for goal_id in goal_ids):
        errors[GOALS_BLOCK] = "One of these is no longer an annual goal; please choose again."
    if len(note_text.strip()) < 10:
        errors[NOTE_BLOCK] = "Please say in a sentence how it connects (at least 10 characters)."
    elif len(note_text) > ALIGNMENT_NOTE_MAX:
        errors[NOTE_BLOCK] = f"Please keep this under {ALIGNMENT_NOTE_MAX} characters."
    return goal_ids, note_text.strip(), errors


def withdraw_modal(idea: Idea) -> dict[str, Any]:
    return modal(
        Callback.WITHDRAW,
        "Withdraw idea",
        [
            section(f"Withdraw *{safe(heading(idea), 200)}*? Your coach and the PMO will see your reason."),
            text_input(
                REASON_BLOCK,
                "Why are you withdrawing it?",
                max_length=WITHDRAW_REASON_MAX,
                min_length=WITHDRAW_REASON_MIN,
            ),
        ],
        submit="Withdraw",
        metadata=str(idea.id),
    )


def parse_withdraw(view: dict[str, Any]) -> tuple[str, dict[str, str]]:
    reason = input_value(state_of(view), REASON_BLOCK) or ""
    if len(reason.strip()) < WITHDRAW_REASON_MIN:
        return reason, {REASON_BLOCK: f"Please give a reason (at least {WITHDRAW_REASON_MIN} characters)."}
    if len(reason) > WITHDRAW_REASON_MAX:
        return reason, {REASON_BLOCK: f"Please keep this under {WITHDRAW_REASON_MAX} characters."}
    return reason.strip(), {}
