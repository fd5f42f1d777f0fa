"""Access to the asyncpg connection under a SQLAlchemy one, for bulk statements."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection


async def driver_connection(connection: AsyncConnection) -> Any:
    """Return the asyncpg connection of `connection`, in its current transaction.

    Bulk reads and writes send arrays through asyncpg directly: SQLAlchemy's text
    binding would cost a Python conversion per value.
    """
    raw = await connection.get_raw_connection()
    return cast(Any, raw.driver_connection)
