"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 18:26:26.739731
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("beneficiaries", sa.JSON(), nullable=False),
        sa.Column("beneficiary_detail", sa.String(length=500), nullable=True),
        sa.Column("success_signal", sa.Text(), nullable=False),
        sa.Column("tried_before", sa.Text(), nullable=True),
        sa.Column("help_offer", sa.String(length=16), nullable=False),
        sa.Column("goal_unsure", sa.Boolean(), nullable=False),
        sa.Column("submitter_id", sa.String(length=32), nullable=False),
        sa.Column("source_channel_id", sa.String(length=32), nullable=True),
        sa.Column("source_message_ts", sa.String(length=32), nullable=True),
        sa.Column("source_permalink", sa.String(length=500), nullable=True),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("coach_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
    )
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ideas_coach_id"), ["coach_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_stage_entered_at"), ["stage_entered_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_submitter_id"), ["submitter_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("from_stage", sa.String(length=32), nullable=True),
        sa.Column("to_stage", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_audit_events_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "idea_goals",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_goals_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("idea_id", "goal_id", name=op.f("pk_idea_goals")),
    )
    op.create_table(
        "slack_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_slack_messages_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_messages")),
        sa.UniqueConstraint("idea_id", "purpose", name=op.f("uq_slack_messages_idea_id")),
    )
    with op.batch_alter_table("slack_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_messages_idea_id"), ["idea_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("slack_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_messages_idea_id"))

    op.drop_table("slack_messages")
    op.drop_table("idea_goals")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_idea_id"))

    op.drop_table("audit_events")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ideas_submitter_id"))
        batch_op.drop_index(batch_op.f("ix_ideas_stage_entered_at"))
        batch_op.drop_index(batch_op.f("ix_ideas_stage"))
        batch_op.drop_index(batch_op.f("ix_ideas_coach_id"))

    op.drop_table("ideas")
