"""The explanation guard: what a decision must contain before a submitter may read it."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.config import load_strategy
from models.decision_rules import (
    EXPLANATION_MAX,
    EXPLANATION_MIN,
    RATIONALE_MAX,
    RATIONALE_MIN_CHARS,
    RATIONALE_MIN_WORDS,
    REASON_MAX,
    REASON_MIN,
    CriterionScore,
    Outcome,
    Proposal,
    check_proposal,
    rationale_key,
    weighted_score,
)
from models.lifecycle import Move, Stage

ROOT = Path(__file__).resolve().parents[2]
STRATEGY = load_strategy(ROOT / "strategy.yml")
WEIGHTS = {criterion.id: criterion.weight for criterion in STRATEGY.criteria}
CRITERIA = list(WEIGHTS)
KNOWN_GOALS = {goal.id for goal in STRATEGY.goals}
TODAY = date(2027, 3, 10)

RATIONALE = (
    "The text costs little to build, but the loan team already plans to replace the document portal "
    "this summer, and the new portal sends these reminders itself."
)
ALTERNATIVES = "Ask the portal vendor to switch on its missing-document reminders early."
WHAT_WOULD_CHANGE = "If the portal replacement slips past September, bring the idea back to the PMO."
NEXT_STEPS = "Lending operations scopes the text templates with compliance in March."


def scores(value: int = 4) -> list[CriterionScore]:
    return [CriterionScore(criterion_id, value, f"Reason for {criterion_id} in a line") for criterion_id in CRITERIA]


def go() -> Proposal:
    return Proposal(
        outcome="go",
        scores=scores(),
        goals_considered=["loan-cycle-time"],
        rationale=RATIONALE,
        next_steps=NEXT_STEPS,
        owner_id="UOWNER0001",
        target_start=TODAY + timedelta(days=20),
        effort=30,
    )


def no_go() -> Proposal:
    return Proposal(
        outcome="no_go",
        scores=scores(2),
        goals_considered=["loan-cycle-time", "digital-self-service"],
        rationale=RATIONALE,
        alternatives=ALTERNATIVES,
        what_would_change=WHAT_WOULD_CHANGE,
    )


def not_now() -> Proposal:
    return replace(no_go(), outcome="not_now", revisit_on=TODAY + timedelta(days=90))


def check(proposal: Proposal, *, today: date = TODAY) -> dict[str, str]:
    return check_proposal(proposal, weights=WEIGHTS, known_goals=KNOWN_GOALS, today=today)


def text_of(chars: int, words: int) -> str:
    """Exactly `chars` characters holding exactly `words` words."""
    assert chars >= 2 * words - 1
    text = " ".join(["w"] * words)
    return text + "x" * (chars - len(text))


# --- weighted_score --------------------------------------------------------------------------------


def test_the_strategy_weights_are_30_25_20_15_10():
    assert WEIGHTS == {"strategic-fit": 30, "member-impact": 25, "effort": 20, "risk": 15, "readiness": 10}


def test_weighted_score_of_a_full_set_is_the_weighted_mean():
    given = [
        CriterionScore(criterion_id, value, "") for criterion_id, value in zip(CRITERIA, [5, 4, 3, 2, 1], strict=True)
    ]
    # (30*5 + 25*4 + 20*3 + 15*2 + 10*1) / 100 = 350 / 100
    assert weighted_score(given, WEIGHTS) == 3.5


def test_weighted_score_rounds_to_two_places():
    given = [
        CriterionScore(criterion_id, value, "") for criterion_id, value in zip(CRITERIA, [4, 5, 1, 3, 2], strict=True)
    ]
    # (120 + 125 + 20 + 45 + 20) / 100 = 3.3
    assert weighted_score(given, WEIGHTS) == 3.3
    # (25*3 + 10*1) / 35 = 85 / 35 = 2.428… -> 2.43
    partial = [CriterionScore("member-impact", 3, ""), CriterionScore("readiness", 1, "")]
    assert weighted_score(partial, WEIGHTS) == 2.43


def test_weighted_score_ignores_missing_scores():
    given = [
        CriterionScore("strategic-fit", 5, ""),
        CriterionScore("member-impact", None, ""),
        CriterionScore("effort", 2, ""),
    ]
    # (30*5 + 20*2) / 50 = 190 / 50
    assert weighted_score(given, WEIGHTS) == 3.8


def test_weighted_score_ignores_criteria_the_strategy_no_longer_has():
    given = [CriterionScore("strategic-fit", 2, ""), CriterionScore("retired-criterion", 5, "")]
    assert weighted_score(given, WEIGHTS) == 2.0


@pytest.mark.parametrize(
    "given",
    [[], [CriterionScore("effort", None, "")], [CriterionScore("retired", 5, "")]],
    ids=["none", "unscored", "unknown"],
)
def test_weighted_score_is_zero_when_nothing_is_scored(given):
    assert weighted_score(given, WEIGHTS) == 0.0


# --- check_proposal: complete proposals pass ------------------------------------------------------


@pytest.mark.parametrize("make", [go, no_go, not_now], ids=["go", "no-go", "not-now"])
def test_a_complete_proposal_passes(make):
    assert check(make()) == {}


def test_a_go_needs_no_alternatives_and_a_no_go_needs_no_next_steps():
    assert check(replace(go(), alternatives="", what_would_change="")) == {}
    assert check(replace(no_go(), next_steps="", owner_id="", target_start=None)) == {}


# --- check_proposal: each missing piece -----------------------------------------------------------


@pytest.mark.parametrize("outcome", ["", "maybe", "Go"])
def test_an_unknown_outcome_is_an_error_on_outcome(outcome):
    assert set(check(replace(go(), outcome=outcome))) == {"outcome"}


@pytest.mark.parametrize("criterion_id", CRITERIA)
def test_a_missing_score_is_an_error_on_that_criterion_only(criterion_id):
    proposal = go()
    proposal.scores = [
        CriterionScore(s.criterion_id, None if s.criterion_id == criterion_id else s.score, s.reason)
        for s in proposal.scores
    ]
    assert set(check(proposal)) == {f"score:{criterion_id}"}


@pytest.mark.parametrize("value", [0, 6, -1])
def test_a_score_outside_1_to_5_is_an_error(value):
    proposal = go()
    proposal.scores[0] = CriterionScore(CRITERIA[0], value, "A good enough reason")
    assert set(check(proposal)) == {f"score:{CRITERIA[0]}"}


@pytest.mark.parametrize("value", [1, 5])
def test_scores_at_the_ends_of_the_scale_pass(value):
    assert check(replace(go(), scores=scores(value))) == {}


@pytest.mark.parametrize("reason", ["", "   ", "too short", " " * 5 + "x" * 9 + " " * 5])
def test_a_short_reason_is_an_error_on_that_reason_only(reason):
    proposal = go()
    proposal.scores[2] = CriterionScore(CRITERIA[2], 3, reason)
    assert set(check(proposal)) == {f"reason:{CRITERIA[2]}"}


def test_a_criterion_left_out_entirely_needs_both_a_score_and_a_reason():
    proposal = go()
    proposal.scores = proposal.scores[1:]
    assert set(check(proposal)) == {f"score:{CRITERIA[0]}", f"reason:{CRITERIA[0]}"}


def test_reasons_at_exactly_the_minimum_and_maximum_length_pass():
    proposal = go()
    proposal.scores[0] = CriterionScore(CRITERIA[0], 3, "r" * REASON_MIN)
    proposal.scores[1] = CriterionScore(CRITERIA[1], 3, "r" * REASON_MAX)
    assert check(proposal) == {}


def test_reasons_one_character_outside_the_limits_fail():
    proposal = go()
    proposal.scores[0] = CriterionScore(CRITERIA[0], 3, "r" * (REASON_MIN - 1))
    proposal.scores[1] = CriterionScore(CRITERIA[1], 3, "r" * (REASON_MAX + 1))
    errors = check(proposal)
    assert set(errors) == {f"reason:{CRITERIA[0]}", f"reason:{CRITERIA[1]}"}
    assert str(REASON_MAX) in errors[f"reason:{CRITERIA[1]}"]


def test_no_goals_considered_is_an_error_on_goals():
    assert set(check(replace(go(), goals_considered=[]))) == {"goals"}


def test_a_goal_that_is_no_longer_in_the_strategy_is_refused():
    errors = check(replace(go(), goals_considered=["loan-cycle-time", "retired-goal"]))
    assert set(errors) == {"goals"}
    assert "no longer" in errors["goals"]


def test_a_rationale_too_short_in_characters_is_an_error_even_with_enough_words():
    rationale = text_of(RATIONALE_MIN_CHARS - 1, RATIONALE_MIN_WORDS + 5)
    assert set(check(replace(go(), rationale=rationale))) == {"rationale"}


def test_a_rationale_with_too_few_words_is_an_error_even_when_long_enough():
    rationale = text_of(RATIONALE_MIN_CHARS + 50, RATIONALE_MIN_WORDS - 1)
    assert set(check(replace(go(), rationale=rationale))) == {"rationale"}


def test_a_rationale_at_exactly_the_minimum_characters_and_words_passes():
    rationale = text_of(RATIONALE_MIN_CHARS, RATIONALE_MIN_WORDS)
    assert len(rationale) == 100
    assert check(replace(go(), rationale=rationale)) == {}


def test_surrounding_spaces_do_not_count_towards_the_rationale_minimum():
    rationale = "   " + text_of(RATIONALE_MIN_CHARS - 1, RATIONALE_MIN_WORDS) + "   "
    assert set(check(replace(go(), rationale=rationale))) == {"rationale"}


def test_a_rationale_at_the_maximum_passes_and_one_over_fails():
    assert check(replace(go(), rationale=text_of(RATIONALE_MAX, 20))) == {}
    errors = check(replace(go(), rationale=text_of(RATIONALE_MAX + 1, 20)))
    assert set(errors) == {"rationale"}
    assert str(RATIONALE_MAX) in errors["rationale"]


def test_dashes_between_words_do_not_count_as_words():
    fourteen_words = (
        "Budgets tight - staffing stretched - vendor delayed - timing poor - sorry everyone, "
        "unfortunately nothing doable - currently"
    )
    assert len(fourteen_words) >= RATIONALE_MIN_CHARS
    assert len(re.findall(r"[A-Za-z]+", fourteen_words)) == RATIONALE_MIN_WORDS - 1
    assert set(check(replace(go(), rationale=fourteen_words))) == {"rationale"}


@pytest.mark.parametrize("make", [no_go, not_now], ids=["no-go", "not-now"])
@pytest.mark.parametrize("key", ["alternatives", "what_would_change"])
def test_no_go_and_not_now_need_alternatives_and_what_would_change(make, key):
    assert set(check(replace(make(), **{key: ""}))) == {key}
    assert set(check(replace(make(), **{key: "x" * (EXPLANATION_MIN - 1)}))) == {key}
    assert set(check(replace(make(), **{key: "x" * (EXPLANATION_MAX + 1)}))) == {key}


@pytest.mark.parametrize("key", ["alternatives", "what_would_change"])
def test_explanations_at_exactly_the_minimum_and_maximum_pass(key):
    assert check(replace(no_go(), **{key: "x" * EXPLANATION_MIN})) == {}
    assert check(replace(no_go(), **{key: "x" * EXPLANATION_MAX})) == {}


def test_an_explanation_padded_with_spaces_is_measured_without_them():
    padded = "   " + "x" * (EXPLANATION_MIN - 1) + "   "
    assert set(check(replace(no_go(), alternatives=padded))) == {"alternatives"}


def test_not_now_needs_a_revisit_date():
    assert set(check(replace(not_now(), revisit_on=None))) == {"revisit_on"}


@pytest.mark.parametrize("days", [0, -1, -400])
def test_not_now_needs_a_revisit_date_in_the_future(days):
    errors = check(replace(not_now(), revisit_on=TODAY + timedelta(days=days)))
    assert set(errors) == {"revisit_on"}
    assert "future" in errors["revisit_on"]


def test_not_now_revisiting_tomorrow_passes():
    assert check(replace(not_now(), revisit_on=TODAY + timedelta(days=1))) == {}


def test_no_go_needs_no_revisit_date():
    assert check(replace(no_go(), revisit_on=None)) == {}


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"next_steps": ""}, "next_steps"),
        ({"next_steps": " " * 40 + "x" * (EXPLANATION_MIN - 1)}, "next_steps"),
        ({"next_steps": "x" * (EXPLANATION_MAX + 1)}, "next_steps"),
        ({"owner_id": ""}, "owner"),
        ({"target_start": None}, "target_start"),
    ],
    ids=["no-next-steps", "short-next-steps", "long-next-steps", "no-owner", "no-target-start"],
)
def test_go_needs_next_steps_an_owner_and_a_target_start(changes, key):
    assert set(check(replace(go(), **changes))) == {key}


def test_go_next_steps_at_exactly_the_minimum_and_maximum_pass():
    assert check(replace(go(), next_steps="x" * EXPLANATION_MIN)) == {}
    assert check(replace(go(), next_steps="x" * EXPLANATION_MAX)) == {}


def test_a_go_target_start_in_the_past_is_refused_but_today_is_fine():
    errors = check(replace(go(), target_start=TODAY - timedelta(days=1)))
    assert set(errors) == {"target_start"}
    assert "past" in errors["target_start"]
    assert check(replace(go(), target_start=TODAY)) == {}


def test_an_empty_proposal_lists_every_common_problem():
    errors = check(Proposal())
    expected = {"outcome", "goals", "rationale"}
    expected |= {f"score:{c}" for c in CRITERIA} | {f"reason:{c}" for c in CRITERIA}
    assert set(errors) == expected


# --- Proposal payload ------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [go, no_go, not_now], ids=["go", "no-go", "not-now"])
def test_a_proposal_survives_a_json_round_trip_through_its_payload(make):
    proposal = make()
    payload = json.loads(json.dumps(proposal.to_payload()))
    assert Proposal.from_payload(payload) == proposal


def test_the_payload_holds_dates_as_iso_text_and_scores_as_dicts():
    payload = replace(go(), revisit_on=date(2027, 9, 1)).to_payload()
    assert payload["target_start"] == "2027-03-30"
    assert payload["revisit_on"] == "2027-09-01"
    assert payload["scores"][0] == {
        "criterion_id": "strategic-fit",
        "score": 4,
        "reason": "Reason for strategic-fit in a line",
    }


def test_a_payload_without_dates_parses_to_none():
    payload = no_go().to_payload()
    assert payload["target_start"] is None and payload["revisit_on"] is None
    restored = Proposal.from_payload(payload)
    assert restored.target_start is None and restored.revisit_on is None


def test_from_payload_does_not_change_the_payload_it_reads():
    payload = go().to_payload()
    before = json.loads(json.dumps(payload))
    Proposal.from_payload(payload)
    assert payload == before


# --- a rationale repeated word for word: the same key --------------------------------------------------


@pytest.mark.parametrize(
    "earlier",
    [
        RATIONALE,
        RATIONALE.upper(),
        "  " + RATIONALE.replace(" ", "   \n") + "\t",
        RATIONALE.replace(",", "").replace(".", "!!!"),
        RATIONALE.replace(", ", "; ").replace(" the ", " (the) "),
    ],
    ids=["same", "case", "spacing", "punctuation", "brackets"],
)
def test_the_key_ignores_case_spacing_and_punctuation(earlier):
    assert rationale_key(RATIONALE) == rationale_key(earlier)


def test_the_key_differs_when_one_word_differs():
    assert rationale_key(RATIONALE) != rationale_key(RATIONALE.replace("summer", "autumn"))
    assert rationale_key("We cannot fund this") != rationale_key("We can fund this")


@pytest.mark.parametrize("rationale", ["", "...!", "  "])
def test_text_without_words_has_no_key_and_repeats_nothing(rationale):
    assert rationale_key(rationale) is None


@pytest.mark.parametrize(
    "earlier",
    ["We can't fund it - not this year.", "We can't fund it, not 'this' year."],
    ids=["dash", "single-quotes"],
)
def test_the_key_ignores_dashes_and_quote_marks(earlier):
    assert rationale_key("We can't fund it, not this year.") == rationale_key(earlier)


# --- Outcome ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "label", "move", "stage", "needs_alternatives"),
    [
        (Outcome.GO, "Go", Move.DECIDE_GO, Stage.DECIDED_GO, False),
        (Outcome.NO_GO, "No-go", Move.DECIDE_NO_GO, Stage.DECIDED_NO_GO, True),
        (Outcome.NOT_NOW, "Not now", Move.DECIDE_NOT_NOW, Stage.NOT_NOW, True),
    ],
)
def test_outcome_properties(outcome, label, move, stage, needs_alternatives):
    assert outcome.label == label
    assert outcome.move is move
    assert outcome.stage is stage
    assert outcome.needs_alternatives is needs_alternatives


def test_outcome_values_are_the_stored_strings():
    assert [outcome.value for outcome in Outcome] == ["go", "no_go", "not_now"]


@pytest.mark.parametrize("effort", [None, 0, -5, 100_001])
def test_a_go_needs_a_rough_effort_above_zero(effort):
    proposal = go()
    proposal.effort = effort
    errors = check_proposal(proposal, weights=WEIGHTS, known_goals=KNOWN_GOALS, today=TODAY)
    assert "capacity" in errors["effort"]


def test_effort_is_not_asked_of_a_no_go():
    assert "effort" not in check_proposal(no_go(), weights=WEIGHTS, known_goals=KNOWN_GOALS, today=TODAY)


def test_one_reason_pasted_into_every_criterion_is_refused_after_the_first():
    proposal = go()
    for score in proposal.scores:
        score.reason = "It is a good idea overall, we think."
    errors = check_proposal(proposal, weights=WEIGHTS, known_goals=KNOWN_GOALS, today=TODAY)
    pasted = [key for key, text in errors.items() if "same reason as another" in text]
    assert pasted == [f"reason:{criterion}" for criterion in list(WEIGHTS)[1:]]


def test_a_rationale_is_flagged_when_it_names_nothing_from_the_idea():
    from models.decision_rules import names_the_idea

    idea = ("Text members when a loan document is missing", "Loan files stall for days.")
    assert names_the_idea("Loans stall because members are not told about documents.", *idea)
    assert not names_the_idea("We have limited capacity this year and other priorities came first.", *idea)
