"""login security: failed logins counted per account and per address, session versions, and
a ledger of answered MessageSids

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:45:00

Failed logins were counted on the staff_user row by reading, adding one and writing back, so
parallel guesses lost each other's counts (24 wrong passwords left the counter at 3), and an
unknown email never locked, which told an attacker which emails had accounts. They are now
counted in login_throttle, per email typed (whether or not it has an account) and per client
address, by one UPDATE in the database (bot/staff/login_throttle.py); staff_user.failed_logins and
locked_until go.

Console logins were a signed cookie alone, so a copied cookie kept working after logout or a new
password. Each login now carries the account's session_version, checked on every request;
logout, a new password and switching the account off raise it (console/auth.py).

Twilio's signatures carry no time, so a captured request could be replayed once its message row
was purged. seen_message_sid keeps a SHA-256 of every answered MessageSid, longer than messages are
kept (bot/conversations/replay_ledger.py); it starts with the MessageSids of the messages kept today.

Downgrade: the counts and locks go, logins are the signed cookie alone again, the ledger goes.
"""
import datetime
import hashlib

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint("kind", "subject", name=op.f("uq_login_throttle_kind")),
    )
    # Plain ALTER TABLE, not a batch rebuild: SQLite (3.35 and later) adds and drops these
    # columns in place, while rebuilding staff_user would fail on the foreign keys audit_log and
    # every other table hold to it.
    op.add_column(
        "staff_user",
        sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"),
    )
    op.drop_column("staff_user", "failed_logins")
    op.drop_column("staff_user", "locked_until")
    op.create_table(
        "seen_message_sid",
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("sid_hash", name=op.f("pk_seen_message_sid")),
    )
    op.create_index(
        op.f("ix_seen_message_sid_seen_on"), "seen_message_sid", ["seen_on"], unique=False
    )
    # Every MessageSid already answered goes in, hashed as bot/conversations/replay_ledger.py hashes them.
    bind = op.get_bind()
    sids = bind.execute(
        sa.text("SELECT DISTINCT twilio_sid FROM message WHERE twilio_sid IS NOT NULL")
    ).scalars()
    today = datetime.date.today()
    rows = [{"sid_hash": hashlib.sha256(s.encode()).hexdigest(), "seen_on": today} for s in sids]
    if rows:
        ledger = sa.table("seen_message_sid", sa.column("sid_hash"), sa.column("seen_on"))
        op.bulk_insert(ledger, rows)


def downgrade() -> None:
    op.add_column("staff_user", sa.Column("locked_until", sa.DateTime(timezone=True)))
    op.add_column(
        "staff_user",
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    )
    op.drop_column("staff_user", "session_version")
    op.drop_index(op.f("ix_seen_message_sid_seen_on"), table_name="seen_message_sid")
    op.drop_table("seen_message_sid")
    op.drop_table("login_throttle")
