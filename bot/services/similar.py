"""Ideas that sound like a new one, found by the database's own text search over title and problem.

PostgreSQL: full-text search (a stored tsvector column with a GIN index, english stemming and stop
words) ranked by ts_rank. SQLite: an FTS5 table (porter stemming) ranked by bm25. Either way the query is
the new idea's own words joined by OR, and an earlier idea counts as similar when the database ranks it
at least a fixed share as high as the new idea itself ranks against its own words, so the cut-off means
the same on both databases and whatever the size of the pipeline.

Only the newest WINDOW ideas that share a word with the new one are ranked. Words like "members" are in
nearly every idea, so ranking every match made the search (inside the submission's transaction: on
SQLite other writers wait for it) grow with the pipeline: 0.5 s on PostgreSQL and 90 ms on SQLite at
50,000 ideas, against 3 ms and 13 ms now (benchmarks/similar_benchmark.py). A credit
union's PMO sees a few hundred ideas a year, so the window reaches back years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from models import Idea

SHARE_OF_OWN_RANK = 0.3
MAX_SIMILAR = 3
MAX_TERMS = 40
WINDOW = 1000
# Only to keep SQLite's OR query short; PostgreSQL drops its own stop words.
_COMMON = frozenset(
    re.findall(
        r"\S+",
        "the and for that this with from are was were have has had not but all any can our their there them "
        "they when what which who will would could should about into than then also just more most some such "
        "very only other its it's don't doesn't",
    )
)


@dataclass(frozen=True)
class Similar:
    id: int
    title: str
    stage: str
    coach_id: str | None
    submitter_id: str

    @property
    def reference(self) -> str:
        return f"IDEA-{self.id}"


def similar_to(session: Session, idea: Idea) -> list[Similar]:
    """Up to three earlier ideas that closely match `idea` (which must be flushed already)."""
    words = f"{idea.title} {idea.problem}"[:4000]
    search = _postgres if session.get_bind().dialect.name == "postgresql" else _sqlite
    ranked = search(session, words)
    own = ranked.get(idea.id) or max(ranked.values(), default=0.0)
    chosen = sorted(
        (idea_id for idea_id, rank in ranked.items() if idea_id < idea.id and rank >= SHARE_OF_OWN_RANK * own),
        key=lambda idea_id: -ranked[idea_id],
    )[:MAX_SIMILAR]
    if not chosen or own <= 0:
        return []
    rows = session.connection().execute(_CHOSEN, {"ids": chosen}).all()
    by_id = {row.id: Similar(*row) for row in rows}
    return [by_id[idea_id] for idea_id in chosen if idea_id in by_id]


# Core statements on the session's connection, built once: the ORM's handling of a select is most of the
# search's CPU when the pipeline is small.
_IDEAS = Idea.__table__
_CHOSEN = select(_IDEAS.c.id, _IDEAS.c.title, _IDEAS.c.stage, _IDEAS.c.coach_id, _IDEAS.c.submitter_id).where(
    _IDEAS.c.id.in_(bindparam("ids", expanding=True))
)

# The words' query is written out twice rather than in a CTE, so that the planner sees it and picks its
# plan by how common the words are: newest ideas first by primary key for common words, the GIN index for
# rare ones.
_TSQUERY = "replace(plainto_tsquery('english', :words)::text, '&', '|')::tsquery"
_PG_QUERY = text(
    f"""
    SELECT found.id, ts_rank(found.text_search, {_TSQUERY}) AS rank
    FROM (
        SELECT id, text_search FROM ideas WHERE text_search @@ {_TSQUERY} ORDER BY id DESC LIMIT :window
    ) AS found
    ORDER BY rank DESC, found.id DESC
    LIMIT 20
    """
)


def _postgres(session: Session, words: str) -> dict[int, float]:
    found = session.connection().execute(_PG_QUERY, {"words": words, "window": WINDOW})
    return {row.id: float(row.rank) for row in found}


_SQLITE_QUERY = text(
    "SELECT id, rank FROM ("
    " SELECT rowid AS id, -bm25(ideas_fts) AS rank FROM ideas_fts WHERE ideas_fts MATCH :query"
    " ORDER BY rowid DESC LIMIT :window"
    ") ORDER BY rank DESC, id DESC LIMIT 20"
)


def _sqlite(session: Session, words: str) -> dict[int, float]:
    terms = [term for term in dict.fromkeys(re.findall(r"\w+", words.casefold())) if len(term) > 2]
    terms = [term for term in terms if term not in _COMMON][:MAX_TERMS]
    if not terms:
        return {}
    query = " OR ".join(f'"{term}"' for term in terms)  # quoted: user words are never FTS5 syntax
    found = session.connection().execute(_SQLITE_QUERY, {"query": query, "window": WINDOW})
    return {row.id: float(row.rank) for row in found}
