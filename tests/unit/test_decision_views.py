"""Decision Block Kit: the form and its parser, the notice the submitter reads, the preview, the hand-off,
and the modals that follow a decision.

Ideas and proposals are built in memory (no database). Views are checked against Slack's limits with the
checks in tests/unit/test_views.py and with slack_sdk's models.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_strategy
from bot.views.after_decision import (
    feedback_modal,
    parse_feedback,
    parse_reconsider,
    question_asked,
    question_kickoff,
    question_taken,
    reconsider_modal,
)
from bot.views.decision_notice import answered_blocks, handoff, notice_actions, notice_blocks, preview_modal
from bot.views.decisions import SCORE_LABELS, decision_modal, parse_decision
from bot.views.ids import Action, Callback
from models import Decision, Idea, Stage
from models.decision_rules import (
    EXPLANATION_MAX,
    RATIONALE_MAX,
    REASON_MAX,
    CriterionScore,
    Outcome,
    Proposal,
    weighted_score,
)
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
from tests.support.ideas import make_idea as _make_idea

ROOT = Path(__file__).resolve().parents[2]
STRATEGY = load_strategy(ROOT / "strategy.yml")
WEIGHTS = {criterion.id: criterion.weight for criterion in STRATEGY.criteria}
SUBMITTER = "USUBMIT001"
COACH = "UCOACH0001"
DECIDER = "UDECIDE001"
OWNER = "UOWNER0001"
T0 = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
FILLERS = [HOSTILE, "&", "<\n>\n&\n", "&<>"]
FILLER_IDS = ["mentions", "ampersands", "brackets-and-newlines", "controls"]
# slack-platform-facts.md: msg_blocks_too_long around 12-13k chars of total block text (undocumented)
MESSAGE_BLOCK_TEXT_BUDGET = 12_000

RATIONALE = (
    "The text costs little to build, but the loan team already plans to replace the document portal "
    "this summer, and the new portal sends these reminders itself."
)


def make_idea(*, text: str = "", cells: dict[str, str] | None = None, coach_id: str | None = COACH) -> Idea:
    """An idea ready for a decision."""
    return _make_idea(stage=Stage.READY_FOR_DECISION, days_in_stage=3, text=text, cells=cells, coach_id=coach_id)


def proposal_for(outcome: Outcome) -> Proposal:
    base = Proposal(
        outcome=outcome.value,
        scores=[
            CriterionScore(criterion.id, value, f"Because of {criterion.title.lower()}, in a line")
            for criterion, value in zip(STRATEGY.criteria, [5, 4, 3, 2, 1], strict=True)
        ],
        goals_considered=["loan-cycle-time", "fraud-losses"],
        rationale=RATIONALE,
    )
    if outcome is Outcome.GO:
        return replace(
            base,
            next_steps="Lending operations scopes the text templates with compliance in March.",
            owner_id=OWNER,
            target_start=date(2027, 3, 30),
        )
    base = replace(
        base,
        alternatives="Ask the portal vendor to switch on its missing-document reminders early.",
        what_would_change="If the portal replacement slips past September, bring the idea back.",
    )
    return replace(base, revisit_on=date(2027, 6, 7)) if outcome is Outcome.NOT_NOW else base


def hostile_proposal(outcome: Outcome, filler: str) -> Proposal:
    """Every piece of decider text at its maximum length and made of `filler`."""
    return replace(
        proposal_for(outcome),
        scores=[CriterionScore(criterion.id, 3, fill(filler, REASON_MAX)) for criterion in STRATEGY.criteria],
        goals_considered=[goal.id for goal in STRATEGY.goals],
        rationale=fill(filler, RATIONALE_MAX),
        alternatives=fill(filler, EXPLANATION_MAX) if outcome.needs_alternatives else "",
        what_would_change=fill(filler, EXPLANATION_MAX) if outcome.needs_alternatives else "",
        next_steps=fill(filler, EXPLANATION_MAX) if outcome is Outcome.GO else "",
    )


def user_markup(node: Any) -> list[str]:
    """Live markup in `node` that the product did not write (the decider and owner mentions are the product's)."""
    texts = [text.replace(f"<@{DECIDER}>", "").replace(f"<@{OWNER}>", "") for text in mrkdwn_texts(node)]
    return live_markup(*texts)


def inputs_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def submitted(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    return view | {"state": {"values": fill_state(view, answers)}}


def answers_of(proposal: Proposal) -> dict[str, Any]:
    """What a decider types into the decision modal to say `proposal`, by block id."""
    answers: dict[str, Any] = {
        "outcome": proposal.outcome or None,
        "revisit_on": proposal.revisit_on.isoformat() if proposal.revisit_on else None,
        "goals": proposal.goals_considered,
        "rationale": proposal.rationale,
        "alternatives": proposal.alternatives,
        "what_would_change": proposal.what_would_change,
        "next_steps": proposal.next_steps,
        "owner": proposal.owner_id or None,
        "target_start": proposal.target_start.isoformat() if proposal.target_start else None,
    }
    for score in proposal.scores:
        answers[f"score:{score.criterion_id}"] = str(score.score) if score.score else None
        answers[f"reason:{score.criterion_id}"] = score.reason
    return answers


def notice(outcome: Outcome, proposal: Proposal | None = None, **kwargs) -> tuple[str, list[dict[str, Any]]]:
    proposal = proposal or proposal_for(outcome)
    weighted = weighted_score(proposal.scores, WEIGHTS)
    return notice_blocks(make_idea(), proposal, STRATEGY, decider_id=DECIDER, weighted=weighted, **kwargs)


def assert_sound_view(view: dict[str, Any]) -> None:
    assert view_problems(view) == []
    assert user_markup(view) == []
    assert_slack_sdk_accepts_view(view)


def assert_sound_message(text: str, blocks: list[dict[str, Any]]) -> None:
    assert limit_problems(blocks, MAX_MESSAGE_BLOCKS) == []
    assert len(text) <= 40_000
    assert user_markup(blocks) == []
    assert sum(len(piece) for piece in mrkdwn_texts(blocks)) <= MESSAGE_BLOCK_TEXT_BUDGET
    assert_slack_sdk_accepts_blocks(blocks)


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


# --- the hand-off ----------------------------------------------------------------------------------


def test_the_handoff_names_the_people_dates_and_logframe():
    cells = {"goal.objective": "loan-cycle-time", "purpose.objective": "Members hear the same day"}
    text, blocks = handoff(make_idea(cells=cells), proposal_for(Outcome.GO), STRATEGY, DECIDER)
    shown = everything(blocks)
    assert text == "Hand-off: IDEA-42 is a go"
    assert f"*Delivery owner*\n<@{OWNER}>" in shown
    assert "*Target start*\n30 March 2027" in shown
    assert f"*Decided by*\n<@{DECIDER}>" in shown
    assert "• *Goal: annual goal*: Consumer loan decision in under 1 day" in shown
    assert "• *Purpose*: Members hear the same day" in shown
    assert_sound_message(text, blocks)


def test_the_handoff_shows_each_logframe_line_it_lists_in_full():
    cells = {key: f"{key} " + fill("word ", 250 - len(key) - 1) for key in all_keys()}
    assert all(len(value) == 250 for value in cells.values())
    _, blocks = handoff(make_idea(cells=cells), proposal_for(Outcome.GO), STRATEGY, DECIDER)
    texts = mrkdwn_texts(blocks)
    start = next(index for index, text in enumerate(texts) if text.startswith("*LogFrame*"))
    logframe = "\n".join(texts[start:])
    shown = [key for key in all_keys() if cells[key].strip() in logframe]
    assert shown == all_keys()
    assert all(len(text) <= 3000 for text in texts)


def test_the_handoff_without_a_logframe_says_so():
    _, blocks = handoff(make_idea(), proposal_for(Outcome.GO), STRATEGY, DECIDER)
    assert "*LogFrame*\n_Not filled in_" in everything(blocks)


@pytest.mark.parametrize(
    "filler",
    [pytest.param(filler, id=name) for filler, name in zip(FILLERS, FILLER_IDS, strict=True)],
)
def test_the_handoff_of_a_huge_hostile_idea_stays_within_limits(filler):
    cells = {key: fill(filler, CELL_MAX_LENGTH) for key in all_keys()}
    idea = make_idea(text=fill(filler, 3000), cells=cells)
    text, blocks = handoff(idea, hostile_proposal(Outcome.GO, filler), STRATEGY, DECIDER)
    assert_sound_message(text, blocks)


# --- feedback --------------------------------------------------------------------------------------


def test_the_feedback_modal_stays_within_limits():
    view = feedback_modal(make_idea())
    assert view["callback_id"] == Callback.FEEDBACK
    assert set(inputs_of(view)) == {"rating", "comment", "anonymous"}
    assert_sound_view(view)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"rating": "4", "comment": "  Clear and quick.  ", "anonymous": ["yes"]}, (4, "Clear and quick.", True)),
        ({"rating": "1", "comment": None, "anonymous": []}, (1, "", False)),
        ({"rating": "5"}, (5, "", False)),
    ],
    ids=["anonymous-with-comment", "named-without-comment", "rating-only"],
)
def test_feedback_parses_back(answers, expected):
    rating, comment, anonymous, errors = parse_feedback(submitted(feedback_modal(make_idea()), answers))
    assert errors == {}
    assert (rating, comment, anonymous) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, {"rating"}),
        ({"rating": "3", "comment": "c" * 1001}, {"comment"}),
        ({"comment": "c" * 1001}, {"rating", "comment"}),
    ],
    ids=["no-rating", "long-comment", "both"],
)
def test_feedback_errors_name_the_field_at_fault(answers, expected):
    view = feedback_modal(make_idea())
    rating, _, _, errors = parse_feedback(submitted(view, answers))
    assert set(errors) == expected
    assert set(errors) <= set(inputs_of(view))
    assert (rating is None) is ("rating" in expected)


# --- reconsider ------------------------------------------------------------------------------------


def test_the_reconsider_modal_stays_within_limits():
    view = reconsider_modal(make_idea(text=fill(HOSTILE, 150)))
    element = inputs_of(view)["new_information"]["element"]
    assert (element["min_length"], element["max_length"]) == (30, 2000)
    assert view["callback_id"] == Callback.RECONSIDER
    assert_sound_view(view)


def test_new_information_parses_back_stripped():
    answer = "  The portal replacement was cancelled last week.  "
    text, errors = parse_reconsider(submitted(reconsider_modal(make_idea()), {"new_information": answer}))
    assert errors == {}
    assert text == answer.strip()


@pytest.mark.parametrize(
    "answer", [None, "x" * 29, " " * 10 + "x" * 29 + " " * 10, "x" * 2001], ids=["none", "29", "padded-29", "2001"]
)
def test_too_little_or_too_much_new_information_is_an_error(answer):
    _, errors = parse_reconsider(submitted(reconsider_modal(make_idea()), {"new_information": answer}))
    assert list(errors) == ["new_information"]


@pytest.mark.parametrize("length", [30, 2000])
def test_new_information_at_exactly_the_limits_passes(length):
    _, errors = parse_reconsider(submitted(reconsider_modal(make_idea()), {"new_information": "x" * length}))
    assert errors == {}


def test_a_question_mentions_the_helper_and_the_submitter_and_escapes_the_title():
    idea = make_idea(text="<!channel> *bold* & more")
    text, blocks = question_asked(idea, COACH)
    assert f"<@{COACH}>, could you pick it up here?" in text and f"<@{idea.submitter_id}>" in text
    assert blocks and all(block["type"] == "context" for block in blocks)
    kickoff_text, _ = question_kickoff(idea)
    assert "<!channel>" not in kickoff_text and "&lt;!channel&gt;" in kickoff_text and "&amp;" in kickoff_text


def test_the_asker_is_sent_to_the_thread_when_its_link_is_known():
    linked = question_taken(COACH, "https://credit.example/archives/G1/p1")
    assert "<https://credit.example/archives/G1/p1|the coaching thread>" in linked and f"<@{COACH}>" in linked
    assert "your coaching conversation" in question_taken(COACH, None)
