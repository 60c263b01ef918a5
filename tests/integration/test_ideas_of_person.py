"""Someone's own ideas (and those they are credited on), newest first, as `/idea mine` and their App Home
read them: the newest few and a count, whatever the size of the pipeline and however old their ideas are."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import func, select, update

from bot.services.intake import MINE_SHOWN, count_of, ideas_of, newest_of
from models import Idea, IdeaContributor
from tests.support.pipeline import seed

NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
PERSON = "UPERSON001"


def test_the_newest_of_someones_ideas_and_those_they_are_credited_on_and_how_many(session_factory):
    seed(session_factory, 900)
    with session_factory() as session, session.begin():
        ids = session.scalars(select(Idea.id).order_by(Idea.id)).all()
        own = ids[::20]  # 45 ideas spread over the pipeline, the oldest among them
        session.execute(update(Idea).where(Idea.id.in_(own)).values(submitter_id=PERSON))
        credited = [ids[1], ids[-2]]  # others' ideas that joined theirs
        session.add_all(IdeaContributor(idea_id=idea_id, user_id=PERSON, joined_at=NOW) for idea_id in credited)
    everything = sorted([*own, *credited], reverse=True)

    ideas, total = ideas_of(SimpleNamespace(session_factory=session_factory), PERSON)

    assert [idea.id for idea in ideas] == everything[:MINE_SHOWN]
    assert total == len(everything) == 47
    with session_factory() as session:
        assert session.scalars(newest_of(PERSON, 3)).all() == everything[:3]
        assert count_of(session, "UNOBODY001") == 0 and session.scalars(newest_of("UNOBODY001", 3)).all() == []


def test_someone_whose_only_idea_is_the_oldest_finds_it(session_factory):
    seed(session_factory, 500)
    with session_factory() as session, session.begin():
        oldest = session.scalar(select(func.min(Idea.id)))
        session.execute(update(Idea).where(Idea.id == oldest).values(submitter_id=PERSON))

    ideas, total = ideas_of(SimpleNamespace(session_factory=session_factory), PERSON)

    assert [idea.id for idea in ideas] == [oldest] and total == 1
