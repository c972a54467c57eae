"""forgotten families: a broadcast delivery may outlive its family and its number

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00

`bot family forget` and the retention purge (bot/privacy/family_records.py, bot/privacy/retention.py) delete a
family's contact row, or keep it as an opt-out record only, while its broadcast deliveries stay so
each broadcast's counts do not change: delivery.contact_id and delivery.phone become optional.
The index on contact_id lets a forget find the family's deliveries without reading them all.

Downgrade: deliveries of forgotten families are deleted (the old schema has no place for them)
and numbers removed by the purge come back as empty strings.
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.alter_column("contact_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("phone", existing_type=sa.String(length=40), nullable=True)
        batch_op.create_index(batch_op.f("ix_delivery_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM delivery WHERE contact_id IS NULL")
    op.execute("UPDATE delivery SET phone = '' WHERE phone IS NULL")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_contact_id"))
        batch_op.alter_column("phone", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("contact_id", existing_type=sa.Integer(), nullable=False)
