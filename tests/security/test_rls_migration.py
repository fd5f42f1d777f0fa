"""Migration 0002 adds row-level security and its downgrade removes all of it;
migration 0004 swaps the journeys policy of AOMs both ways."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import NamedTuple

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from registry_gql.db import migrate
from tests.conftest import SERVER_URL

TABLES = (
    "journeys",
    "journey_keys",
    "operator_incentives",
    "territories",
    "territory_communes",
    "operators",
    "oauth_clients",
)
FUNCTIONS = (
    "registry_role",
    "registry_tenant_id",
    "territory_selectors",
    "territory_selector_keys",
    "journey_place_keys",
    "journey_touches_territory",
)


def _plain(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def scratch_url() -> Iterator[str]:
    """A database of its own, since the test migrates down and up again."""
    name = f"registry_gql_rls_{uuid.uuid4().hex[:8]}"
    asyncio.run(_execute(_plain(SERVER_URL), f'CREATE DATABASE "{name}"'))
    try:
        yield _plain(SERVER_URL, name)
    finally:
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        asyncio.run(_execute(_plain(SERVER_URL), drop))


class RowSecurity(NamedTuple):
    secured: set[str]
    policies: int
    functions: set[str]


async def _state(url: str) -> RowSecurity:
    connection = await asyncpg.connect(url)
    try:
        secured = await connection.fetch(
            "SELECT c.relname FROM pg_class c WHERE c.relrowsecurity "
            "AND (c.relname = ANY($1::text[]) OR c.relname LIKE 'journeys_%')",
            list(TABLES),
        )
        policies = await connection.fetchval(
            "SELECT count(*) FROM pg_policies WHERE tablename = ANY($1::text[])",
            list(TABLES),
        )
        functions = await connection.fetch(
            "SELECT proname FROM pg_proc WHERE proname = ANY($1::text[])",
            list(FUNCTIONS),
        )
    finally:
        await connection.close()
    return RowSecurity(
        {row["relname"] for row in secured},
        policies,
        {row["proname"] for row in functions},
    )


def test_downgrade_removes_row_security(scratch_url: str) -> None:
    migrate.upgrade(scratch_url, "0002")
    asyncio.run(
        _execute(scratch_url, "SELECT ensure_journey_partitions('2024-01-01', now())")
    )
    upgraded = asyncio.run(_state(scratch_url))
    assert set(TABLES) <= upgraded.secured
    assert "journeys_2024_01" in upgraded.secured
    assert upgraded.policies > 0
    assert upgraded.functions == set(FUNCTIONS)

    migrate.downgrade(scratch_url, "0001")
    downgraded = asyncio.run(_state(scratch_url))
    assert downgraded == RowSecurity(set(), 0, set())

    # The restored partition function creates partitions without RLS again.
    asyncio.run(
        _execute(
            scratch_url, "SELECT ensure_journey_partitions('2030-01-01', '2030-01-01')"
        )
    )
    assert asyncio.run(_state(scratch_url)).secured == set()
    migrate.upgrade(scratch_url)


async def _languages(url: str) -> dict[str, str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT p.proname, l.lanname FROM pg_proc p "
            "JOIN pg_language l ON l.oid = p.prolang "
            "WHERE p.proname = ANY($1::text[])",
            ["territory_selector_keys", "journey_touches_territory"],
        )
        policy = await connection.fetchval(
            "SELECT qual FROM pg_policies WHERE policyname = 'journeys_aom'"
        )
    finally:
        await connection.close()
    return {row["proname"]: row["lanname"] for row in rows} | {"policy": policy}


def test_cheaper_territory_policy_round_trip(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    head = asyncio.run(_languages(scratch_url))
    assert head["territory_selector_keys"] == "plpgsql"
    assert "journey_touches_territory" not in head
    assert "&&" in head["policy"]

    migrate.downgrade(scratch_url, "0003")
    before = asyncio.run(_languages(scratch_url))
    assert before["territory_selector_keys"] == "sql"
    assert before["journey_touches_territory"] == "plpgsql"
    assert "journey_touches_territory" in before["policy"]

    migrate.upgrade(scratch_url)
    assert asyncio.run(_languages(scratch_url)) == head
