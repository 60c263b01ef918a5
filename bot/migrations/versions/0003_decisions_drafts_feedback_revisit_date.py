"""decisions, drafts, feedback, revisit date

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:39:37.368327
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("decider_id", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_decision_drafts_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_drafts")),
    )
    with op.batch_alter_table("decision_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_drafts_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("weighted_score", sa.Float(), nullable=False),
        sa.Column("goals_considered", sa.JSON(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("alternatives", sa.Text(), nullable=True),
        sa.Column("what_would_change", sa.Text(), nullable=True),
        sa.Column("next_steps", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.Column("target_start", sa.Date(), nullable=True),
        sa.Column("revisit_on", sa.Date(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["corrects_id"], ["decisions.id"], name=op.f("fk_decisions_corrects_id_decisions")),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name=op.f("fk_decisions_idea_id_ideas"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name=op.f("fk_feedback_idea_id_ideas"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_idea_id"), ["idea_id"], unique=False)

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revisit_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_ideas_revisit_on"), ["revisit_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ideas_revisit_on"))
        batch_op.drop_column("revisit_on")

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_idea_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_idea_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("decision_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_drafts_idea_id"))

    op.drop_table("decision_drafts")
