"""inbox search indexes: family messages by conversation, and trigram text search on PostgreSQL

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00

The inbox (bot/conversations/inbox.py) asks "does this conversation have a family message that ...": the partial
index on family messages answers that per conversation from the index alone, and the one on
created_at finds the conversations of a date range. Figures: bench/console_search.py.

Text search is lower(body) LIKE '%term%'. On PostgreSQL a GIN trigram index on lower(body) serves
it; it needs the pg_trgm extension, which a database user without the right may not create: then
the index is skipped with a warning and search still works, only slower on a large log.
Statistics on lower(body) (PostgreSQL 14+) tell the planner how common a word is: the index is
partial, and PostgreSQL takes no statistics from a partial index's expression, so without them it
guesses every word rare: in the benchmark it then gathered all 45,000 messages with "escuela"
(230 ms) instead of walking the newest conversations until 50 had one (8 ms).
"""
import logging

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

FAMILY = sa.text("direction = 'in'")
TRIGRAM_INDEX = "ix_message_family_body_trgm"
BODY_STATISTICS = "st_message_lower_body"


def upgrade() -> None:
    op.create_index(
        "ix_message_family_conversation",
        "message",
        ["conversation_id", "intent", "language", "confidence", "created_at"],
        postgresql_where=FAMILY,
        sqlite_where=FAMILY,
    )
    op.create_index(
        "ix_message_family_created",
        "message",
        ["created_at"],
        postgresql_where=FAMILY,
        sqlite_where=FAMILY,
    )
    if op.get_bind().dialect.name == "postgresql":
        _create_trigram_index()
        _create_body_statistics()


def _create_trigram_index() -> None:
    connection = op.get_bind()
    try:
        # A failed CREATE EXTENSION would abort the whole migration's transaction; the savepoint
        # keeps it to this step.
        with connection.begin_nested():
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        log.warning(
            "pg_trgm is not available (%s): message search works without its index, but slowly "
            "on a large log. Once the database's owner or a superuser has run CREATE EXTENSION "
            "pg_trgm in this database, migrate down to 0003 and up again to build the index.",
            str(error.orig).strip().splitlines()[0],
        )
        return
    op.execute(
        f"CREATE INDEX {TRIGRAM_INDEX} ON message USING gin (lower(body) gin_trgm_ops) "
        "WHERE direction = 'in'"
    )


def _create_body_statistics() -> None:
    connection = op.get_bind()
    if connection.dialect.server_version_info < (14,):
        log.warning(
            "PostgreSQL before 14 keeps no statistics on lower(body): a search for a common "
            "word may take the slow plan"
        )
        return
    op.execute(f"CREATE STATISTICS IF NOT EXISTS {BODY_STATISTICS} ON (lower(body)) FROM message")
    # Filled now, not at autovacuum's next pass, so searches plan well from the first one.
    op.execute("ANALYZE message")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays: other database objects may use it, and it costs nothing.
        op.execute(f"DROP STATISTICS IF EXISTS {BODY_STATISTICS}")
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    op.drop_index("ix_message_family_created", table_name="message")
    op.drop_index("ix_message_family_conversation", table_name="message")
