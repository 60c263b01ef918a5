"""Outbox posts that link, at delivery, to the coaching thread a queued kickoff opens; file shares

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("links_thread_of", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("file_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("file_title", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("file_content", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("file_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        for column in ("file_id", "file_content", "file_title", "file_name", "links_thread_of"):
            batch.drop_column(column)
