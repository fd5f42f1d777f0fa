"""Access to the asyncpg connection under a SQLAlchemy one, for bulk statements."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def driver_connection(connection: AsyncConnection) -> Any:
    """Return the asyncpg connection of `connection`, in its current transaction.

    Bulk reads and writes send arrays through asyncpg directly: SQLAlchemy's text
    binding would cost a Python conversion per value. SQLAlchemy 2.1's asyncpg
    adapter sends BEGIN only with the first statement it executes itself, so when
    `connection` is in a transaction that has not started on the server, one
    statement goes through SQLAlchemy first. Without it, each statement sent
    straight to asyncpg would commit on its own, and `set_config(..., true)`
    would last for that statement only.
    """
    raw = await connection.get_raw_connection()
    driver = cast(Any, raw.driver_connection)
    if connection.in_transaction() and not driver.is_in_transaction():
        await connection.execute(text("SELECT 1"))
    return driver
