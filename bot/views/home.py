"""The App Home tab: what everyone sees, the view's state (section, page, filters), and the entry builder.

The PMO's sections live in bot/views/home_staff.py; this module assembles the tab and keeps it within
Slack's 100-block limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from bot.views.blocks import Blocks, button, context, divider, header, modal, section
from bot.views.ids import Action, Callback
from bot.views.text import ago, link, safe, user
from bot.views.text import date as slack_date
from models.lifecycle import Stage

MAX_BLOCKS = 100
OWN_IDEAS_SHOWN = 15
OWN_IDEAS_SHOWN_TO_STAFF = 5


@dataclass(frozen=True)
class HomeIdea:
    """One idea as a Home line shows it."""

    id: int
    title: str
    stage: str
    submitter_id: str
    coach_id: str | None
    stage_entered_at: datetime
    revisit_on: date | None = None
    last_reply_by: str | None = None
    thread_link: str | None = None
    due: datetime | None = None  # the date the PMO promised: a coach by, or a decision by

    @property
    def reference(self) -> str:
        return f"IDEA-{self.id}"


@dataclass(frozen=True)
class PersonHome:
    ideas: list[HomeIdea]
    total: int


SECTIONS: dict[str, str] = {
    "queue": "Queue: waiting for a coach",
    "mine": "My coaching",
    "ready": "Ready for decision",
    "stalled": "Stalled past their clock",
    "returning": "Not now, coming back within 30 days",
    "decided": "Recently decided",
}
OVERVIEW = "overview"


@dataclass(frozen=True)
class HomeState:
    """What a person's Home shows: a section (or the overview), a page and filters. Kept in the view's
    private_metadata, so every click carries it back, and stored with the person for refreshes."""

    section: str = OVERVIEW
    page: int = 0
    stage: str | None = None
    goal: str | None = None  # a goal id, or "none" for ideas linked to no goal
    coach: str | None = None

    def to_metadata(self) -> str:
        values = {"s": self.section, "p": self.page, "st": self.stage, "g": self.goal, "c": self.coach}
        return json.dumps({key: value for key, value in values.items() if value not in (None, 0, OVERVIEW)})

    @classmethod
    def from_metadata(cls, text: str | None) -> HomeState:
        """The state in `text`; anything unreadable or unknown falls back to the default."""
        try:
            raw = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(raw, dict):
            return cls()
        section = raw.get("s") if raw.get("s") in SECTIONS else OVERVIEW
        page = raw.get("p") if isinstance(raw.get("p"), int) and 0 <= raw["p"] < 10_000 else 0
        stage = raw.get("st") if raw.get("st") in {stage.value for stage in Stage} else None
        goal, coach = raw.get("g"), raw.get("c")
        return cls(
            section=section,
            page=page,
            stage=stage,
            goal=goal if isinstance(goal, str) and len(goal) <= 64 else None,
            coach=coach if isinstance(coach, str) and coach[:1] in ("U", "W") and len(coach) <= 32 else None,
        )

    def filtered(self, **changes: Any) -> HomeState:
        """A new filter starts again at the first page."""
        return replace(self, page=0, **changes)

    @property
    def filters(self) -> dict[str, str]:
        return {
            key: value for key, value in (("stage", self.stage), ("goal", self.goal), ("coach", self.coach)) if value
        }


def apply_action(state: HomeState, action: dict[str, Any]) -> HomeState:
    """The state after a click or a choice in the Home (parser of what the Home builds)."""
    action_id = action.get("action_id")
    chosen = (action.get("selected_option") or {}).get("value")
    if action_id == Action.HOME_STAGE:
        return state.filtered(stage=None if chosen in (None, "any") else chosen)
    if action_id == Action.HOME_GOAL:
        return state.filtered(goal=None if chosen in (None, "any") else chosen)
    if action_id == Action.HOME_COACH:
        return state.filtered(coach=action.get("selected_user") or None)
    if action_id == Action.HOME_CLEAR:
        return HomeState(section=state.section)
    if action_id == Action.HOME_SECTION:
        value = action.get("value")
        return replace(state, section=value if value in SECTIONS else OVERVIEW, page=0)
    if action_id == Action.HOME_PAGE:
        value = action.get("value") or ""
        return replace(state, page=int(value)) if value.isdigit() and int(value) < 10_000 else state
    return state


# --- what everyone sees ---------------------------------------------------------------------------------

HOW_IT_WORKS = (
    "*How it works*\n"
    "1. Share an idea with *Submit an idea* below, `/idea a short title`, or *Turn into an idea* on any message.\n"
    "2. A PMO coach reaches out to you here in Slack and helps you shape it against this year's goals.\n"
    "3. The PMO decides go, no-go or not now, and tells you why, specifically."
)


def intro_blocks() -> Blocks:
    return [
        header("Idea Coach"),
        {
            **section(
                "Have an idea that would make things better for members or colleagues? "
                "Share it and a PMO coach will help you shape it."
            ),
            "accessory": button("Submit an idea", Action.OPEN_INTAKE, "home", "primary"),
        },
    ]


def next_step(idea: HomeIdea, viewer: str) -> str:
    """What happens next and whose turn it is, with the date the PMO promised where there is one."""
    stage = Stage(idea.stage)
    due = f" by {slack_date(idea.due, '{date_short_pretty}')}" if idea.due else ""
    if stage is Stage.SUBMITTED:
        return f"Next: a PMO coach reaches out{due}. _The PMO's turn._"
    if stage is Stage.IN_COACHING:
        if idea.coach_id and idea.last_reply_by == idea.coach_id:
            turn = "your" if viewer == idea.submitter_id else f"{user(idea.submitter_id)}'s"
            return f"Next: shape it together in the coaching thread. _The coach spoke last: {turn} turn._"
        turn = "Yours" if viewer == idea.coach_id else f"The coach's ({user(idea.coach_id)})"
        return f"Next: shape it together in the coaching thread. _{turn} turn._"
    if stage is Stage.READY_FOR_DECISION:
        return f"Next: the PMO decides{due}. _The deciders' turn._"
    if stage is Stage.NOT_NOW:
        when = idea.revisit_on.strftime("%-d %B %Y") if idea.revisit_on else "a later date"
        return f"Not now: the PMO brings it back on {when}."
    if stage is Stage.DECIDED_GO:
        return "Go: it is being delivered."
    if stage is Stage.JOINED:
        return "It joined forces with a similar idea; you follow that one now."
    return "Closed."


def idea_line(idea: HomeIdea, viewer: str) -> dict[str, Any]:
    stage = Stage(idea.stage)
    links = [link(idea.thread_link, "Coaching thread")] if idea.thread_link else []
    text = (
        f"*{idea.reference}* {safe(idea.title, 150)}\n"
        f"{stage.label} since {ago(idea.stage_entered_at)} · coach {user(idea.coach_id)}"
        f"{' · ' + ' · '.join(links) if links else ''}\n{next_step(idea, viewer)}"
    )
    if stage in (Stage.DECIDED_GO, Stage.DECIDED_NO_GO, Stage.NOT_NOW):
        accessory = button("Read the explanation", Action.OPEN_EXPLANATION, str(idea.id))
    else:
        accessory = button("Details", Action.VIEW_DETAILS, str(idea.id))
    return {**section(text), "accessory": accessory}


def person_blocks(person: PersonHome, viewer: str, *, shown: int = OWN_IDEAS_SHOWN) -> Blocks:
    if not person.ideas:
        return [section("You haven't shared an idea yet."), section(HOW_IT_WORKS)]
    blocks: Blocks = [header("Your ideas")]
    blocks += [idea_line(idea, viewer) for idea in person.ideas[:shown]]
    if person.total > shown:
        blocks.append(context(f"Showing your latest {shown} of {person.total}. `/idea mine` lists them all."))
    return blocks


def home_view(
    person: PersonHome,
    viewer: str,
    state: HomeState | None = None,
    staff_blocks: Blocks | None = None,
    *,
    admin: bool = False,
):
    """The Home tab for `viewer`: the PMO's sections first for staff, then their own ideas."""
    state = state or HomeState()
    blocks = intro_blocks()
    if admin:
        blocks.append(context("You're an admin of Idea Coach: `/idea admin` shows the strategy and reloads it."))
    if staff_blocks is None:
        blocks += [divider(), *person_blocks(person, viewer)]
    else:
        blocks += [divider(), *staff_blocks, divider(), *person_blocks(person, viewer, shown=OWN_IDEAS_SHOWN_TO_STAFF)]
    return {"type": "home", "blocks": fit(blocks), "private_metadata": state.to_metadata()}


def fit(blocks: Blocks, limit: int = MAX_BLOCKS) -> Blocks:
    """Never more than Slack's limit: the builders stay well under it; this is the last guard."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], context("Some items are not shown; narrow the filters to see them.")]


def explanation_modal(idea, notice: Blocks) -> dict[str, Any]:
    """The decision notice, opened again from the Home."""
    return modal(Callback.EXPLANATION, idea.reference, notice[:100], close="Close", metadata=str(idea.id))
