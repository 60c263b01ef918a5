"""The rules a decision must meet before it may reach a submitter: the explanation guard.

Pure Python. Field keys double as the decision modal's block ids.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum

from models.lifecycle import Move, Stage

RATIONALE_MIN_CHARS = 100
RATIONALE_MIN_WORDS = 15
RATIONALE_MAX = 3000
REASON_MIN = 10
REASON_MAX = 300
EXPLANATION_MIN = 30
EXPLANATION_MAX = 2000
SCORE_RANGE = range(1, 6)
EFFORT_MAX = 100_000


class Outcome(StrEnum):
    GO = "go"
    NO_GO = "no_go"
    NOT_NOW = "not_now"

    @property
    def label(self) -> str:
        return {"go": "Go", "no_go": "No-go", "not_now": "Not now"}[self]

    @property
    def move(self) -> Move:
        return {"go": Move.DECIDE_GO, "no_go": Move.DECIDE_NO_GO, "not_now": Move.DECIDE_NOT_NOW}[self]

    @property
    def stage(self) -> Stage:
        return {"go": Stage.DECIDED_GO, "no_go": Stage.DECIDED_NO_GO, "not_now": Stage.NOT_NOW}[self]

    @property
    def needs_alternatives(self) -> bool:
        return self is not Outcome.GO


@dataclass
class CriterionScore:
    criterion_id: str
    score: int | None
    reason: str


@dataclass
class Proposal:
    """A decision as the decider wrote it, before it is checked and sent."""

    outcome: str = ""
    scores: list[CriterionScore] = field(default_factory=list)
    goals_considered: list[str] = field(default_factory=list)
    rationale: str = ""
    alternatives: str = ""
    what_would_change: str = ""
    next_steps: str = ""
    owner_id: str = ""
    target_start: date | None = None
    revisit_on: date | None = None
    effort: float | None = None

    def to_payload(self) -> dict:
        payload = asdict(self)
        payload["target_start"] = self.target_start.isoformat() if self.target_start else None
        payload["revisit_on"] = self.revisit_on.isoformat() if self.revisit_on else None
        return payload

    @classmethod
    def from_payload(cls, payload: dict) -> Proposal:
        data = dict(payload)
        data["scores"] = [CriterionScore(**score) for score in data.get("scores", [])]
        for key in ("target_start", "revisit_on"):
            data[key] = date.fromisoformat(data[key]) if data.get(key) else None
        return cls(**data)


def weighted_score(scores: list[CriterionScore], weights: dict[str, float]) -> float:
    """The weighted mean score on the 1–5 scale, over the criteria that have a score."""
    scored = [(weights[s.criterion_id], s.score) for s in scores if s.score is not None and s.criterion_id in weights]
    total_weight = sum(weight for weight, _ in scored)
    if not total_weight:
        return 0.0
    return round(sum(weight * score for weight, score in scored) / total_weight, 2)


_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _explained(text: str, what: str) -> str | None:
    stripped = text.strip()
    if len(stripped) < EXPLANATION_MIN:
        return f"{what} (at least {EXPLANATION_MIN} characters): the submitter deserves specifics."
    if len(text) > EXPLANATION_MAX:
        return f"Please keep this under {EXPLANATION_MAX} characters."
    return None


def check_proposal(
    proposal: Proposal, *, weights: dict[str, float], known_goals: set[str], today: date
) -> dict[str, str]:
    """Every reason the decision may not be sent yet, by field key; empty when it may."""
    errors: dict[str, str] = {}
    try:
        outcome = Outcome(proposal.outcome)
    except ValueError:
        errors["outcome"] = "Choose Go, No-go or Not now."
        outcome = None
    given = {score.criterion_id: score for score in proposal.scores}
    for criterion_id in weights:
        score = given.get(criterion_id)
        if score is None or score.score not in SCORE_RANGE:
            errors[f"score:{criterion_id}"] = "Score it from 1 to 5."
        if score is None or len(score.reason.strip()) < REASON_MIN:
            errors[f"reason:{criterion_id}"] = (
                f"Give a one-line reason for this score (at least {REASON_MIN} characters)."
            )
        elif len(score.reason) > REASON_MAX:
            errors[f"reason:{criterion_id}"] = f"Keep the reason to one line (under {REASON_MAX} characters)."
    errors.update(_pasted_reasons(proposal.scores, weights, errors))
    if not proposal.goals_considered:
        errors["goals"] = "Choose the annual goals this decision was weighed against."
    elif any(goal_id not in known_goals for goal_id in proposal.goals_considered):
        errors["goals"] = "One of these is no longer an annual goal; please choose again."
    rationale = proposal.rationale.strip()
    if len(rationale) < RATIONALE_MIN_CHARS or _words(rationale) < RATIONALE_MIN_WORDS:
        errors["rationale"] = (
            f"Too short to be specific: explain this decision in at least {RATIONALE_MIN_WORDS} words "
            f"and {RATIONALE_MIN_CHARS} characters, in terms the submitter will recognise."
        )
    elif len(proposal.rationale) > RATIONALE_MAX:
        errors["rationale"] = f"Please keep this under {RATIONALE_MAX} characters."
    if outcome is not None and outcome.needs_alternatives:
        if problem := _explained(proposal.alternatives, "Name other ways they could reach the same goal"):
            errors["alternatives"] = problem
        if problem := _explained(
            proposal.what_would_change, "Say what would change the answer or how to bring it back"
        ):
            errors["what_would_change"] = problem
    if outcome is Outcome.NOT_NOW:
        if proposal.revisit_on is None:
            errors["revisit_on"] = "Choose when the PMO will revisit it."
        elif proposal.revisit_on <= today:
            errors["revisit_on"] = "The revisit date must be in the future."
    if outcome is Outcome.GO:
        if len(proposal.next_steps.strip()) < EXPLANATION_MIN:
            errors["next_steps"] = f"Describe the next steps (at least {EXPLANATION_MIN} characters)."
        elif len(proposal.next_steps) > EXPLANATION_MAX:
            errors["next_steps"] = f"Please keep this under {EXPLANATION_MAX} characters."
        if not proposal.owner_id:
            errors["owner"] = "Who owns delivery?"
        if proposal.target_start is None:
            errors["target_start"] = "When should it start?"
        elif proposal.target_start < today:
            errors["target_start"] = "The target start can't be in the past."
        if proposal.effort is None or not 0 < proposal.effort <= EFFORT_MAX:
            errors["effort"] = "Give a rough size, more than 0: it is what the portfolio counts against capacity."
    return errors


def _pasted_reasons(scores: list[CriterionScore], weights: dict[str, float], errors: dict[str, str]) -> dict:
    """The same reason pasted into several criteria explains none of them: refuse each copy after the first."""
    first_with: dict[str, str] = {}
    found = {}
    for score in scores:
        key = normalised(score.reason)
        if score.criterion_id not in weights or not key or f"reason:{score.criterion_id}" in errors:
            continue
        if key in first_with:
            found[f"reason:{score.criterion_id}"] = (
                "This is the same reason as another criterion's. Say why this criterion scores what it does."
            )
        else:
            first_with[key] = score.criterion_id
    return found


_MEANINGFUL = re.compile(r"[a-z0-9]{5,}")


def names_the_idea(rationale: str, *idea_texts: str) -> bool:
    """Whether the rationale shares at least one meaningful word (five letters or more, compared on its
    first five) with the idea's own words: a rationale that could be about any idea is flagged."""
    stems = {word[:5] for text in idea_texts for word in _MEANINGFUL.findall(text.casefold())}
    return any(word[:5] in stems for word in _MEANINGFUL.findall(rationale.casefold()))


def normalised(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def rationale_key(rationale: str) -> str | None:
    """What two rationales share when they are the same word for word (ignoring case, spacing and
    punctuation), short enough to index; None for a rationale without words, which repeats nothing."""
    words = normalised(rationale)
    return hashlib.sha256(words.encode()).hexdigest() if words else None
