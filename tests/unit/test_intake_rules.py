"""The intake rules (validate_draft) and idea references (parse_reference): pure Python, no Slack."""

from __future__ import annotations

from dataclasses import replace

import pytest

from models import parse_reference
from models.intake import TEXT_RULES, Field, IdeaDraft, validate_draft

KNOWN_GOALS = {"loan-cycle-time", "digital-self-service", "fraud-losses"}

GOOD = IdeaDraft(
    title="Text members when a loan document is missing",
    problem="Loan files stall for days because members don't know a pay stub is missing.",
    proposal="Send an automatic text the moment the loan officer flags a missing document.",
    beneficiaries=["members", "department"],
    beneficiary_detail="Consumer lending",
    goal_ids=["loan-cycle-time", "digital-self-service"],
    success_signal="Median days waiting on documents drops from 4 to 1.",
    tried_before="Officers phone members, but half the calls go to voicemail.",
    help_offer="yes",
)

REQUIRED_TEXT = [Field.TITLE, Field.PROBLEM, Field.PROPOSAL, Field.SUCCESS]
OPTIONAL_TEXT = [Field.BENEFICIARY_DETAIL, Field.TRIED]
MAX_LENGTHS = {
    Field.TITLE: 150,
    Field.PROBLEM: 3000,
    Field.PROPOSAL: 3000,
    Field.BENEFICIARY_DETAIL: 500,
    Field.SUCCESS: 3000,
    Field.TRIED: 3000,
}
MIN_LENGTHS = {Field.TITLE: 3, Field.PROBLEM: 10, Field.PROPOSAL: 10, Field.SUCCESS: 3}


def errors_for(**changes) -> dict[Field, str]:
    return validate_draft(replace(GOOD, **changes), KNOWN_GOALS)


def test_a_complete_draft_has_no_errors():
    assert validate_draft(GOOD, KNOWN_GOALS) == {}


def test_an_empty_draft_reports_every_required_field_and_nothing_optional():
    errors = validate_draft(IdeaDraft(), KNOWN_GOALS)
    assert set(errors) == {*REQUIRED_TEXT, Field.BENEFICIARIES, Field.GOALS, Field.HELP}


@pytest.mark.parametrize("name", REQUIRED_TEXT, ids=str)
@pytest.mark.parametrize("blank", ["", "   ", "\n\t  \n"], ids=["empty", "spaces", "whitespace"])
def test_a_required_text_that_is_empty_or_only_whitespace_is_missing(name: Field, blank: str):
    errors = errors_for(**{name.value: blank})
    assert set(errors) == {name}
    assert errors[name] == f"Please fill in “{TEXT_RULES[name].label}”."


@pytest.mark.parametrize("name", OPTIONAL_TEXT, ids=str)
def test_optional_texts_may_be_left_empty(name: Field):
    changes = {name.value: "   "}
    if name is Field.BENEFICIARY_DETAIL:
        changes["beneficiaries"] = ["members"]
    assert errors_for(**changes) == {}


@pytest.mark.parametrize(("name", "limit"), MAX_LENGTHS.items(), ids=str)
def test_a_text_exactly_at_its_maximum_passes(name: Field, limit: int):
    assert errors_for(**{name.value: "x" * limit}) == {}


@pytest.mark.parametrize(("name", "limit"), MAX_LENGTHS.items(), ids=str)
def test_a_text_one_over_its_maximum_is_refused_with_the_limit_and_its_length(name: Field, limit: int):
    errors = errors_for(**{name.value: "x" * (limit + 1)})
    assert set(errors) == {name}
    assert errors[name] == f"Please keep this under {limit} characters (it has {limit + 1})."


def test_the_rules_table_has_the_lengths_the_modal_and_database_rely_on():
    assert {name: rule.max_length for name, rule in TEXT_RULES.items()} == MAX_LENGTHS
    assert {name: rule.min_length for name, rule in TEXT_RULES.items() if rule.required} == MIN_LENGTHS


@pytest.mark.parametrize(("name", "minimum"), MIN_LENGTHS.items(), ids=str)
def test_a_text_exactly_at_its_minimum_passes(name: Field, minimum: int):
    assert errors_for(**{name.value: "y" * minimum}) == {}


@pytest.mark.parametrize(("name", "minimum"), MIN_LENGTHS.items(), ids=str)
def test_a_text_one_under_its_minimum_asks_for_more(name: Field, minimum: int):
    errors = errors_for(**{name.value: "y" * (minimum - 1)})
    assert errors == {name: f"Please say a little more (at least {minimum} characters)."}


def test_surrounding_whitespace_does_not_count_towards_the_minimum():
    assert set(errors_for(title="   ab   ")) == {Field.TITLE}
    assert errors_for(title="  abc  ") == {}


def test_a_department_beneficiary_needs_to_say_which():
    assert errors_for(beneficiaries=["department"], beneficiary_detail="") == {
        Field.BENEFICIARY_DETAIL: "Which department or team would benefit?"
    }
    assert set(errors_for(beneficiaries=["department"], beneficiary_detail="  \n ")) == {Field.BENEFICIARY_DETAIL}
    assert errors_for(beneficiaries=["department"], beneficiary_detail="Lending") == {}


def test_members_or_employees_need_no_detail():
    assert errors_for(beneficiaries=["members", "employees"], beneficiary_detail="") == {}


def test_no_beneficiary_is_refused():
    assert errors_for(beneficiaries=[]) == {Field.BENEFICIARIES: "Please choose who would benefit."}


@pytest.mark.parametrize("bad", [["admins"], ["members", "everyone"], ["Members"], [""]])
def test_a_beneficiary_that_is_not_an_option_is_refused(bad: list[str]):
    assert errors_for(beneficiaries=bad) == {Field.BENEFICIARIES: "Please choose from the options shown."}


def test_no_goal_is_refused():
    assert set(errors_for(goal_ids=[])) == {Field.GOALS}


def test_unsure_alone_is_accepted():
    assert errors_for(goal_ids=["unsure"]) == {}


def test_unsure_together_with_goals_is_refused():
    assert errors_for(goal_ids=["unsure", "fraud-losses"]) == {Field.GOALS: "Choose goals or “Not sure”, not both."}


def test_an_unknown_goal_is_refused_naming_it():
    errors = errors_for(goal_ids=["loan-cycle-time", "world-peace"])
    assert set(errors) == {Field.GOALS}
    assert "“world-peace” is no longer one of this year's goals" in errors[Field.GOALS]


@pytest.mark.parametrize("offer", ["yes", "maybe", "no"])
def test_each_help_offer_option_is_accepted(offer: str):
    assert errors_for(help_offer=offer) == {}


@pytest.mark.parametrize("offer", ["", "sure", "YES", "Yes, I'd like to help deliver it"])
def test_a_help_offer_that_is_not_an_option_is_refused(offer: str):
    assert errors_for(help_offer=offer) == {Field.HELP: "Please say whether you'd like to help deliver it."}


def test_all_problems_are_reported_together():
    errors = errors_for(title="", goal_ids=["unsure", "fraud-losses"], help_offer="", beneficiaries=[])
    assert set(errors) == {Field.TITLE, Field.GOALS, Field.HELP, Field.BENEFICIARIES}


# --- parse_reference ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IDEA-12", 12),
        ("idea-12", 12),
        ("Idea-12", 12),
        (" IDEA-7 ", 7),
        ("\tIDEA-7\n", 7),
        ("IDEA-007", 7),
        ("IDEA-999999999", 999_999_999),
    ],
)
def test_a_reference_gives_its_idea_number(text: str, expected: int):
    assert parse_reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "IDEA-",
        "IDEA-x",
        "IDEA-12x",
        "IDEA-1 2",
        "IDEA--1",
        "IDEA-+1",
        "IDEA-1.5",
        "12",
        "IDEA12",
        "IDEA 12",
        "mine",
        "",
        "   ",
        "IDEA-1234567890",
        "IDEA-" + "9" * 400,
    ],
)
def test_anything_else_is_not_a_reference(text: str):
    assert parse_reference(text) is None


@pytest.mark.parametrize("text", ["IDEA-²", "IDEA-1²", "IDEA-①"])
def test_unicode_digit_like_characters_are_not_a_reference_and_do_not_raise(text: str):
    assert parse_reference(text) is None
