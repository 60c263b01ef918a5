"""Block Kit builders stay within Slack's limits, and keep user text inert, for hostile and huge input.

Ideas are built in memory (no database) with every text field at its maximum length and full of the
characters mrkdwn treats as control characters. Each view is checked twice: by our own reading of
Slack's documented limits (see /work/shared/docs/slack-platform-facts.md), and by slack_sdk's models,
whose `to_dict()` raises SlackObjectFormationError on the limits it knows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.views import View

from bot.config import Strategy, load_strategy
from bot.views.home import HomeIdea, PersonHome, home_view
from bot.views.intake import IntakeSource, intake_modal, parse_intake
from bot.views.messages import details_blocks, details_modal, intake_card, my_ideas, submitter_receipt
from models import Idea, IdeaGoal, Stage
from models.intake import TEXT_RULES, Field, IdeaDraft
from tests.support.blockkit import (
    HOSTILE,
    MAX_MESSAGE_BLOCKS,
    assert_slack_sdk_accepts_blocks,
    assert_slack_sdk_accepts_view,
    fill,
    limit_problems,
    live_markup,
    mrkdwn_texts,
    slack_sdk_blocks,
    view_problems,
)
from tests.support.driver import fill_state
from tests.support.flows import GOOD_ANSWERS

ROOT = Path(__file__).resolve().parents[2]

FILLERS = {
    "mentions": HOSTILE,
    "ampersands": "&",
    "brackets-and-newlines": "<\n>\n&\n",
}
T0 = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
PERMALINK = "https://credit.example/archives/CLENDING1/p1700000123000400"


@pytest.fixture(scope="module")
def strategy() -> Strategy:
    return load_strategy(ROOT / "strategy.yml")


def hostile_idea(
    strategy: Strategy,
    pattern: str = HOSTILE,
    *,
    idea_id: int = 999_999_999,
    stage: Stage = Stage.IN_COACHING,
) -> Idea:
    maxima = {name: rule.max_length for name, rule in TEXT_RULES.items()}
    return Idea(
        id=idea_id,
        title=fill(pattern, maxima[Field.TITLE]),
        problem=fill(pattern, maxima[Field.PROBLEM]),
        proposal=fill(pattern, maxima[Field.PROPOSAL]),
        beneficiaries=["members", "employees", "department"],
        beneficiary_detail=fill(pattern, maxima[Field.BENEFICIARY_DETAIL]),
        success_signal=fill(pattern, maxima[Field.SUCCESS]),
        tried_before=fill(pattern, maxima[Field.TRIED]),
        help_offer="maybe",
        goal_unsure=False,
        submitter_id="USUBMIT001",
        coach_id="UCOACH0001",
        alignment_note=fill(pattern, 3000),
        source_channel_id="CLENDING1",
        source_message_ts="1700000123.000400",
        source_permalink=PERMALINK,
        stage=stage,
        stage_entered_at=T0 + timedelta(days=2),
        created_at=T0,
        updated_at=T0 + timedelta(days=2),
        goals=[IdeaGoal(goal_id=goal.id) for goal in strategy.goals],
    )


# --- the checks themselves can fail -------------------------------------------------------------


def test_the_limit_checks_catch_each_kind_of_oversize_block():
    bad = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": ""}]},
    ]
    problems = limit_problems(bad * 11, MAX_MESSAGE_BLOCKS)
    assert "55 blocks > 50" in problems
    assert any("151 chars > 150" in problem for problem in problems)
    assert any("3001 chars > 3000" in problem for problem in problems)
    assert any("11 fields > 10" in problem for problem in problems)
    assert any("2001 chars > 2000" in problem for problem in problems)
    assert any("empty text" in problem for problem in problems)


def test_the_limit_checks_catch_an_oversize_modal_chrome_and_option():
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "t" * 25},
        "submit": {"type": "plain_text", "text": "s" * 25},
        "private_metadata": "m" * 3001,
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Pick"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": "a",
                    "options": [{"text": {"type": "plain_text", "text": "o" * 76}, "value": "v"}],
                },
            }
        ],
    }
    problems = view_problems(view)
    assert sum("25 chars > 24" in problem for problem in problems) == 2
    assert any("private_metadata" in problem for problem in problems)
    assert any("76 chars > 75" in problem for problem in problems)


def test_slack_sdk_refuses_what_it_knows_is_too_long():
    with pytest.raises(SlackObjectFormationError):
        View(type="modal", title="x" * 25, blocks=[{"type": "divider"}]).to_dict()
    with pytest.raises(SlackObjectFormationError):
        slack_sdk_blocks([{"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}}])
    with pytest.raises(SlackObjectFormationError):
        slack_sdk_blocks([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}])


def test_the_markup_check_spots_live_user_markup_and_half_entities():
    assert live_markup("hi <!channel>") == ["<!channel>"]
    assert live_markup("see &am…") == ["&am…"]
    assert live_markup("<@USUBMIT001> said &lt;!here&gt; &amp; left") == []


# --- messages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("filler", FILLERS.values(), ids=FILLERS.keys())
@pytest.mark.parametrize("stage", list(Stage), ids=str)
def test_the_intake_card_stays_within_limits_for_huge_hostile_ideas_at_every_stage(strategy, filler, stage):
    text, blocks = intake_card(hostile_idea(strategy, filler, stage=stage), strategy)

    assert limit_problems(blocks, MAX_MESSAGE_BLOCKS) == []
    assert len(text) <= 40_000
    assert live_markup(text, *mrkdwn_texts(blocks)) == []
    assert_slack_sdk_accepts_blocks(blocks)


@pytest.mark.parametrize("filler", FILLERS.values(), ids=FILLERS.keys())
def test_the_submitter_receipt_stays_within_limits_for_huge_hostile_ideas(strategy, filler):
    text, blocks = submitter_receipt(hostile_idea(strategy, filler), strategy)

    assert limit_problems(blocks, MAX_MESSAGE_BLOCKS) == []
    assert len(text) <= 40_000
    assert live_markup(text, *mrkdwn_texts(blocks)) == []
    assert_slack_sdk_accepts_blocks(blocks)


@pytest.mark.parametrize("filler", FILLERS.values(), ids=FILLERS.keys())
def test_the_details_blocks_stay_within_limits_for_huge_hostile_ideas(strategy, filler):
    blocks = details_blocks(hostile_idea(strategy, filler), strategy)

    assert limit_problems(blocks, MAX_MESSAGE_BLOCKS) == []
    assert live_markup(*mrkdwn_texts(blocks)) == []
    assert_slack_sdk_accepts_blocks(blocks)


@pytest.mark.parametrize("filler", FILLERS.values(), ids=FILLERS.keys())
def test_the_details_modal_stays_within_limits_for_huge_hostile_ideas(strategy, filler):
    idea = hostile_idea(strategy, filler)
    view = details_modal(idea, strategy)

    assert view_problems(view) == []
    assert view["title"]["text"] == "IDEA-999999999"
    assert "submit" not in view
    assert live_markup(*mrkdwn_texts(view)) == []
    assert_slack_sdk_accepts_view(view)


def test_hostile_markup_is_shown_escaped_not_dropped(strategy):
    blocks = details_blocks(hostile_idea(strategy, HOSTILE), strategy)
    everything = "\n".join(mrkdwn_texts(blocks))

    assert "&lt;!channel&gt;" in everything
    assert "&lt;https://evil.example|Reset password&gt;" in everything
    assert "&amp;" in everything
    assert "<!channel>" not in everything


def test_the_details_modal_shows_long_ordinary_text_whole(strategy):
    idea = hostile_idea(strategy, "Plain words. ")
    idea.problem, idea.proposal, idea.success_signal, idea.tried_before = (
        fill(f"{name} in plain words. ", 2800).strip() for name in ("Problem", "Idea", "Signal", "Tried")
    )
    text = "\n".join(mrkdwn_texts(details_modal(idea, strategy)["blocks"]))
    for value in (idea.problem, idea.proposal, idea.success_signal, idea.tried_before):
        assert value in text


# slack-platform-facts.md: "msg_blocks_too_long appears around 12-13k chars of total block text
# (undocumented)". `/idea IDEA-n` replies with details_blocks as a message, not in a modal.
MESSAGE_BLOCK_TEXT_BUDGET = 12_000


def test_the_details_reply_to_the_idea_command_fits_slacks_total_message_text(strategy):
    blocks = details_blocks(hostile_idea(strategy, "x"), strategy)
    total = sum(len(text) for text in mrkdwn_texts(blocks))
    assert total <= MESSAGE_BLOCK_TEXT_BUDGET


def many_ideas(strategy: Strategy, count: int) -> list[Idea]:
    stages = list(Stage)
    return [
        hostile_idea(strategy, "&<>", idea_id=999_999_999 - number, stage=stages[number % len(stages)])
        for number in range(count)
    ]


def test_my_ideas_with_forty_huge_hostile_ideas_of_sixty_stays_within_limits(strategy):
    ideas = many_ideas(strategy, 60)

    text, blocks = my_ideas(ideas[:40], 60)  # the service reads the newest 40 and counts them all

    assert limit_problems(blocks, MAX_MESSAGE_BLOCKS) == []
    assert live_markup(*mrkdwn_texts(blocks)) == []
    assert_slack_sdk_accepts_blocks(blocks)
    assert text == "You have 60 idea(s)."
    shown = "\n".join(mrkdwn_texts(blocks))
    assert shown.count("*IDEA-") == 40
    assert f"*{ideas[39].reference}*" in shown
    assert f"*{ideas[40].reference}*" not in shown
    assert "Showing the latest 40 of 60." in shown


def test_my_ideas_with_none_invites_a_first_idea(strategy):
    text, blocks = my_ideas([], 0)
    assert text == "You haven't submitted any ideas yet."
    assert limit_problems(blocks, MAX_MESSAGE_BLOCKS) == []
    assert_slack_sdk_accepts_blocks(blocks)


@pytest.mark.parametrize("count", [0, 1, 60])
def test_the_home_tab_stays_within_limits(strategy, count):
    ideas = [
        HomeIdea(idea.id, idea.title, idea.stage, idea.submitter_id, idea.coach_id, idea.stage_entered_at)
        for idea in many_ideas(strategy, count)
    ]
    view = home_view(PersonHome(ideas, count), "USUBMIT001")

    assert view["type"] == "home"
    assert view_problems(view) == []
    assert "submit" not in view and "close" not in view
    assert live_markup(*mrkdwn_texts(view)) == []
    assert_slack_sdk_accepts_view(view)


# --- the intake modal ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "proposal", "source"),
    [
        ("", "", None),
        (fill(HOSTILE, 5000), fill(HOSTILE, 5000), IntakeSource("CLENDING1", "1700000123.000400")),
        ("&" * 4000, "<" * 4000, IntakeSource()),
    ],
    ids=["empty", "hostile-prefill-from-a-message", "control-characters"],
)
def test_the_intake_modal_stays_within_limits_whatever_it_is_prefilled_with(strategy, title, proposal, source):
    view = intake_modal(strategy, title=title, proposal=proposal, source=source)

    assert view_problems(view) == []
    assert_slack_sdk_accepts_view(view)
    inputs = {block["block_id"]: block["element"] for block in view["blocks"] if block["type"] == "input"}
    if title:
        assert inputs["title"]["initial_value"] == title[:149] + "…"
        assert len(inputs["proposal"]["initial_value"]) == 3000


def test_the_intake_modal_offers_every_goal_and_not_sure(strategy):
    view = intake_modal(strategy)
    goals = next(block for block in view["blocks"] if block.get("block_id") == "goals")
    values = [option["value"] for group in goals["element"]["option_groups"] for option in group["options"]]
    assert values == [goal.id for pillar in strategy.pillars for goal in strategy.goals if goal.pillar == pillar.id] + [
        "unsure"
    ]


def test_the_intake_modal_text_inputs_enforce_the_intake_rules(strategy):
    view = intake_modal(strategy)
    inputs = {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}
    for name, rule in TEXT_RULES.items():
        block = inputs[name.value]
        assert block["element"]["max_length"] == rule.max_length
        assert block["optional"] is (not rule.required)


def test_the_intake_modal_remembers_the_source_message_in_its_metadata(strategy):
    source = IntakeSource("CLENDING1", "1700000123.000400")
    view = intake_modal(strategy, source=source)
    assert IntakeSource.from_metadata(view["private_metadata"]) == source
    assert IntakeSource.from_metadata(intake_modal(strategy)["private_metadata"]) == IntakeSource()


@pytest.mark.parametrize("metadata", [None, "", "not json", "[1, 2]", '{"channel": 5, "ts": "1"}', '{"ts": "1"}'])
def test_unusable_metadata_means_no_source(metadata):
    assert IntakeSource.from_metadata(metadata) == IntakeSource()


# --- parse_intake -------------------------------------------------------------------------------

ANSWERS = GOOD_ANSWERS | {"help_offer": "maybe"}


def draft_of(answers: dict[str, Any]) -> IdeaDraft:
    return IdeaDraft(
        title=answers["title"],
        problem=answers["problem"],
        proposal=answers["proposal"],
        beneficiaries=answers["beneficiaries"],
        beneficiary_detail=answers["beneficiary_detail"] or "",
        goal_ids=answers["goals"],
        success_signal=answers["success_signal"],
        tried_before=answers["tried_before"] or "",
        help_offer=answers["help_offer"],
    )


def submitted(strategy: Strategy, answers: dict[str, Any], **modal_args) -> dict[str, Any]:
    view = intake_modal(strategy, **modal_args)
    return view | {"state": {"values": fill_state(view, answers)}}


def input_block_ids(view: dict[str, Any]) -> set[str]:
    return {block["block_id"] for block in view["blocks"] if block["type"] == "input"}


def test_a_filled_modal_parses_back_to_the_same_draft(strategy):
    draft, errors = parse_intake(submitted(strategy, ANSWERS), strategy)

    assert errors == {}
    assert draft == draft_of(ANSWERS)


def test_hostile_text_at_the_maximum_parses_back_verbatim(strategy):
    answers = ANSWERS | {
        "title": fill(HOSTILE, 150),
        "problem": fill(HOSTILE, 3000),
        "proposal": fill("&<>", 3000),
        "beneficiary_detail": fill(HOSTILE, 500),
        "success_signal": fill(HOSTILE, 3000),
        "tried_before": fill("\n<&>", 3000),
        "goals": ["unsure"],
    }

    draft, errors = parse_intake(submitted(strategy, answers, title="prefilled"), strategy)

    assert errors == {}
    assert draft == draft_of(answers)


def test_optional_answers_left_empty_parse_as_empty_text(strategy):
    answers = ANSWERS | {"beneficiaries": ["members"], "beneficiary_detail": None, "tried_before": None}

    draft, errors = parse_intake(submitted(strategy, answers), strategy)

    assert errors == {}
    assert (draft.beneficiary_detail, draft.tried_before) == ("", "")


@pytest.mark.parametrize(
    ("block_id", "length"),
    [
        ("title", 151),
        ("problem", 3001),
        ("proposal", 3001),
        ("beneficiary_detail", 501),
        ("success_signal", 3001),
        ("tried_before", 3001),
    ],
)
def test_an_oversize_answer_is_an_error_on_its_own_block(strategy, block_id, length):
    view = submitted(strategy, ANSWERS | {block_id: "z" * length})

    _, errors = parse_intake(view, strategy)

    assert list(errors) == [block_id]
    assert block_id in input_block_ids(view)
    assert f"under {length - 1} characters" in errors[block_id]


def test_every_error_of_an_empty_submission_names_an_input_block_of_the_modal(strategy):
    view = submitted(strategy, {})

    _, errors = parse_intake(view, strategy)

    assert set(errors) == {"title", "problem", "proposal", "beneficiaries", "goals", "success_signal", "help_offer"}
    assert set(errors) <= input_block_ids(view)


def test_a_view_without_state_parses_to_errors_not_an_exception(strategy):
    draft, errors = parse_intake(intake_modal(strategy), strategy)
    assert draft == IdeaDraft()
    assert "title" in errors
