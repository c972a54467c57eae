"""broadcast sending: delivery states, backoff and claims, send pace, reminders

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 02:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="announcement"))
        batch_op.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recipients", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("estimated_cost", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_broadcast_session_id_parent_college_session"), "parent_college_session", ["session_id"], ["id"])
        batch_op.create_unique_constraint(batch_op.f("uq_broadcast_session_id"), ["session_id"])
        batch_op.create_index(batch_op.f("ix_broadcast_state"), ["state"], unique=False)
    op.execute("UPDATE broadcast SET updated_at = created_at")
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column("kind", server_default=None)

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_message", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_delivery_message_id_message"), "message", ["message_id"], ["id"])
        batch_op.drop_index("ix_delivery_broadcast_id")
        batch_op.create_index("ix_delivery_broadcast_status_id", ["broadcast_id", "status", "id"], unique=False)
    # Rows queued before this revision are waiting to be sent: "pending" in the new words.
    op.execute("UPDATE delivery SET status = 'pending' WHERE status = 'queued' AND twilio_sid IS NULL")

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "send_pace",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_free_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_pace")),
    )


def downgrade() -> None:
    op.drop_table("send_pace")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
    op.execute("UPDATE delivery SET status = 'queued' WHERE status = 'pending'")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_broadcast_status_id")
        batch_op.create_index("ix_delivery_broadcast_id", ["broadcast_id"], unique=False)
        batch_op.drop_constraint(batch_op.f("fk_delivery_message_id_message"), type_="foreignkey")
        batch_op.drop_column("message_id")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("error_message")
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcast_state"))
        batch_op.drop_constraint(batch_op.f("uq_broadcast_session_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_broadcast_session_id_parent_college_session"), type_="foreignkey")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("paused_at")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("estimated_cost")
        batch_op.drop_column("recipients")
        batch_op.drop_column("session_id")
        batch_op.drop_column("title")
        batch_op.drop_column("kind")
