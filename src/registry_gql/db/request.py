"""The database work of one GraphQL request, under the caller's tenant settings.

Row-level security reads the caller's role and tenant from four settings
(migration 0002). A request runs in one of two ways:

- **A lone read** (`fetch_alone`): a query whose compiled statement is its only
  one runs without a transaction, under *session* settings. Each connection of
  the request engine records in its SQLAlchemy `info` whose settings its
  session contains. A request of another caller first sets all four settings
  again, in their own message, so a request of the same caller costs one
  round trip.
- **A transaction** (everything else, and any statement after a lone read):
  BEGIN and the caller's settings go in one simple-protocol message, with
  `set_config(..., true)`, local to the transaction, which override the
  session's settings.

So the request engine's connections carry the last caller's settings between
requests. They serve only `RequestDatabase`, which always puts the current
caller's settings in place before its first statement; other code (the token
endpoint, the geography loader) uses an engine whose connections never hold
session settings. A connection whose state is unknown (a statement cancelled
half-way, a transaction that did not end) is never reused.

SQLAlchemy sees the connection in autocommit mode, so that the statements it
executes for the request (the journey submission) never send a BEGIN of their
own and run inside the request's transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from registry_gql.auth.principal import Principal

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Key of a connection's `info`: the settings that its session contains.
SESSION_SETTINGS = "registry_gql.session_settings"


def _literal(value: str) -> str:
    """Quote `value` as an escape string literal (`E'...'`), which PostgreSQL
    reads the same way whatever the value of `standard_conforming_strings`."""
    if "\x00" in value:
        raise ValueError("a tenant setting cannot contain a NUL character")
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def tenant_settings(principal: Principal) -> tuple[tuple[str, str], ...]:
    """Return the four settings that row-level security reads, for `principal`."""
    return (
        ("registry.role", principal.role),
        ("registry.operator_id", str(principal.operator_id or "")),
        ("registry.territory_id", str(principal.territory_id or "")),
        ("registry.company_siren", principal.company_siren or ""),
    )


def settings_statement(settings: tuple[tuple[str, str], ...], *, local: bool) -> str:
    """Return one SELECT that sets every setting, for the transaction (`local`)
    or for the session.

    The simple protocol takes no parameters, hence the literals: the values come
    from a verified token, and `_literal` quotes them anyway.
    """
    scope = "true" if local else "false"
    calls = ", ".join(
        f"set_config({_literal(name)}, {_literal(value)}, {scope})"
        for name, value in settings
    )
    return f"SELECT {calls}"


class RequestDatabase:
    """A lazily opened connection with serialized statements.

    GraphQL resolves sibling fields concurrently, and an asyncpg connection runs
    one statement at a time, hence the lock.
    """

    def __init__(self, engine: AsyncEngine, principal: Principal) -> None:
        self._engine = engine
        self._settings = tenant_settings(principal)
        self._lock = asyncio.Lock()
        self._open_lock = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
        self._in_transaction = False
        # Set when a statement was cancelled half-way: `finish` drops the
        # connection, whose protocol state is then unknown.
        self._cancelled = False

    async def connection(self) -> AsyncConnection:
        """Return the request's connection, in its transaction, opening either
        on first use.

        The state is published only once fully set up, so a caller cancelled
        half-way (graphql-core cancels sibling resolvers when one fails) never
        leaves a connection without its tenant settings for the next caller.
        """
        async with self._open_lock:
            if self._connection is None:
                await self._open()
            if not self._in_transaction:
                await self._set_up(self._begin())
        assert self._connection is not None
        return self._connection

    async def fetch_alone(self, sql: str, *args: Any) -> list[Any]:
        """Run a read that is expected to be the request's only statement.

        Without a transaction, under the session settings of the caller (see
        the module's docstring). Any statement after it opens a transaction.
        """
        async with self._lock:
            async with self._open_lock:
                if self._connection is None:
                    await self._open()
                    await self._set_up(self._set_session())
            return list(await self._run(self._driver.fetch(sql, *args)))

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        async with self._lock:
            await self.connection()
            return list(await self._run(self._driver.fetch(sql, *args)))

    async def execute(self, sql: str, *args: Any) -> str:
        async with self._lock:
            await self.connection()
            return str(await self._run(self._driver.execute(sql, *args)))

    async def _run(self, statement: Awaitable[T]) -> T:
        try:
            return await statement
        except asyncio.CancelledError:
            self._cancelled = True
            raise

    async def _open(self) -> None:
        connection = await self._engine.connect()
        try:
            raw = await connection.get_raw_connection()
            # Engines of `create_request_engine` start in autocommit mode.
            if not getattr(raw.dbapi_connection, "autocommit", False):
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            driver = raw.driver_connection
            if driver is None or driver.is_in_transaction():
                # A connection comes back from the pool outside any
                # transaction: `finish` and `_set_up` drop the others.
                raise RuntimeError("pooled connection still in a transaction")
        except BaseException:
            await connection.invalidate()
            await connection.close()
            raise
        self._connection, self._driver = connection, driver

    async def _set_up(self, settings: Awaitable[None]) -> None:
        """Await a statement that sets the caller's settings, and discard the
        connection if it fails or is cancelled (graphql-core cancels sibling
        resolvers when one fails): whether the server ran it is then unknown."""
        try:
            await settings
        except BaseException:
            connection, self._connection, self._driver = self._connection, None, None
            self._in_transaction = False
            if connection is not None:
                await connection.invalidate()
                await connection.close()
            raise

    async def _set_session(self) -> None:
        assert self._connection is not None
        info = self._connection.info
        if info.get(SESSION_SETTINGS) == self._settings:
            return
        # Unknown until the statement has run; on failure, `_set_up` discards
        # the connection and its `info` with it.
        info.pop(SESSION_SETTINGS, None)
        await self._driver.execute(settings_statement(self._settings, local=False))
        info[SESSION_SETTINGS] = self._settings

    async def _begin(self) -> None:
        local = settings_statement(self._settings, local=True)
        await self._driver.execute(f"BEGIN; {local}")
        self._in_transaction = True

    async def finish(self, *, commit: bool) -> None:
        """Commit or roll back, and return the connection to the pool.

        A failed commit raises. A connection that cannot even roll back is
        invalidated, so that the pool never hands it to another request.
        """
        connection, driver = self._connection, self._driver
        if connection is None:
            return
        in_transaction, self._in_transaction = self._in_transaction, False
        cancelled, self._cancelled = self._cancelled, False
        self._connection = self._driver = None
        try:
            if cancelled:
                raise RuntimeError("a statement of the request was cancelled")
            if in_transaction:
                status = "ROLLBACK"
                if driver.is_in_transaction():
                    status = await driver.execute("COMMIT" if commit else "ROLLBACK")
                # In a failed transaction, PostgreSQL ends a COMMIT with the
                # ROLLBACK status.
                if commit and status != "COMMIT":
                    raise RuntimeError("the request transaction was rolled back")
        except Exception:
            logger.exception("request database work failed to end; connection dropped")
            await connection.invalidate()
            if commit:
                raise
        finally:
            # Cancelled half-way, or failed above: never pool a connection whose
            # transaction still has the caller's settings.
            if not connection.invalidated and driver.is_in_transaction():
                await connection.invalidate()
            await connection.close()
