"""coaching threads, replies, logframes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:32:46.883534
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_table(
        "coaching_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("coach_id", sa.String(length=32), nullable=False),
        sa.Column("permalink", sa.String(length=500), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_coaching_threads_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_threads")),
        sa.UniqueConstraint("channel_id", "thread_ts", name=op.f("uq_coaching_threads_channel_id")),
    )
    with op.batch_alter_table("coaching_threads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coaching_threads_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "logframes",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name=op.f("fk_logframes_idea_id_ideas"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("idea_id", name=op.f("pk_logframes")),
    )
    op.create_table(
        "thread_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_thread_messages_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["coaching_threads.id"],
            name=op.f("fk_thread_messages_thread_id_coaching_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_messages")),
        sa.UniqueConstraint("channel_id", "ts", name=op.f("uq_thread_messages_channel_id")),
    )
    with op.batch_alter_table("thread_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_messages_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_thread_messages_thread_id"), ["thread_id"], unique=False)

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alignment_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("last_reply_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_reply_by", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_ideas_last_reply_at"), ["last_reply_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ideas_last_reply_at"))
        batch_op.drop_column("last_reply_by")
        batch_op.drop_column("last_reply_at")
        batch_op.drop_column("alignment_note")

    with op.batch_alter_table("thread_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_messages_thread_id"))
        batch_op.drop_index(batch_op.f("ix_thread_messages_idea_id"))

    op.drop_table("thread_messages")
    op.drop_table("logframes")
    with op.batch_alter_table("coaching_threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_threads_idea_id"))

    op.drop_table("coaching_threads")
    op.drop_table("processed_events")
