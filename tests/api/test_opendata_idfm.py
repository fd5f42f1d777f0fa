"""The January 2022 open-data extract, imported and read back over HTTP."""

from __future__ import annotations

import csv
import math
from typing import Any

import pytest
import shapely
import shapely.ops
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.operators import create_operator
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.ingestion.opendata_import import ImportReport, import_opendata
from tests.api_fixtures import Api, Tenants
from tests.conftest import DATA_DIR

EXTRACT = DATA_DIR / "rpc_trips" / "rpc_trips_2022-01_extract.csv"
IDF_DEPARTMENTS = {"75", "77", "78", "91", "92", "93", "94", "95"}
COUNT_QUERY = """
query Page($first: Int!, $after: String) {
  journeys(first: $first, after: $after) {
    nodes { operatorJourneyId }
    pageInfo { hasNextPage endCursor }
  }
}
"""

pytestmark = pytest.mark.slow


def csv_rows() -> list[dict[str, str]]:
    with EXTRACT.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter=";"))


def in_idf(code: str) -> bool:
    return code[:2] in IDF_DEPARTMENTS and not code.startswith("99")


@pytest.fixture
async def imported(
    api: Api, tenants: Tenants, reference_2022: ReferenceGeography
) -> tuple[int, ImportReport]:
    async with api.engine.begin() as connection:
        operator_id = await create_operator(
            connection, siret="33333333333333", name="Open data"
        )
    report = await import_opendata(api.engine, EXTRACT, operator_id, reference_2022)
    return operator_id, report


async def read_all(api: Api, token: str) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        response = await api.graphql(COUNT_QUERY, {"first": 100, "after": after}, token)
        page = response.json()["data"]["journeys"]
        ids += [node["operatorJourneyId"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


async def test_every_row_is_stored(imported: tuple[int, ImportReport]) -> None:
    _, report = imported
    assert report.rows == 6_446
    assert report.rejected == 0, report.describe()
    assert report.stored == 6_446


async def test_reimport_changes_nothing(
    api: Api, imported: tuple[int, ImportReport], reference_2022: ReferenceGeography
) -> None:
    operator_id, _ = imported
    again = await import_opendata(api.engine, EXTRACT, operator_id, reference_2022)
    assert again.stored == 0
    assert again.already_stored == 6_446


async def test_idfm_sees_exactly_its_journeys(
    api: Api, tenants: Tenants, imported: tuple[int, ImportReport]
) -> None:
    expected = {
        row["journey_id"]
        for row in csv_rows()
        if in_idf(row["journey_start_insee"]) or in_idf(row["journey_end_insee"])
    }
    idfm = await api.token("aom", territory_id=tenants.idfm)
    seen = await read_all(api, idfm)
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


async def test_operator_sees_all_its_rows(
    api: Api, imported: tuple[int, ImportReport]
) -> None:
    operator_id, _ = imported
    token = await api.token("operator", operator_id=operator_id)
    seen = await read_all(api, token)
    assert sorted(seen) == sorted(row["journey_id"] for row in csv_rows())


def metres(geometry: Any, lat: float, lon: float) -> float:
    """Distance from the point to the polygon, in metres (local flat earth)."""
    nearest = shapely.ops.nearest_points(geometry, shapely.Point(lon, lat))[0]
    dy = (nearest.y - lat) * 111_195
    dx = (nearest.x - lon) * 111_195 * math.cos(math.radians(lat))
    return math.hypot(dx, dy)


async def test_resolved_communes_match_points(
    owner_engine: AsyncEngine,
    imported: tuple[int, ImportReport],
    reference_2022: ReferenceGeography,
) -> None:
    import shapely.ops

    by_id = {row["journey_id"]: row for row in csv_rows()}
    async with owner_engine.connect() as connection:
        polygons = {
            row.code: shapely.from_wkb(row.geometry)
            for row in await connection.execute(
                text(
                    "SELECT code, geometry FROM communes "
                    "WHERE year = 2022 AND geometry IS NOT NULL"
                )
            )
        }
        journeys = (
            await connection.execute(
                text(
                    "SELECT operator_journey_id, start_lat, start_lon, start_com, "
                    "end_lat, end_lon, end_com FROM journeys"
                )
            )
        ).all()
    checked = 0
    for journey in journeys:
        row = by_id[journey.operator_journey_id]
        for side, lat, lon, code in (
            ("start", journey.start_lat, journey.start_lon, journey.start_com),
            ("end", journey.end_lat, journey.end_lon, journey.end_com),
        ):
            if code is None:
                continue
            assert metres(polygons[code], lat, lon) <= 1_000, (side, row)
            expected = reference_2022.canonical_code(row[f"journey_{side}_insee"])
            polygon = polygons.get(expected or "")
            if polygon is not None and polygon.contains(shapely.Point(lon, lat)):
                assert code == expected, (side, row)
                checked += 1
    # Coordinates are truncated to 2 decimals (about 1 km), so only some points
    # still lie inside the commune that the row names; 7,456 sides do.
    assert checked > 7_000
