"""models trained from the console's Training page

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 02:00:00

Staff retrain the model with their corrections and switch the families' model from the console
(bot/nlu/review_training.py). Each training is a row: its status, progress, figures and model file;
the active one is the model every Rasa server loads.

Downgrade: the history of trainings goes; the model files stay in the models folder.
"""
from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nlu_training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("model_file", sa.String(length=255), nullable=True),
        sa.Column("corrections", sa.JSON(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_nlu_training_status", "nlu_training", ["status"])


def downgrade() -> None:
    op.drop_index("ix_nlu_training_status", table_name="nlu_training")
    op.drop_table("nlu_training")
