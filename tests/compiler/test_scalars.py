"""SQL formats of scalars match what the resolver path prints, value by value.

Each expression runs in PostgreSQL under a session time zone far from UTC, and
its text must equal what asyncpg, `isoformat()`, graphql-core and orjson make of
the same value.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from graphql import GraphQLEnumType
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.journey_reads import PageKey
from registry_gql.db.raw import driver_connection
from registry_gql.graphql.compiler.connection import cursor_sql
from registry_gql.graphql.compiler.scalars import (
    enum_name,
    float_json,
    global_id,
    isoformat_utc,
)
from registry_gql.graphql.compiler.selection import Row
from registry_gql.graphql.cursors import encode_cursor
from registry_gql.graphql.schema import schema
from registry_gql.graphql.types.enums import JourneyStatus

INSTANTS = [
    datetime(2024, 3, 5, 12, 0, tzinfo=UTC),
    datetime(2024, 3, 5, 12, 0, 0, 1, tzinfo=UTC),
    datetime(2024, 3, 5, 12, 0, 0, 999_999, tzinfo=UTC),
    datetime(2024, 10, 27, 1, 30, 15, 120_000, tzinfo=timezone(timedelta(hours=2))),
    datetime(1891, 3, 14, 23, 59, 59, tzinfo=timezone(timedelta(minutes=9))),
    datetime(999, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
]
FLOATS = [
    0.0,
    -0.0,
    2.0,
    -1.0,
    49.0364,
    2.0761,
    1e-05,
    1e-07,
    0.0001,
    123.456,
    -179.999999,
    123456789012345.0,
    1e16,
]


async def evaluate(engine: AsyncEngine, expression: str, value: Any) -> Any:
    """Evaluate `expression`, in which `$1` is `value`, far from UTC."""
    async with engine.connect() as connection:
        driver = await driver_connection(connection)
        await driver.execute("SET TIME ZONE 'Pacific/Chatham'")
        try:
            return await driver.fetchval(f"SELECT ({expression})::text", value)
        finally:
            await driver.execute("RESET TIME ZONE")


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
async def test_datetime_matches_isoformat(
    owner_engine: AsyncEngine, instant: datetime
) -> None:
    text = await evaluate(owner_engine, isoformat_utc("$1::timestamptz"), instant)
    assert text == instant.astimezone(UTC).isoformat()


@pytest.mark.parametrize("value", FLOATS, ids=repr)
async def test_float_reads_back_same(owner_engine: AsyncEngine, value: float) -> None:
    text = await evaluate(owner_engine, float_json("$1::float8"), value)
    # repr distinguishes -0.0 from 0.0 and 2.0 from 2.
    assert repr(json.loads(text)) == repr(value)


@pytest.mark.parametrize("journey_id", [1, 36, 2**63 - 1, -5])
async def test_global_id_matches_relay(
    owner_engine: AsyncEngine, journey_id: int
) -> None:
    text = await evaluate(owner_engine, global_id("Journey", "$1::bigint"), journey_id)
    assert text == base64.b64encode(f"Journey:{journey_id}".encode()).decode()


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
async def test_cursor_matches_encoder(
    owner_engine: AsyncEngine, instant: datetime
) -> None:
    row = Row("k")
    source = f"(SELECT $1::timestamptz AS start_at, {2**62}::bigint AS id) AS k"
    expression = f"SELECT {cursor_sql(row)} FROM {source}"
    text = await evaluate(owner_engine, expression, instant)
    expected = encode_cursor(PageKey(instant.astimezone(UTC), 2**62))
    assert text == expected


@pytest.mark.parametrize("stored", ["ok", "terms_violation_error", "pending"])
async def test_enum_prints_graphql_name(owner_engine: AsyncEngine, stored: str) -> None:
    status = schema._schema.get_type("JourneyStatus")
    assert isinstance(status, GraphQLEnumType)
    text = await evaluate(owner_engine, enum_name(status, "$1::text"), stored)
    assert text == status.serialize(JourneyStatus(stored))
