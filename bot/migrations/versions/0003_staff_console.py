"""staff console: notes, NLU corrections, hand-off reason, API token lookup, last login

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], name=op.f("fk_conversation_note_conversation_id_conversation")),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_user.id"], name=op.f("fk_conversation_note_staff_user_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_note")),
    )
    with op.batch_alter_table("conversation_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_note_conversation_id"), ["conversation_id"], unique=False)

    op.create_table(
        "nlu_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], name=op.f("fk_nlu_correction_message_id_message")),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_user.id"], name=op.f("fk_nlu_correction_staff_user_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_correction")),
        sa.UniqueConstraint("message_id", name=op.f("uq_nlu_correction_message_id")),
    )

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_reason", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("handed_off_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("api_token_hash", existing_type=sa.String(length=255), type_=sa.String(length=64))
        batch_op.create_unique_constraint(batch_op.f("uq_staff_user_api_token_hash"), ["api_token_hash"])

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_created_at"))
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_user_api_token_hash"), type_="unique")
        batch_op.alter_column("api_token_hash", existing_type=sa.String(length=64), type_=sa.String(length=255))
        batch_op.drop_column("last_login_at")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("handed_off_at")
        batch_op.drop_column("handoff_reason")
    op.drop_table("nlu_correction")
    with op.batch_alter_table("conversation_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_note_conversation_id"))
    op.drop_table("conversation_note")
