"""Journeys that exercise every format the compiled path must reproduce.

Two operators (one with quotes, a backslash and accents in its name), journeys in
four monthly partitions, starts with and without microseconds, integral
coordinates, points abroad, terms violations, incentives listed out of order,
imported rows, and every public status.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.journey_reads import PageKey
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.domain.journeys import (
    Driver,
    Identity,
    JourneyDraft,
    OperatorIncentive,
    Place,
)
from registry_gql.graphql.cursors import encode_cursor
from registry_gql.ingestion.service import submit_journeys
from tests.api_fixtures import create_tenants
from tests.conftest import TENANT_TABLES
from tests.factories import draft, identity

FIRST_START = datetime(2024, 1, 30, 7, 0, tzinfo=UTC)
# Geneva: outside the reference, so no commune.
GENEVA = (46.2044, 6.1432)
# Integral coordinates inside Île-de-France (Val-d'Oise).
INTEGRAL = (49.0, 2.0)


@dataclass(frozen=True, slots=True)
class Seeded:
    operator_a: int
    operator_b: int
    idfm: int
    cergy: int
    journey_ids: tuple[int, ...]
    # The page cursor of every journey, as `encode_cursor` writes it.
    cursors: tuple[str, ...]


def _varied(number: int, prefix: str) -> JourneyDraft:
    """Return the `number`-th journey of an operator, whose number decides which
    fields vary."""
    start = FIRST_START + timedelta(days=number * 2, minutes=number * 7)
    if number % 3 == 0:
        start += timedelta(microseconds=1_000 * number + 1)
    base = draft(
        number,
        start=start,
        driver=f"{prefix}-driver-{number % 5}",
        passenger=f"{prefix}-passenger-{number}",
        trip=f"{prefix}-trip-{number // 2}",
        operator_journey_id=f"{prefix}-{number}",
    )

    changes: dict[str, Any] = {}
    if number % 4 == 1:
        changes["start"] = Place(start, *INTEGRAL)
    if number % 7 == 2:
        changes["end"] = Place(base.end.datetime, *GENEVA)
    if number % 5 == 3:
        changes["distance"] = 1_500

    changes["operator_class"] = "ABC"[number % 3]
    changes["incentives"] = tuple(
        OperatorIncentive(index, f"{index + 1:014d}", 50 * index + number)
        for index in (2, 0, 1)[: number % 4]
    )

    over18 = (True, False, None)[number % 3]
    changes["driver"] = Driver(
        replace(identity(f"{prefix}-driver-{number % 5}"), over18=over18),
        revenue=100 + number,
    )
    if number % 6 == 5:
        anonymous = Identity(identity(f"{prefix}-p{number}").identity_key)
        changes["passenger"] = replace(base.passenger, identity=anonymous)
    return replace(base, **changes)


async def _create_tenants(engine: AsyncEngine) -> tuple[int, int, int, int]:
    async with engine.begin() as connection:
        await connection.exec_driver_sql(
            f"TRUNCATE {', '.join(TENANT_TABLES)} RESTART IDENTITY CASCADE"
        )
        # The name has quotes, a backslash and accents, which JSON must escape.
        tenants = await create_tenants(
            connection, operator_a_name='Opérateur "A" \\ l\'été'
        )
    return tenants.operator_a, tenants.operator_b, tenants.idfm, tenants.cergy


async def seed(engine: AsyncEngine, geography: ReferenceGeography) -> Seeded:
    """Store the journeys of both operators as the owner and vary their statuses."""
    operator_a, operator_b, idfm, cergy = await _create_tenants(engine)
    ids: list[int] = []
    async with engine.begin() as connection:
        for operator_id, prefix, count in (
            (operator_a, "a", 36),
            (operator_b, "b", 18),
        ):
            drafts = [_varied(number, prefix) for number in range(count)]
            for imported, part in ((False, drafts[::2]), (True, drafts[1::2])):
                now = max(d.end.datetime for d in part) + timedelta(hours=1)
                results = await submit_journeys(
                    connection, geography, operator_id, part, imported=imported, now=now
                )
                assert all(not result.errors for result in results), results
                ids += [r.journey_id for r in results if r.journey_id is not None]
        await connection.exec_driver_sql(_VARY_STATUSES)
        keys = await connection.execute(text("SELECT start_at, id FROM journeys"))
        cursors = tuple(encode_cursor(PageKey(start, key)) for start, key in keys)
    return Seeded(operator_a, operator_b, idfm, cergy, tuple(sorted(ids)), cursors)


# Statuses that ingestion alone never produces.
_VARY_STATUSES = """
UPDATE journeys SET
    acquisition_status = CASE id % 5 WHEN 0 THEN 'canceled' WHEN 1 THEN 'failed'
        ELSE acquisition_status END,
    fraud_status = CASE id % 4 WHEN 2 THEN 'failed' WHEN 3 THEN 'passed'
        ELSE fraud_status END,
    anomaly_status = CASE id % 6 WHEN 4 THEN 'failed' WHEN 3 THEN 'passed'
        ELSE anomaly_status END,
    status = CASE
        WHEN id % 5 = 0 THEN 'canceled'
        WHEN id % 5 = 1 THEN 'acquisition_error'
        WHEN id % 4 = 2 THEN 'fraud_error'
        WHEN id % 6 = 4 THEN 'anomaly_error'
        WHEN id % 4 = 3 AND id % 6 = 3 THEN 'ok'
        ELSE status END
"""
