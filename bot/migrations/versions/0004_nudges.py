"""nudges, snoozes, time zones, digests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 18:47:44.182570
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("week_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("chart_file_id", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("week_of", name=op.f("pk_digests")),
    )
    op.create_table(
        "user_time_zones",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_time_zones")),
    )
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("clock_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=1000), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name=op.f("fk_nudges_idea_id_ideas"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint("idea_id", "kind", "clock_started_at", "step", name=op.f("uq_nudges_idea_id")),
    )
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nudges_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nudges_next_attempt_at"), ["next_attempt_at"], unique=False)

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("clock_reset_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("clock_started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_ideas_snoozed_until"), ["snoozed_until"], unique=False)
        batch_op.create_index("ix_ideas_stage_clock_started_at", ["stage", "clock_started_at"], unique=False)
        batch_op.create_index("ix_ideas_stage_revisit_on", ["stage", "revisit_on"], unique=False)

    # Existing ideas: the latest sign of life, as models.nudge keeps it for every later write.
    op.execute(
        "UPDATE ideas SET clock_started_at = CASE WHEN last_reply_at IS NOT NULL AND last_reply_at > stage_entered_at "
        "THEN last_reply_at ELSE stage_entered_at END"
    )


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_stage_revisit_on")
        batch_op.drop_index("ix_ideas_stage_clock_started_at")
        batch_op.drop_index(batch_op.f("ix_ideas_snoozed_until"))
        batch_op.drop_column("clock_started_at")
        batch_op.drop_column("clock_reset_at")
        batch_op.drop_column("snoozed_until")

    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudges_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_nudges_idea_id"))

    op.drop_table("nudges")
    op.drop_table("user_time_zones")
    op.drop_table("digests")
