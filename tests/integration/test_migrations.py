import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import engine_for
from bot.migrate import downgrade, upgrade
from bot.models import Base


# SQLAlchemy 1.4 cannot reflect the PostgreSQL-only trigram index on lower(body) (migration
# 0004); it says so and compares the rest.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_build_exactly_the_models(migrated_db):
    engine = engine_for(migrated_db)
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models changed without a migration: run bot.migrate.make_revision"


def test_downgrade_and_upgrade_again(migrated_db):
    downgrade(migrated_db, "base")
    assert set(inspect(engine_for(migrated_db)).get_table_names()) <= {"alembic_version"}
    upgrade(migrated_db)
    assert "message" in inspect(engine_for(migrated_db)).get_table_names()
