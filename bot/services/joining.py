"""Two similar ideas joining forces: only when both submitters agree, never over their heads."""

from __future__ import annotations

from sqlalchemy import select

from bot.db import transaction
from bot.delivery import Message, Post
from bot.runtime import Runtime
from bot.services.coaching import ensure_staff
from bot.services.errors import Refused
from bot.services.ideas import change_shown, coaching_note, locked_idea
from bot.views import joining as views
from bot.views import refusals
from models import Idea, IdeaContributor, JoinProposal, Move
from models.joining import Answer, JoinState, settle
from models.lifecycle import can


def propose(runtime: Runtime, pair: tuple[int, int] | None, coach_id: str) -> JoinProposal:
    """Ask both submitters whether the later idea may join the earlier one."""
    ensure_staff(runtime, coach_id, "propose that ideas join forces")
    if pair is None:
        raise Refused(refusals.PAIR_UNCLEAR)
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        later, earlier = _locked_pair(session, *pair)
        existing = session.scalar(
            select(JoinProposal).where(
                JoinProposal.later_idea_id == later.id, JoinProposal.earlier_idea_id == earlier.id
            )
        )
        if existing is not None:
            raise Refused(refusals.join_already_proposed(later, earlier, answered=existing.state != JoinState.OPEN))
        proposal = JoinProposal(
            later_idea_id=later.id, earlier_idea_id=earlier.id, proposed_by=coach_id, proposed_at=now
        )
        session.add(proposal)
        session.flush()
        later.record("join_proposed", actor_id=coach_id, at=now, detail={"with": earlier.id})
        text, blocks = views.join_question(proposal.id, later, earlier, coach_id)
        asked = dict.fromkeys((later.submitter_id, earlier.submitter_id))
        outgoing = runtime.outbox.add(session, [Post(person, text, blocks, idea_id=later.id) for person in asked])
    runtime.outbox.kick(outgoing)
    return proposal


def _locked_pair(session, later_id: int, earlier_id: int) -> tuple[Idea, Idea]:
    # Lock in id order so two answers at once never deadlock.
    first, second = sorted((later_id, earlier_id))
    ideas = {first: locked_idea(session, first), second: locked_idea(session, second)}
    later, earlier = ideas[later_id], ideas[earlier_id]
    if later.id == earlier.id or later.id < earlier.id:
        raise Refused(refusals.ONLY_LATER_JOINS)
    if not can(later.current_stage, Move.JOIN) or not earlier.current_stage.is_open:
        raise Refused(refusals.both_still_open(later, earlier))
    return later, earlier


def answer(runtime: Runtime, proposal_id: int | None, user_id: str, agree: bool) -> JoinState:
    """Record a submitter's answer; settle the proposal when one declines or both agreed."""
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        proposal = session.get(JoinProposal, proposal_id, with_for_update=True) if proposal_id else None
        if proposal is None:
            raise Refused(refusals.PROPOSAL_GONE)
        if proposal.state != JoinState.OPEN:
            raise Refused(refusals.PROPOSAL_SETTLED)
        later, earlier = _locked_pair(session, proposal.later_idea_id, proposal.earlier_idea_id)
        if user_id not in (later.submitter_id, earlier.submitter_id):
            raise Refused(refusals.JOINERS_ONLY)
        given = Answer.AGREE if agree else Answer.DECLINE
        if user_id == later.submitter_id:
            proposal.later_answer = given
        if user_id == earlier.submitter_id:
            proposal.earlier_answer = given
        proposal.state = settle(proposal.later_answer, proposal.earlier_answer)
        outgoing = runtime.outbox.add(session, _settled(runtime, session, proposal, later, earlier, user_id, now))
    runtime.outbox.kick(outgoing)
    return JoinState(proposal.state)


def _settled(runtime: Runtime, session, proposal, later: Idea, earlier: Idea, user_id: str, now) -> list[Message]:
    people = list(dict.fromkeys((later.submitter_id, earlier.submitter_id, proposal.proposed_by)))
    if proposal.state == JoinState.OPEN:
        return [Post(user_id, *views.waiting_note(later, earlier))]
    proposal.settled_at = now
    if proposal.state == JoinState.DECLINED:
        later.record("join_declined", actor_id=user_id, at=now, detail={"with": earlier.id})
        return [Post(person, *views.declined_note(later, earlier)) for person in people]
    later.move(Move.JOIN, actor_id=user_id, at=now, detail={"joined": earlier.id, "proposal_id": proposal.id})
    credited = {later.submitter_id, *later.contributor_ids} - {earlier.submitter_id, *earlier.contributor_ids}
    for person in sorted(credited):
        session.add(IdeaContributor(idea_id=earlier.id, user_id=person, joined_from_id=later.id, joined_at=now))
    earlier.record("joined_by", actor_id=user_id, at=now, detail={"idea": later.id, "credited": sorted(credited)})
    session.flush()
    session.refresh(earlier, ["contributors"])
    note = views.card_note_joined(later, earlier)
    return [
        Post(later.submitter_id, *views.joined_note_for_later(later, earlier), idea_id=later.id),
        *[
            Post(person, *views.joined_note_for_earlier(later, earlier))
            for person in [earlier.submitter_id]
            if person != later.submitter_id
        ],
        *change_shown(runtime, later, note),
        *change_shown(runtime, earlier, note),
        *coaching_note(later, note),
        *coaching_note(earlier, note),
    ]
