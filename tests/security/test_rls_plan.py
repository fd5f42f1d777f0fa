"""With row-level security on, an AOM page still walks the per-level indexes up
to its LIMIT instead of reading every journey of its territory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.journey_reads import JourneyFilter, page_query
from registry_gql.db.row_scope import RowScope
from tests.security.conftest import Seeded, fetch_as

JOURNEYS = 20_000
PAGE = 100
# 96 % of the journeys start and end in the region, 1 % start in Cergy and 1 %
# end there. The other communes are 90 codes of the region, or of region 84.
BULK_JOURNEYS = f"""
INSERT INTO journeys (
    id, operator_id, operator_journey_id, operator_trip_id, operator_class,
    start_at, start_lat, start_lon, start_geo, start_com, start_dep, start_reg,
    end_at, end_lat, end_lon, end_geo, end_com, end_dep, end_reg,
    distance, driver_identity_key, driver_revenue, passenger_identity_key,
    passenger_contribution, passenger_seats, acquisition_status, fraud_status,
    anomaly_status, status
)
SELECT nextval('journeys_id_seq'), :operator, 'bulk-' || g, 'bulk-' || g, 'C',
    start, 48.9, 2.2, 'contained', start_com, left(start_com, 2), region,
    start + interval '30 minutes', 48.8, 2.3, 'contained', end_com,
    left(end_com, 2), region,
    20000, repeat('a', 64), 0, repeat('b', 64), 0, 1, 'processed', 'pending',
    'pending', 'pending'
FROM generate_series(1, {JOURNEYS}) AS g,
    LATERAL (
        SELECT timestamptz '2024-01-01' + g * interval '6 minutes',
            CASE WHEN g % 25 = 1 THEN '84' ELSE '11' END,
            CASE WHEN g % 100 = 0 THEN '95127'
                WHEN g % 25 = 1 THEN '69' || lpad((g % 90)::text, 3, '0')
                ELSE '92' || lpad((g % 90)::text, 3, '0') END,
            CASE WHEN g % 100 = 50 THEN '95127'
                WHEN g % 25 = 1 THEN '69' || lpad((g % 89)::text, 3, '0')
                ELSE '93' || lpad((g % 89)::text, 3, '0') END
    ) AS s(start, region, start_com, end_com)
"""


@pytest.fixture
async def many_journeys(clean_db: AsyncEngine, seeded: Seeded) -> Seeded:
    from sqlalchemy import text

    async with clean_db.begin() as connection:
        await connection.execute(
            text("SELECT ensure_journey_partitions('2024-01-01', '2024-03-31')")
        )
        await connection.execute(
            text(BULK_JOURNEYS), {"operator": seeded.operators["A"]}
        )
    async with clean_db.connect() as connection:
        await connection.exec_driver_sql("ANALYZE journeys")
        await connection.commit()
    return seeded


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def journey_rows_read(plan: dict[str, Any]) -> int:
    """Rows that the plan's scans of journey partitions read, kept or not."""
    total = 0.0
    for node in _nodes(plan):
        if not str(node.get("Relation Name", "")).startswith("journeys_"):
            continue
        per_loop = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        total += per_loop * node.get("Actual Loops", 0)
    return round(total)


# Rows of the page: a full page in the region, and in Cergy too, where the
# 400 bulk journeys and the 3 seeded ones fill it.
@pytest.mark.parametrize(
    ("territory", "expected"), [("idfm", PAGE + 1), ("cergy", PAGE + 1)]
)
async def test_aom_page_reads_one_page(
    app_url: str, many_journeys: Seeded, territory: str, expected: int
) -> None:
    territory_id = many_journeys.territories[territory]
    sql, values = page_query(
        RowScope("territory", territory_id), JourneyFilter(), None, PAGE + 1
    )
    settings = {"registry.role": "aom", "registry.territory_id": str(territory_id)}
    rows = await fetch_as(app_url, settings, sql, *values)
    [explained] = await fetch_as(
        app_url, settings, f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *values
    )
    plan = json.loads(explained[0])[0]["Plan"]
    assert len(rows) == expected
    # A plan that sorts the region's 19,200 journeys would count them twice
    # here, once per branch (start and end). One page is about 3 x 101 rows.
    assert journey_rows_read(plan) < 1_000
