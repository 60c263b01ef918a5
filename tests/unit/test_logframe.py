"""The LogFrame worksheet: which cells count, what is missing, and the bottom-to-top if-then playback."""

from __future__ import annotations

import pytest

from models.logframe import OTHER_WAYS, TOTAL_CELLS, Worksheet, all_keys, playback

# Every cell filled, with one outcome (its objective and measure) standing for the Outcomes row.
FULL = {
    "goal.objective": "loan-cycle-time",
    "goal.measure": "Median decision time under one business day",
    "goal.verification": "Loan system monthly report",
    "goal.assumptions": "Underwriting rules stay as they are",
    "purpose.objective": "members hear about missing documents the same day",
    "purpose.measure": "Days waiting on documents drops from 4 to 1",
    "purpose.verification": "Loan officer log",
    "purpose.assumptions": "members read their texts",
    "outcome1.objective": "an automatic text when a document is flagged missing",
    "outcome1.measure": "Sent within 5 minutes for 95% of flags",
    "outcomes.verification": "SMS gateway delivery report",
    "outcomes.assumptions": "the SMS gateway stays up",
    "inputs.objective": "two developers for three weeks",
    "inputs.measure": "6 person-weeks",
    "inputs.verification": "Sprint board",
    "inputs.assumptions": "the vendor API is available",
}


# --- all_keys --------------------------------------------------------------------------------------


def test_all_keys_lists_the_21_cells_in_worksheet_order_with_other_ways_last():
    assert all_keys() == [
        "goal.objective",
        "goal.measure",
        "goal.verification",
        "goal.assumptions",
        "purpose.objective",
        "purpose.measure",
        "purpose.verification",
        "purpose.assumptions",
        "outcome1.objective",
        "outcome1.measure",
        "outcome2.objective",
        "outcome2.measure",
        "outcome3.objective",
        "outcome3.measure",
        "outcomes.verification",
        "outcomes.assumptions",
        "inputs.objective",
        "inputs.measure",
        "inputs.verification",
        "inputs.assumptions",
        "other_ways",
    ]
    assert all_keys()[-1] == OTHER_WAYS


def test_the_matrix_has_sixteen_cells():
    assert TOTAL_CELLS == 16


# --- from_cells ------------------------------------------------------------------------------------


def test_from_cells_drops_unknown_keys():
    worksheet = Worksheet.from_cells({"purpose.objective": "Faster loans", "outcome4.objective": "x", "junk": "y"})
    assert worksheet.cells == {"purpose.objective": "Faster loans"}


def test_from_cells_drops_blank_values_and_strips_the_rest():
    worksheet = Worksheet.from_cells({"purpose.objective": "  Faster loans \n", "purpose.measure": " \n\t", "": ""})
    assert worksheet.cells == {"purpose.objective": "Faster loans"}


@pytest.mark.parametrize("cells", [None, {}])
def test_from_cells_of_nothing_is_an_empty_worksheet(cells):
    assert Worksheet.from_cells(cells).cells == {}


def test_get_returns_empty_text_for_an_open_cell():
    worksheet = Worksheet.from_cells({"purpose.objective": "Faster loans"})
    assert worksheet.get("purpose.objective") == "Faster loans"
    assert worksheet.get("purpose.measure") == ""


# --- completeness ----------------------------------------------------------------------------------


def test_an_empty_worksheet_has_0_of_16_cells():
    worksheet = Worksheet.from_cells({})
    assert worksheet.completed_cells == 0
    assert worksheet.completeness == "0 of 16 cells"


def test_a_full_worksheet_has_16_of_16_cells_and_nothing_missing():
    worksheet = Worksheet.from_cells(FULL)
    assert worksheet.completed_cells == 16
    assert worksheet.completeness == "16 of 16 cells"
    assert worksheet.missing() == []


def test_other_ways_is_not_one_of_the_sixteen_cells():
    worksheet = Worksheet.from_cells({OTHER_WAYS: "Phone calls instead"})
    assert worksheet.completed_cells == 0
    assert worksheet.cells == {OTHER_WAYS: "Phone calls instead"}


def test_a_partial_worksheet_counts_only_its_filled_cells():
    worksheet = Worksheet.from_cells(
        {"goal.objective": "loan-cycle-time", "purpose.objective": "Faster", "inputs.assumptions": "Vendor ready"}
    )
    assert worksheet.completed_cells == 3
    assert worksheet.completeness == "3 of 16 cells"


def test_one_stated_outcome_fills_the_outcomes_objective():
    worksheet = Worksheet.from_cells({"outcome2.objective": "A text message"})
    assert worksheet.completed_cells == 1
    assert "Outcomes: objective" not in worksheet.missing()
    assert "Outcomes: success measure" in worksheet.missing()


def test_the_outcomes_measure_counts_when_every_stated_outcome_has_one():
    worksheet = Worksheet.from_cells(
        {
            "outcome1.objective": "A text message",
            "outcome1.measure": "95% within 5 minutes",
            "outcome3.objective": "A dashboard",
            "outcome3.measure": "Used weekly by 10 officers",
        }
    )
    assert worksheet.completed_cells == 2


def test_the_outcomes_measure_does_not_count_while_one_stated_outcome_lacks_it():
    worksheet = Worksheet.from_cells(
        {
            "outcome1.objective": "A text message",
            "outcome1.measure": "95% within 5 minutes",
            "outcome2.objective": "A dashboard",
        }
    )
    assert worksheet.completed_cells == 1
    assert "Outcomes: success measure" in worksheet.missing()


def test_a_measure_without_its_outcome_fills_nothing():
    worksheet = Worksheet.from_cells({"outcome1.measure": "95% within 5 minutes"})
    assert worksheet.completed_cells == 0
    assert worksheet.outcomes() == []


def test_outcomes_lists_stated_outcomes_in_order_with_their_measures():
    worksheet = Worksheet.from_cells(
        {
            "outcome3.objective": "Third",
            "outcome1.objective": "First",
            "outcome1.measure": "M1",
            "outcome2.measure": "x",
        }
    )
    assert worksheet.outcomes() == [("First", "M1"), ("Third", "")]


# --- missing ---------------------------------------------------------------------------------------


def test_missing_names_every_open_cell_of_an_empty_worksheet_in_order():
    missing = Worksheet.from_cells({}).missing()
    assert len(missing) == 16
    assert missing[:4] == [
        "Goal: objective",
        "Goal: success measure",
        "Goal: how we'll verify it",
        "Goal: assumptions (outside our control)",
    ]
    assert missing[-1] == "Inputs: assumptions (outside our control)"


def test_missing_names_only_the_open_cells():
    cells = dict(FULL)
    del cells["purpose.measure"]
    del cells["inputs.assumptions"]
    assert Worksheet.from_cells(cells).missing() == [
        "Purpose: success measure",
        "Inputs: assumptions (outside our control)",
    ]


# --- playback --------------------------------------------------------------------------------------


def test_playback_of_a_full_worksheet_reads_bottom_to_top_with_assumptions():
    sentences = playback(Worksheet.from_cells(FULL), "Consumer loan decision in under 1 day")
    assert sentences == [
        "If we do two developers for three weeks and the vendor API is available holds, "
        "then we will deliver an automatic text when a document is flagged missing.",
        "If we deliver an automatic text when a document is flagged missing and the SMS gateway stays up holds, "
        "then members hear about missing documents the same day.",
        "If members hear about missing documents the same day and members read their texts holds, "
        "then it contributes to the goal: Consumer loan decision in under 1 day.",
    ]


def test_playback_of_an_empty_worksheet_names_every_gap_in_brackets():
    sentences = playback(Worksheet.from_cells({}), None)
    assert sentences == [
        "If we do [inputs not yet described], then we will deliver [outcomes not yet described].",
        "If we deliver [outcomes not yet described], then [purpose not yet described].",
        "If [purpose not yet described], then it contributes to the goal: [annual goal not yet chosen].",
    ]
    assert all(sentence.startswith("If ") and ", then " in sentence for sentence in sentences)
    assert not any(" holds" in sentence for sentence in sentences)


def test_playback_joins_several_outcomes_with_semicolons():
    worksheet = Worksheet.from_cells({"outcome1.objective": "a text", "outcome2.objective": "a dashboard"})
    sentences = playback(worksheet, None)
    assert sentences[0].endswith("then we will deliver a text; a dashboard.")
    assert sentences[1].startswith("If we deliver a text; a dashboard, then")


def test_playback_uses_the_goal_title_it_is_given_not_the_goal_id():
    worksheet = Worksheet.from_cells({"goal.objective": "loan-cycle-time"})
    assert (
        playback(worksheet, "Faster loans").pop()
        == "If [purpose not yet described], then it contributes to the goal: Faster loans."
    )
    assert "loan-cycle-time" not in " ".join(playback(worksheet, None))


def test_playback_adds_only_the_assumptions_that_are_stated():
    worksheet = Worksheet.from_cells({"purpose.objective": "Faster loans", "purpose.assumptions": "rates hold"})
    inputs, outcomes, purpose = playback(worksheet, None)
    assert " holds" not in inputs
    assert " holds" not in outcomes
    assert (
        purpose
        == "If Faster loans and rates hold holds, then it contributes to the goal: [annual goal not yet chosen]."
    )
