"""One database transaction per GraphQL request, opened on first use.

The caller's role and tenant are set with `set_config(..., true)`, local to the
transaction, so no setting outlives the request or reaches another one on the
same pooled connection.

The transaction is driven on the asyncpg connection itself: BEGIN and the
settings go in one simple-protocol message, so a compiled read costs three round
trips (that message, the page, COMMIT). SQLAlchemy sees the connection in
autocommit mode, so that statements it executes for the request (the journey
submission) never send a BEGIN of their own and run inside that transaction.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from registry_gql.auth.principal import Principal

logger = logging.getLogger(__name__)


def _literal(value: str) -> str:
    """Quote `value` as an SQL string literal (standard_conforming_strings is on
    since PostgreSQL 9.1 and cannot be turned off per statement here)."""
    if "\x00" in value:
        raise ValueError("a tenant setting cannot contain a NUL character")
    return "'" + value.replace("'", "''") + "'"


def begin_statement(principal: Principal) -> str:
    """Return BEGIN and the caller's settings, which the row-level security
    policies read (migration 0002), as one simple-protocol script.

    The simple protocol takes no parameters, hence the literals: the values come
    from a verified token, and `_literal` quotes them anyway.
    """
    settings = {
        "registry.role": principal.role,
        "registry.operator_id": str(principal.operator_id or ""),
        "registry.territory_id": str(principal.territory_id or ""),
        "registry.company_siren": principal.company_siren or "",
    }
    calls = ", ".join(
        f"set_config({_literal(name)}, {_literal(value)}, true)"
        for name, value in settings.items()
    )
    return f"BEGIN; SELECT {calls}"


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
        script = begin_statement(self._principal)
        connection = await self._engine.connect()
        try:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            if driver is None or driver.is_in_transaction():
                # A connection must come back from the pool outside any
                # transaction: `finish` drops those it could not end.
                raise RuntimeError("pooled connection still in a transaction")
            await driver.execute(script)
        except BaseException:
            await connection.invalidate()
            await connection.close()
            raise
        self._connection, self._driver = connection, driver

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
        connection, driver = self._connection, self._driver
        if connection is None:
            return
        self._connection = self._driver = None
        try:
            status = "ROLLBACK"
            if driver.is_in_transaction():
                status = await driver.execute("COMMIT" if commit else "ROLLBACK")
            # PostgreSQL answers COMMIT with ROLLBACK in a failed transaction.
            if commit and status != "COMMIT":
                raise RuntimeError("the request transaction was rolled back")
        except Exception:
            logger.exception("request transaction failed to end; connection dropped")
            await connection.invalidate()
            if commit:
                raise
        finally:
            # Cancelled half-way, or failed above: never pool a connection whose
            # transaction still holds the caller's settings.
            if not connection.invalidated and driver.is_in_transaction():
                await connection.invalidate()
            await connection.close()
