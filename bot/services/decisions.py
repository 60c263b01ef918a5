"""Deciding ideas: the guard, the preview, the notice, and what follows a decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.delivery import Message, Post, Update
from bot.runtime import Runtime
from bot.services.coaching import kickoff_post
from bot.services.errors import Refused
from bot.services.guards import ensure_stage_allows
from bot.services.ideas import change_shown, coaching_note, existing_idea, locked_idea
from bot.services.once import Repeated, claim
from bot.views import after_decision, decision_notice, notes, refusals
from bot.views.ids import Purpose
from bot.views.messages import ALREADY_UNDERSTOOD, already_asked, notice
from bot.views.text import date as slack_date
from bot.views.text import user
from models import Decision, DecisionDraft, Feedback, Idea, Move
from models.decision_rules import Outcome, Proposal, check_proposal, names_the_idea, rationale_key, weighted_score
from models.lifecycle import DecideAs, decide_as


def ensure_decider(runtime: Runtime, user_id: str) -> None:
    if not runtime.settings.is_decider(user_id):
        raise Refused(refusals.DECIDERS_ONLY)


def _weights(runtime: Runtime) -> dict[str, float]:
    return {criterion.id: criterion.weight for criterion in runtime.strategy.criteria}


def check(runtime: Runtime, proposal: Proposal) -> dict[str, str]:
    return check_proposal(
        proposal,
        weights=_weights(runtime),
        known_goals={goal.id for goal in runtime.strategy.goals},
        today=runtime.clock().date(),
    )


def latest_decision(session, idea_id: int) -> Decision | None:
    return session.scalars(
        select(Decision).where(Decision.idea_id == idea_id).order_by(Decision.id.desc()).limit(1)
    ).first()


def _corrected(session, idea: Idea) -> Decision | None:
    """The decision a new one would correct, if deciding from the idea's stage is a correction."""
    return latest_decision(session, idea.id) if decide_as(idea.current_stage) is DecideAs.CORRECTION else None


@dataclass(frozen=True)
class DecisionForm:
    idea: Idea
    prefill: Proposal | None
    correcting: bool
    early: bool


def decision_form(runtime: Runtime, idea_id: int | None, decider_id: str) -> DecisionForm:
    ensure_decider(runtime, decider_id)
    idea = existing_idea(runtime, idea_id)
    decide = decide_as(idea.current_stage)
    if decide is None:
        raise Refused(refusals.nothing_to_decide(idea))
    correcting = decide is DecideAs.CORRECTION
    prefill = None
    if correcting:
        with runtime.session_factory() as session:
            previous = latest_decision(session, idea.id)
        prefill = _proposal_of(previous) if previous else None
    return DecisionForm(idea, prefill, correcting, early=decide is DecideAs.EARLY)


def _proposal_of(decision: Decision) -> Proposal:
    return Proposal.from_payload(
        {
            "outcome": decision.outcome,
            "scores": decision.scores,
            "goals_considered": decision.goals_considered,
            "rationale": decision.rationale,
            "alternatives": decision.alternatives or "",
            "what_would_change": decision.what_would_change or "",
            "next_steps": decision.next_steps or "",
            "owner_id": decision.owner_id or "",
            "target_start": decision.target_start.isoformat() if decision.target_start else None,
            "revisit_on": decision.revisit_on.isoformat() if decision.revisit_on else None,
            "effort": decision.effort,
        }
    )


@dataclass(frozen=True)
class Preview:
    draft_id: int
    view: dict


def preview(runtime: Runtime, idea_id: int | None, proposal: Proposal, decider_id: str) -> Preview:
    """Keep the checked proposal as a draft and show it exactly as the submitter will read it."""
    ensure_decider(runtime, decider_id)
    with transaction(runtime.session_factory) as session:
        idea = locked_idea(session, idea_id)
        previous = _corrected(session, idea)
        warnings = _repeat_warnings(session, idea, proposal)  # before the draft's write (SQLite's lock)
        draft = DecisionDraft(
            idea_id=idea.id, decider_id=decider_id, payload=proposal.to_payload(), created_at=runtime.clock()
        )
        session.add(draft)
        session.flush()
        weighted = weighted_score(proposal.scores, _weights(runtime))
        _, notice = decision_notice.notice_blocks(
            idea, proposal, runtime.strategy, decider_id=decider_id, weighted=weighted, corrects=previous
        )
        return Preview(draft.id, decision_notice.preview_modal(notice, draft.id, warnings, Outcome(proposal.outcome)))


DRAFTS_KEPT = timedelta(days=7)
"""A preview left for a week is forgotten (Send on it then says it expired): nothing else reads old drafts,
and every preview writes one."""


def forget_old_drafts(runtime: Runtime, now: datetime) -> int:
    with transaction(runtime.session_factory) as session:
        return session.execute(delete(DecisionDraft).where(DecisionDraft.created_at < now - DRAFTS_KEPT)).rowcount


def _repeat_warnings(session, idea: Idea, proposal: Proposal) -> list[str]:
    warnings = []
    if not names_the_idea(proposal.rationale, idea.title, idea.problem, idea.proposal):
        warnings.append(decision_notice.VAGUE_RATIONALE)
    return warnings + _copied_rationale(session, idea, proposal)


def _copied_rationale(session, idea: Idea, proposal: Proposal) -> list[str]:
    key = rationale_key(proposal.rationale)
    if key is None:
        return []
    other_idea_id = session.scalar(
        select(Decision.idea_id)
        .where(Decision.rationale_key == key, Decision.idea_id != idea.id)
        .order_by(Decision.id.desc())
        .limit(1)
    )
    return [] if other_idea_id is None else [decision_notice.copied_rationale(other_idea_id)]


def send(runtime: Runtime, draft_id: int | None, decider_id: str, *, once: str | None = None) -> Decision:
    """Record the decision, move the idea, and send the notice, the thread post and the card update."""
    ensure_decider(runtime, decider_id)
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        claim(session, once, now)
        draft = session.get(DecisionDraft, draft_id, with_for_update=True) if draft_id else None
        if draft is None or draft.decider_id != decider_id:
            raise Refused(refusals.PREVIEW_EXPIRED)
        if draft.sent:
            raise Refused(refusals.ALREADY_SENT)
        proposal = Proposal.from_payload(draft.payload)
        if check(runtime, proposal):
            raise Refused(refusals.NO_LONGER_COMPLETE)
        idea = locked_idea(session, draft.idea_id)
        previous = _corrected(session, idea)
        outcome = Outcome(proposal.outcome)
        weighted = weighted_score(proposal.scores, _weights(runtime))
        decision = Decision(
            idea_id=idea.id,
            outcome=outcome,
            decided_by=decider_id,
            decided_at=now,
            scores=proposal.to_payload()["scores"],
            weighted_score=weighted,
            goals_considered=proposal.goals_considered,
            rationale=proposal.rationale.strip(),
            alternatives=proposal.alternatives.strip() or None,
            what_would_change=proposal.what_would_change.strip() or None,
            next_steps=proposal.next_steps.strip() or None,
            owner_id=proposal.owner_id or None,
            target_start=proposal.target_start if outcome is Outcome.GO else None,
            revisit_on=proposal.revisit_on if outcome is Outcome.NOT_NOW else None,
            effort=proposal.effort if outcome is Outcome.GO else None,
            corrects_id=previous.id if previous else None,
        )
        session.add(decision)
        session.flush()
        idea.move(
            outcome.move,
            actor_id=decider_id,
            at=now,
            detail={
                "decision_id": decision.id,
                "correction_of": decision.corrects_id,
                "weighted_score": weighted,
                **proposal.to_payload(),
            },
        )
        idea.revisit_on = decision.revisit_on
        draft.sent = True
        changes = _decision_messages(runtime, idea, proposal, decision, previous, weighted)
        sent = runtime.outbox.add(session, changes)
    runtime.outbox.kick(sent)
    return decision


def _decision_messages(
    runtime: Runtime, idea: Idea, proposal: Proposal, decision: Decision, previous: Decision | None, weighted: float
) -> list[Message]:
    outcome = Outcome(decision.outcome)
    text, blocks = decision_notice.notice_blocks(
        idea, proposal, runtime.strategy, decider_id=decision.decided_by, weighted=weighted, corrects=previous
    )
    blocks.append(decision_notice.notice_actions(idea, decision.id, outcome))
    thread_text, thread_blocks = decision_notice.thread_summary(
        idea, proposal, decision.decided_by, weighted, previous is not None
    )
    verb = "corrected the decision to" if previous else "decided"
    card_note = f"{user(decision.decided_by)} {verb} *{outcome.label}* (weighted {weighted:.1f} of 5)."
    changes: list[Message] = [
        Post(idea.submitter_id, text, blocks, idea_id=idea.id, remember_as=Purpose.DECISION_NOTICE),
        # People credited on the idea (their own idea joined it) follow it: they read the same explanation.
        *(Post(person, text, blocks[:-1], idea_id=idea.id) for person in idea.contributor_ids),
        *coaching_note(idea, thread_text, thread_blocks),
        *change_shown(runtime, idea, card_note),
    ]
    if outcome is Outcome.GO:
        handoff_text, handoff_blocks = decision_notice.handoff(idea, proposal, runtime.strategy, decision.decided_by)
        changes.append(Post(runtime.settings.pmo_channel_id, handoff_text, handoff_blocks, idea_id=idea.id))
    return changes


# --- the submitter's answers ----------------------------------------------------------------------


def submitters_idea(runtime: Runtime, idea_id: int | None, user_id: str, doing: str) -> Idea:
    idea = existing_idea(runtime, idea_id)
    if idea.submitter_id != user_id:
        raise Refused(refusals.submitter_only(idea, doing))
    return idea


def acknowledge(runtime: Runtime, decision_id: int | None, user_id: str) -> None:
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        decision = session.get(Decision, decision_id, with_for_update=True) if decision_id else None
        if decision is None:
            raise Refused(refusals.DECISION_GONE)
        idea = session.get(Idea, decision.idea_id)
        if idea.submitter_id != user_id:
            raise Refused(refusals.submitter_only(idea, "mark its decision understood"))
        if decision.acknowledged_at is not None:
            raise Repeated(ALREADY_UNDERSTOOD)
        claim(session, f"understood:{decision.id}", now, ALREADY_UNDERSTOOD)
        decision.acknowledged_at = now
        idea.record("decision_acknowledged", actor_id=user_id, at=now, detail={"decision_id": decision.id})
        prompt_text, prompt_blocks = after_decision.feedback_prompt(idea)
        changes: list[Message] = [
            _notice_answered(runtime, session, idea, decision),
            Post(user_id, prompt_text, prompt_blocks, idea_id=idea.id),
        ]
        sent = runtime.outbox.add(session, changes)
    runtime.outbox.kick(sent)


def notice_of(runtime: Runtime, session: Session, idea: Idea, decision: Decision) -> tuple[str, list]:
    """The notice `decision` sent (without its buttons), as the submitter read it."""
    previous = session.get(Decision, decision.corrects_id) if decision.corrects_id else None
    return decision_notice.notice_blocks(
        idea,
        _proposal_of(decision),
        runtime.strategy,
        decider_id=decision.decided_by,
        weighted=decision.weighted_score,
        corrects=previous,
    )


def _notice_answered(
    runtime: Runtime, session: Session, idea: Idea, decision: Decision, reconsidering_since: datetime | None = None
) -> Update:
    """The decision's notice again, its buttons replaced by what the submitter did with it."""
    text, blocks = notice_of(runtime, session, idea, decision)
    understood = slack_date(decision.acknowledged_at) if decision.acknowledged_at else None
    asked = slack_date(reconsidering_since) if reconsidering_since else None
    return Update(idea.id, Purpose.DECISION_NOTICE, text, decision_notice.answered_blocks(blocks, understood, asked))


def ask_question(runtime: Runtime, idea_id: int | None, user_id: str) -> None:
    """Bring the submitter back into the coaching thread with the coach (or the decider) mentioned."""
    idea = submitters_idea(runtime, idea_id, user_id, "ask about its decision")
    with runtime.session_factory() as session:
        decision = latest_decision(session, idea.id)
    helper = idea.coach_id or (decision.decided_by if decision else None)
    if helper is None:
        raise Refused(refusals.NOBODY_TO_ASK)
    thread = idea.current_thread
    text, blocks = after_decision.question_asked(idea, helper)
    reply = after_decision.question_taken(helper, thread.permalink if thread else None)
    # Asked once per decision: a second click (or Slack's retry of the first) brings nobody in again. A new
    # conversation's kickoff is written with the question, so a crash after the commit loses neither.
    with transaction(runtime.session_factory) as session:
        asked = f"question:decision:{decision.id}" if decision else f"question:idea:{idea.id}"
        claim(session, asked, runtime.clock(), already_asked(helper))
        if thread is None:
            kickoff = kickoff_post(idea, helper, *after_decision.question_kickoff(idea))
            # In the kickoff's thread, in the same group DM (and so in the kickoff's order). A coaching kickoff
            # still waiting to open that conversation (Slack refused it for a while) is that kickoff.
            question = Post(
                "", text, blocks, idea_id=idea.id, in_thread_of=Purpose.KICKOFF, open_with=kickoff.open_with
            )
            waiting = runtime.outbox.opening(session, idea.id, Purpose.KICKOFF, helper)
            posts = [question] if waiting else [kickoff, question]
        else:
            posts = [Post(thread.channel_id, text, blocks, idea_id=idea.id, in_thread_of=Purpose.KICKOFF)]
        sent = runtime.outbox.add(session, [*posts, Post(user_id, *notice(reply))])
    runtime.outbox.kick(sent)


def idea_for_reconsideration(runtime: Runtime, idea_id: int | None, user_id: str) -> Idea:
    idea = submitters_idea(runtime, idea_id, user_id, "ask for it to be reconsidered")
    ensure_stage_allows(idea, Move.RECONSIDER, refusals.nothing_to_reconsider(idea))
    return idea


def reconsider(
    runtime: Runtime, idea_id: int | None, new_information: str, user_id: str, *, once: str | None = None
) -> Idea:
    idea_for_reconsideration(runtime, idea_id, user_id)
    now = runtime.clock()
    with transaction(runtime.session_factory) as session:
        claim(session, once, now)
        idea = locked_idea(session, idea_id)
        idea.move(Move.RECONSIDER, actor_id=user_id, at=now, detail={"new_information": new_information})
        idea.revisit_on = None
        text = notes.reconsideration_asked(idea, user_id, new_information)
        changes = [*change_shown(runtime, idea, text), *coaching_note(idea, text + notes.back_in_coaching(idea))]
        if decision := latest_decision(session, idea.id):  # its buttons are spent: the idea is back in coaching
            changes.append(_notice_answered(runtime, session, idea, decision, reconsidering_since=now))
        _, pmo_blocks = notice(text + notes.back_in_coaching(idea, otherwise=notes.NEEDS_A_COACH))
        changes.append(Post(runtime.settings.pmo_channel_id, text, pmo_blocks, idea_id=idea.id))
        sent = runtime.outbox.add(session, changes)
    runtime.outbox.kick(sent)
    return idea


def record_feedback(
    runtime: Runtime,
    idea_id: int | None,
    user_id: str,
    rating: int,
    comment: str,
    anonymous: bool,
    *,
    once: str | None = None,
) -> None:
    idea = submitters_idea(runtime, idea_id, user_id, "give feedback on its process")
    with transaction(runtime.session_factory) as session:
        claim(session, once, runtime.clock())
        session.add(
            Feedback(
                idea_id=None if anonymous else idea.id,
                user_id=None if anonymous else user_id,
                rating=rating,
                comment=comment or None,
                given_at=runtime.clock(),
            )
        )
        thanks = runtime.outbox.add(session, [Post(user_id, *notice(after_decision.FEEDBACK_THANKS))])
    runtime.outbox.kick(thanks)
