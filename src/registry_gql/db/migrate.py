"""Alembic migrations, run from code by the CLI and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

# NOTE: migrations ship beside src/ in the source tree, so the CLI's `migrate` and
# `demo` need a checkout (or an editable install), not a bare wheel.
MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database to `revision`. Blocks: call it outside an event loop."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def execute_script(sql: str) -> None:
    """Run several SQL statements in one call from inside a migration.

    asyncpg refuses multi-statement strings in prepared statements, which is how
    `op.execute` sends them, so the script goes through the driver's simple query
    protocol on the migration's own connection and transaction.
    """
    from alembic import op
    from sqlalchemy.util import await_only

    driver_connection = op.get_bind().connection.driver_connection
    assert driver_connection is not None, "migrations need an open connection"
    await_only(driver_connection.execute(sql))
