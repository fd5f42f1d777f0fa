"""The request transaction: its tenant settings end with it, and they alone
keep a query that forgot its tenant filter inside the tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.auth.principal import Principal
from registry_gql.db import journey_reads
from registry_gql.db.engine import create_engine
from registry_gql.db.journey_reads import JourneyFilter
from registry_gql.db.request import RequestDatabase
from registry_gql.db.row_scope import RowScope
from tests.security.conftest import Seeded

SETTINGS = (
    "registry.role",
    "registry.operator_id",
    "registry.territory_id",
    "registry.company_siren",
)
READ_SETTINGS = "SELECT pg_backend_pid() AS pid, " + ", ".join(
    f"coalesce(current_setting('{name}', true), '') AS \"{name}\"" for name in SETTINGS
)


@pytest.fixture
async def one_connection(app_url: str) -> AsyncIterator[AsyncEngine]:
    """The application role's engine with a pool of one connection."""
    engine = create_engine(app_url, pool_size=1)
    yield engine
    await engine.dispose()


def operator(seeded: Seeded, name: str) -> Principal:
    return Principal(role="operator", operator_id=seeded.operators[name])


def aom(seeded: Seeded, name: str) -> Principal:
    return Principal(role="aom", territory_id=seeded.territories[name])


@pytest.mark.parametrize("outcome", ["commit", "rollback", "error"])
async def test_settings_end_with_transaction(
    one_connection: AsyncEngine, seeded: Seeded, outcome: str
) -> None:
    database = RequestDatabase(
        one_connection,
        Principal(role="employer", company_siren="123456789", operator_id=7),
    )
    [inside] = await database.fetch(READ_SETTINGS)
    assert inside["registry.role"] == "employer"
    assert inside["registry.company_siren"] == "123456789"
    if outcome == "error":
        with pytest.raises(asyncpg.DivisionByZeroError):
            await database.fetch("SELECT 1 / 0")
    await database.finish(commit=outcome == "commit")

    async with one_connection.connect() as connection:
        after = (await connection.exec_driver_sql(READ_SETTINGS)).mappings().one()
        journeys = (
            await connection.exec_driver_sql("SELECT count(*) FROM journeys")
        ).scalar_one()
    assert after["pid"] == inside["pid"], "the pool handed out another connection"
    for name in SETTINGS:
        assert after[name] == "", name
    assert journeys == 0


async def test_next_tenant_sees_own_rows(
    one_connection: AsyncEngine, seeded: Seeded
) -> None:
    for principal, numbers in (
        (operator(seeded, "A"), (1, 2, 3)),
        (operator(seeded, "B"), (4, 5, 6)),
        (aom(seeded, "cergy"), (1, 4, 5)),
        (operator(seeded, "A"), (1, 2, 3)),
    ):
        database = RequestDatabase(one_connection, principal)
        rows = await database.fetch("SELECT id FROM journeys")
        await database.finish(commit=True)
        assert {row["id"] for row in rows} == seeded.journey_ids(*numbers)


CALLERS: dict[str, tuple[Callable[[Seeded], Principal], tuple[int, ...]]] = {
    "operator A": (lambda seeded: operator(seeded, "A"), (1, 2, 3)),
    "operator B": (lambda seeded: operator(seeded, "B"), (4, 5, 6)),
    "aom cergy": (lambda seeded: aom(seeded, "cergy"), (1, 4, 5)),
    "aom lyon": (lambda seeded: aom(seeded, "lyon"), (3, 5, 6)),
    "employer": (
        lambda _: Principal(role="employer", company_siren="123456789"),
        (),
    ),
    "anonymous": (lambda _: Principal(role="anonymous"), ()),
}


@pytest.mark.parametrize("caller", CALLERS)
async def test_unfiltered_page_stays_in_tenant(
    one_connection: AsyncEngine, seeded: Seeded, caller: str
) -> None:
    """A resolver that asked for RowScope('all') by mistake."""
    principal_of, numbers = CALLERS[caller]
    database = RequestDatabase(one_connection, principal_of(seeded))
    try:
        page = await journey_reads.fetch_page(
            database, RowScope("all"), JourneyFilter(), None, 100
        )
        by_id = await journey_reads.fetch_by_ids(
            database, RowScope("all"), sorted(seeded.journeys.values())
        )
    finally:
        await database.finish(commit=False)
    assert {row["id"] for row in page} == seeded.journey_ids(*numbers)
    assert {row["id"] for row in by_id} == seeded.journey_ids(*numbers)


async def test_foreign_scope_returns_nothing(
    one_connection: AsyncEngine, seeded: Seeded
) -> None:
    """A resolver that filtered on another tenant's id by mistake."""
    database = RequestDatabase(one_connection, operator(seeded, "A"))
    try:
        rows = await journey_reads.fetch_page(
            database,
            RowScope("operator", seeded.operators["B"]),
            JourneyFilter(),
            None,
            100,
        )
    finally:
        await database.finish(commit=False)
    assert rows == []
