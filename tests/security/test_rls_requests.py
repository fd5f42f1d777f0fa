"""The request's database work: transaction settings end with the transaction,
a lone read's session settings always belong to its caller, and the settings
alone keep a query that forgot its tenant filter inside the tenant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.auth.principal import Principal
from registry_gql.db import journey_reads
from registry_gql.db.engine import create_engine
from registry_gql.db.journey_reads import JourneyFilter
from registry_gql.db.request import RequestDatabase, settings_statement
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


async def _lone_read(engine: AsyncEngine, principal: Principal) -> list[asyncpg.Record]:
    database = RequestDatabase(engine, principal)
    try:
        return await database.fetch_alone("SELECT id FROM journeys")
    finally:
        await database.finish(commit=True)


async def test_lone_reads_of_interleaved_tenants(
    one_connection: AsyncEngine, seeded: Seeded
) -> None:
    """Lone reads keep session settings on the connection, and each caller's
    settings replace the previous caller's, transactions included."""
    sequence = (
        (operator(seeded, "A"), (1, 2, 3), True),
        (operator(seeded, "A"), (1, 2, 3), True),
        (operator(seeded, "B"), (4, 5, 6), True),
        (aom(seeded, "cergy"), (1, 4, 5), False),
        (operator(seeded, "B"), (4, 5, 6), True),
        (aom(seeded, "lyon"), (3, 5, 6), True),
        (Principal(role="anonymous"), (), True),
        (aom(seeded, "lyon"), (3, 5, 6), False),
        (Principal(role="employer", company_siren="123456789"), (), False),
    )
    for principal, numbers, alone in sequence:
        if alone:
            rows = await _lone_read(one_connection, principal)
        else:
            database = RequestDatabase(one_connection, principal)
            rows = await database.fetch("SELECT id FROM journeys")
            await database.finish(commit=True)
        assert {row["id"] for row in rows} == seeded.journey_ids(*numbers)


async def test_lone_read_sets_on_change(app_url: str, seeded: Seeded) -> None:
    statements: list[str] = []

    def log(record: Any) -> None:
        statements.append(record.query)

    engine = create_engine(app_url, pool_size=1)

    def attach(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(log)

    event.listen(engine.sync_engine, "connect", attach)

    async def read(principal: Principal) -> None:
        await _lone_read(engine, principal)
        await asyncio.sleep(0)  # asyncpg calls query loggers soon after

    try:
        await read(operator(seeded, "A"))
        assert [query[:17] for query in statements] == [
            "SELECT set_config",
            "SELECT id FROM jo",
        ]
        statements.clear()
        await read(operator(seeded, "A"))
        assert statements == ["SELECT id FROM journeys"]
        await read(operator(seeded, "B"))
        assert [query[:17] for query in statements] == [
            "SELECT id FROM jo",
            "SELECT set_config",
            "SELECT id FROM jo",
        ]
    finally:
        await engine.dispose()


async def test_later_statement_opens_transaction(
    one_connection: AsyncEngine, seeded: Seeded
) -> None:
    await _lone_read(one_connection, operator(seeded, "B"))
    database = RequestDatabase(one_connection, aom(seeded, "cergy"))
    try:
        first = await database.fetch_alone("SELECT id FROM journeys")
        [state] = await database.fetch(
            "SELECT now() = statement_timestamp() AS alone, "
            "current_setting('registry.territory_id') AS territory"
        )
    finally:
        await database.finish(commit=True)
    assert {row["id"] for row in first} == seeded.journey_ids(1, 4, 5)
    # In a transaction begun before it, the statement starts after now().
    assert state["alone"] is False
    assert state["territory"] == str(seeded.territories["cergy"])


async def test_connection_dropped_when_settings_fail(
    one_connection: AsyncEngine, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    [before] = await _pids(one_connection, operator(seeded, "A"))
    real = RequestDatabase._set_session

    async def cancelled(self: RequestDatabase) -> None:
        await real(self)
        raise asyncio.CancelledError

    monkeypatch.setattr(RequestDatabase, "_set_session", cancelled)
    with pytest.raises(asyncio.CancelledError):
        await _pids(one_connection, operator(seeded, "B"))
    monkeypatch.undo()
    [after] = await _pids(one_connection, operator(seeded, "B"))
    assert after != before, "the connection whose settings failed was pooled again"


async def _pids(engine: AsyncEngine, principal: Principal) -> list[int]:
    database = RequestDatabase(engine, principal)
    try:
        rows = await database.fetch_alone("SELECT pg_backend_pid() AS pid")
    finally:
        await database.finish(commit=True)
    return [row["pid"] for row in rows]


@pytest.mark.parametrize("conforming", ["on", "off"])
async def test_settings_literals_round_trip(app_url: str, conforming: str) -> None:
    values = ("operator", "7' OR true --", "back\\slash\\'", "é\n$$")
    settings = tuple(zip(SETTINGS, values, strict=True))
    connection = await asyncpg.connect(
        app_url, server_settings={"standard_conforming_strings": conforming}
    )
    try:
        await connection.execute(settings_statement(settings, local=False))
        [row] = await connection.fetch(READ_SETTINGS)
    finally:
        await connection.close()
    assert tuple(row[name] for name in SETTINGS) == values


@pytest.mark.parametrize("alone", [True, False], ids=["lone read", "transaction"])
async def test_cancelled_statement_drops_connection(
    one_connection: AsyncEngine, seeded: Seeded, alone: bool
) -> None:
    [before] = await _pids(one_connection, operator(seeded, "A"))
    database = RequestDatabase(one_connection, operator(seeded, "A"))
    fetch = database.fetch_alone if alone else database.fetch
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(fetch("SELECT pg_sleep(5)"), timeout=0.2)
    await database.finish(commit=False)

    [after] = await _pids(one_connection, operator(seeded, "A"))
    assert after != before, "the connection of a cancelled statement was pooled"
