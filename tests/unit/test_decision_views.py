"""Decision Block Kit: the form and its parser, the notice the submitter reads, its buttons and receipts,
and the preview.

Ideas and proposals are built in memory (tests/support/decisions.py). Views are checked against Slack's limits
with the checks in tests/unit/test_views.py and with slack_sdk's models.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.views.decision_notice import answered_blocks, notice_actions, notice_blocks, preview_modal
from bot.views.decisions import SCORE_LABELS, decision_modal, parse_decision
from bot.views.ids import Action, Callback
from models import Decision
from models.decision_rules import CriterionScore, Outcome, Proposal
from tests.support.blockkit import HOSTILE, MAX_MODAL_BLOCKS, assert_slack_sdk_accepts_blocks, everything, fill
from tests.support.decisions import (
    COACH,
    DECIDER,
    FILLER_IDS,
    FILLERS,
    OWNER,
    RATIONALE,
    STRATEGY,
    SUBMITTER,
    T0,
    answers_of,
    assert_sound_message,
    assert_sound_view,
    hostile_proposal,
    inputs_of,
    make_idea,
    notice,
    proposal_for,
    submitted,
    user_markup,
)

# --- the decision modal ----------------------------------------------------------------------------


def test_the_decision_modal_stays_within_limits():
    view = decision_modal(make_idea(), STRATEGY)
    assert len(view["blocks"]) <= MAX_MODAL_BLOCKS
    for key in ("title", "submit", "close"):
        assert 1 <= len(view[key]["text"]) <= 24
    assert view["callback_id"] == Callback.DECISION
    assert view["private_metadata"] == "42"
    assert_sound_view(view)


def test_the_decision_modal_has_one_score_and_one_reason_per_criterion_side_by_side():
    block_ids = [block.get("block_id") for block in decision_modal(make_idea(), STRATEGY)["blocks"]]
    for criterion in STRATEGY.criteria:
        assert block_ids.count(f"score:{criterion.id}") == 1
        assert block_ids.count(f"reason:{criterion.id}") == 1
        assert block_ids.index(f"reason:{criterion.id}") == block_ids.index(f"score:{criterion.id}") + 1
    assert sum(1 for block_id in block_ids if block_id and block_id.startswith("score:")) == len(STRATEGY.criteria)


def test_the_decision_modal_shows_each_criterions_share_and_question():
    inputs = inputs_of(decision_modal(make_idea(), STRATEGY))
    fit = inputs["score:strategic-fit"]
    assert fit["label"]["text"] == "Strategic fit (30% of the score)"
    assert fit["hint"]["text"] == "How directly does it move one of this year's annual goals?"
    assert inputs["score:readiness"]["label"]["text"] == "Readiness (10% of the score)"
    assert [option["value"] for option in fit["element"]["options"]] == ["1", "2", "3", "4", "5"]


def test_the_decision_modal_input_block_ids_are_the_proposal_field_keys():
    keys = {"outcome", "revisit_on", "goals", "rationale", "alternatives", "what_would_change"}
    keys |= {"next_steps", "owner", "target_start", "effort"}
    keys |= {f"{kind}:{criterion.id}" for criterion in STRATEGY.criteria for kind in ("score", "reason")}
    assert set(inputs_of(decision_modal(make_idea(), STRATEGY))) == keys


def test_a_new_decision_starts_with_the_ideas_goals_and_nothing_else():
    inputs = inputs_of(decision_modal(make_idea(), STRATEGY))
    chosen = [option["value"] for option in inputs["goals"]["element"]["initial_options"]]
    assert sorted(chosen) == ["digital-self-service", "loan-cycle-time"]
    assert "initial_option" not in inputs["outcome"]["element"]
    assert "initial_option" not in inputs["score:effort"]["element"]
    assert "initial_value" not in inputs["rationale"]["element"]
    assert "initial_user" not in inputs["owner"]["element"]
    assert "initial_date" not in inputs["target_start"]["element"]


@pytest.mark.parametrize("outcome", list(Outcome), ids=str)
def test_the_decision_modal_is_prefilled_from_a_proposal(outcome):
    proposal = proposal_for(outcome)
    inputs = inputs_of(decision_modal(make_idea(), STRATEGY, proposal))

    assert inputs["outcome"]["element"]["initial_option"] == {
        "text": {"type": "plain_text", "text": outcome.label},
        "value": outcome.value,
    }
    for score in proposal.scores:
        element = inputs[f"score:{score.criterion_id}"]["element"]
        assert element["initial_option"]["value"] == str(score.score)
        assert element["initial_option"]["text"]["text"] == SCORE_LABELS[score.score]
        assert inputs[f"reason:{score.criterion_id}"]["element"]["initial_value"] == score.reason
    goals = [option["value"] for option in inputs["goals"]["element"]["initial_options"]]
    assert sorted(goals) == sorted(proposal.goals_considered)
    assert inputs["rationale"]["element"]["initial_value"] == proposal.rationale
    for key in ("alternatives", "what_would_change", "next_steps"):
        assert inputs[key]["element"].get("initial_value", "") == getattr(proposal, key)
    assert inputs["owner"]["element"].get("initial_user", "") == proposal.owner_id
    for key in ("target_start", "revisit_on"):
        expected = getattr(proposal, key)
        assert inputs[key]["element"].get("initial_date") == (expected.isoformat() if expected else None)


def test_the_decision_modals_initial_options_are_among_its_options():
    view = decision_modal(make_idea(), STRATEGY, proposal_for(Outcome.NO_GO))
    for block_id, block in inputs_of(view).items():
        element = block["element"]
        options = list(element.get("options", []))
        options += [option for group in element.get("option_groups", []) for option in group["options"]]
        initial = element.get("initial_options", []) + (
            [element["initial_option"]] if "initial_option" in element else []
        )
        for chosen in initial:
            assert chosen in options, block_id


def test_the_decision_modal_prefilled_with_hostile_maximums_stays_within_limits():
    proposal = hostile_proposal(Outcome.NO_GO, HOSTILE)
    assert_sound_view(decision_modal(make_idea(text=fill(HOSTILE, 150)), STRATEGY, proposal, correcting=True))


def test_a_correction_says_so_and_an_early_decision_warns():
    correcting = everything(decision_modal(make_idea(), STRATEGY, correcting=True))
    early = everything(decision_modal(make_idea(), STRATEGY, early=True))
    plain = everything(decision_modal(make_idea(), STRATEGY))
    assert "*correction*" in correcting and "hasn't been marked ready" not in correcting
    assert "hasn't been marked ready" in early and "correction" not in early
    assert "correction" not in plain and "hasn't been marked ready" not in plain


# --- parse_decision --------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", list(Outcome), ids=str)
def test_a_filled_decision_modal_parses_back_to_the_same_proposal(outcome):
    proposal = proposal_for(outcome)
    view = decision_modal(make_idea(), STRATEGY)
    assert parse_decision(submitted(view, answers_of(proposal)), STRATEGY) == proposal


@pytest.mark.parametrize("filler", FILLERS, ids=FILLER_IDS)
def test_hostile_maximum_answers_parse_back_verbatim(filler):
    proposal = hostile_proposal(Outcome.GO, filler)
    view = decision_modal(make_idea(), STRATEGY)
    assert parse_decision(submitted(view, answers_of(proposal)), STRATEGY) == proposal


def test_an_empty_decision_modal_parses_to_an_empty_proposal_with_every_criterion_unscored():
    parsed = parse_decision(submitted(decision_modal(make_idea(), STRATEGY), {}), STRATEGY)
    assert parsed == Proposal(scores=[CriterionScore(criterion.id, None, "") for criterion in STRATEGY.criteria])


def test_a_prefilled_modal_submitted_unchanged_gives_back_its_proposal():
    proposal = proposal_for(Outcome.NOT_NOW)
    view = decision_modal(make_idea(), STRATEGY, proposal)
    answers: dict[str, Any] = {}
    for block_id, block in inputs_of(view).items():
        element = block["element"]
        if "initial_option" in element:
            answers[block_id] = element["initial_option"]["value"]
        elif "initial_options" in element:
            answers[block_id] = [option["value"] for option in element["initial_options"]]
        else:
            answers[block_id] = (
                element.get("initial_value") or element.get("initial_date") or element.get("initial_user")
            )
    assert parse_decision(submitted(view, answers), STRATEGY) == proposal


def test_an_unreadable_date_parses_as_no_date():
    view = submitted(
        decision_modal(make_idea(), STRATEGY), {"target_start": "next tuesday", "revisit_on": "2027-02-30"}
    )
    parsed = parse_decision(view, STRATEGY)
    assert parsed.target_start is None
    assert parsed.revisit_on is None


# --- the notice ------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", list(Outcome), ids=str)
def test_the_notice_shows_the_weighted_score_and_every_criterion(outcome):
    text, blocks = notice(outcome)
    shown = everything(blocks)
    # (30*5 + 25*4 + 20*3 + 15*2 + 10*1) / 100 = 3.5
    assert "weighted *3.5 of 5*" in shown
    assert "• *Strategic fit* (30%): *5/5*, Because of strategic fit, in a line" in shown
    assert "• *Member impact* (25%): *4/5*, Because of member impact, in a line" in shown
    assert "• *Effort and cost* (20%): *3/5*, Because of effort and cost, in a line" in shown
    assert "• *Risk and compliance* (15%): *2/5*, Because of risk and compliance, in a line" in shown
    assert "• *Readiness* (10%): *1/5*, Because of readiness, in a line" in shown
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"Decision on IDEA-42: {outcome.label}"},
    }
    assert text.startswith(f"Decision on IDEA-42: {outcome.label}.")
    assert_sound_message(text, blocks)


@pytest.mark.parametrize("outcome", list(Outcome), ids=str)
def test_the_notice_names_the_goals_weighed_and_the_rationale(outcome):
    _, blocks = notice(outcome)
    shown = everything(blocks)
    assert "• Consumer loan decision in under 1 day" in shown
    assert "• Cut card fraud losses by 15%" in shown
    assert "60% of routine transactions self-served" not in shown
    assert f"*Why*\n{RATIONALE}" in shown
    assert f"<@{SUBMITTER}>" in shown


def test_a_no_go_notice_gives_alternatives_and_what_would_change_but_no_next_steps():
    _, blocks = notice(Outcome.NO_GO)
    shown = everything(blocks)
    assert "*Other ways to reach the same goal*\nAsk the portal vendor" in shown
    assert "*What would change the answer*\nIf the portal replacement slips" in shown
    assert "Next steps" not in shown
    assert "Delivery owner" not in shown
    assert "Target start" not in shown
    assert "revisit" not in shown.lower()


def test_a_not_now_notice_gives_alternatives_and_the_revisit_date():
    _, blocks = notice(Outcome.NOT_NOW)
    shown = everything(blocks)
    assert "*Other ways to reach the same goal*" in shown
    assert "*What would change the answer*" in shown
    assert "*When we'll revisit it*\nMonday 7 June 2027" in shown
    assert "Next steps" not in shown
    assert "Delivery owner" not in shown


def test_a_go_notice_gives_next_steps_owner_and_start_but_no_alternatives():
    _, blocks = notice(Outcome.GO)
    shown = everything(blocks)
    assert "*Next steps*\nLending operations scopes" in shown
    assert f"*Delivery owner*\n<@{OWNER}>" in shown
    assert "*Target start*\n30 March 2027" in shown
    assert "Other ways" not in shown
    assert "What would change" not in shown
    assert "revisit" not in shown.lower()


def test_the_notice_points_to_the_coach_and_the_decider():
    _, blocks = notice(Outcome.NO_GO)
    assert f"Questions? Talk to <@{COACH}> or <@{DECIDER}>, who made this decision." in everything(blocks)


def test_when_the_coach_decided_the_notice_names_them_once():
    proposal = proposal_for(Outcome.GO)
    _, blocks = notice_blocks(make_idea(), proposal, STRATEGY, decider_id=COACH, weighted=3.5)
    assert f"Questions? Talk to <@{COACH}>, who made this decision." in everything(blocks)


@pytest.mark.parametrize("outcome", list(Outcome), ids=str)
def test_a_correction_notice_says_which_decision_it_corrects(outcome):
    earlier = Decision(id=5, idea_id=42, outcome="no_go", decided_by=DECIDER, decided_at=T0 + timedelta(days=4))
    _, blocks = notice(outcome, corrects=earlier)
    shown = everything(blocks)
    assert f"This corrects the decision sent <!date^{int(earlier.decided_at.timestamp())}^" in shown
    assert "(No-go). That one stays on record." in shown
    assert "This corrects" not in everything(notice(outcome)[1])


def test_the_notice_escapes_hostile_decider_and_submitter_text():
    proposal = replace(
        proposal_for(Outcome.NO_GO),
        rationale="<!channel> look & see <https://evil|x>",
        alternatives="<@U999> knows",
        what_would_change="a > b & c",
    )
    proposal.scores[0] = CriterionScore("strategic-fit", 2, "<!here> & then")
    idea = make_idea(text="<!everyone> & <https://evil|title>")
    _, blocks = notice_blocks(idea, proposal, STRATEGY, decider_id=DECIDER, weighted=2.0)
    shown = everything(blocks)
    assert "&lt;!channel&gt; look &amp; see &lt;https://evil|x&gt;" in shown
    assert "&lt;@U999&gt; knows" in shown
    assert "a &gt; b &amp; c" in shown
    assert "&lt;!here&gt; &amp; then" in shown
    assert "*&lt;!everyone&gt; &amp; &lt;https://evil|title&gt;*" in shown
    assert user_markup(blocks) == []


@pytest.mark.parametrize("filler", FILLERS, ids=FILLER_IDS)
@pytest.mark.parametrize("outcome", list(Outcome), ids=str)
def test_the_notice_stays_within_limits_with_every_text_at_its_maximum(outcome, filler):
    idea = make_idea(text=fill(filler, 150))
    earlier = Decision(id=5, idea_id=42, outcome="go", decided_by=DECIDER, decided_at=T0)
    proposal = hostile_proposal(outcome, filler)
    text, blocks = notice_blocks(idea, proposal, STRATEGY, decider_id=DECIDER, weighted=3.0, corrects=earlier)
    assert_sound_message(text, blocks)
    shown = everything(blocks)
    assert shown.count("• *") == len(STRATEGY.criteria)
    assert all(f"• {goal.title}" in shown for goal in STRATEGY.goals)


# --- actions, acknowledgement ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (Outcome.GO, [Action.ASK_QUESTION, Action.UNDERSTOOD]),
        (Outcome.NO_GO, [Action.ASK_QUESTION, Action.UNDERSTOOD, Action.RECONSIDER]),
        (Outcome.NOT_NOW, [Action.ASK_QUESTION, Action.UNDERSTOOD, Action.RECONSIDER]),
    ],
    ids=str,
)
def test_only_no_go_and_not_now_notices_offer_reconsideration(outcome, expected):
    block = notice_actions(make_idea(), 9, outcome)
    assert [element["action_id"] for element in block["elements"]] == expected
    values = {element["action_id"]: element["value"] for element in block["elements"]}
    assert values[Action.UNDERSTOOD] == "9"
    assert values[Action.ASK_QUESTION] == "42"
    assert block["block_id"] == "notice:9"
    assert_slack_sdk_accepts_blocks([block])


def test_acknowledging_a_notice_removes_its_buttons_and_adds_a_receipt():
    _, blocks = notice(Outcome.NO_GO)
    sent = [*blocks, notice_actions(make_idea(), 9, Outcome.NO_GO)]
    after = answered_blocks(sent, "today at 10:00")
    assert not any(block["type"] == "actions" for block in after)
    assert after[:-1] == blocks
    assert after[-1]["type"] == "context"
    assert "You marked this understood today at 10:00." in everything(after[-1])
    assert_slack_sdk_accepts_blocks(after)


def test_asking_for_reconsideration_replaces_the_buttons_and_keeps_an_earlier_understood_receipt():
    _, blocks = notice(Outcome.NOT_NOW)
    sent = [*blocks, notice_actions(make_idea(), 9, Outcome.NOT_NOW)]

    after = answered_blocks(sent, "yesterday", "today at 10:00")

    assert not any(block["type"] == "actions" for block in after)
    assert after[:-2] == blocks
    assert "You marked this understood yesterday." in everything(after[-2])
    assert "You asked for it to be reconsidered today at 10:00." in everything(after[-1])
    assert "understood" not in everything(answered_blocks(sent, None, "today at 10:00")[len(blocks) :])
    assert_slack_sdk_accepts_blocks(after)


# --- the preview -----------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", list(Outcome), ids=str)
def test_the_preview_shows_the_notice_with_back_and_send_decision(outcome):
    _, blocks = notice(outcome)
    view = preview_modal(blocks, 77, [], outcome)
    assert view["close"]["text"] == "Back"
    assert view["submit"]["text"] == "Send decision"
    assert view["callback_id"] == Callback.DECISION_PREVIEW
    assert view["private_metadata"] == "77"
    assert all(block in view["blocks"] for block in blocks)
    assert ":warning:" not in everything(view)
    reconsider = "[Ask for reconsideration]" in everything(view)
    assert reconsider is outcome.needs_alternatives
    assert_sound_view(view)


def test_the_preview_shows_each_warning_before_the_notice():
    _, blocks = notice(Outcome.NO_GO)
    warnings = ["This rationale is word for word the one already sent for IDEA-7.", "Second warning."]
    view = preview_modal(blocks, 77, warnings, Outcome.NO_GO)
    texts = [block["text"]["text"] for block in view["blocks"] if block["type"] == "section"]
    assert texts[:2] == [f":warning: {warning}" for warning in warnings]
    assert_sound_view(view)


@pytest.mark.parametrize("filler", FILLERS, ids=FILLER_IDS)
@pytest.mark.parametrize("outcome", list(Outcome), ids=str)
def test_the_preview_of_a_maximal_hostile_notice_stays_within_limits(outcome, filler):
    proposal = hostile_proposal(outcome, filler)
    earlier = Decision(id=5, idea_id=42, outcome="go", decided_by=DECIDER, decided_at=T0)
    _, blocks = notice_blocks(
        make_idea(text=fill(filler, 150)), proposal, STRATEGY, decider_id=DECIDER, weighted=3.0, corrects=earlier
    )
    view = preview_modal(blocks, 999_999_999, ["A warning."] * 3, outcome)
    assert len(view["blocks"]) <= MAX_MODAL_BLOCKS
    assert_sound_view(view)
