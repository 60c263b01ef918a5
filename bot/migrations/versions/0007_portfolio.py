"""App Home state and refreshes, Go effort, joining forces, text search for similar ideas

Revision ID: 0007
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Similar ideas are found by the database's own text search over the title and the problem.
PG_SEARCH_INDEX = (
    "CREATE INDEX ix_ideas_text_search ON ideas USING gin (to_tsvector('english', title || ' ' || problem))"
)
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE ideas_fts USING fts5(title, problem, content='ideas', content_rowid='id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER ideas_fts_insert AFTER INSERT ON ideas BEGIN "
    "INSERT INTO ideas_fts(rowid, title, problem) VALUES (new.id, new.title, new.problem); END",
    "CREATE TRIGGER ideas_fts_delete AFTER DELETE ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, title, problem) VALUES ('delete', old.id, old.title, old.problem); END",
    "CREATE TRIGGER ideas_fts_update AFTER UPDATE OF title, problem ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, title, problem) VALUES ('delete', old.id, old.title, old.problem); "
    "INSERT INTO ideas_fts(rowid, title, problem) VALUES (new.id, new.title, new.problem); END",
    "INSERT INTO ideas_fts(ideas_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("effort", sa.Float(), nullable=True))
    with op.batch_alter_table("ideas") as batch:
        batch.add_column(sa.Column("similar", sa.JSON(), nullable=True))
    op.create_index(op.f("ix_ideas_updated_at"), "ideas", ["updated_at"])
    op.create_index("ix_ideas_stage_stage_entered_at", "ideas", ["stage", "stage_entered_at"])
    op.create_table(
        "home_openings",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_home_openings")),
    )
    op.create_index(op.f("ix_home_openings_opened_at"), "home_openings", ["opened_at"])
    op.create_table(
        "home_refreshes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_refreshes")),
    )
    op.create_index(op.f("ix_home_refreshes_requested_at"), "home_refreshes", ["requested_at"])
    op.create_table(
        "join_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("later_idea_id", sa.Integer(), nullable=False),
        sa.Column("earlier_idea_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.String(length=32), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("later_answer", sa.String(length=16), nullable=True),
        sa.Column("earlier_answer", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["later_idea_id"], ["ideas.id"], name=op.f("fk_join_proposals_later_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["earlier_idea_id"],
            ["ideas.id"],
            name=op.f("fk_join_proposals_earlier_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_proposals")),
        sa.UniqueConstraint("later_idea_id", "earlier_idea_id", name=op.f("uq_join_proposals_later_idea_id")),
    )
    op.create_index(op.f("ix_join_proposals_later_idea_id"), "join_proposals", ["later_idea_id"])
    op.create_index(op.f("ix_join_proposals_earlier_idea_id"), "join_proposals", ["earlier_idea_id"])
    op.create_table(
        "idea_contributors",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("joined_from_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_contributors_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("idea_id", "user_id", name=op.f("pk_idea_contributors")),
    )
    op.create_index(op.f("ix_idea_contributors_user_id"), "idea_contributors", ["user_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_SEARCH_INDEX)
    else:
        for statement in SQLITE_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_ideas_text_search")
    else:
        for name in ("ideas_fts_insert", "ideas_fts_delete", "ideas_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS ideas_fts")
    op.drop_table("idea_contributors")
    op.drop_table("join_proposals")
    op.drop_table("home_refreshes")
    op.drop_table("home_openings")
    op.drop_index("ix_ideas_stage_stage_entered_at", table_name="ideas")
    op.drop_index(op.f("ix_ideas_updated_at"), table_name="ideas")
    with op.batch_alter_table("ideas") as batch:
        batch.drop_column("similar")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("effort")
