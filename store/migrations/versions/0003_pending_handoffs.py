"""Handoff form answers held outside Rasa's conversation events until the ticket is filed, and the sender of
each ticket (a hash of the conversation id), for one open ticket per sender.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_handoffs",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_pending_handoffs"),
    )
    op.create_index("ix_pending_handoffs_updated_at", "pending_handoffs", ["updated_at"])
    with op.batch_alter_table("tickets") as batch:  # batch: SQLite cannot alter a table in place
        batch.add_column(sa.Column("sender_key", sa.String(64), nullable=True))
        batch.create_index("ix_tickets_sender_key", ["sender_key"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_sender_key")
        batch.drop_column("sender_key")
    op.drop_index("ix_pending_handoffs_updated_at", "pending_handoffs")
    op.drop_table("pending_handoffs")
