"""Database migrations (Alembic), run by `icpsim db upgrade` and `icpsim serve`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from workflow.config import Config
from workflow.db import create_private_sqlite_file

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(config: Config) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolates '%': escape it in passwords.
    cfg.set_main_option("sqlalchemy.url", config.database_url.replace("%", "%%"))
    return cfg


def upgrade(config: Config) -> None:
    """Bring the database at ``config.database_url`` to the newest schema."""
    create_private_sqlite_file(config.database_url)  # 0600 before Alembic's engine opens it
    command.upgrade(alembic_config(config), "head")


def head_revision() -> str:
    """The newest migration the code ships (its heads, comma-separated)."""
    return ",".join(sorted(ScriptDirectory(str(MIGRATIONS)).get_heads()))


def current_revision(conn: Connection) -> str | None:
    """The migration the database is at (None: never migrated)."""
    heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) if heads else None
