"""what everyday school questions need: attendance line, enrolling, bell times, days off

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:30:00

Families ask how to report an absence, how to enroll a child, when classes start and which days
have no school (bot/reading/school_matters.py). Staff fill these in the console or by CSV; empty means
the line does not know, and the bot says so and gives the office phone or a person.

Downgrade: the columns go with what staff typed into them.
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("attendance_phone", "enrollment_contact", "bell_times", "days_off")


def upgrade() -> None:
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attendance_phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("enrollment_contact", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("bell_times", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("days_off", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("school", schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
