"""One database transaction per GraphQL request, opened on first use.

The caller's role and tenant are set with `set_config(..., true)`, local to the
transaction, so no setting outlives the request or reaches another one on the
same pooled connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from registry_gql.auth.principal import Principal
from registry_gql.db.raw import driver_connection

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
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None
        self._driver: Any = None

    async def connection(self) -> AsyncConnection:
        if self._connection is None:
            self._connection = await self._engine.connect()
            self._transaction = await self._connection.begin()
            # Through SQLAlchemy, whose asyncpg adapter sends BEGIN with it.
            await self._connection.execute(
                _SET_TENANT,
                {
                    "role": self._principal.role,
                    "operator_id": str(self._principal.operator_id or ""),
                    "territory_id": str(self._principal.territory_id or ""),
                    "company_siren": self._principal.company_siren or "",
                },
            )
            self._driver = await driver_connection(self._connection)
        return self._connection

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        async with self._lock:
            await self.connection()
            return list(await self._driver.fetch(sql, *args))

    async def execute(self, sql: str, *args: Any) -> str:
        async with self._lock:
            await self.connection()
            return str(await self._driver.execute(sql, *args))

    async def finish(self, *, commit: bool) -> None:
        """Commit or roll back, and return the connection to the pool."""
        if self._connection is None:
            return
        try:
            if self._transaction is not None and self._transaction.is_active:
                if commit:
                    await self._transaction.commit()
                else:
                    await self._transaction.rollback()
        finally:
            await self._connection.close()
            self._connection = None
