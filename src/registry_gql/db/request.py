"""One database transaction per GraphQL request, opened on first use.

The caller's role and tenant are set with `set_config(..., true)`, local to the
transaction, so no setting outlives the request or reaches another one on the
same pooled connection.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from registry_gql.auth.principal import Principal
from registry_gql.db.raw import driver_connection

logger = logging.getLogger(__name__)

# Row-level security policies read these settings (migration 0002).
_SET_TENANT = text(
    "SELECT set_config('registry.role', :role, true), "
    "set_config('registry.operator_id', :operator_id, true), "
    "set_config('registry.territory_id', :territory_id, true), "
    "set_config('registry.company_siren', :company_siren, true)"
)


class RequestDatabase:
    """A lazily opened transaction with serialized statements.

    GraphQL resolves sibling fields concurrently, and an asyncpg connection runs
    one statement at a time, hence the lock.
    """

    def __init__(self, engine: AsyncEngine, principal: Principal) -> None:
        self._engine = engine
        self._principal = principal
        self._lock = asyncio.Lock()
        self._open_lock = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None
        self._driver: Any = None

    async def connection(self) -> AsyncConnection:
        """Return the request's connection, opening its transaction on first use.

        The state is published only once fully set up, so a caller cancelled
        half-way (graphql-core cancels sibling resolvers when one fails) never
        leaves a connection without its tenant settings for the next caller.
        """
        if self._connection is None:
            async with self._open_lock:
                if self._connection is None:
                    await self._open()
        assert self._connection is not None
        return self._connection

    async def _open(self) -> None:
        connection = await self._engine.connect()
        try:
            transaction = await connection.begin()
            # Through SQLAlchemy, whose asyncpg adapter sends BEGIN with it.
            await connection.execute(
                _SET_TENANT,
                {
                    "role": self._principal.role,
                    "operator_id": str(self._principal.operator_id or ""),
                    "territory_id": str(self._principal.territory_id or ""),
                    "company_siren": self._principal.company_siren or "",
                },
            )
            driver = await driver_connection(connection)
        except BaseException:
            await connection.invalidate()
            await connection.close()
            raise
        self._connection, self._transaction, self._driver = (
            connection,
            transaction,
            driver,
        )

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        async with self._lock:
            await self.connection()
            return list(await self._driver.fetch(sql, *args))

    async def execute(self, sql: str, *args: Any) -> str:
        async with self._lock:
            await self.connection()
            return str(await self._driver.execute(sql, *args))

    async def finish(self, *, commit: bool) -> None:
        """Commit or roll back, and return the connection to the pool.

        A failed commit raises. A connection that cannot even roll back is
        invalidated, so that the pool never hands it to another request.
        """
        connection = self._connection
        if connection is None:
            return
        self._connection = None
        try:
            if self._transaction is not None and self._transaction.is_active:
                if commit:
                    await self._transaction.commit()
                else:
                    await self._transaction.rollback()
        except Exception:
            logger.exception("request transaction failed to end; connection dropped")
            await connection.invalidate()
            if commit:
                raise
        finally:
            await connection.close()
