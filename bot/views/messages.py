"""Block Kit for messages about ideas: pure functions from ideas to (text, blocks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import Strategy
from bot.views.blocks import Blocks, actions, button, confirmed, context, fields, header, modal, section
from bot.views.ids import Action, Callback
from bot.views.joining import credits_line, pair_value
from bot.views.text import ago, date, link, quote, safe, user
from models import Idea, Move, Stage
from models.access import Viewer, allowed
from models.intake import Beneficiary, HelpOffer
from models.lifecycle import DecideAs, can, decide_as


def heading(idea: Idea) -> str:
    return f"{idea.reference} · {idea.title}"


def goals_text(idea: Idea, strategy: Strategy) -> str:
    titles = strategy.goal_titles(idea.goal_ids)
    if titles:
        return "\n".join(f"• {safe(title, 200)}" for title in titles)
    return "_Not sure yet — the coach will help_" if idea.goal_unsure else "_None chosen_"


def beneficiaries_text(idea: Idea) -> str:
    labels = [Beneficiary(value).label for value in idea.beneficiaries if value in Beneficiary.__members__.values()]
    text = ", ".join(labels) or "-"
    if idea.beneficiary_detail:
        text += f" ({safe(idea.beneficiary_detail, 500)})"
    return text


def _stage_line(idea: Idea) -> str:
    return f"{idea.current_stage.label} since {ago(idea.stage_entered_at)}"


# The card sits in the PMO channel, so it shows what a PMO member who decides may do.
CARD_READER = Viewer("", is_staff=True, is_decider=True)


def card_buttons(idea: Idea) -> list[dict[str, Any]]:
    """The card's buttons: exactly the moves the lifecycle and the PMO's role allow now."""
    value = str(idea.id)
    buttons = [button("View details", Action.VIEW_DETAILS, value)]
    if allowed(idea, CARD_READER, Move.ASSIGN_COACH):
        if idea.coach_id is None:
            buttons += [
                button("Coach this", Action.COACH_THIS, value, "primary"),
                button("Assign coach", Action.ASSIGN_COACH, value),
            ]
        else:
            buttons.append(button("Reassign coach", Action.ASSIGN_COACH, value))
    if allowed(idea, CARD_READER, Move.REVISIT):
        buttons.append(
            confirmed(
                button("Reopen for coaching", Action.REVISIT, value),
                "Reopen for coaching?",
                f"{idea.reference} goes back into coaching, and its coach and submitter are told.",
                "Reopen",
            )
        )
    if decide := decide_button(idea):
        buttons.append(decide)
    return buttons


def decide_button(idea: Idea) -> dict[str, Any] | None:
    """The decide button when the lifecycle allows a decision, with a confirmation where it is unusual."""
    value = str(idea.id)
    match decide_as(idea.current_stage):
        case DecideAs.DUE:
            return button("Decide", Action.DECIDE, value, "primary")
        case DecideAs.EARLY:
            return confirmed(
                button("Decide early", Action.DECIDE, value),
                "Decide before coaching ends?",
                f"{idea.reference} hasn't been marked ready for a decision. Decide it anyway?",
                "Decide now",
            )
        case DecideAs.CORRECTION:
            return confirmed(
                button("Correct decision", Action.DECIDE, value),
                "Correct the decision?",
                "The submitter will get a new notice marked as a correction; the original stays on record.",
                "Write a correction",
            )
    return None


def intake_card(idea: Idea, strategy: Strategy) -> tuple[str, Blocks]:
    """The card in the PMO channel, kept current with chat.update."""
    stage = idea.current_stage.label
    text = f"{idea.reference} from {user(idea.submitter_id)}: {safe(idea.title, 150)} ({stage})"
    blocks: Blocks = [
        header(heading(idea)),
        section(f"*The problem or opportunity*\n{safe(idea.problem, 700)}"),
        section(f"*The idea*\n{safe(idea.proposal, 700)}"),
        fields(
            ("Submitted by", user(idea.submitter_id)),
            ("Stage", _stage_line(idea)),
            ("Goals", goals_text(idea, strategy)),
            ("Coach", user(idea.coach_id)),
        ),
    ]
    if idea.alignment_note:
        blocks.append(section(f"*Strategy alignment*\n{safe(idea.alignment_note, 700)}"))
    notes = [f"Submitted {ago(idea.created_at)}"]
    if idea.coach_id:
        notes.append(f"LogFrame {idea.worksheet.completeness}")
    if idea.source_permalink:
        notes.append(link(idea.source_permalink, "From this message"))
    if credits := credits_line(idea):
        notes.append(credits)
    blocks.append(context(" · ".join(notes)))
    blocks.append(actions(f"card:{idea.id}", *card_buttons(idea)))
    blocks += similar_blocks(idea)
    return text, blocks


def similar_blocks(idea: Idea) -> Blocks:
    """Earlier ideas that sounded similar at submission, with a way to propose they join forces."""
    if not idea.similar:
        return []
    lines = [f"• *IDEA-{other['id']}* {safe(other['title'], 150)}" for other in idea.similar[:3]]
    blocks: Blocks = [section("*Sounds similar to*\n" + "\n".join(lines))]
    if can(idea.current_stage, Move.JOIN):
        buttons = [
            button(f"Propose joining IDEA-{other['id']}", Action.PROPOSE_JOIN, pair_value(idea.id, other["id"]))
            for other in idea.similar[:3]
        ]
        blocks.append(actions(f"similar:{idea.id}", *buttons))
    return blocks


def similar_hint(idea: Idea, similar: list) -> str:
    """What the submitter may know of similar ideas: their own by title, others' only by reference,
    stage and coach (never another person's words)."""
    lines = []
    for other in similar:
        stage = Stage(other.stage).label.lower()
        coach = f" with {user(other.coach_id)}" if other.coach_id else ""
        if other.submitter_id == idea.submitter_id:
            lines.append(f"• Your own *{other.reference}* “{safe(other.title, 150)}” sounds similar; it is {stage}.")
        else:
            lines.append(f"• *{other.reference}* sounds similar; it is {stage}{coach}.")
    return (
        "*Similar ideas*\n" + "\n".join(lines) + "\nYour coach may suggest joining forces; nothing happens "
        "without your agreement."
    )


def submitter_receipt(
    idea: Idea, strategy: Strategy, similar: list | None = None, coach_by: datetime | None = None
) -> tuple[str, Blocks]:
    """The DM thanking the submitter and saying what happens next, and by when (a date they can hold us to)."""
    days = strategy.clocks.unassigned_business_days
    when = "by the end of the next business day" if days == 1 else f"within {days} business days"
    if coach_by is not None:
        when += f" (by {date(coach_by, '{date_long_pretty}')})"
    text = f"Thanks! Your idea {idea.reference} “{safe(idea.title, 150)}” has reached the PMO."
    blocks: Blocks = [
        section(f"*Thanks for sharing your idea!* It has reached the PMO as *{idea.reference}*."),
        section(f"*{safe(idea.title, 150)}*\n{quote(idea.proposal, 600)}"),
        fields(("Who benefits", beneficiaries_text(idea)), ("Goals", goals_text(idea, strategy))),
        section(
            "*What happens next*\n"
            f"1. A PMO coach will pick it up {when} and reach out to you here in Slack.\n"
            "2. Together you'll shape it: what it should achieve, how we'd measure it, "
            "what must be true for it to work, and other ways to reach the same goal.\n"
            "3. The PMO then decides go, no-go or not now, and you'll hear the reasons from us directly."
        ),
        context(f"Check on it any time with `/idea {idea.reference}`, or see all yours with `/idea mine`."),
    ]
    if similar:
        blocks.insert(-1, section(similar_hint(idea, similar)))
    return text, blocks


MESSAGE_TEXT_LIMIT = 1500
MODAL_TEXT_LIMIT = 2900


def details_blocks(
    idea: Idea, strategy: Strategy, *, can_decide: bool = False, text_limit: int = MESSAGE_TEXT_LIMIT
) -> Blocks:
    """An idea's details. In a message every answer is clipped shorter, to keep the whole message
    under Slack's total text limit for messages (about 12k characters)."""
    thread = idea.current_thread
    conversation = link(thread.permalink, "Open the coaching thread") if thread and thread.permalink else "-"
    blocks: Blocks = [
        header(heading(idea)),
        fields(
            ("Stage", _stage_line(idea)),
            ("Coach", user(idea.coach_id)),
            ("Submitted by", user(idea.submitter_id)),
            ("Submitted", date(idea.created_at)),
            ("LogFrame", idea.worksheet.completeness),
            ("Coaching conversation", conversation),
        ),
        section(f"*The problem or opportunity*\n{safe(idea.problem, text_limit)}"),
        section(f"*The idea*\n{safe(idea.proposal, text_limit)}"),
        fields(("Who benefits", beneficiaries_text(idea)), ("Goals", goals_text(idea, strategy))),
    ]
    if idea.alignment_note:
        blocks.append(section(f"*Strategy alignment*\n{safe(idea.alignment_note, text_limit)}"))
    blocks.append(section(f"*How we would know it worked*\n{safe(idea.success_signal, text_limit)}"))
    if idea.tried_before:
        blocks.append(section(f"*Already tried*\n{safe(idea.tried_before, text_limit)}"))
    offers = HelpOffer.__members__.values()
    help_label = HelpOffer(idea.help_offer).label if idea.help_offer in offers else "-"
    blocks.append(context(f"Help delivering it: {help_label}"))
    if idea.source_permalink:
        blocks.append(context(link(idea.source_permalink, "From this message")))
    buttons = []
    if text_limit < MODAL_TEXT_LIMIT:
        buttons.append(button("Open full details", Action.VIEW_DETAILS, str(idea.id)))
    if can_decide and (decide := decide_button(idea)):
        buttons.append(decide)
    if buttons:
        blocks.append(actions(f"details:{idea.id}", *buttons))
    return blocks


def details_modal(idea: Idea, strategy: Strategy, *, can_decide: bool = False) -> dict[str, Any]:
    blocks = details_blocks(idea, strategy, can_decide=can_decide, text_limit=MODAL_TEXT_LIMIT)
    return modal(Callback.DETAILS, idea.reference, blocks, close="Close", metadata=str(idea.id))


def my_ideas(ideas: list[Idea], total: int) -> tuple[str, Blocks]:
    """The newest of someone's ideas (as many as the service read) and how many they have in all."""
    if not ideas:
        return "You haven't submitted any ideas yet.", [
            section("You haven't submitted any ideas yet. Try `/idea` followed by a short title.")
        ]
    lines = [f"*{idea.reference}* {safe(idea.title, 150)} — {_stage_line(idea)}" for idea in ideas]
    blocks: Blocks = [section("*Your ideas*")]
    for start in range(0, len(lines), 10):
        blocks.append(section("\n".join(lines[start : start + 10])))
    if total > len(ideas):
        blocks.append(context(f"Showing the latest {len(ideas)} of {total}."))
    blocks.append(context("Type `/idea IDEA-n` for the details of one."))
    return f"You have {total} idea(s).", blocks


HELP_TEXT = (
    "*Idea Coach* turns your improvement ideas into coaching conversations with the PMO.\n"
    "• `/idea` or `/idea a short title` — submit an idea\n"
    "• `/idea mine` — your ideas and where each stands\n"
    "• `/idea IDEA-12` — the status of one idea\n"
    "• `/idea help` — this message\n"
    "• `/idea portfolio` and `/idea report [from] [to]` — for PMO staff: the portfolio against the goals, "
    "and a CSV report (dates like `2027-01-01 2027-03-31` or `last 90 days`)\n"
    "You can also use the *Submit an idea* shortcut, or *Turn into an idea* on any message."
)


def help_message() -> tuple[str, Blocks]:
    return "How to use Idea Coach", [section(HELP_TEXT)]


def notice(text: str) -> tuple[str, Blocks]:
    """A short message (a refusal, a not-found) for the person who asked."""
    return text, [section(text)]


ALREADY_UNDERSTOOD = "You've already marked this decision as understood, so nothing has changed."


def already_asked(helper_id: str) -> str:
    return (
        f"You've already asked about this decision, and I've asked {user(helper_id)} to join you. "
        "Nothing new was posted."
    )


NOT_MINE_ANY_MORE = (
    "That's something I don't do (any more), so nothing has changed. Type `/idea help` to see what I can do."
)


def something_went_wrong(request_id: str) -> str:
    return (
        "Sorry, something went wrong on my side and that didn't work. "
        f"If it keeps happening, tell the PMO and mention reference `{request_id}`."
    )
