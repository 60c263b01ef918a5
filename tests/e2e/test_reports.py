"""/idea portfolio and /idea report end to end: numbers against a seeded pipeline, files in the DM,
refusals for people outside the PMO, and clear answers for dates that can't be read."""

from __future__ import annotations

import csv
import io

import pytest

from bot.config import load_strategy
from models import Stage
from tests.conftest import COACH, OUTSIDER, ROOT, SUBMITTER
from tests.support.flows import coach_this, submit_idea
from tests.support.pipeline import GOALS, goal_of, seed

STRATEGY_TITLES = {goal.id: goal.title for goal in load_strategy(ROOT / "strategy.yml").goals}


def uploads(fake) -> dict[str, bytes]:
    """Each uploaded file's name and bytes, from files.getUploadURLExternal and the upload that followed."""
    names = {}
    for call in fake.calls_to("files.getUploadURLExternal"):
        names[len(names)] = call["filename"]
    contents = [call["content"] for call in fake.calls_to("upload")]
    completed = fake.calls_to("files.completeUploadExternal")
    assert len(completed) == len(contents) == len(names)
    return {names[index]: content for index, content in enumerate(contents)}


@pytest.mark.parametrize("command", ["portfolio", "report", "report last 30 days"])
def test_staff_only_commands_are_refused_to_others_with_nothing_sent(slack, command):
    response = slack.command(command, user=SUBMITTER)
    assert response.status == 200 and "Only PMO staff" in response.json()["text"]
    assert slack.fake.methods() == []


def test_portfolio_numbers_match_a_seeded_pipeline_and_a_chart_reaches_the_dm(slack, session_factory):
    per_stage = seed(session_factory, 210, effort=12.5)  # 30 per stage, 30 Go decisions of 12.5
    response = slack.command("portfolio", user=COACH)
    answer = response.json()
    assert response.status == 200
    shown = "\n".join(block["text"]["text"] for block in answer["blocks"] if block.get("text"))
    committed = per_stage[Stage.DECIDED_GO] * 12.5
    assert f"{committed:g} person-days committed by 30 Go decision(s) of 400 person-days capacity (94%)" in shown
    go_numbers = [number for number in range(210) if number % 7 == 3]  # the seed's Go ideas
    for goal_id in (*GOALS, None):
        ideas = sum(goal_of(number) == goal_id for number in range(210))
        goes = sum(goal_of(number) == goal_id for number in go_numbers)
        title = STRATEGY_TITLES.get(goal_id, "Linked to no goal")
        share = f" ({goes * 12.5 / 400:.0%} of capacity)"
        assert f"*{title}* — {ideas} idea(s): " in shown
        assert f"Go: {goes}, {goes * 12.5:g} person-days{share}." in shown
    files = uploads(slack.fake)
    assert list(files) == ["portfolio.png"] and files["portfolio.png"].startswith(b"\x89PNG")
    assert slack.fake.only("conversations.open")["users"] == COACH


def test_report_uploads_a_csv_that_parses_back_row_by_row_with_formulas_defused(slack, session_factory):
    formula = '=HYPERLINK("http://evil.example","click")'
    first = submit_idea(slack, title=formula)
    second = submit_idea(slack, title="@SUM(A1:A3) plain enough")
    coach_this(slack, first, COACH)

    response = slack.command("report last 90 days", user=COACH)
    assert response.status == 200 and "Preparing the ideas report" in response.json()["text"]

    summary = slack.fake.calls_to("chat.postMessage")[-1]
    assert summary["channel"] == COACH and "2 in, 0 decided" in summary["text"]
    # The first idea got its coach at once; the second's promised date has not come yet.
    assert "*A coach reached out by the promised date*\n1 of 1 (100%)" in summary.mrkdwn
    files = uploads(slack.fake)
    name = next(name for name in files if name.endswith(".csv"))
    rows = list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"))))
    assert [row["reference"] for row in rows] == [f"IDEA-{first}", f"IDEA-{second}"]
    assert rows[0]["title"] == "'" + formula
    assert rows[1]["title"] == "'@SUM(A1:A3) plain enough"
    assert rows[0]["stage"] == "In coaching" and rows[0]["coach"] == COACH
    assert rows[0]["entered submitted"] and rows[0]["entered in coaching"]
    assert rows[1]["entered in coaching"] == "" and rows[0]["goals"] == "digital-self-service;loan-cycle-time"
    assert rows[0]["submitter"] == SUBMITTER and rows[0]["logframe cells"] == "0/16"
    chart = next(name for name in files if name.endswith(".png"))
    assert files[chart].startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("report 2027-02-30", "is not a date I can read"),
        ("report 2027-03-01 2027-01-01", "is before the start date"),
        ("report yesterday", "is not a date I can read"),
        ("report last 9999 days", "too long"),
    ],
)
def test_report_dates_that_cannot_be_read_get_a_clear_answer_and_nothing_else(slack, words, expected):
    response = slack.command(words, user=COACH)
    assert response.status == 200 and expected in response.json()["text"]
    assert slack.fake.methods() == []


def test_a_report_of_an_iso_period_without_activity_still_arrives(slack):
    response = slack.command("report 2020-01-01 2020-03-31", user=COACH)
    assert "1 Jan 2020 to 31 Mar 2020" in response.json()["text"]
    rows = list(csv.reader(io.StringIO(next(iter(uploads(slack.fake).values())).decode("utf-8-sig"))))
    assert rows[0][:3] == ["reference", "title", "submitter"] and len(rows) == 1


def test_the_portfolio_is_refused_to_outsiders_even_by_reference(slack):
    assert "Only PMO staff" in slack.command("portfolio", user=OUTSIDER).json()["text"]
