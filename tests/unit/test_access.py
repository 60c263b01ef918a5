"""Who may see an idea, edit its LogFrame, steer its coaching and withdraw it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models import Idea
from models.access import can_edit_logframe, can_steer_coaching, can_view, can_withdraw

SUBMITTER = "USUBMIT001"
COACH = "UCOACH0001"
STAFF = "USTAFF0001"
OUTSIDER = "UOUTSIDE01"
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def make_idea(coach_id: str | None = COACH) -> Idea:
    return Idea(
        id=7,
        title="Text members about missing documents",
        problem="Loan files stall.",
        proposal="Send a text.",
        success_signal="Fewer days waiting.",
        help_offer="maybe",
        submitter_id=SUBMITTER,
        coach_id=coach_id,
        stage="in_coaching",
        stage_entered_at=T0,
        created_at=T0,
        updated_at=T0,
    )


# (user, is_staff) -> expected, for an idea with a coach
VIEW_AND_EDIT = [
    (SUBMITTER, False, True),
    (COACH, False, True),
    (STAFF, True, True),
    (OUTSIDER, False, False),
]


@pytest.mark.parametrize(("user_id", "is_staff", "allowed"), VIEW_AND_EDIT)
def test_the_submitter_the_coach_and_staff_may_view_an_idea(user_id, is_staff, allowed):
    assert can_view(make_idea(), user_id, is_staff=is_staff) is allowed


@pytest.mark.parametrize(("user_id", "is_staff", "allowed"), VIEW_AND_EDIT)
def test_the_submitter_the_coach_and_staff_may_edit_the_logframe(user_id, is_staff, allowed):
    assert can_edit_logframe(make_idea(), user_id, is_staff=is_staff) is allowed


def test_a_former_coach_loses_access_when_the_coach_changes():
    idea = make_idea(coach_id="UCOACH0002")
    assert not can_view(idea, COACH, is_staff=False)
    assert not can_edit_logframe(idea, COACH, is_staff=False)
    assert can_view(idea, "UCOACH0002", is_staff=False)


def test_without_a_coach_only_the_submitter_and_staff_may_view_or_edit():
    idea = make_idea(coach_id=None)
    assert can_view(idea, SUBMITTER, is_staff=False)
    assert can_edit_logframe(idea, SUBMITTER, is_staff=False)
    assert can_view(idea, STAFF, is_staff=True)
    assert not can_view(idea, OUTSIDER, is_staff=False)
    assert not can_edit_logframe(idea, OUTSIDER, is_staff=False)


@pytest.mark.parametrize(
    ("user_id", "is_staff", "allowed"),
    [(COACH, False, True), (STAFF, True, True), (SUBMITTER, False, False), (OUTSIDER, False, False)],
)
def test_only_the_coach_or_staff_may_steer_coaching(user_id, is_staff, allowed):
    assert can_steer_coaching(make_idea(), user_id, is_staff=is_staff) is allowed


def test_a_submitter_who_is_staff_may_steer_their_own_idea():
    assert can_steer_coaching(make_idea(), SUBMITTER, is_staff=True)


def test_without_a_coach_only_staff_may_steer_coaching():
    idea = make_idea(coach_id=None)
    assert can_steer_coaching(idea, STAFF, is_staff=True)
    assert not can_steer_coaching(idea, SUBMITTER, is_staff=False)
    assert not can_steer_coaching(idea, OUTSIDER, is_staff=False)


@pytest.mark.parametrize(("user_id", "allowed"), [(SUBMITTER, True), (COACH, False), (STAFF, False), (OUTSIDER, False)])
def test_only_the_submitter_may_withdraw_their_idea(user_id, allowed):
    assert can_withdraw(make_idea(), user_id) is allowed
