"""Similar-idea search on both databases: close matches found, loose ones not, whatever the pipeline's size."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services import similar
from bot.services.similar import similar_to
from models import Idea
from tests.support.pipeline import flushed_idea, seed

NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
IDEAS = [
    ("Text members when a loan document is missing", "Loan files stall for days because a pay stub is missing."),
    ("Branch queue booking", "Members wait at the counter for a long time at lunch."),
    ("Card fraud alerts by push notification", "Members find out about card fraud too late."),
    ("Loan status tracker for members", "Members call the contact centre to ask where their loan application is."),
]


def add(session, title: str, problem: str) -> Idea:
    return flushed_idea(session, title, problem, NOW)


@pytest.mark.parametrize("background", [0, 3000])
def test_close_matches_are_found_and_loose_ones_are_not(session_factory, background):
    seed(session_factory, background, now=NOW)
    with session_factory() as session, session.begin():
        earlier = [add(session, title, problem) for title, problem in IDEAS]
        idea = add(
            session,
            "Remind members about missing loan paperwork by SMS",
            "Loans stall because a pay stub or document is missing and members are not told.",
        )
        assert [found.id for found in similar_to(session, idea)] == [earlier[0].id]


def test_an_idea_never_matches_itself_or_later_ones_and_odd_words_are_not_query_syntax(session_factory):
    with session_factory() as session, session.begin():
        first = add(session, 'Fraud "alerts" OR NEAR(card*)', "AND NOT ^members: - fraud alerts")
        assert similar_to(session, first) == []
        second = add(session, "Card fraud alerts", "Members learn about card fraud too late; alerts would help.")
        assert [found.id for found in similar_to(session, second)] == [first.id]


def test_a_title_of_only_common_words_finds_nothing(session_factory):
    with session_factory() as session, session.begin():
        add(session, "The and for", "With this that")
        idea = add(session, "The and for", "With this that")
        assert similar_to(session, idea) == []


def test_only_the_newest_ideas_sharing_a_word_are_ranked(session_factory, monkeypatch):
    # A close match with more than WINDOW newer ideas sharing one of its words is out of reach: the
    # search's cost stays the same however large the pipeline grows.
    monkeypatch.setattr(similar, "WINDOW", 3)
    with session_factory() as session, session.begin():
        close = add(session, *IDEAS[0])
        others = [add(session, f"Members idea {number}", "Members would like this.") for number in range(3)]
        idea = add(session, "Remind members about missing loan paperwork by SMS", "Loans stall: a pay stub is missing.")
        assert similar_to(session, idea) == []
        monkeypatch.setattr(similar, "WINDOW", 5)
        assert [found.id for found in similar_to(session, idea)] == [close.id]
        assert close.id < min(other.id for other in others)
