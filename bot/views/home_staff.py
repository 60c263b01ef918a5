"""The PMO's part of the App Home: filters, the pipeline's sections with paging, and the portfolio."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.config import Strategy
from bot.views.blocks import Blocks, actions, button, choices, context, header, option, section
from bot.views.home import OVERVIEW, SECTIONS, HomeIdea, HomeState
from bot.views.ids import Action
from bot.views.portfolio import Portfolio, portfolio_summary_blocks
from bot.views.text import ago, safe, user
from models.lifecycle import Stage

OVERVIEW_ROWS = 4
PAGE_ROWS = 12
NO_GOAL = "none"
# Counts stop here: past it a Home says "500+" (see bot/services/home_sections.py).
COUNT_CAP = 500


@dataclass(frozen=True)
class SectionPage:
    items: list[HomeIdea]
    total: int


@dataclass(frozen=True)
class StaffHome:
    state: HomeState
    sections: dict[str, SectionPage]
    portfolio: Portfolio | None = None


def staff_blocks(home: StaffHome, strategy: Strategy) -> Blocks:
    blocks: Blocks = [header("PMO pipeline"), *filter_blocks(home.state, strategy)]
    if home.state.section == OVERVIEW:
        for key, title in SECTIONS.items():
            blocks += _overview_section(key, title, home.sections.get(key, SectionPage([], 0)))
        if home.portfolio is not None:
            blocks += portfolio_summary_blocks(home.portfolio)
    else:
        key = home.state.section
        blocks += _focused_section(key, home.sections.get(key, SectionPage([], 0)), home.state.page)
    return blocks


def filter_blocks(state: HomeState, strategy: Strategy) -> Blocks:
    stage_options = [option("Any stage", "any")] + [option(stage.label, stage.value) for stage in Stage]
    goal_options = [option("Any goal", "any"), option("Linked to no goal", NO_GOAL)]
    goal_options += [option(goal.title, goal.id) for goal in strategy.goals][:98]
    elements = [
        _select(Action.HOME_STAGE, "Stage", stage_options, state.stage),
        _select(Action.HOME_GOAL, "Goal", goal_options, state.goal),
        _coach_select(state.coach),
    ]
    if state.filters:
        elements.append(button("Clear filters", Action.HOME_CLEAR, "clear"))
    blocks: Blocks = [actions("home:filters", *elements)]
    if state.filters:
        blocks.append(context("Filtered by " + ", ".join(_filter_text(state, strategy))))
    return blocks


def _filter_text(state: HomeState, strategy: Strategy) -> list[str]:
    parts = []
    if state.stage:
        parts.append(f"stage: {Stage(state.stage).label}")
    if state.goal:
        goal = strategy.goal(state.goal)
        parts.append("no goal" if state.goal == NO_GOAL else f"goal: {safe(goal.title if goal else state.goal, 80)}")
    if state.coach:
        parts.append(f"coach: {user(state.coach)}")
    return parts


def _select(action_id: str, placeholder: str, options: list[dict], chosen: str | None) -> dict[str, Any]:
    initial = next((item for item in options if item["value"] == chosen), None)
    return choices("static_select", options, initial, placeholder=placeholder, action_id=action_id)


def _coach_select(coach: str | None) -> dict[str, Any]:
    element = {
        "type": "users_select",
        "action_id": Action.HOME_COACH,
        "placeholder": {"type": "plain_text", "text": "Coach"},
    }
    if coach:
        element["initial_user"] = coach
    return element


def staff_line(idea: HomeIdea) -> dict[str, Any]:
    stage = Stage(idea.stage)
    text = (
        f"*{idea.reference}* {safe(idea.title, 120)}\n"
        f"{stage.label} since {ago(idea.stage_entered_at)} · from {user(idea.submitter_id)} · "
        f"coach {user(idea.coach_id)}"
    )
    if stage is Stage.NOT_NOW and idea.revisit_on:
        text += f" · back on {idea.revisit_on.strftime('%-d %b %Y')}"
    return {**section(text), "accessory": button("Details", Action.VIEW_DETAILS, str(idea.id))}


def _count(total: int) -> str:
    return f"{COUNT_CAP}+" if total > COUNT_CAP else str(total)


def _overview_section(key: str, title: str, page: SectionPage) -> Blocks:
    heading = {**section(f"*{title}* ({_count(page.total)})")}
    if page.total > OVERVIEW_ROWS:
        heading["accessory"] = button(f"See all {_count(page.total)}", Action.HOME_SECTION, key)
    blocks: Blocks = [heading]
    if not page.items:
        blocks.append(context("Nothing here."))
    blocks += [staff_line(idea) for idea in page.items[:OVERVIEW_ROWS]]
    return blocks


def _focused_section(key: str, page: SectionPage, number: int) -> Blocks:
    pages = max((page.total + PAGE_ROWS - 1) // PAGE_ROWS, 1)
    more = page.total > COUNT_CAP  # past the cap there may be further pages than the count says
    heading = {
        **section(f"*{SECTIONS[key]}* ({_count(page.total)})"),
        "accessory": button("Back to the overview", Action.HOME_SECTION, OVERVIEW),
    }
    blocks: Blocks = [heading]
    blocks += [staff_line(idea) for idea in page.items[:PAGE_ROWS]] or [context("Nothing here.")]
    pager = []
    if number > 0:
        pager.append(button("Previous", Action.HOME_PAGE, str(number - 1)))
    if number + 1 < pages or (more and len(page.items) >= PAGE_ROWS):
        pager.append(button("Next", Action.HOME_PAGE, str(number + 1)))
    where = (
        f"Page {number + 1}, of more than {COUNT_CAP} ideas" if more else f"Page {min(number + 1, pages)} of {pages}"
    )
    blocks.append(context(where))
    if pager:
        blocks.append(actions("home:pager", *pager))
    return blocks
