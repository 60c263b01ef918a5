"""The Home's builders and state, and the portfolio's arithmetic, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.config import load_strategy
from bot.views.home import (
    OVERVIEW,
    SECTIONS,
    HomeIdea,
    HomeState,
    PersonHome,
    apply_action,
    home_view,
    next_step,
)
from bot.views.home_staff import PAGE_ROWS, SectionPage, StaffHome, staff_blocks
from bot.views.ids import Action
from bot.views.portfolio import portfolio_blocks, portfolio_summary_blocks
from models import Stage
from models.portfolio import build_portfolio
from tests.conftest import ROOT
from tests.support.blockkit import HOSTILE, assert_slack_sdk_accepts_view, live_markup, mrkdwn_texts, view_problems

STRATEGY = load_strategy(ROOT / "strategy.yml")
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
VIEWER = "UCOACH0001"


def ideas(count: int, stage: Stage = Stage.IN_COACHING) -> list[HomeIdea]:
    return [
        HomeIdea(
            id=1_000_000 + number,
            title=HOSTILE[:150],
            stage=stage,
            submitter_id="USUBMIT001",
            coach_id=VIEWER,
            stage_entered_at=T0,
            revisit_on=date(2027, 4, 1),
            due=T0 + timedelta(days=2),
        )
        for number in range(count)
    ]


def staff_home(state: HomeState, per_section: int = 10_000) -> StaffHome:
    rows = PAGE_ROWS if state.section != OVERVIEW else 4
    sections = {key: SectionPage(ideas(rows), per_section) for key in SECTIONS}
    portfolio = build_portfolio(
        year=2027,
        unit="person-days",
        capacity=400,
        goals=[(goal.id, goal.title) for goal in STRATEGY.goals],
        stage_counts=[(goal.id, "submitted", 1000) for goal in STRATEGY.goals],
        go_ideas=[],
    )
    return StaffHome(state, sections, portfolio if state.section == OVERVIEW else None)


@pytest.mark.parametrize("state", [HomeState(), HomeState(section="stalled", page=40, stage="submitted")])
def test_the_staff_home_at_scale_stays_within_slacks_limits(state):
    view = home_view(PersonHome(ideas(15), 900), VIEWER, state, staff_blocks(staff_home(state), STRATEGY))
    assert len(view["blocks"]) <= 100
    assert view_problems(view) == []
    assert live_markup(*mrkdwn_texts(view)) == []
    assert_slack_sdk_accepts_view(view)


def test_paging_offers_previous_and_next_and_says_where_you_are():
    state = HomeState(section="ready", page=3)
    blocks = staff_blocks(staff_home(state, per_section=100), STRATEGY)
    pager = next(block for block in blocks if block.get("block_id") == "home:pager")
    assert [(e["text"]["text"], e["value"]) for e in pager["elements"]] == [("Previous", "2"), ("Next", "4")]
    assert any("Page 4 of 9" in str(block) for block in blocks)


def test_the_last_page_has_no_next():
    blocks = staff_blocks(staff_home(HomeState(section="ready", page=8), per_section=100), STRATEGY)
    pager = next(block for block in blocks if block.get("block_id") == "home:pager")
    assert [e["text"]["text"] for e in pager["elements"]] == ["Previous"]


def test_chosen_filters_are_shown_as_chosen():
    state = HomeState(stage="ready_for_decision", goal="fraud-losses", coach="UCOACH0002")
    filters = staff_blocks(staff_home(state), STRATEGY)[1]["elements"]
    assert filters[0]["initial_option"]["value"] == "ready_for_decision"
    assert filters[1]["initial_option"]["value"] == "fraud-losses"
    assert filters[2]["initial_user"] == "UCOACH0002"
    assert filters[3]["action_id"] == Action.HOME_CLEAR


def test_the_state_survives_its_metadata_and_forgets_what_it_cannot_trust():
    state = HomeState(section="mine", page=2, stage="not_now", goal="none", coach="UCOACH0002")
    assert HomeState.from_metadata(state.to_metadata()) == state
    assert HomeState.from_metadata('{"s": "drop table", "p": -1, "st": "nonsense", "c": "<!channel>"}') == HomeState()
    assert HomeState.from_metadata("not json") == HomeState()


def test_actions_change_the_state_and_a_new_filter_starts_at_page_one():
    state = HomeState(section="ready", page=3)
    chosen = {"action_id": Action.HOME_GOAL, "selected_option": {"value": "fraud-losses"}}
    assert apply_action(state, chosen) == HomeState(section="ready", goal="fraud-losses")
    assert apply_action(state, {"action_id": Action.HOME_PAGE, "value": "4"}).page == 4
    assert apply_action(state, {"action_id": Action.HOME_SECTION, "value": OVERVIEW}).section == OVERVIEW
    assert apply_action(HomeState(stage="ready_for_decision"), {"action_id": Action.HOME_CLEAR}) == HomeState()


def test_whose_turn_it_is_follows_who_spoke_last():
    idea = ideas(1)[0]
    assert "The coach's" in next_step(idea, "USUBMIT001")
    spoke = HomeIdea(**{**idea.__dict__, "last_reply_by": VIEWER})
    assert "The coach spoke last: your turn" in next_step(spoke, "USUBMIT001")
    assert f"<@{idea.submitter_id}>'s turn" in next_step(spoke, VIEWER)


def test_portfolio_effort_is_split_between_an_ideas_goals_and_unlinked_ideas_are_their_own_line():
    portfolio = build_portfolio(
        year=2027,
        unit="person-days",
        capacity=100,
        goals=[("a", "Goal A"), ("b", "Goal B")],
        stage_counts=[("a", "decided_go", 2), ("b", "decided_go", 1), (None, "submitted", 4), ("gone", "submitted", 1)],
        go_ideas=[(1, 30.0, ["a", "b"]), (2, 10.0, ["a"]), (3, 5.0, []), (4, None, ["b"])],
    )
    lines = {line.goal_id: line for line in portfolio.lines}
    assert (lines["a"].go_count, lines["a"].effort) == (2, 25.0)
    assert (lines["b"].go_count, lines["b"].effort) == (2, 15.0)
    assert (lines[None].go_count, lines[None].effort, lines[None].ideas) == (1, 5.0, 5)
    assert portfolio.effort == 45.0 and portfolio.go_count == 4 and portfolio.share == 0.45
    text, blocks = portfolio_blocks(portfolio)
    assert blocks[0]["text"]["text"] == "Portfolio against the 2027 goals"
    assert "45 person-days committed by 4 Go decision(s) of 100 person-days capacity (45%)" in text
    assert len(portfolio_summary_blocks(portfolio)) <= 5


def test_counts_past_the_cap_say_so_and_paging_goes_on():
    blocks = staff_blocks(staff_home(HomeState(section="queue", page=50), per_section=501), STRATEGY)
    assert "(500+)" in str(blocks[2]) and "Page 51, of more than 500 ideas" in str(blocks)
    pager = next(block for block in blocks if block.get("block_id") == "home:pager")
    assert [e["text"]["text"] for e in pager["elements"]] == ["Previous", "Next"]
