from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import engine_for
from bot.migrate import declared_in_models, downgrade, upgrade
from bot.models import Base


# The PostgreSQL-only trigram index on lower(body) (migration 0004) is left to the migration, and
# out of the comparison, as autogenerate leaves it (bot/migrate.py).
def test_migrations_build_exactly_the_models(migrated_db):
    engine = engine_for(migrated_db)
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": declared_in_models}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models changed without a migration: run bot.migrate.make_revision"


def test_downgrade_and_upgrade_again(migrated_db):
    downgrade(migrated_db, "base")
    assert set(inspect(engine_for(migrated_db)).get_table_names()) <= {"alembic_version"}
    upgrade(migrated_db)
    assert "message" in inspect(engine_for(migrated_db)).get_table_names()


def test_a_line_in_use_upgrades_through_0010_and_back(database_url):
    """0010 changes staff_user, which audit_log rows point at: on a database where staff have
    logged in, the upgrade and the downgrade must not trip over those foreign keys."""
    from sqlalchemy import text

    upgrade(database_url, "0009")
    engine = engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO staff_user (email, role, password_hash, failed_logins, active, "
                "created_at) VALUES ('ana@p.test', 'admin', 'x', 2, true, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO audit_log (staff_user_id, action, detail, created_at) "
                "VALUES (1, 'login', '{}', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    upgrade(database_url)
    with engine_for(database_url).connect() as connection:
        rows = connection.execute(text("SELECT email, session_version FROM staff_user")).all()
    assert rows == [("ana@p.test", 0)]
    downgrade(database_url, "0009")
    upgrade(database_url)
