"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import notify.models  # noqa: F401  (registers the tables)
import workflow.models  # noqa: F401
from web.migrate import upgrade
from workflow.config import Config


def _schema_drift(url: str) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_db_upgrade_on_a_new_sqlite_file_matches_the_models(tmp_path):
    config = Config(instance_path=tmp_path / "new")
    upgrade(config)
    assert _schema_drift(config.database_url) == []
    upgrade(config)  # a second upgrade is a no-op
    assert _schema_drift(config.database_url) == []


def test_db_upgrade_on_postgresql_matches_the_models(pg_database_url):
    upgrade(Config(database_url=pg_database_url))
    assert _schema_drift(pg_database_url) == []
