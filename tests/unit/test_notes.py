"""The notes that say what just happened to an idea: who did it, mentioned; the person's words escaped."""

from __future__ import annotations

import pytest

from bot.views import notes
from tests.support.blockkit import HOSTILE, live_markup
from tests.support.ideas import COACH, SUBMITTER, make_idea

HOSTILE_IDEA = make_idea(text=HOSTILE)

NOTES = {
    "coach assigned": lambda: notes.coach_assigned(HOSTILE_IDEA, COACH, COACH),
    "alignment": lambda: notes.alignment_confirmed(HOSTILE_IDEA, COACH, [HOSTILE]) + notes.quoted(HOSTILE),
    "ready": lambda: notes.marked_ready(HOSTILE_IDEA, COACH) + notes.READY_FOR_THE_SUBMITTER,
    "withdrawn": lambda: notes.withdrawn(HOSTILE_IDEA, SUBMITTER, HOSTILE),
    "reopened": lambda: notes.reopened(HOSTILE_IDEA, COACH),
    "reconsideration": lambda: (
        notes.reconsideration_asked(HOSTILE_IDEA, SUBMITTER, HOSTILE) + notes.back_in_coaching(HOSTILE_IDEA)
    ),
}


@pytest.mark.parametrize("name", NOTES)
def test_a_note_mentions_who_acted_and_escapes_what_they_typed(name):
    text = NOTES[name]()
    assert live_markup(text) == [], text
    assert "IDEA-42" in text and ("<@" + COACH + ">" in text or "<@" + SUBMITTER + ">" in text)


def test_assigning_someone_else_names_both():
    assert notes.coach_assigned(HOSTILE_IDEA, "UCOACH0001", "UCOACH0001").startswith("<@UCOACH0001> took on coaching")
    other = notes.coach_assigned(HOSTILE_IDEA, SUBMITTER, COACH)
    assert f"assigned <@{COACH}> to coach IDEA-42" in other


def test_a_reopened_or_reconsidered_idea_says_whose_it_is_now():
    assert f"<@{COACH}>, it's back with you." in notes.reopened(make_idea(), COACH)
    assert notes.reopened(make_idea(coach_id=None), COACH).endswith("It needs a coach.")
    assert notes.back_in_coaching(make_idea(coach_id=None)) == ""
    assert notes.back_in_coaching(make_idea(coach_id=None), otherwise=notes.NEEDS_A_COACH) == notes.NEEDS_A_COACH
