"""Coaching Block Kit: the kickoff, the LogFrame modal and its playback, the catch-up, and the coaching modals.

Ideas are built in memory (no database). Every view is checked against Slack's limits with the checks in
tests/unit/test_views.py, and with slack_sdk's models.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_strategy
from bot.views.coaching import (
    COACHING_QUESTIONS,
    alignment_modal,
    assign_coach_modal,
    catch_up,
    kickoff,
    parse_alignment,
    parse_assign_coach,
    parse_withdraw,
    thread_link,
    withdraw_modal,
)
from bot.views.ids import Action, Callback
from bot.views.logframe import logframe_modal, parse_logframe, playback_message
from models import ThreadMessage
from models.logframe import CELL_MAX_LENGTH, all_keys
from tests.support.blockkit import (
    HOSTILE,
    MAX_MESSAGE_BLOCKS,
    MAX_MODAL_BLOCKS,
    assert_slack_sdk_accepts_blocks,
    assert_slack_sdk_accepts_view,
    everything,
    fill,
    limit_problems,
    live_markup,
    mrkdwn_texts,
    view_problems,
)
from tests.support.driver import fill_state
from tests.support.ideas import make_idea

ROOT = Path(__file__).resolve().parents[2]
STRATEGY = load_strategy(ROOT / "strategy.yml")
SUBMITTER = "USUBMIT001"
COACH = "UCOACH0001"
T0 = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
FILLERS = [HOSTILE, "&", "<\n>\n&\n"]
FILLER_IDS = ["mentions", "ampersands", "brackets-and-newlines"]
PERMALINK = "https://credit.example/archives/CCOACH001/p1700000123000400"

CELLS = {
    "goal.objective": "loan-cycle-time",
    "purpose.objective": "Members hear about missing documents the same day",
    "purpose.measure": "Days waiting on documents drops from 4 to 1",
    "outcome1.objective": "An automatic text when a document is flagged",
    "outcome1.measure": "Sent within 5 minutes for 95% of flags",
    "inputs.objective": "Two developers for three weeks",
    "other_ways": "Officers could phone members instead",
}


def inputs_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def submitted(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    return view | {"state": {"values": fill_state(view, answers)}}


def assert_sound_view(view: dict[str, Any]) -> None:
    assert view_problems(view) == []
    assert live_markup(*mrkdwn_texts(view)) == []
    assert_slack_sdk_accepts_view(view)


def assert_sound_message(text: str, blocks: list[dict[str, Any]]) -> None:
    assert limit_problems(blocks, MAX_MESSAGE_BLOCKS) == []
    assert len(text) <= 40_000
    assert live_markup(*mrkdwn_texts(blocks)) == []
    assert_slack_sdk_accepts_blocks(blocks)


# --- kickoff ---------------------------------------------------------------------------------------


def test_kickoff_asks_the_four_logframe_questions_and_other_ways():
    _, blocks = kickoff(make_idea(), STRATEGY)
    shown = everything(blocks)
    for question in (
        "What are we trying to accomplish, and why?",
        "How will we measure success?",
        "What other conditions must exist?",
        "How do we get there?",
        "what other ways could reach the same goal?",
    ):
        assert question in shown
    assert all(question in shown for question in COACHING_QUESTIONS)
    assert shown.index("How will we measure success?") < shown.index("How do we get there?")


def test_kickoff_mentions_the_submitter_and_the_coach():
    text, blocks = kickoff(make_idea(), STRATEGY)
    shown = everything(blocks)
    assert f"<@{SUBMITTER}>" in shown
    assert f"<@{COACH}>" in shown
    assert "IDEA-42" in text


def test_kickoff_mentions_the_previous_coach_when_there_was_one():
    _, blocks = kickoff(make_idea(), STRATEGY, previous_coach="UCOACH0002")
    assert "picking up from <@UCOACH0002>" in everything(blocks)
    _, blocks = kickoff(make_idea(), STRATEGY)
    assert "picking up" not in everything(blocks)


def test_kickoff_has_the_four_buttons_for_the_idea():
    _, blocks = kickoff(make_idea(), STRATEGY)
    (buttons_block,) = [block for block in blocks if block["type"] == "actions"]
    buttons = buttons_block["elements"]
    assert [button["action_id"] for button in buttons] == [
        Action.OPEN_LOGFRAME,
        Action.OPEN_ALIGNMENT,
        Action.MARK_READY,
        Action.WITHDRAW,
    ]
    assert {button["value"] for button in buttons} == {"42"}
    assert buttons_block["block_id"] == "kickoff:42"


def test_kickoff_shows_goal_titles_and_logframe_completeness():
    _, blocks = kickoff(make_idea(cells=CELLS), STRATEGY)
    shown = everything(blocks)
    assert "Consumer loan decision in under 1 day" in shown
    assert "60% of routine transactions self-served" in shown
    assert "6 of 16 cells" in shown


@pytest.mark.parametrize("filler", FILLERS, ids=FILLER_IDS)
def test_kickoff_stays_within_limits_and_escapes_huge_hostile_ideas(filler):
    text, blocks = kickoff(make_idea(text=fill(filler, 3000)), STRATEGY)
    assert_sound_message(text, blocks)


# --- the LogFrame modal ----------------------------------------------------------------------------


def test_the_logframe_modal_stays_within_limits():
    view = logframe_modal(make_idea(cells=CELLS), STRATEGY)
    assert len(view["blocks"]) <= MAX_MODAL_BLOCKS
    assert view["callback_id"] == Callback.LOGFRAME
    assert view["private_metadata"] == "42"
    assert_sound_view(view)


def test_every_logframe_input_is_a_worksheet_key_used_once():
    view = logframe_modal(make_idea(), STRATEGY)
    block_ids = [block["block_id"] for block in view["blocks"] if block["type"] == "input"]
    assert len(block_ids) == len(set(block_ids))
    assert block_ids == all_keys()


def test_every_logframe_cell_is_optional_and_capped_within_slacks_limit():
    view = logframe_modal(make_idea(), STRATEGY)
    for block_id, block in inputs_of(view).items():
        assert block["optional"] is True, block_id
        element = block["element"]
        if element["type"] == "plain_text_input":
            assert element["max_length"] == CELL_MAX_LENGTH
            assert element["max_length"] <= 3000


def test_the_logframe_modal_shows_the_saved_cells():
    view = logframe_modal(make_idea(cells=CELLS), STRATEGY)
    inputs = inputs_of(view)
    for key, value in CELLS.items():
        if key != "goal.objective":
            assert inputs[key]["element"]["initial_value"] == value
    assert "initial_value" not in inputs["goal.measure"]["element"]
    assert "6 of 16 cells" in everything(view)


def test_the_logframe_goal_select_starts_at_the_saved_goal():
    goal = inputs_of(logframe_modal(make_idea(cells=CELLS), STRATEGY))["goal.objective"]["element"]
    assert goal["initial_option"]["value"] == "loan-cycle-time"
    assert goal["initial_option"]["text"]["text"] == "Consumer loan decision in under 1 day"
    assert [option["value"] for option in goal["options"]] == [goal.id for goal in STRATEGY.goals]


@pytest.mark.parametrize("cells", [None, {"goal.objective": "retired-goal"}], ids=["unsaved", "retired-goal"])
def test_the_logframe_goal_select_has_no_initial_option_without_a_current_saved_goal(cells):
    goal = inputs_of(logframe_modal(make_idea(cells=cells), STRATEGY))["goal.objective"]["element"]
    assert "initial_option" not in goal


def test_a_logframe_modal_full_of_huge_hostile_cells_stays_within_limits():
    cells = {key: fill(HOSTILE, CELL_MAX_LENGTH) for key in all_keys()} | {"goal.objective": "fraud-losses"}
    assert_sound_view(logframe_modal(make_idea(cells=cells, text=fill(HOSTILE, 150)), STRATEGY))


# --- parse_logframe --------------------------------------------------------------------------------

ANSWERS = CELLS | {
    "goal.assumptions": "Underwriting rules stay as they are",
    "outcome2.objective": "A weekly report of stalled files",
    "outcomes.verification": "SMS gateway delivery report",
    "inputs.assumptions": "The vendor API is available",
}


def test_a_filled_logframe_parses_back_to_its_cells():
    view = logframe_modal(make_idea(), STRATEGY)
    cells, errors = parse_logframe(submitted(view, ANSWERS), STRATEGY)
    assert errors == {}
    assert cells == {key: ANSWERS.get(key, "") for key in all_keys()}


def test_emptied_cells_parse_as_empty_text_so_they_can_be_cleared():
    view = logframe_modal(make_idea(cells=CELLS), STRATEGY)
    cells, errors = parse_logframe(submitted(view, {"purpose.objective": "Only this"}), STRATEGY)
    assert errors == {}
    assert cells["purpose.objective"] == "Only this"
    assert cells["goal.objective"] == ""
    assert cells["inputs.objective"] == ""
    assert set(cells) == set(all_keys())


def test_hostile_cells_at_the_maximum_parse_back_verbatim():
    answers = {key: fill(HOSTILE, CELL_MAX_LENGTH) for key in all_keys() if key != "goal.objective"}
    cells, errors = parse_logframe(submitted(logframe_modal(make_idea(), STRATEGY), answers), STRATEGY)
    assert errors == {}
    assert cells == answers | {"goal.objective": ""}


def test_an_over_long_cell_is_an_error_on_that_cell():
    view = logframe_modal(make_idea(), STRATEGY)
    _, errors = parse_logframe(submitted(view, {"purpose.verification": "v" * (CELL_MAX_LENGTH + 1)}), STRATEGY)
    assert list(errors) == ["purpose.verification"]
    assert "1001" in errors["purpose.verification"]


def test_an_outcome_measure_without_its_outcome_is_an_error_on_the_outcome():
    view = logframe_modal(make_idea(), STRATEGY)
    answers = {"outcome2.measure": "95% within 5 minutes", "outcome3.objective": "   "}
    _, errors = parse_logframe(submitted(view, answers | {"outcome3.measure": "Weekly"}), STRATEGY)
    assert set(errors) == {"outcome2.objective", "outcome3.objective"}
    assert set(errors) <= set(inputs_of(view))


def test_a_goal_that_is_no_longer_in_the_strategy_is_an_error_on_the_goal():
    view = submitted(logframe_modal(make_idea(), STRATEGY), {"goal.objective": "loan-cycle-time"})
    view = copy.deepcopy(view)
    view["state"]["values"]["goal.objective"][Action.INPUT]["selected_option"] = {
        "text": {"type": "plain_text", "text": "Old goal"},
        "value": "retired-goal",
    }
    cells, errors = parse_logframe(view, STRATEGY)
    assert cells["goal.objective"] == "retired-goal"
    assert list(errors) == ["goal.objective"]


# --- playback_message ------------------------------------------------------------------------------


def test_the_playback_shows_completeness_and_the_if_then_chain():
    text, blocks = playback_message(make_idea(cells=CELLS), STRATEGY, COACH)
    shown = everything(blocks)
    assert text == f"<@{COACH}> updated the LogFrame for IDEA-42: 6 of 16 cells."
    assert "If we do Two developers for three weeks, then we will deliver An automatic text" in shown
    assert "then it contributes to the goal: Consumer loan decision in under 1 day." in shown
    assert "Still open: Goal: success measure;" in shown
    assert_sound_message(text, blocks)


def test_the_playback_of_a_full_worksheet_says_every_cell_is_filled():
    cells = {key: f"Text for {key}" for key in all_keys()} | {"goal.objective": "loan-cycle-time"}
    _, blocks = playback_message(make_idea(cells=cells), STRATEGY, COACH)
    shown = everything(blocks)
    assert "16 of 16 cells" in shown
    assert "Every cell is filled in." in shown
    assert "Still open" not in shown


def test_the_playback_escapes_hostile_cells():
    hostile = {
        "purpose.objective": "<!channel> we win",
        "inputs.objective": "<https://evil|x> & more",
        "outcome1.objective": "A & B",
        "purpose.assumptions": "<@U999> agrees",
    }
    text, blocks = playback_message(make_idea(cells=hostile), STRATEGY, COACH)
    shown = everything(blocks)
    assert "&lt;!channel&gt; we win" in shown
    assert "&lt;https://evil|x&gt; &amp; more" in shown
    assert "A &amp; B" in shown
    assert "&lt;@U999&gt; agrees holds" in shown
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert_sound_message(text, blocks)


@pytest.mark.parametrize("filler", FILLERS, ids=FILLER_IDS)
def test_the_playback_of_huge_hostile_cells_stays_within_limits(filler):
    cells = {key: fill(filler, CELL_MAX_LENGTH) for key in all_keys()}
    text, blocks = playback_message(make_idea(cells=cells), STRATEGY, COACH)
    assert_sound_message(text, blocks)


# --- catch_up --------------------------------------------------------------------------------------


def message(number: int, text: str, user_id: str = SUBMITTER) -> ThreadMessage:
    return ThreadMessage(
        id=number,
        idea_id=42,
        thread_id=1,
        channel_id="CCOACH001",
        ts=f"1700000200.{number:06d}",
        user_id=user_id,
        text=text,
        posted_at=T0 + timedelta(hours=number),
    )


def test_catch_up_lists_the_recent_messages_escaped_in_order():
    recent = [message(1, "First: <!here> & welcome"), message(2, "Second <https://evil|x>", COACH)]
    text, blocks = catch_up(make_idea(cells=CELLS), STRATEGY, recent, "UCOACH0002")
    shown = everything(blocks)
    assert "First: &lt;!here&gt; &amp; welcome" in shown
    assert "Second &lt;https://evil|x&gt;" in shown
    assert shown.index("First:") < shown.index("Second")
    assert "<!here>" not in shown
    assert f"<!date^{int(recent[0].posted_at.timestamp())}^" in shown
    assert "<@UCOACH0002> coached it before you." in shown
    assert "IDEA-42" in text


def test_catch_up_shows_the_logframe_so_far_and_leaves_the_thread_link_to_delivery():
    _, blocks = catch_up(make_idea(cells=CELLS), STRATEGY, [], None)
    shown = everything(blocks)
    assert "*LogFrame so far*" in shown
    assert "Goal: annual goal: Consumer loan decision in under 1 day" in shown
    assert "Purpose: Members hear about missing documents the same day" in shown
    # The idea's thread at the commit is the previous coach's: the new one's link is added at delivery.
    assert "Open the coaching thread" not in shown
    assert f"<{PERMALINK}|Open the coaching thread>" in everything([thread_link(PERMALINK)])
    assert "Latest in the thread" not in shown
    assert "coached it before you" not in shown


def test_catch_up_without_a_logframe_leaves_its_section_out():
    _, blocks = catch_up(make_idea(), STRATEGY, [], None)
    assert "LogFrame so far" not in everything(blocks)


@pytest.mark.parametrize("filler", FILLERS, ids=FILLER_IDS)
def test_catch_up_of_a_huge_hostile_idea_stays_within_limits(filler):
    cells = {key: fill(filler, CELL_MAX_LENGTH) for key in all_keys()}
    recent = [message(number, fill(filler, 4000)) for number in range(1, 6)]
    text, blocks = catch_up(make_idea(cells=cells, text=fill(filler, 3000)), STRATEGY, recent, COACH)
    assert_sound_message(text, blocks)


# --- alignment -------------------------------------------------------------------------------------


def test_the_alignment_modal_starts_at_the_ideas_goals_and_note():
    view = alignment_modal(make_idea(alignment_note="It moves loan cycle time."), STRATEGY)
    inputs = inputs_of(view)
    chosen = [option["value"] for option in inputs["goals"]["element"]["initial_options"]]
    assert sorted(chosen) == ["digital-self-service", "loan-cycle-time"]
    assert inputs["note"]["element"]["initial_value"] == "It moves loan cycle time."
    assert_sound_view(view)


def test_the_alignment_modal_offers_every_goal_but_not_unsure():
    view = alignment_modal(make_idea(goal_ids=()), STRATEGY)
    element = inputs_of(view)["goals"]["element"]
    offered = [option["value"] for group in element["option_groups"] for option in group["options"]]
    assert sorted(offered) == sorted(goal.id for goal in STRATEGY.goals)
    assert "initial_options" not in element


def test_a_filled_alignment_parses_back():
    view = alignment_modal(make_idea(), STRATEGY)
    answers = {"goals": ["fraud-losses", "exam-readiness"], "note": "  Cuts card fraud by catching it earlier.  "}
    goal_ids, note, errors = parse_alignment(submitted(view, answers), STRATEGY)
    assert errors == {}
    assert goal_ids == ["fraud-losses", "exam-readiness"]
    assert note == "Cuts card fraud by catching it earlier."


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"note": "It moves loan cycle time."}, {"goals"}),
        ({"goals": ["loan-cycle-time"], "note": "   short  "}, {"note"}),
        ({"goals": ["loan-cycle-time"], "note": "x" * 1001}, {"note"}),
        ({}, {"goals", "note"}),
    ],
    ids=["no-goals", "short-note", "long-note", "nothing"],
)
def test_alignment_errors_name_the_field_at_fault(answers, expected):
    view = alignment_modal(make_idea(), STRATEGY)
    _, _, errors = parse_alignment(submitted(view, answers), STRATEGY)
    assert set(errors) == expected
    assert set(errors) <= set(inputs_of(view))


def test_alignment_refuses_a_goal_no_longer_in_the_strategy():
    view = copy.deepcopy(submitted(alignment_modal(make_idea(), STRATEGY), {"note": "It moves loan cycle time."}))
    view["state"]["values"]["goals"][Action.INPUT]["selected_options"] = [
        {"text": {"type": "plain_text", "text": "Old goal"}, "value": "retired-goal"}
    ]
    _, _, errors = parse_alignment(view, STRATEGY)
    assert list(errors) == ["goals"]


# --- withdraw --------------------------------------------------------------------------------------


def test_the_withdraw_modal_asks_for_a_reason_of_ten_characters_or_more():
    view = withdraw_modal(make_idea())
    reason = inputs_of(view)["reason"]["element"]
    assert reason["min_length"] == 10
    assert reason["max_length"] == 1000
    assert view["callback_id"] == Callback.WITHDRAW
    assert view["private_metadata"] == "42"
    assert_sound_view(view)


def test_a_withdrawal_reason_parses_back_stripped():
    view = withdraw_modal(make_idea())
    reason, errors = parse_withdraw(submitted(view, {"reason": "  The vendor now does this for us.  "}))
    assert errors == {}
    assert reason == "The vendor now does this for us."


@pytest.mark.parametrize("reason", [None, "too short", "   nine ch   ", "x" * 1001], ids=["none", "9", "pad", "long"])
def test_a_bad_withdrawal_reason_is_an_error_on_the_reason(reason):
    _, errors = parse_withdraw(submitted(withdraw_modal(make_idea()), {"reason": reason}))
    assert list(errors) == ["reason"]


def test_withdrawal_reasons_at_exactly_the_limits_pass():
    for reason in ("x" * 10, "x" * 1000):
        _, errors = parse_withdraw(submitted(withdraw_modal(make_idea()), {"reason": reason}))
        assert errors == {}


# --- assign coach ----------------------------------------------------------------------------------


def test_the_assign_coach_modal_starts_at_the_current_coach():
    view = assign_coach_modal(make_idea())
    assert inputs_of(view)["coach"]["element"]["initial_user"] == COACH
    assert view["callback_id"] == Callback.ASSIGN_COACH
    assert_sound_view(view)


def test_the_assign_coach_modal_has_no_initial_user_without_a_coach():
    view = assign_coach_modal(make_idea(coach_id=None))
    assert "initial_user" not in inputs_of(view)["coach"]["element"]


def test_the_chosen_coach_parses_back():
    view = assign_coach_modal(make_idea(coach_id=None))
    assert parse_assign_coach(submitted(view, {"coach": "UCOACH0002"})) == "UCOACH0002"
