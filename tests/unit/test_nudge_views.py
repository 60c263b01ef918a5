"""Nudge and digest Block Kit: every kind reads right, user text is escaped, Slack's limits hold."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from slack_sdk.models.blocks import Block

from bot.views import digest as digest_views
from bot.views import nudges as views
from bot.views import sweep as sweep_views
from bot.views.ids import Action
from models.nudging import Audience, NudgeKind, Place, SweepOutcome

HOSTILE = "<!channel> & <https://evil.example|Reset password> " + "x" * 400


def notice(kind: NudgeKind, audience: Audience, step: int = 0, **changes) -> views.NudgeNotice:
    values = {
        "nudge_id": 42,
        "kind": kind,
        "step": step,
        "audience": audience,
        "idea_id": 7,
        "reference": "IDEA-7",
        "title": HOSTILE,
        "submitter_id": "USUBMIT001",
        "coach_id": "UCOACH0001",
        "last_reply_by": "UCOACH0001",
        "mentions": ("UCOACH0001",),
        "stalled_days": 6.4,
        "revisit_on": date(2027, 3, 3),
        "earlier_mentions": ("UCOACH0001", "UCOACH0002"),
    }
    return views.NudgeNotice(**(values | changes))


CASES = [
    (NudgeKind.UNASSIGNED, Audience.PMO_CHANNEL, 0),
    (NudgeKind.UNASSIGNED, Audience.PMO_CHANNEL, 1),
    (NudgeKind.COACHING_QUIET, Audience.SUBMITTER, 0),
    (NudgeKind.COACHING_QUIET, Audience.COACH, 0),
    (NudgeKind.AWAITING_DECISION, Audience.DECIDERS, 0),
    (NudgeKind.REVISIT, Audience.REVISIT, 0),
    *[(kind, Audience.PMO_LEAD, 2) for kind in NudgeKind],
]


@pytest.mark.parametrize(("kind", "audience", "step"), CASES)
def test_every_nudge_escapes_user_text_and_fits_slacks_limits(kind, audience, step):
    text, blocks = views.nudge_message(notice(kind, audience, step))

    rendered = "\n".join([text, *(b["text"]["text"] for b in blocks if b["type"] == "section")])
    assert "<!channel>" not in rendered and "<https://evil" not in rendered
    for block in blocks:
        Block.parse(block).to_dict()  # slack_sdk checks its limits when serialising
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    actions = next(b for b in blocks if b["type"] == "actions")
    ids = [element["action_id"] for element in actions["elements"]]
    assert len(ids) == len(set(ids))
    assert {Action.ON_IT, Action.SNOOZE_DAY, Action.SNOOZE_3_DAYS, Action.SNOOZE_WEEK} <= set(ids)
    assert all(e["value"] == "42" for e in actions["elements"] if e["action_id"].startswith("nudge_"))


def test_stalled_days_read_as_whole_business_days():
    text, _ = views.nudge_message(notice(NudgeKind.UNASSIGNED, Audience.PMO_CHANNEL, stalled_days=1.02))
    assert text == "IDEA-7 has been waiting for a coach for 1 business day"
    assert "6 business days" in views.nudge_message(notice(NudgeKind.UNASSIGNED, Audience.PMO_CHANNEL))[0]


def test_the_escalation_names_who_was_reminded_before():
    _, blocks = views.nudge_message(notice(NudgeKind.AWAITING_DECISION, Audience.PMO_LEAD, 2, mentions=("ULEAD00001",)))
    assert blocks[0]["text"]["text"].startswith(":rotating_light: <@ULEAD00001>,")
    assert "two reminders to <@UCOACH0001>, <@UCOACH0002>" in blocks[0]["text"]["text"]


def test_a_handled_nudge_keeps_its_words_and_loses_its_buttons():
    note = views.on_it_note("UCOACH0002")
    _, blocks = views.handled_message(notice(NudgeKind.UNASSIGNED, Audience.PMO_CHANNEL), note)
    assert [b["type"] for b in blocks] == ["section", "context"]
    assert blocks[1]["elements"][0]["text"] == ":white_check_mark: <@UCOACH0002> is on it. The clock has restarted."


def test_a_digest_with_many_ideas_stays_within_limits():
    week_end = datetime(2027, 3, 8, 14, tzinfo=UTC)
    many = [
        digest_views.IdeaLine(f"IDEA-{n}", HOSTILE, "waiting for a coach, 3 business day(s)", f"https://x.example/{n}")
        for n in range(200)
    ]
    figures = digest_views.DigestFigures(
        week_start=week_end.replace(day=1),
        week_end=week_end,
        new_ideas=many,
        per_stage=[("Submitted", 200)],
        decisions=many,
        stalled=many,
        median_first_reply_days=1.25,
        first_reply_count=3,
    )

    text, blocks = digest_views.digest_message(figures)

    assert len(blocks) <= 50
    for block in blocks:
        Block.parse(block).to_dict()
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
            assert "<!channel>" not in block["text"]["text"]
    assert "…and 190 more" in str(blocks) and "…and 185 more" in str(blocks)
    assert "1.2 days (n=3, last 90 days)" in str(blocks)
    assert text.startswith("Idea pipeline, week to Mar 08: 200 new")


def test_the_pipeline_chart_is_a_png():
    png = digest_views.pipeline_chart([("Submitted", 3), ("In coaching", 0)], "Ideas by stage")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def test_the_pipeline_chart_is_drawn_in_a_child_process_that_leaves_matplotlib_out_of_this_one():
    import subprocess
    import sys

    from bot.views.chart import draw_in_child

    png = draw_in_child([("Submitted", 3), ("In coaching", 0)], "Ideas by stage")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    # a process that draws a chart through pipeline_chart's default path never imports matplotlib
    probe = (
        "import os, sys; os.environ.pop('IDEA_COACH_CHART_IN_PROCESS', None);"
        "from bot.views.digest import pipeline_chart;"
        "png = pipeline_chart([('Submitted', 1)], 'x');"
        "print(png[:4] == b'\\x89PNG', 'matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split() == ["True", "False"]


# --- what `idea-coach sweep` prints --------------------------------------------------------------------


@pytest.mark.parametrize("place", list(Place))
@pytest.mark.parametrize("outcome", list(SweepOutcome))
def test_every_place_and_outcome_of_a_sweep_has_words(place, outcome):
    line = sweep_views.item_line(notice(NudgeKind.UNASSIGNED, Audience.PMO_CHANNEL), place, outcome)
    assert line.startswith("IDEA-7 “<!channel>")  # operators read the title as typed, in a terminal
    assert f"({sweep_views.PLACES[place]}): no coach for 6 business days [{sweep_views.OUTCOMES[outcome]}]" in line


def test_a_sweep_line_says_which_reminder_and_when_a_waiting_one_goes():
    escalation = notice(NudgeKind.AWAITING_DECISION, Audience.PMO_LEAD, step=2, mentions=())
    line = sweep_views.item_line(escalation, Place.LEAD_DM, SweepOutcome.WAITING, datetime(2027, 3, 8, 13, 0))
    assert line.endswith(
        "→ nobody (a DM with the PMO lead): ready for a decision for 6 business days; escalation after two "
        "reminders [waiting for working hours, from 2027-03-08 13:00 UTC]"
    )
    second = notice(NudgeKind.COACHING_QUIET, Audience.COACH, step=1)
    assert sweep_views.reason(second) == "no reply in the coaching thread for 6 business days; second reminder"
    assert sweep_views.reason(notice(NudgeKind.REVISIT, Audience.REVISIT)) == "its revisit date has come"


def test_a_sweep_summary_counts_what_was_done_or_would_be():
    at = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
    counts = {SweepOutcome.SENT: 2, SweepOutcome.FAILED: 1, SweepOutcome.WAITING: 1, SweepOutcome.RETRY_WAITING: 2}
    assert sweep_views.summary(at, False, counts) == (
        "sweep at 2027-03-08 09:00 UTC: 2 sent, 1 failed (retried later), 3 waiting for working hours"
    )
    planned = {SweepOutcome.WOULD_SEND: 2, SweepOutcome.WOULD_RETRY: 1, SweepOutcome.WAITING: 1}
    assert sweep_views.summary(at, True, planned) == (
        "dry run at 2027-03-08 09:00 UTC: 3 nudge(s) would be sent, 1 waiting for working hours; nothing was sent"
    )
