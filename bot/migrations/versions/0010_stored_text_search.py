"""PostgreSQL keeps each idea's text-search vector in a stored column, so the similar-idea search reads it
instead of computing it again for every idea it looks at

Revision ID: 0010
Revises: 0009

The expression index of 0007 found the matches, but ranking them computed `to_tsvector` again for each
match, and the planner read the whole table to do it: about 0.5 s a submission at 50,000 ideas, inside
the submission's transaction. SQLite's FTS5 table stores its index already and is unchanged.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

EXPRESSION = "to_tsvector('english', title || ' ' || problem)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_ideas_text_search")
    op.execute(f"ALTER TABLE ideas ADD COLUMN text_search tsvector GENERATED ALWAYS AS ({EXPRESSION}) STORED")
    op.execute("CREATE INDEX ix_ideas_text_search ON ideas USING gin (text_search)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_ideas_text_search")
    op.execute("ALTER TABLE ideas DROP COLUMN IF EXISTS text_search")
    op.execute(f"CREATE INDEX ix_ideas_text_search ON ideas USING gin ({EXPRESSION})")
