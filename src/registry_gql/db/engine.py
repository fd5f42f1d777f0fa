"""Async engines for the owner's and the application role's connections."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine.interfaces import IsolationLevel
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from registry_gql.settings import async_url

# Session settings of every connection. JIT compilation is off because the API's
# statements are short: with row-level security on, PostgreSQL 15 estimated a
# territory page above `jit_above_cost` and spent about 0.3 s compiling a
# statement that then ran in 3 ms (20,000 journeys, EXPLAIN ANALYZE).
_SERVER_SETTINGS = {"application_name": "registry-gql", "jit": "off"}


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create an asyncpg engine; `url` may name the plain `postgresql` driver."""
    return _engine(url, pool_size, _SERVER_SETTINGS)


def create_request_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create the engine of `RequestDatabase`, whose connections run in the
    driver's autocommit mode from the start: the requests send BEGIN and COMMIT
    themselves, and need not switch each connection they check out."""
    return _engine(url, pool_size, _SERVER_SETTINGS, isolation_level="AUTOCOMMIT")


def create_owner_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create an engine for the owner's writes: imports, registrations, the demo.

    Its sessions run with `registry.role` set to `admin`, so that row-level
    security lets an owner that is neither superuser nor BYPASSRLS write every
    tenant table. A superuser or BYPASSRLS owner skips the policies anyway.
    """
    return _engine(url, pool_size, {**_SERVER_SETTINGS, "registry.role": "admin"})


def _engine(
    url: str,
    pool_size: int,
    server_settings: dict[str, str],
    isolation_level: IsolationLevel | None = None,
) -> AsyncEngine:
    options: dict[str, Any] = {}
    if isolation_level is not None:
        options["isolation_level"] = isolation_level
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=False,
        connect_args={"server_settings": server_settings},
        **options,
    )
