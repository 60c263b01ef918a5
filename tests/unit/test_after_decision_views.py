"""Block Kit after a decision: the hand-off to the delivery owner, the feedback and reconsideration modals,
and a submitter's question about the decision.

Ideas and proposals are built in memory (tests/support/decisions.py), checked like the decision views.
"""

from __future__ import annotations

import pytest

from bot.views.after_decision import (
    feedback_modal,
    parse_feedback,
    parse_reconsider,
    question_asked,
    question_kickoff,
    question_taken,
    reconsider_modal,
)
from bot.views.decision_notice import handoff
from bot.views.ids import Callback
from models.decision_rules import Outcome
from models.logframe import CELL_MAX_LENGTH, all_keys
from tests.support.blockkit import HOSTILE, everything, fill, mrkdwn_texts
from tests.support.decisions import (
    COACH,
    DECIDER,
    FILLER_IDS,
    FILLERS,
    OWNER,
    STRATEGY,
    assert_sound_message,
    assert_sound_view,
    hostile_proposal,
    inputs_of,
    make_idea,
    proposal_for,
    submitted,
)

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
