"""The API checks at startup that row-level security binds its database role."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.app import create_app
from registry_gql.db.engine import create_engine, create_owner_engine
from registry_gql.db.rls_check import RowSecurityError, check_row_level_security
from registry_gql.settings import Settings


async def check(url: str, *, owner_settings: bool = False) -> None:
    factory = create_owner_engine if owner_settings else create_engine
    engine = factory(url, pool_size=1)
    try:
        await check_row_level_security(engine)
    finally:
        await engine.dispose()


async def test_application_role_passes(app_url: str) -> None:
    await check(app_url)


async def test_superuser_is_rejected(database_url: str) -> None:
    with pytest.raises(RowSecurityError) as refusal:
        await check(database_url)
    message = str(refusal.value)
    assert "'postgres'" in message
    assert "postgres is a superuser" in message
    assert "registry_gql_app" in message
    assert "ALTER ROLE postgres NOSUPERUSER" in message


@pytest.fixture
async def temporary_role(owner_engine: AsyncEngine) -> AsyncIterator[str]:
    """A login role, dropped with its memberships after the test."""
    name = f"registry_gql_check_{uuid.uuid4().hex[:8]}"
    async with owner_engine.begin() as connection:
        await connection.exec_driver_sql(f"CREATE ROLE {name} LOGIN")
    yield name
    async with owner_engine.begin() as connection:
        await connection.exec_driver_sql(f"DROP ROLE {name}")


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("ALTER ROLE {role} BYPASSRLS", "has BYPASSRLS"),
        ("GRANT postgres TO {role}", "is a member of the owner of"),
    ],
    ids=["bypassrls", "owner member"],
)
async def test_unbound_role_is_rejected(
    owner_engine: AsyncEngine,
    database_url: str,
    temporary_role: str,
    change: str,
    expected: str,
) -> None:
    async with owner_engine.begin() as connection:
        await connection.exec_driver_sql(change.format(role=temporary_role))
    with pytest.raises(RowSecurityError, match=expected):
        await check(as_role(database_url, temporary_role))


async def test_table_without_rls_is_rejected(
    owner_engine: AsyncEngine, app_url: str
) -> None:
    async with owner_engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE rls_check_probe (id int)")
    try:
        with pytest.raises(RowSecurityError, match="rls_check_probe"):
            await check(app_url)
    finally:
        async with owner_engine.begin() as connection:
            await connection.exec_driver_sql("DROP TABLE rls_check_probe")


async def test_owner_view_is_rejected(owner_engine: AsyncEngine, app_url: str) -> None:
    async with owner_engine.begin() as connection:
        await connection.exec_driver_sql(
            "CREATE VIEW rls_check_view AS SELECT id FROM journeys"
        )
        await connection.exec_driver_sql(
            "GRANT SELECT ON rls_check_view TO registry_gql_app"
        )
    try:
        with pytest.raises(RowSecurityError, match="rls_check_view"):
            await check(app_url)
    finally:
        async with owner_engine.begin() as connection:
            await connection.exec_driver_sql("DROP VIEW rls_check_view")


async def test_session_tenant_is_rejected(app_url: str) -> None:
    # The owner's engine sets registry.role for the whole session.
    with pytest.raises(RowSecurityError, match=r"registry\.role has a value"):
        await check(app_url, owner_settings=True)


async def test_startup_rejects_superuser(
    api_settings: Settings, database_url: str
) -> None:
    app = create_app(api_settings.model_copy(update={"app_database_url": database_url}))
    with pytest.raises(RowSecurityError, match="superuser"):
        async with app.router.lifespan_context(app):
            pytest.fail("the application started")


async def test_startup_accepts_application_role(api_settings: Settings) -> None:
    app = create_app(api_settings)
    started = False
    async with app.router.lifespan_context(app):
        started = True
    assert started
