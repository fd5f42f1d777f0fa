"""Async engines for the owner's and the application role's connections."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from registry_gql.settings import async_url


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create an asyncpg engine; `url` may name the plain `postgresql` driver."""
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": "registry-gql"}},
    )
