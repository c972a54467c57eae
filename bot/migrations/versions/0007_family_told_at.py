"""hand-off without silence: when the family was last told a person will answer

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 16:00:00

A bot hand-off no longer pauses the bot (bot/families/handoff.py): the family keeps getting answers while
it waits for staff, and a message the bot cannot answer meanwhile is acknowledged at most every
few hours, counted from conversation.family_told_at.

Downgrade: the column goes; nothing else used it.
"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family_told_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("family_told_at")
